//! A grant never goes to another principal than the one named: a principal of another account
//! is refused, not re-pointed at this one, and a path in the principal must be its real path.

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
