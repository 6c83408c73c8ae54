//! Unit tests of config files: the shared model, unknown keys, and values named by line.

use super::*;
use crate::spec::{Spec, TargetSpec};

fn write(text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "lex-logs-setup-test-{}-{}.toml",
        std::process::id(),
        text.len()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

/// The targets of a config file, without how to name their values.
fn load_config(path: &Path) -> Result<Vec<TargetConfig>> {
    Ok(load_named_config(path)?
        .into_iter()
        .map(|(t, _)| t)
        .collect())
}

#[test]
fn config_files_share_the_flags_model() {
    let path = write(
        r#"
[[target]]
bot = "OrderBot"
aliases = ["live", "beta"]
log_group = "/aws/lex/OrderBot"
role_name = "LexLogs-OrderBot"
audio_bucket = "order-audio"
kms_key = "alias/lex-audio"
grant_pass_role = ["role/ci-deployer"]

[[target]]
bot = "FaqBot"
aliases = ["live"]
retention_days = 30
log_group_kms_key = "alias/lex-logs"
"#,
    );
    let targets = load_config(&path).unwrap();
    let specs: Vec<Spec> = targets
        .iter()
        .map(|t| Spec::from_target(t).unwrap())
        .collect();
    assert_eq!(specs.len(), 2);
    assert_eq!(specs[0].aliases, ["live", "beta"]);
    assert_eq!(
        specs[0].audio.as_ref().unwrap().kms_key.as_deref(),
        Some("alias/lex-audio")
    );
    assert_eq!(specs[0].pass_role[0].to_string(), "role/ci-deployer");
    assert_eq!(specs[1].text.as_ref().unwrap().retention_days, Some(30));
    assert_eq!(
        specs[1].text.as_ref().unwrap().kms_key.as_deref(),
        Some("alias/lex-logs")
    );
    assert_eq!(specs[0].text.as_ref().unwrap().kms_key, None);
}

#[test]
fn unknown_keys_are_errors_that_name_the_key_and_line() {
    let path = write("[[target]]\nbot = \"B\"\naliases = [\"a\"]\nlog_groop = \"x\"\n");
    let err = load_config(&path).unwrap_err().to_string();
    assert!(err.contains("log_groop") && err.contains("line 4"), "{err}");
}

#[test]
fn bad_values_in_a_file_are_named_by_file_line_and_key() {
    let text = "# targets\n\n[[target]]\nbot = \"A\"\naliases = [\"live\"]\n\n[[target]]\nbot = \"B\"\naliases = [\n  \"live\",\n]\nretention_days = 2\nlog_group = \"bad group\"\ngrant_pass_role = [\"bucket/x\"]\n";
    let path = write(text);
    let shown = path.display().to_string();
    let named = load_named_config(&path).unwrap();
    assert!(TargetSpec::from_named_target(&named[0].0, &named[0].1).is_ok());
    let (target, names) = &named[1];
    let err = TargetSpec::from_named_target(target, names)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "{shown} line 13: log_group = \"bad group\" is not"
        )),
        "{err}"
    );
    let mut t = target.clone();
    t.log_group = None;
    let err = TargetSpec::from_named_target(&t, names)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "{shown} line 12: retention_days = 2 is not a retention"
        )),
        "{err}"
    );
    assert!(!err.contains("--retention-days"), "{err}");
    t.retention_days = None;
    let err = TargetSpec::from_named_target(&t, names)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "{shown} line 14: grant_pass_role = \"bucket/x\": "
        )),
        "{err}"
    );
    t.grant_pass_role.clear();
    t.aliases.clear();
    let err = TargetSpec::from_named_target(&t, names)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("{shown} line 9: bot \"B\" has no alias")),
        "{err}"
    );
    t.aliases = vec!["a".into()];
    t.no_text_logs = true;
    let err = TargetSpec::from_named_target(&t, names)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "{shown} line 7: no_text_logs without audio_bucket"
        )),
        "a key not in the file is named at its table: {err}"
    );
}
