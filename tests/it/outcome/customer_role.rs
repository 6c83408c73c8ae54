//! A bot on a customer-managed role logs through the policies we attach to that role.

use aws_sdk_lexmodelsv2::types::DataPrivacy;
use serde_json::json;

use crate::support::{expect_exit, publish_version, unique, World};

use super::{bot_role, cmd, logged, say, tool};

#[tokio::test]
async fn a_bot_on_a_customer_role_logs_through_our_attached_policies() {
    let world = World::new().await;
    let iam = world.clients.iam.clone();
    let role_name = unique("team-bot-role-");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let role = iam
        .create_role()
        .role_name(&role_name)
        .path("/team/")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    let role_arn = role.role().unwrap().arn().to_string();
    iam.put_role_policy()
        .role_name(&role_name)
        .policy_name("polly")
        .policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "polly:SynthesizeSpeech", "Resource": "*"}]})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    let lex = world.clients.lex.clone();
    let bot_name = unique("TeamBot");
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
        bot_id: bot_id.clone(),
        bot_name: bot_name.clone(),
        bot_role_arn: role_arn.clone(),
        alias_id: alias_id.clone(),
        alias_name: "prod".into(),
        ..world
    };
    let group = format!("/team/{}", unique("logs"));
    let args: Vec<String> = vec![
        "--bot".into(),
        bot_name.clone(),
        "--alias".into(),
        "prod".into(),
        "--log-group".into(),
        group.clone(),
    ];
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let attached = iam
        .list_attached_role_policies()
        .role_name(&role_name)
        .send()
        .await
        .unwrap();
    let attached: Vec<&str> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    assert_eq!(attached.len(), 1, "{attached:?}");
    assert!(attached[0].ends_with("-CloudWatchLogs"));
    let (session, _) = say(&team, &alias_id, "order").await;
    assert_eq!(logged(&team, &group, &session).await.len(), 1);
    assert_eq!(bot_role(&team).await, role_arn);

    let out = tool(cmd("destroy", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let attached = iam
        .list_attached_role_policies()
        .role_name(&role_name)
        .send()
        .await
        .unwrap();
    assert!(attached.attached_policies().is_empty());
    let inline = iam
        .list_role_policies()
        .role_name(&role_name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        inline.policy_names(),
        ["polly".to_string()],
        "the team's own policy stays"
    );
    let (session, interpretations) = say(&team, &alias_id, "order again").await;
    assert_eq!(interpretations[0]["intent"], "FallbackIntent");
    assert!(logged(&team, &group, &session).await.is_empty());
}
