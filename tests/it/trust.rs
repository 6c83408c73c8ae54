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
                    "HTTP/1.1 {status}\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
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
