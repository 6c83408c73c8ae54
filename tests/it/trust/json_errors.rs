//! With `--output json` every error, an interrupt before any change included, is a JSON object
//! on stdout.

use crate::support::{expect_exit, run_tool, stderr, stdout, World};

use super::{run_bounded, silent_endpoint, web_server, web_server_with, without_credentials};

/// The error object `--output json` prints on stdout, checked for the fields every error has.
fn json_error(out: &std::process::Output) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e})\n--- stdout\n{}\n--- stderr\n{}",
            stdout(out),
            stderr(out)
        )
    });
    let error = &doc["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{doc}"
    );
    assert!(error["kind"].is_string(), "{doc}");
    for key in ["hint", "code", "requestId"] {
        assert!(error.get(key).is_some(), "{key} in {doc}");
    }
    assert_eq!(error["exitCode"], out.status.code().unwrap(), "{doc}");
    doc["error"].clone()
}

#[tokio::test]
async fn with_json_output_every_error_is_a_json_object_on_stdout() {
    use crate::support::run_tool_at;
    // Bad input, found offline (before any AWS call).
    let out = run_tool_at(
        "http://127.0.0.1:9",
        &[
            "plan",
            "--bot",
            "B",
            "--alias",
            "a",
            "--retention-days",
            "2",
            "--output",
            "json",
        ],
    )
    .await;
    expect_exit(&out, 64);
    let error = json_error(&out);
    assert_eq!(error["kind"], "invalid-input");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("--retention-days 2"),
        "{error}"
    );
    assert!(
        error["hint"].as_str().unwrap().contains("use one of"),
        "{error}"
    );

    // A bad command line, refused by the parser.
    let out = run_tool_at(
        "http://127.0.0.1:9",
        &["plan", "--output=json", "--no-such-flag"],
    )
    .await;
    expect_exit(&out, 64);
    let error = json_error(&out);
    assert_eq!(error["kind"], "usage");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("--no-such-flag"),
        "{error}"
    );

    // Bad input found by reading the account: the bot does not exist.
    let out = run_tool(&[
        "plan",
        "--bot",
        "NoSuchBotForJson",
        "--alias",
        "a",
        "--output",
        "json",
    ])
    .await;
    expect_exit(&out, 64);
    assert_eq!(json_error(&out)["kind"], "invalid-input");

    // An AWS error with its code and request id.
    let url = web_server_with(
        "403 Forbidden",
        "x-amzn-requestid: req-4711\r\n",
        "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not for you</Message></Error><RequestId>req-4711</RequestId></ErrorResponse>",
    )
    .await;
    let out = run_tool_at(
        &url,
        &["plan", "--bot", "B", "--alias", "a", "--output", "json"],
    )
    .await;
    expect_exit(&out, 1);
    let error = json_error(&out);
    assert_eq!(
        (
            &error["kind"],
            &error["code"],
            &error["requestId"],
            &error["httpStatus"]
        ),
        (
            &"aws".into(),
            &"AccessDenied".into(),
            &"req-4711".into(),
            &403.into()
        ),
        "{error}"
    );
    assert!(
        error["hint"].as_str().unwrap().contains("lacks permission"),
        "{error}"
    );

    // Something that is not AWS: no AWS code, the HTTP status.
    let url = web_server("404 Not Found", "").await;
    let out = run_tool_at(
        &url,
        &["destroy", "--bot", "B", "--alias", "a", "--output", "json"],
    )
    .await;
    expect_exit(&out, 1);
    let error = json_error(&out);
    assert_eq!(
        (&error["kind"], &error["code"]),
        (&"not-aws".into(), &serde_json::Value::Null)
    );

    // A timeout.
    let url = silent_endpoint().await;
    let out = run_bounded(&mut crate::support::tool_command(
        &url,
        &[
            "plan",
            "--bot",
            "B",
            "--alias",
            "a",
            "--call-timeout",
            "1",
            "--output",
            "json",
        ],
    ))
    .await;
    expect_exit(&out, 1);
    assert_eq!(json_error(&out)["kind"], "timeout");

    // No credentials.
    let out = run_bounded(&mut without_credentials(&[
        "policy", "--bot", "B", "--alias", "a", "--output", "json",
    ]))
    .await;
    expect_exit(&out, 1);
    assert_eq!(json_error(&out)["kind"], "credentials");

    // A refusal: apply without a terminal and without --yes.
    let world = World::new().await;
    let mut args = vec!["apply", "--output", "json"];
    let target = world.target_args();
    args.extend(target.iter().map(String::as_str));
    let out = run_tool(&args).await;
    expect_exit(&out, 1);
    let error = json_error(&out);
    assert_eq!(error["kind"], "not-confirmed");
    assert!(
        error["message"].as_str().unwrap().contains("--yes"),
        "{error}"
    );
}

#[tokio::test]
async fn an_interrupt_before_any_change_is_a_json_error_too() {
    // An endpoint that accepts and never answers keeps the run in its reads until interrupted.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut child = crate::support::tool_command(
        &url,
        &[
            "apply", "--yes", "--bot", "B", "--alias", "a", "--output", "json",
        ],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    // Its first call has arrived: the interrupt handler is in place (installed before any call).
    let (first, _) = tokio::time::timeout(std::time::Duration::from_secs(30), listener.accept())
        .await
        .expect("the tool calls the endpoint")
        .unwrap();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        let mut held = vec![first];
        loop {
            tokio::select! {
                Ok((stream, _)) = listener.accept() => held.push(stream),
                _ = child.wait() => break,
            }
        }
        child.wait_with_output().await.unwrap()
    })
    .await
    .expect("the tool stops when interrupted");
    expect_exit(&out, 1);
    let error = json_error(&out);
    assert_eq!(error["kind"], "interrupted");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("nothing was changed"),
        "{error}"
    );
}
