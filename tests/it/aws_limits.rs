//! IAM's limits as a real account has them, on the twin: the account's quota of managed policies
//! per role (`iam:GetAccountSummary`, raised here through the twin's setting as an account raises
//! it through Service Quotas), and the size of all inline policies of a service-linked role
//! together (10,240 characters), both checked by the plan before any change.

use serde_json::json;

use crate::proxy::{Fault, FaultProxy};
use crate::support::{
    expect_exit, fresh_account, run_tool, run_tool_as, run_tool_at, stderr, twin_settings, World,
};

const USAGE: i32 = 64;

/// The world's alias moved to version 2, published on a customer role with `attached` managed
/// policies of its own; the role's name.
async fn on_customer_role_with(world: &World, attached: usize) -> String {
    let role_arn = world.customer_role().await;
    let role = role_arn.rsplit('/').next().unwrap().to_string();
    for i in 0..attached {
        let policy = world
            .clients
            .iam
            .create_policy()
            .policy_name(format!("{role}-other-{i}"))
            .policy_document(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::b{i}/*")}]})
                    .to_string(),
            )
            .send()
            .await
            .unwrap();
        world
            .clients
            .iam
            .attach_role_policy()
            .role_name(&role)
            .policy_arn(policy.policy().unwrap().arn().unwrap())
            .send()
            .await
            .unwrap();
    }
    world.move_bot_to(&role_arn).await;
    let version = world.publish().await;
    world.deploy(&world.alias_id, Some(&version), None).await;
    role
}

async fn attached_count(world: &World, role: &str) -> usize {
    world
        .clients
        .iam
        .list_attached_role_policies()
        .role_name(role)
        .send()
        .await
        .unwrap()
        .attached_policies()
        .len()
}

#[tokio::test]
async fn the_accounts_quota_of_attached_policies_decides_the_eleventh() {
    let account = fresh_account('6');
    let world = World::new_in(&account).await;
    let role = on_customer_role_with(&world, 10).await;
    let mut args: Vec<String> = vec!["apply".into()];
    args.extend(world.target_args());
    args.push("--yes".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    // IAM's default: 10 per role; the plan refuses before any change.
    let out = run_tool_as(&account, &args).await;
    expect_exit(&out, USAGE);
    let err = stderr(&out);
    assert!(
        err.contains(&role)
            && err.contains("has 10 managed policies attached")
            && err.contains("allows 10 per role"),
        "{err}"
    );
    assert_eq!(attached_count(&world, &role).await, 10, "nothing attached");

    // The account had its quota raised to 20: the 11th is attached.
    twin_settings(&account, json!({"attached_policies_per_role_quota": 20})).await;
    let out = run_tool_as(&account, &args).await;
    expect_exit(&out, 0);
    assert_eq!(attached_count(&world, &role).await, 11);
}

#[tokio::test]
async fn the_inline_policies_of_a_service_linked_role_have_a_size_limit() {
    let world = World::new().await;
    let slr = world.bot_role_name();
    // What Lex (or a console feature) put there: 10,000 characters of it.
    let base = json!({"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow", "Action": "comprehend:DetectSentiment", "Resource": "*"}]});
    let filler = 10_000 - base.to_string().len();
    let mut big = base.clone();
    big["Statement"][0]["Sid"] = json!("S".repeat(filler));
    assert_eq!(big.to_string().len(), 10_000);
    let put = |document: serde_json::Value| {
        let iam = world.clients.iam.clone();
        let slr = slr.clone();
        async move {
            iam.put_role_policy()
                .role_name(&slr)
                .policy_name("LexFeatureBig")
                .policy_document(document.to_string())
                .send()
                .await
                .unwrap();
        }
    };
    let base_again = || base.clone();
    let of_size = |size: usize| {
        let mut document = base.clone();
        document["Statement"][0]["Sid"] = json!("S".repeat(size - base.to_string().len()));
        document
    };
    put(big.clone()).await;
    let mut args: Vec<String> = vec!["apply".into()];
    args.extend(world.target_args());
    args.extend([
        "--audio-bucket".into(),
        world.bucket.clone(),
        "--yes".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let before = world.snapshot().await;
    let out = run_tool(&args).await;
    expect_exit(&out, USAGE);
    let err = stderr(&out);
    assert!(
        err.contains(&slr) && err.contains("LexFeatureBig 10000") && err.contains("10240"),
        "{err}"
    );
    assert_eq!(world.snapshot().await, before, "nothing changed");
    let ours = world
        .clients
        .iam
        .get_role_policy()
        .role_name(&slr)
        .policy_name(format!("{}-ConversationLogs", world.role_name()))
        .send()
        .await;
    assert!(ours.is_err(), "our inline policy was not put");

    // With room left, apply puts it: text logs first (a smaller grant), then audio too.
    put(base.clone()).await;
    let text_only: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--audio-bucket" && *a != world.bucket)
        .collect();
    expect_exit(&run_tool(&text_only).await, 0);

    // Lex's policy grows until ours just fits. A re-apply that changes nothing does not read
    // it (the total does not grow); one that grows our grant reads it, and refuses before any
    // change.
    let iam = &world.clients.iam;
    let names = iam
        .list_role_policies()
        .role_name(&slr)
        .send()
        .await
        .unwrap();
    let mut taken = 0;
    for name in names
        .policy_names()
        .iter()
        .filter(|n| *n != "LexFeatureBig")
    {
        let found = iam
            .get_role_policy()
            .role_name(&slr)
            .policy_name(name)
            .send()
            .await
            .unwrap();
        taken += compact_len(found.policy_document());
    }
    let room = 10_240 - taken - 5;
    put(of_size(room)).await;
    let proxy = FaultProxy::start(Fault::None).await;
    expect_exit(&run_tool_at(&proxy.endpoint, &text_only).await, 0);
    let read_theirs = |calls: &[crate::proxy::Call]| {
        calls
            .iter()
            .filter(|c| c.operation == "GetRolePolicy" && c.body.contains("LexFeatureBig"))
            .count()
    };
    assert_eq!(
        read_theirs(&proxy.calls()),
        0,
        "a no-op needs no size check"
    );
    let before = world.snapshot().await;
    let proxy = FaultProxy::start(Fault::None).await;
    let out = run_tool_at(&proxy.endpoint, &args).await;
    expect_exit(&out, USAGE);
    assert_eq!(
        read_theirs(&proxy.calls()),
        1,
        "read once, when the grant grows"
    );
    assert!(
        stderr(&out).contains(&format!("LexFeatureBig {room}")),
        "{}",
        stderr(&out)
    );
    assert_eq!(world.snapshot().await, before, "nothing changed");
    put(base_again()).await;
    expect_exit(&run_tool(&args).await, 0);
    assert!(room > 10_000 - 2_000, "the grant is small: {room}");
}

/// The size IAM counts of a returned (URL-encoded) document: whitespace not counted.
fn compact_len(text: &str) -> usize {
    let document = lex_logs_setup::policy::parse_returned(text).unwrap();
    document
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}
