//! What people do instead of the tool, measured the same way: the AWS guide's steps run with the
//! AWS CLI, one command after another.

use std::time::{Duration, Instant};

use crate::proxy::{Fault, FaultProxy};
use crate::support::{unique, World, ACCOUNT, REGION};
use crate::Sample;

/// The AWS guide's steps for the same setup, as a person's script runs them: one `aws` command
/// after another, reading the bot and alias before replacing them.
pub async fn aws_cli_steps(aws: &str, delay: Duration, world: &World) -> Sample {
    let proxy = FaultProxy::start_with_delay(Fault::None, delay).await;
    let dir = std::env::temp_dir().join(unique("bench-cli"));
    std::fs::create_dir_all(&dir).unwrap();
    let role = format!("CliLogs-{}", world.bot_name);
    let group = format!("/aws/lex/{}", world.bot_name);
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/{role}");
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        format!("file://{}", path.display())
    };
    let trust = write(
        "trust.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"lexv2.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:SourceAccount":"{ACCOUNT}"}}}}}}]}}"#
        ),
    );
    let logs = write(
        "logs.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*"}}]}}"#
        ),
    );
    let pass = write(
        "pass.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"{role_arn}","Condition":{{"StringEquals":{{"iam:PassedToService":"lexv2.amazonaws.com"}}}}}}]}}"#
        ),
    );
    let settings = format!(
        r#"{{"textLogSettings":[{{"enabled":true,"destination":{{"cloudWatch":{{"cloudWatchLogGroupArn":"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}","logPrefix":"lex/"}}}}}}]}}"#
    );
    let policy_arn = format!("arn:aws:iam::{ACCOUNT}:policy/{role}-CloudWatchLogs");
    let steps: Vec<Vec<String>> = vec![
        vec!["logs", "create-log-group", "--log-group-name", &group],
        vec![
            "iam",
            "create-role",
            "--role-name",
            &role,
            "--assume-role-policy-document",
            &trust,
        ],
        vec![
            "iam",
            "create-policy",
            "--policy-name",
            &format!("{role}-CloudWatchLogs"),
            "--policy-document",
            &logs,
        ],
        vec![
            "iam",
            "attach-role-policy",
            "--role-name",
            &role,
            "--policy-arn",
            &policy_arn,
        ],
        vec![
            "iam",
            "put-user-policy",
            "--user-name",
            &world.user,
            "--policy-name",
            "PassLexLogsRole",
            "--policy-document",
            &pass,
        ],
        vec!["lexv2-models", "describe-bot", "--bot-id", &world.bot_id],
        vec![
            "lexv2-models",
            "update-bot",
            "--bot-id",
            &world.bot_id,
            "--bot-name",
            &world.bot_name,
            "--description",
            "a bot for tests",
            "--role-arn",
            &role_arn,
            "--data-privacy",
            "childDirected=false",
            "--idle-session-ttl-in-seconds",
            "300",
        ],
        vec![
            "lexv2-models",
            "describe-bot-alias",
            "--bot-id",
            &world.bot_id,
            "--bot-alias-id",
            &world.alias_id,
        ],
        vec![
            "lexv2-models",
            "update-bot-alias",
            "--bot-id",
            &world.bot_id,
            "--bot-alias-id",
            &world.alias_id,
            "--bot-alias-name",
            "live",
            "--description",
            "the live alias",
            "--bot-version",
            "1",
            "--conversation-log-settings",
            &settings,
        ],
    ]
    .into_iter()
    .map(|step| step.into_iter().map(str::to_string).collect())
    .collect();
    let started = Instant::now();
    for step in &steps {
        let out = tokio::process::Command::new(aws)
            .args(step)
            .args(["--endpoint-url", &proxy.endpoint, "--output", "json"])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_DEFAULT_REGION", REGION)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .output()
            .await
            .expect("the aws CLI runs");
        assert!(
            out.status.success(),
            "aws {step:?}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let wall = started.elapsed();
    let calls = proxy.calls();
    Sample::of(wall, &calls, true)
}
