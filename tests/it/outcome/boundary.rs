//! A bot on a customer role with a permissions boundary: a boundary that does not allow the log
//! actions makes plan and apply refuse, naming the role, the boundary, the action and the
//! resource, with nothing changed (in place, and in the dedicated mode, whose role carries the
//! boundary); a boundary that allows them applies, and a conversation's log line arrives.

use aws_sdk_lexmodelsv2::types::DataPrivacy;
use serde_json::{json, Value};

use crate::support::{expect_exit, publish_version, stderr, stdout, unique, World};

use super::{cmd, logged, say, tool};

/// A bot of its own on a customer role with `boundary` (a new managed policy), alias `prod` on
/// version 1; the world that names it, and the boundary's ARN.
async fn bot_with_boundary(boundary: Value) -> (World, String) {
    let world = World::new().await;
    let iam = world.clients.iam.clone();
    let boundary_arn = iam
        .create_policy()
        .policy_name(unique("TeamBoundary-"))
        .policy_document(boundary.to_string())
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_string();
    let role_name = unique("team-bounded-");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let role_arn = iam
        .create_role()
        .role_name(&role_name)
        .assume_role_policy_document(trust.to_string())
        .permissions_boundary(&boundary_arn)
        .send()
        .await
        .unwrap()
        .role()
        .unwrap()
        .arn()
        .to_string();
    let lex = world.clients.lex.clone();
    let bot_name = unique("BoundedBot");
    let bot_id = lex
        .create_bot()
        .bot_name(&bot_name)
        .role_arn(&role_arn)
        .data_privacy(DataPrivacy::builder().child_directed(false).build())
        .idle_session_ttl_in_seconds(300)
        .send()
        .await
        .unwrap()
        .bot_id()
        .unwrap()
        .to_string();
    let version = publish_version(&lex, &bot_id, &[]).await;
    let alias_id = lex
        .create_bot_alias()
        .bot_id(&bot_id)
        .bot_alias_name("prod")
        .bot_version(&version)
        .send()
        .await
        .unwrap()
        .bot_alias_id()
        .unwrap()
        .to_string();
    let team = World {
        bot_id,
        bot_name,
        bot_role_arn: role_arn,
        alias_id,
        alias_name: "prod".into(),
        ..world
    };
    (team, boundary_arn)
}

fn allow(actions: &[&str]) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
}

/// Every policy attached to the bot's role, for a before/after comparison beside the snapshot.
async fn attached(world: &World) -> Vec<String> {
    let out = world
        .clients
        .iam
        .list_attached_role_policies()
        .role_name(world.bot_role_name())
        .send()
        .await
        .unwrap();
    out.attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn a_boundary_without_the_log_actions_is_refused_by_plan_and_apply_with_nothing_changed() {
    let (world, boundary) = bot_with_boundary(allow(&["polly:*", "s3:*"])).await;
    let in_place = world.target_args();
    let dedicated = world.dedicated_args();
    let before = (world.snapshot().await, attached(&world).await);
    for (args, role) in [
        (&in_place, world.bot_role_arn.clone()),
        (&dedicated, format!("role/{}", world.role_name())),
    ] {
        for more in [&["plan"][..], &["apply", "--yes"]] {
            let out = tool(cmd(more[0], args, &more[1..])).await;
            expect_exit(&out, 64);
            let shown = format!("{}{}", stdout(&out), stderr(&out));
            let stream = format!(
                "logs:PutLogEvents on arn:aws:logs:us-east-1:000000000000:log-group:{}:log-stream:",
                world.log_group()
            );
            for part in [role.as_str(), &boundary, &stream, "Nothing was changed"] {
                assert!(shown.contains(part), "{more:?}: {part:?} not in {shown}");
            }
        }
    }
    assert_eq!((world.snapshot().await, attached(&world).await), before);
    let (session, _) = say(&world, &world.alias_id, "no logs").await;
    assert!(logged(&world, &world.log_group(), &session)
        .await
        .is_empty());
}

#[tokio::test]
async fn a_boundary_that_allows_the_log_actions_applies_and_the_log_line_arrives() {
    let boundary = allow(&["polly:*", "logs:CreateLogStream", "logs:PutLogEvents"]);
    let (world, _) = bot_with_boundary(boundary).await;
    let out = tool(cmd("apply", &world.target_args(), &["--yes"])).await;
    expect_exit(&out, 0);
    let (session, _) = say(&world, &world.alias_id, "bounded but allowed").await;
    let lines = logged(&world, &world.log_group(), &session).await;
    assert_eq!(lines.len(), 1, "{}", stderr(&out));
    assert_eq!(lines[0]["inputTranscript"], "bounded but allowed");
}
