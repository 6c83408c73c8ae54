//! Trust: a grant never goes to another principal than the one named, errors name their real
//! cause (and are JSON with `--output json`), and no call waits for ever.

use crate::support::{expect_exit, run_tool, stderr, stdout, unique, World, ACCOUNT};

/// The PassRole grant apply writes on a user, if any.
async fn user_grant(world: &World, user: &str) -> Option<String> {
    world
        .clients
        .iam
        .get_user_policy()
        .user_name(user)
        .policy_name(format!("LexLogsPassRole-{}", world.role_name()))
        .send()
        .await
        .ok()
        .map(|p| p.policy_document)
}

#[tokio::test]
async fn a_principal_of_another_account_is_refused_not_re_pointed_at_this_one() {
    let world = World::new().await;
    let before = world.snapshot().await;
    // The world's user exists here under the same name: the old code granted PassRole to it.
    let other_account = "111122223333";
    let arn = format!("arn:aws:iam::{other_account}:user/{}", world.user);
    let mut args = vec!["apply", "--yes", "--grant-pass-role", &arn];
    let target = world.target_args();
    args.extend(target.iter().map(String::as_str));
    let out = run_tool(&args).await;
    expect_exit(&out, 64);
    let err = stderr(&out);
    assert!(
        err.contains(other_account)
            && err.contains(ACCOUNT)
            && err.contains(&arn)
            && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(world.snapshot().await, before, "nothing changed");
    assert_eq!(user_grant(&world, &world.user).await, None);

    // A role of another account, planned: refused the same way, naming both accounts.
    let role = unique("deployer-");
    world
        .clients
        .iam
        .create_role()
        .role_name(&role)
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .expect("CreateRole");
    let arn = format!("arn:aws:iam::222233334444:role/ci/{role}");
    let mut args = vec!["plan", "--grant-pass-role", &arn];
    args.extend(target.iter().map(String::as_str));
    let out = run_tool(&args).await;
    expect_exit(&out, 64);
    let err = stderr(&out);
    assert!(
        err.contains("222233334444") && err.contains(ACCOUNT),
        "{err}"
    );
    assert!(stdout(&out).is_empty(), "no plan: {}", stdout(&out));

    // This account in another partition is another identity too.
    let arn = format!("arn:aws-cn:iam::{ACCOUNT}:user/{}", world.user);
    let mut args = vec!["plan", "--grant-pass-role", &arn];
    args.extend(target.iter().map(String::as_str));
    let out = run_tool(&args).await;
    expect_exit(&out, 64);
    let err = stderr(&out);
    assert!(
        err.contains("partition aws-cn") && err.contains("partition aws "),
        "{err}"
    );
}

#[tokio::test]
async fn a_path_in_the_principal_must_be_its_real_path() {
    let world = World::new().await;
    let iam = &world.clients.iam;
    let user = unique("pathed-");
    iam.create_user()
        .user_name(&user)
        .path("/team-a/")
        .send()
        .await
        .expect("CreateUser");
    let group = unique("group-");
    iam.create_group()
        .group_name(&group)
        .path("/ops/oncall/")
        .send()
        .await
        .expect("CreateGroup");
    let target = world.target_args();
    let plan = |principal: String| {
        let target = target.clone();
        async move {
            let mut args = vec!["plan".to_string(), "--grant-pass-role".into(), principal];
            args.extend(target);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run_tool(&args).await
        }
    };
    // Same name, other path: another identity than the one named.
    for (given, named_path) in [
        (
            format!("arn:aws:iam::{ACCOUNT}:user/team-b/{user}"),
            "/team-b/",
        ),
        (format!("arn:aws:iam::{ACCOUNT}:user/{user}"), "/"),
        (format!("user/team-b/{user}"), "/team-b/"),
        (format!("arn:aws:iam::{ACCOUNT}:group/ops/{group}"), "/ops/"),
    ] {
        let out = plan(given.clone()).await;
        expect_exit(&out, 64);
        let err = stderr(&out);
        assert!(
            err.contains(&given) && err.contains(named_path) && err.contains("is at path /"),
            "{given}: {err}"
        );
    }
    // The real path, or no path at all (this account, any path): planned.
    for (given, address) in [
        (
            format!("arn:aws:iam::{ACCOUNT}:user/team-a/{user}"),
            format!("user/{user}/"),
        ),
        (format!("user/team-a/{user}"), format!("user/{user}/")),
        (format!("user/{user}"), format!("user/{user}/")),
        (
            format!("arn:aws:iam::{ACCOUNT}:group/ops/oncall/{group}"),
            format!("group/{group}/"),
        ),
    ] {
        let out = plan(given.clone()).await;
        expect_exit(&out, 0);
        let text = stdout(&out);
        assert!(
            text.contains(&format!("+ inline_policy[{address}LexLogsPassRole-")),
            "{given}: {text}"
        );
    }
}

/// An endpoint that accepts connections and never answers; returns its URL. The connections are
/// held open until the test ends.
pub async fn silent_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

/// Runs the tool, failing the test if it has not finished after a generous minute.
async fn run_bounded(command: &mut tokio::process::Command) -> std::process::Output {
    tokio::time::timeout(std::time::Duration::from_secs(60), command.output())
        .await
        .expect("the tool gave up on the silent endpoint instead of hanging")
        .expect("the binary runs")
}

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

/// A web server that answers every request with `status` and `body`, as something that is not an
/// AWS endpoint would; returns its URL.
async fn web_server(status: &'static str, body: &'static str) -> String {
    web_server_with(status, "", body).await
}

/// A web server that answers every request with `status`, `headers` (`name: value\r\n` lines)
/// and `body`; returns its URL.
async fn web_server_with(
    status: &'static str,
    headers: &'static str,
    body: &'static str,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the head and the body the request announces, then answer and close.
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let Ok(n) = stream.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&seen).to_ascii_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/html\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
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

/// The binary in an environment with no credentials anywhere (and no instance metadata).
fn without_credentials(args: &[&str]) -> tokio::process::Command {
    let mut command = crate::support::tool_command(&crate::support::endpoint(), args);
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        command.env_remove(name);
    }
    command.env("AWS_EC2_METADATA_DISABLED", "true");
    command
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

    // A profile that gives none is named, and so is what to check.
    let out = run_bounded(&mut without_credentials(&[
        "apply",
        "--yes",
        "--bot",
        "B",
        "--alias",
        "a",
        "--profile",
        "ops-nosuch",
    ]))
    .await;
    expect_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("no AWS credentials found")
            && err.contains("profile \"ops-nosuch\" of the shared config")
            && err.contains("check that profile \"ops-nosuch\" exists"),
        "{err}"
    );
}

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

#[tokio::test]
async fn a_no_op_apply_counts_what_it_left_unchanged() {
    let world = World::new().await;
    let target = world.target_args();
    let user = format!("user/{}", world.user);
    let run = |command: &'static str| {
        let (target, user) = (target.clone(), user.clone());
        async move {
            let mut args = vec![command, "--output", "json", "--grant-pass-role"];
            args.push(&user);
            if command == "apply" {
                args.push("--yes");
            }
            args.extend(target.iter().map(String::as_str));
            let out = run_tool(&args).await;
            expect_exit(&out, 0);
            serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("JSON on stdout")
        }
    };
    let planned = run("plan").await["summary"].clone();
    let applied = run("apply").await;
    assert_eq!(applied["status"], "succeeded");
    assert_eq!(
        applied["summary"], planned,
        "a first apply does what was planned"
    );

    let planned = run("plan").await["summary"].clone();
    let unchanged = planned["no-op"].as_u64().unwrap();
    // In place: the log group, our inline policy on the bot's role, the grant and the alias.
    assert!(unchanged >= 4, "{planned}");
    let again = run("apply").await;
    assert_eq!(
        again["summary"],
        serde_json::json!({"create": 0, "update": 0, "delete": 0, "no-op": unchanged}),
        "{again}"
    );
    assert_eq!(again["changes"], serde_json::json!([]));
}

#[tokio::test]
async fn detailed_exitcode_help_and_behaviour_agree() {
    let help = crate::support::run_tool_at("http://127.0.0.1:9", &["plan", "--help"]).await;
    expect_exit(&help, 0);
    let text = stdout(&help);
    let line = text
        .lines()
        .find(|l| l.contains("--detailed-exitcode"))
        .unwrap();
    assert!(line.contains("0 when") && line.contains("2 when"), "{line}");
    assert!(line.contains("(1, or 64 for bad input)"), "{line}");

    let detailed = |args: Vec<String>| async move {
        let mut all = vec!["plan".to_string(), "--detailed-exitcode".into()];
        all.extend(args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        run_tool(&all).await
    };
    let world = World::new().await;
    expect_exit(&detailed(world.target_args()).await, 2);
    let bad = vec![
        "--bot".to_string(),
        "NoSuchBotAtAll".into(),
        "--alias".into(),
        "a".into(),
    ];
    expect_exit(&detailed(bad).await, 64);
    let mut with_bad_value = world.target_args();
    with_bad_value.extend(["--log-group".to_string(), "bad group".into()]);
    expect_exit(&detailed(with_bad_value).await, 64);
    // An AWS failure: 1.
    let url = web_server("404 Not Found", "").await;
    let out = crate::support::run_tool_at(
        &url,
        &["plan", "--detailed-exitcode", "--bot", "B", "--alias", "a"],
    )
    .await;
    expect_exit(&out, 1);
    let mut args = vec!["apply", "--yes"];
    let target = world.target_args();
    args.extend(target.iter().map(String::as_str));
    expect_exit(&run_tool(&args).await, 0);
    expect_exit(&detailed(world.target_args()).await, 0);
}
