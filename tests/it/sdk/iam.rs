//! STS and IAM: caller identity, roles with tags and URL-encoded trust policies, managed policy
//! versions and attachments, inline policies on roles, users and groups, and the paths of users,
//! roles and groups.

use lex_logs_setup::policy;
use serde_json::json;

use crate::support::{clients, unique, ACCOUNT, REGION};

#[tokio::test]
async fn sts_caller_identity_gives_account_and_partition() {
    let clients = clients().await;
    let caller = clients.caller().await.expect("GetCallerIdentity");
    assert_eq!(caller.scope.account, ACCOUNT);
    assert_eq!(caller.scope.partition, "aws");
    assert_eq!(caller.scope.region, REGION);
}

#[tokio::test]
async fn iam_role_with_tags_and_url_encoded_trust_policy() {
    let iam = clients().await.iam;
    let name = unique("role-");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]});
    iam.create_role()
        .role_name(&name)
        .assume_role_policy_document(trust.to_string())
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("lex-logs-setup:managed-by")
                .value("lex-logs-setup")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("CreateRole");
    let role = iam
        .get_role()
        .role_name(&name)
        .send()
        .await
        .expect("GetRole")
        .role
        .unwrap();
    let returned = policy::parse_returned(role.assume_role_policy_document().unwrap()).unwrap();
    assert!(policy::equivalent(&returned, &trust), "{returned}");
    iam.tag_role()
        .role_name(&name)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("k")
                .value("v")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("TagRole");
    let tags = iam
        .list_role_tags()
        .role_name(&name)
        .send()
        .await
        .expect("ListRoleTags");
    assert_eq!(tags.tags().len(), 2);
    let updated = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    iam.update_assume_role_policy()
        .role_name(&name)
        .policy_document(updated.to_string())
        .send()
        .await
        .expect("UpdateAssumeRolePolicy");
    iam.delete_role()
        .role_name(&name)
        .send()
        .await
        .expect("DeleteRole");
    let gone = iam.get_role().role_name(&name).send().await.unwrap_err();
    assert!(gone
        .as_service_error()
        .unwrap()
        .is_no_such_entity_exception());
}

#[tokio::test]
async fn iam_managed_policy_versions_and_attachments() {
    let iam = clients().await.iam;
    let role = unique("role-");
    iam.create_role()
        .role_name(&role)
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .expect("CreateRole");
    let name = unique("policy-");
    let doc = |n: u32| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:g{n}:*")}]});
    let created = iam
        .create_policy()
        .policy_name(&name)
        .policy_document(doc(1).to_string())
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("lex-logs-setup:managed-by")
                .value("lex-logs-setup")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("CreatePolicy");
    let arn = created.policy().unwrap().arn().unwrap().to_string();
    for n in 2..=5 {
        iam.create_policy_version()
            .policy_arn(&arn)
            .policy_document(doc(n).to_string())
            .set_as_default(true)
            .send()
            .await
            .expect("CreatePolicyVersion");
    }
    let versions = iam
        .list_policy_versions()
        .policy_arn(&arn)
        .send()
        .await
        .expect("ListPolicyVersions");
    assert_eq!(versions.versions().len(), 5);
    let default = versions
        .versions()
        .iter()
        .find(|v| v.is_default_version())
        .unwrap();
    let got = iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id(default.version_id().unwrap())
        .send()
        .await
        .expect("GetPolicyVersion");
    let returned =
        policy::parse_returned(got.policy_version().unwrap().document().unwrap()).unwrap();
    assert!(policy::equivalent(&returned, &doc(5)));
    let oldest = versions
        .versions()
        .iter()
        .filter(|v| !v.is_default_version())
        .min_by_key(|v| v.create_date().map(|d| d.as_nanos()))
        .unwrap();
    iam.delete_policy_version()
        .policy_arn(&arn)
        .version_id(oldest.version_id().unwrap())
        .send()
        .await
        .expect("DeletePolicyVersion");
    let policy = iam
        .get_policy()
        .policy_arn(&arn)
        .send()
        .await
        .expect("GetPolicy")
        .policy
        .unwrap();
    assert_eq!(policy.default_version_id(), default.version_id());
    let tags = iam
        .list_policy_tags()
        .policy_arn(&arn)
        .send()
        .await
        .expect("ListPolicyTags");
    assert_eq!(tags.tags()[0].value(), "lex-logs-setup");
    iam.attach_role_policy()
        .role_name(&role)
        .policy_arn(&arn)
        .send()
        .await
        .expect("AttachRolePolicy");
    let attached = iam
        .list_attached_role_policies()
        .role_name(&role)
        .send()
        .await
        .expect("ListAttachedRolePolicies");
    assert_eq!(
        attached.attached_policies()[0].policy_arn(),
        Some(arn.as_str())
    );
    iam.detach_role_policy()
        .role_name(&role)
        .policy_arn(&arn)
        .send()
        .await
        .expect("DetachRolePolicy");
    // IAM deletes a managed policy only once its versions but the default one are gone.
    let conflict = iam
        .delete_policy()
        .policy_arn(&arn)
        .send()
        .await
        .expect_err("DeletePolicy with versions besides the default");
    assert_eq!(
        conflict.as_service_error().and_then(|e| e.meta().code()),
        Some("DeleteConflict")
    );
    let versions = iam
        .list_policy_versions()
        .policy_arn(&arn)
        .send()
        .await
        .expect("ListPolicyVersions");
    for version in versions
        .versions()
        .iter()
        .filter(|v| !v.is_default_version())
    {
        iam.delete_policy_version()
            .policy_arn(&arn)
            .version_id(version.version_id().unwrap())
            .send()
            .await
            .expect("DeletePolicyVersion");
    }
    iam.delete_policy()
        .policy_arn(&arn)
        .send()
        .await
        .expect("DeletePolicy");
    iam.delete_role()
        .role_name(&role)
        .send()
        .await
        .expect("DeleteRole");
}

#[tokio::test]
async fn iam_inline_policies_on_roles_users_and_groups() {
    let iam = clients().await.iam;
    let (role, user, group) = (unique("role-"), unique("user-"), unique("group-"));
    iam.create_role()
        .role_name(&role)
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .expect("CreateRole");
    iam.create_user()
        .user_name(&user)
        .send()
        .await
        .expect("CreateUser");
    iam.create_group()
        .group_name(&group)
        .send()
        .await
        .expect("CreateGroup");
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole",
        "Resource": format!("arn:aws:iam::{ACCOUNT}:role/x"),
        "Condition": {"StringEquals": {"iam:PassedToService": "lexv2.amazonaws.com"}}}]});
    iam.put_role_policy()
        .role_name(&role)
        .policy_name("p")
        .policy_document(doc.to_string())
        .send()
        .await
        .expect("PutRolePolicy");
    iam.put_user_policy()
        .user_name(&user)
        .policy_name("p")
        .policy_document(doc.to_string())
        .send()
        .await
        .expect("PutUserPolicy");
    iam.put_group_policy()
        .group_name(&group)
        .policy_name("p")
        .policy_document(doc.to_string())
        .send()
        .await
        .expect("PutGroupPolicy");
    let from_role = iam
        .get_role_policy()
        .role_name(&role)
        .policy_name("p")
        .send()
        .await
        .expect("GetRolePolicy");
    let from_user = iam
        .get_user_policy()
        .user_name(&user)
        .policy_name("p")
        .send()
        .await
        .expect("GetUserPolicy");
    let from_group = iam
        .get_group_policy()
        .group_name(&group)
        .policy_name("p")
        .send()
        .await
        .expect("GetGroupPolicy");
    for text in [
        from_role.policy_document(),
        from_user.policy_document(),
        from_group.policy_document(),
    ] {
        assert!(policy::equivalent(
            &policy::parse_returned(text).unwrap(),
            &doc
        ));
    }
    let names = iam
        .list_role_policies()
        .role_name(&role)
        .send()
        .await
        .expect("ListRolePolicies");
    assert_eq!(names.policy_names(), ["p"]);
    iam.get_user()
        .user_name(&user)
        .send()
        .await
        .expect("GetUser");
    iam.get_group()
        .group_name(&group)
        .send()
        .await
        .expect("GetGroup");
    iam.delete_role_policy()
        .role_name(&role)
        .policy_name("p")
        .send()
        .await
        .expect("DeleteRolePolicy");
    iam.delete_user_policy()
        .user_name(&user)
        .policy_name("p")
        .send()
        .await
        .expect("DeleteUserPolicy");
    iam.delete_group_policy()
        .group_name(&group)
        .policy_name("p")
        .send()
        .await
        .expect("DeleteGroupPolicy");
    let gone = iam
        .get_user_policy()
        .user_name(&user)
        .policy_name("p")
        .send()
        .await
        .unwrap_err();
    assert!(gone
        .as_service_error()
        .unwrap()
        .is_no_such_entity_exception());
}

/// The tool checks a `--grant-pass-role` ARN's path against the one GetUser/GetRole/GetGroup return.
#[tokio::test]
async fn iam_users_roles_and_groups_return_their_path() {
    let iam = clients().await.iam;
    let (role, user, group) = (unique("role-"), unique("user-"), unique("group-"));
    iam.create_role()
        .role_name(&role)
        .path("/ci/deploy/")
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .expect("CreateRole");
    iam.create_user()
        .user_name(&user)
        .path("/team-a/")
        .send()
        .await
        .expect("CreateUser");
    iam.create_group()
        .group_name(&group)
        .send()
        .await
        .expect("CreateGroup");
    let got = iam
        .get_role()
        .role_name(&role)
        .send()
        .await
        .expect("GetRole");
    let got = got.role().unwrap();
    assert_eq!(got.path(), "/ci/deploy/");
    assert_eq!(
        got.arn(),
        format!("arn:aws:iam::{ACCOUNT}:role/ci/deploy/{role}")
    );
    let got = iam
        .get_user()
        .user_name(&user)
        .send()
        .await
        .expect("GetUser");
    assert_eq!(got.user().unwrap().path(), "/team-a/");
    let got = iam
        .get_group()
        .group_name(&group)
        .send()
        .await
        .expect("GetGroup");
    assert_eq!(got.group().unwrap().path(), "/");
}
