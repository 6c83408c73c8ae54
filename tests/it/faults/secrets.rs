//! No secret (secret key, session token) appears in any output at any verbosity.

use crate::support::{endpoint, stderr, stdout, tool_command, World};

use super::{full_args, Mode};

#[tokio::test]
async fn no_secret_appears_in_any_output_at_any_verbosity() {
    let world = World::new().await;
    let secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYSECRET";
    let token = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";
    let mut outputs = Vec::new();
    for verbosity in [vec![], vec!["-v"], vec!["-vv"]] {
        for rust_log in [None, Some("trace")] {
            let mut args = full_args(&world, "apply", Mode::InPlace);
            args.extend(verbosity.iter().map(|s| s.to_string()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut command = tool_command(&endpoint(), &args);
            command
                .env("AWS_SECRET_ACCESS_KEY", secret)
                .env("AWS_SESSION_TOKEN", token);
            if let Some(level) = rust_log {
                command.env("RUST_LOG", level);
            }
            outputs.push(command.output().await.unwrap());
        }
    }
    for out in &outputs {
        let all = format!("{}{}", stdout(out), stderr(out));
        assert!(out.status.success(), "{all}");
        assert!(
            !all.contains(secret) && !all.contains(token),
            "a secret leaked:\n{all}"
        );
    }
    assert!(
        outputs.iter().any(|o| stderr(o).lines().count() > 50),
        "trace logging was on"
    );
}
