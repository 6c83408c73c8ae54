//! Help, the manual page and shell completions: every command and the exit codes documented.

use crate::support::{expect_exit, run_tool, stdout};

#[tokio::test]
async fn help_documents_every_command_and_the_exit_codes() {
    let out = run_tool(&["--help"]).await;
    expect_exit(&out, 0);
    let help = stdout(&out);
    for word in [
        "plan",
        "apply",
        "destroy",
        "policy",
        "completions",
        "Exit codes:",
        "64",
        "rollback failed too",
    ] {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
    let out = run_tool(&["apply", "--help"]).await;
    for flag in [
        "--config",
        "--log-group",
        "--retention-days",
        "--audio-bucket",
        "--kms-key",
        "--grant-pass-role",
        "--yes",
        "--role-name",
    ] {
        assert!(
            stdout(&out).contains(flag),
            "{flag} missing from apply --help"
        );
    }
    expect_exit(&run_tool(&["frobnicate"]).await, 64);
}

#[tokio::test]
async fn the_manual_page_is_roff_with_every_command() {
    let out = run_tool(&["manual"]).await;
    expect_exit(&out, 0);
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH lex-logs-setup"),
        "{page}"
    );
    for word in ["apply", "destroy", "policy", "Exit codes"] {
        assert!(page.contains(word), "{word} missing from the manual");
    }
}

#[tokio::test]
async fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef lex-logs-setup"),
        ("fish", "complete -c lex-logs-setup"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = run_tool(&["completions", shell]).await;
        expect_exit(&out, 0);
        let script = stdout(&out);
        assert!(
            script.contains(marker)
                && script.contains("destroy")
                && script.contains("grant-pass-role"),
            "{shell}:\n{script}"
        );
    }
}
