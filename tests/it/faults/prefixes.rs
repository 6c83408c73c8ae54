//! A log prefix must end with '/' (the audio grant is `BUCKET/PREFIX*`): one without is refused
//! offline, before any AWS call, for text and audio, given by flags or in a config file, and the
//! error says the prefix to use instead.

use crate::proxy::{Fault, FaultProxy};
use crate::support::{stderr, tool_command, unique};

/// Runs the tool through a proxy; returns the exit code, stderr and how many calls reached AWS.
async fn refused(args: &[&str]) -> (Option<i32>, String, usize) {
    let proxy = FaultProxy::start(Fault::None).await;
    let out = tool_command(&proxy.endpoint, args).output().await.unwrap();
    (out.status.code(), stderr(&out), proxy.calls().len())
}

#[tokio::test]
async fn a_prefix_without_a_slash_is_refused_before_any_aws_call_by_flag_and_by_file() {
    let bot = unique("Bot");
    let target = ["--bot", bot.as_str(), "--alias", "live"];
    let audio = ["--audio-bucket", "some-bucket"];
    let mut failures = Vec::new();
    let flag_cases: Vec<(Vec<&str>, &str)> = vec![
        (
            [&["apply", "--yes"][..], &target, &["--log-prefix", "lex"]].concat(),
            "--log-prefix \"lex\" does not end with '/'",
        ),
        (
            [&["plan"][..], &target, &audio, &["--audio-prefix", "calls"]].concat(),
            "--audio-prefix \"calls\" does not end with '/'",
        ),
        (
            [&["destroy", "--yes"][..], &target, &["--log-prefix", "a/b"]].concat(),
            "--log-prefix \"a/b\" does not end with '/'",
        ),
    ];
    for (args, said) in flag_cases {
        let (code, err, calls) = refused(&args).await;
        let hint = said.replace("\" does not end with '/'", "/\"");
        if code != Some(64) || !err.contains(said) || !err.contains(&hint) || calls != 0 {
            failures.push(format!("{args:?}: exit {code:?}, {calls} AWS calls\n{err}"));
        }
    }

    let dir = std::env::temp_dir().join(unique("prefix"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lex-logs.toml");
    let file_cases = [
        (
            "log_prefix = \"lex\"",
            "line 4: log_prefix = \"lex\" does not end with '/'",
            "log_prefix = \"lex/\"",
        ),
        (
            "audio_bucket = \"some-bucket\"\naudio_prefix = \"rec\"",
            "line 5: audio_prefix = \"rec\" does not end with '/'",
            "audio_prefix = \"rec/\"",
        ),
    ];
    for (line, said, hint) in file_cases {
        let text = format!("[[target]]\nbot = {bot:?}\naliases = [\"live\"]\n{line}\n");
        std::fs::write(&path, text).unwrap();
        let config = path.to_str().unwrap();
        let (code, err, calls) = refused(&["apply", "--yes", "--config", config]).await;
        if code != Some(64) || !err.contains(said) || !err.contains(hint) || calls != 0 {
            failures.push(format!("{line}: exit {code:?}, {calls} AWS calls\n{err}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
