//! Errors name their real cause: a silent endpoint times out instead of hanging, an endpoint
//! that is not AWS is named with its HTTP status, and missing credentials are named with the
//! sources tried.

use crate::support::{expect_exit, stderr};

use super::{run_bounded, silent_endpoint, web_server, without_credentials};

#[tokio::test]
async fn a_silent_endpoint_times_out_instead_of_hanging() {
    let url = silent_endpoint().await;
    // The per-attempt timeout from the flag.
    let out = run_bounded(&mut crate::support::tool_command(
        &url,
        &["plan", "--bot", "B", "--alias", "a", "--call-timeout", "2"],
    ))
    .await;
    expect_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("Timeout")
            && err.contains(&format!("no answer from {url}"))
            && err.contains("--call-timeout allows 2s per attempt and 6s per call"),
        "{err}"
    );
    assert!(
        err.contains("next: check that") && err.contains("raise --call-timeout"),
        "{err}"
    );

    // From the environment, on apply, and with a connect timeout given too.
    let mut command = crate::support::tool_command(
        &url,
        &[
            "apply",
            "--yes",
            "--bot",
            "B",
            "--alias",
            "a",
            "--connect-timeout",
            "1",
        ],
    );
    command.env("LEX_LOGS_SETUP_CALL_TIMEOUT", "1");
    let out = run_bounded(&mut command).await;
    expect_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("no answer from {url}"))
            && err.contains("1s per attempt and 3s per call"),
        "{err}"
    );
}

#[tokio::test]
async fn an_endpoint_that_is_not_aws_is_named_with_its_http_status() {
    for (status, body, seen) in [
        ("404 Not Found", "", "HTTP 404 and an empty body"),
        (
            "404 Not Found",
            "<!DOCTYPE html><html><head><title>404</title></head><body>Not Found</body></html>",
            "HTTP 404 and an HTML page",
        ),
        (
            "403 Forbidden",
            "<html><body>Access denied by the corporate proxy</body></html>",
            "HTTP 403 and an HTML page",
        ),
    ] {
        let url = web_server(status, body).await;
        let out = crate::support::run_tool_at(&url, &["plan", "--bot", "B", "--alias", "a"]).await;
        expect_exit(&out, 1);
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "{url} (sts) answered sts:GetCallerIdentity with {seen}"
            )) && err.contains("may not be an AWS endpoint")
                && err.contains("next: check --endpoint-url"),
            "{status} {body:?}: {err}"
        );
        assert!(
            !err.contains("Unknown") && !err.contains("unhandled error") && !err.contains("above"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn missing_credentials_are_named_with_the_sources_tried() {
    let out = run_bounded(&mut without_credentials(&[
        "plan", "--bot", "B", "--alias", "a",
    ]))
    .await;
    expect_exit(&out, 1);
    let err = stderr(&out);
    for said in [
        "NoCredentials: no AWS credentials found",
        "environment variables (AWS_ACCESS_KEY_ID",
        "the default profile of the shared config and credentials files",
        "SSO",
        "instance metadata (IMDS)",
        "Ec2InstanceMetadata",
        "next: pass --profile NAME",
    ] {
        assert!(err.contains(said), "{said:?} in: {err}");
    }
    assert!(
        !err.contains("WARN") && !err.contains("check the network"),
        "no SDK warnings, no network hint: {err}"
    );

    // A profile that exists but gives none is named, and so is what to check.
    let config =
        std::env::temp_dir().join(format!("{}.ini", crate::support::unique("aws-config-")));
    std::fs::write(&config, "[profile ops-nocreds]\nregion = us-east-1\n").unwrap();
    let out = run_bounded(
        without_credentials(&[
            "apply",
            "--yes",
            "--bot",
            "B",
            "--alias",
            "a",
            "--profile",
            "ops-nocreds",
        ])
        .env("AWS_CONFIG_FILE", &config),
    )
    .await;
    expect_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("no AWS credentials found")
            && err.contains("profile \"ops-nocreds\" of the shared config")
            && err.contains("check that profile \"ops-nocreds\" exists"),
        "{err}"
    );
}
