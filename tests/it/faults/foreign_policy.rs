//! Destroy leaves alone a policy of the name our scheme would use but without our tags.

use crate::support::{endpoint, expect_exit, World};

use super::{full_args, run, Mode};

#[tokio::test]
async fn destroy_leaves_a_same_named_policy_without_our_tags_alone() {
    // Our managed policies `<role>-*` belong to the dedicated role.
    let world = World::new().await;
    expect_exit(
        &run(
            &endpoint(),
            &full_args(&world, "apply", Mode::Dedicated),
            "2",
        )
        .await,
        0,
    );
    // Someone puts a policy of their own beside ours, under a name our scheme would use.
    let c = &world.clients;
    let foreign = format!("{}-Foreign", world.role_name());
    c.iam
        .create_policy()
        .policy_name(&foreign)
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let out = run(
        &endpoint(),
        &full_args(&world, "destroy", Mode::Dedicated),
        "2",
    )
    .await;
    expect_exit(&out, 0);
    let arn = format!("arn:aws:iam::{}:policy/{foreign}", crate::support::ACCOUNT);
    c.iam
        .get_policy()
        .policy_arn(&arn)
        .send()
        .await
        .expect("their policy is still there");
}
