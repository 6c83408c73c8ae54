//! Roles that are not ours: a foreign role of the same name is never taken over, and a bot on a
//! customer-managed role keeps its permissions.

use lex_logs_setup::policy::equivalent;
use serde_json::json;

use crate::support::{endpoint, expect_exit, stderr, stdout, unique, World, ACCOUNT};

use super::{dedicated, policy_document};

#[tokio::test]
async fn a_foreign_role_of_the_same_name_is_never_taken_over() {
    let world = World::new().await;
    world
        .clients
        .iam
        .create_role()
        .role_name(world.role_name())
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .unwrap();
    let before = world.snapshot().await;
    let out = dedicated(&world, &endpoint(), "apply", &[]).await;
    expect_exit(&out, 64);
    let err = stderr(&out);
    assert!(
        err.contains("was not created by lex-logs-setup") && err.contains("--role-name"),
        "{err}"
    );
    assert_eq!(world.snapshot().await, before);

    let out = dedicated(&world, &endpoint(), "destroy", &[]).await;
    expect_exit(&out, 0);
    assert!(stdout(&out).contains("left alone"), "{}", stdout(&out));
    assert_eq!(
        world.snapshot().await,
        before,
        "destroy leaves a foreign role alone"
    );
}

#[tokio::test]
async fn a_bot_on_a_customer_managed_role_keeps_its_permissions() {
    let world = World::new().await;
    let c = &world.clients;
    let customer_role = unique("customer-role-");
    c.iam
        .create_role()
        .role_name(&customer_role)
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lexv2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    let managed = c
        .iam
        .create_policy()
        .policy_name(unique("polly-"))
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"polly:SynthesizeSpeech","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let managed_arn = managed.policy().unwrap().arn().unwrap().to_string();
    c.iam
        .attach_role_policy()
        .role_name(&customer_role)
        .policy_arn(&managed_arn)
        .send()
        .await
        .unwrap();
    let inline = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}]});
    c.iam
        .put_role_policy()
        .role_name(&customer_role)
        .policy_name("invoke-fulfilment")
        .policy_document(inline.to_string())
        .send()
        .await
        .unwrap();
    let customer_arn = format!("arn:aws:iam::{ACCOUNT}:role/{customer_role}");
    let bot = c
        .lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    c.lex
        .update_bot()
        .bot_id(&world.bot_id)
        .bot_name(&world.bot_name)
        .description(bot.description().unwrap())
        .role_arn(&customer_arn)
        .set_data_privacy(bot.data_privacy().cloned())
        .idle_session_ttl_in_seconds(bot.idle_session_ttl_in_seconds().unwrap())
        .send()
        .await
        .unwrap();

    // Dedicated: our role carries the customer role's permissions (the bot's DRAFT runs on it).
    let plan = dedicated(&world, &endpoint(), "plan", &[]).await;
    assert!(
        stdout(&plan).contains(&format!(
            "carries the permissions of the bot's previous role {customer_arn}"
        )),
        "{}",
        stdout(&plan)
    );
    let out = dedicated(&world, &endpoint(), "apply", &[]).await;
    expect_exit(&out, 0);
    let snapshot = world.snapshot().await;
    let attached = snapshot["role"]["attached"].as_array().unwrap();
    assert!(attached.contains(&json!(managed_arn)), "{attached:?}");
    assert!(equivalent(
        &snapshot["role"]["inline"]["invoke-fulfilment"],
        &inline
    ));
    assert!(
        policy_document(&world, "LexBotRuntime").await.is_none(),
        "only a service-linked role needs the runtime policy"
    );

    let out = dedicated(&world, &endpoint(), "destroy", &[]).await;
    expect_exit(&out, 0);
    let bot = c
        .lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    assert_eq!(bot.role_arn(), Some(customer_arn.as_str()));
    let still = c
        .iam
        .list_attached_role_policies()
        .role_name(&customer_role)
        .send()
        .await
        .unwrap();
    assert_eq!(
        still.attached_policies().len(),
        1,
        "the customer role is untouched"
    );
    c.iam
        .get_role_policy()
        .role_name(&customer_role)
        .policy_name("invoke-fulfilment")
        .send()
        .await
        .expect("inline policy kept");
    c.iam
        .get_policy()
        .policy_arn(&managed_arn)
        .send()
        .await
        .expect("the customer's policy is not ours to delete");
}
