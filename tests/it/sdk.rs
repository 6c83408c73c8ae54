//! The Rust SDK can call, and parse the answers of, every API the tool uses, on the emulator.

use aws_sdk_cloudwatchlogs::types::LogGroupClass;
use aws_sdk_kms::types::{KeySpec, KeyUsageType};
use aws_sdk_lexmodelsv2::types::{
    AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
    ConversationLogSettings, DataPrivacy, S3BucketLogDestination, TextLogDestination,
    TextLogSetting,
};
use aws_sdk_s3::types::ServerSideEncryption;
use lex_logs_setup::policy;
use serde_json::json;

use crate::support::{clients, set_default_kms_key, unique, World, ACCOUNT, REGION};

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

#[tokio::test]
async fn logs_group_with_tags_and_retention() {
    let logs = clients().await.logs;
    let name = format!("/aws/lex/{}", unique("G"));
    logs.create_log_group()
        .log_group_name(&name)
        .tags("lex-logs-setup:managed-by", "lex-logs-setup")
        .send()
        .await
        .expect("CreateLogGroup");
    logs.put_retention_policy()
        .log_group_name(&name)
        .retention_in_days(30)
        .send()
        .await
        .expect("PutRetentionPolicy");
    let found = logs
        .describe_log_groups()
        .log_group_name_prefix(&name)
        .send()
        .await
        .expect("DescribeLogGroups");
    let group = found
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(name.as_str()))
        .unwrap();
    assert_eq!(group.retention_in_days(), Some(30));
    assert!(group.arn().unwrap().contains(&name));
    assert!(matches!(
        group.log_group_class(),
        None | Some(LogGroupClass::Standard)
    ));
    let tags = logs
        .list_tags_for_resource()
        .resource_arn(group.arn().unwrap().trim_end_matches(":*"))
        .send()
        .await
        .expect("ListTagsForResource");
    assert_eq!(
        tags.tags()
            .unwrap()
            .get("lex-logs-setup:managed-by")
            .map(String::as_str),
        Some("lex-logs-setup")
    );
    logs.delete_retention_policy()
        .log_group_name(&name)
        .send()
        .await
        .expect("DeleteRetentionPolicy");
    logs.delete_log_group()
        .log_group_name(&name)
        .send()
        .await
        .expect("DeleteLogGroup");
}

#[tokio::test]
async fn s3_head_bucket_encryption_and_location() {
    let clients = clients().await;
    let (s3, kms) = (&clients.s3, &clients.kms);
    let bucket = unique("bucket-").to_lowercase();
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("CreateBucket");
    s3.head_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("HeadBucket");
    let missing = s3
        .head_bucket()
        .bucket(unique("missing-").to_lowercase())
        .send()
        .await
        .unwrap_err();
    assert!(missing.as_service_error().unwrap().is_not_found());
    let location = s3
        .get_bucket_location()
        .bucket(&bucket)
        .send()
        .await
        .expect("GetBucketLocation");
    assert!(
        location.location_constraint().is_none()
            || location.location_constraint().unwrap().as_str().is_empty()
    );
    let key = kms
        .create_key()
        .send()
        .await
        .expect("CreateKey")
        .key_metadata
        .unwrap();
    set_default_kms_key(s3, &bucket, key.arn().unwrap()).await;
    let encryption = s3
        .get_bucket_encryption()
        .bucket(&bucket)
        .send()
        .await
        .expect("GetBucketEncryption");
    let default = encryption
        .server_side_encryption_configuration()
        .unwrap()
        .rules()[0]
        .apply_server_side_encryption_by_default()
        .unwrap();
    assert_eq!(default.sse_algorithm(), &ServerSideEncryption::AwsKms);
    assert_eq!(default.kms_master_key_id(), key.arn());
}

#[tokio::test]
async fn kms_describe_key_by_id_arn_and_alias() {
    let kms = clients().await.kms;
    let key = kms
        .create_key()
        .send()
        .await
        .expect("CreateKey")
        .key_metadata
        .unwrap();
    let alias = format!("alias/{}", unique("k"));
    kms.create_alias()
        .alias_name(&alias)
        .target_key_id(key.key_id())
        .send()
        .await
        .expect("CreateAlias");
    for reference in [key.key_id(), key.arn().unwrap(), alias.as_str()] {
        let found = kms
            .describe_key()
            .key_id(reference)
            .send()
            .await
            .expect("DescribeKey")
            .key_metadata
            .unwrap();
        assert_eq!(found.key_id(), key.key_id(), "{reference}");
        assert_eq!(found.key_spec(), Some(&KeySpec::SymmetricDefault));
        assert_eq!(found.key_usage(), Some(&KeyUsageType::EncryptDecrypt));
        assert!(found.enabled());
    }
    let asymmetric = kms
        .create_key()
        .key_spec(KeySpec::Rsa2048)
        .key_usage(KeyUsageType::SignVerify)
        .send()
        .await
        .expect("CreateKey RSA")
        .key_metadata
        .unwrap();
    let found = kms
        .describe_key()
        .key_id(asymmetric.key_id())
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(found.key_spec(), Some(&KeySpec::Rsa2048));
    let missing = kms
        .describe_key()
        .key_id("alias/does-not-exist")
        .send()
        .await
        .unwrap_err();
    assert!(missing.as_service_error().unwrap().is_not_found_exception());
}

#[tokio::test]
async fn lex_bots_and_aliases_round_trip_conversation_log_settings() {
    let world = World::new().await;
    let lex = &world.clients.lex;
    let listed = lex.list_bots().send().await.expect("ListBots");
    assert!(listed
        .bot_summaries()
        .iter()
        .any(|b| b.bot_id() == Some(world.bot_id.as_str())));
    let bot = lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .expect("DescribeBot");
    assert_eq!(bot.role_arn(), Some(world.bot_role_arn.as_str()));
    let new_role = format!("arn:aws:iam::{ACCOUNT}:role/{}", unique("r"));
    lex.update_bot()
        .bot_id(&world.bot_id)
        .bot_name(&world.bot_name)
        .description(bot.description().unwrap())
        .role_arn(&new_role)
        .data_privacy(DataPrivacy::builder().child_directed(false).build())
        .idle_session_ttl_in_seconds(bot.idle_session_ttl_in_seconds().unwrap())
        .send()
        .await
        .expect("UpdateBot");
    let bot = lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    assert_eq!(bot.role_arn(), Some(new_role.as_str()));
    assert_eq!(bot.description(), Some("a bot for tests"));

    let aliases = lex
        .list_bot_aliases()
        .bot_id(&world.bot_id)
        .send()
        .await
        .expect("ListBotAliases");
    let names: Vec<_> = aliases
        .bot_alias_summaries()
        .iter()
        .filter_map(|a| a.bot_alias_name())
        .collect();
    assert_eq!(names.len(), 2, "only this bot's aliases: {names:?}");
    assert!(names.contains(&"TestBotAlias") && names.contains(&"live"));
    let log_group_arn = format!(
        "arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lex/{}",
        world.bot_name
    );
    let settings = ConversationLogSettings::builder()
        .text_log_settings(
            TextLogSetting::builder()
                .enabled(true)
                .destination(
                    TextLogDestination::builder()
                        .cloud_watch(
                            CloudWatchLogGroupLogDestination::builder()
                                .cloud_watch_log_group_arn(&log_group_arn)
                                .log_prefix("lex/")
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        )
        .audio_log_settings(
            AudioLogSetting::builder()
                .enabled(true)
                .destination(
                    AudioLogDestination::builder()
                        .s3_bucket(
                            S3BucketLogDestination::builder()
                                .s3_bucket_arn(format!("arn:aws:s3:::{}", world.bucket))
                                .log_prefix("audio/")
                                .kms_key_arn(&world.key_arn)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        )
        .build();
    let before = lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .expect("DescribeBotAlias");
    lex.update_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .bot_alias_name(before.bot_alias_name().unwrap())
        .set_description(before.description().map(str::to_string))
        .set_bot_version(before.bot_version().map(str::to_string))
        .set_bot_alias_locale_settings(before.bot_alias_locale_settings().cloned())
        .set_sentiment_analysis_settings(before.sentiment_analysis_settings().cloned())
        .conversation_log_settings(settings.clone())
        .send()
        .await
        .expect("UpdateBotAlias");
    let after = lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .unwrap();
    assert_eq!(after.conversation_log_settings(), Some(&settings));
    assert_eq!(
        after.bot_alias_locale_settings(),
        before.bot_alias_locale_settings()
    );
    assert_eq!(
        after.sentiment_analysis_settings(),
        before.sentiment_analysis_settings()
    );
    assert_eq!(after.description(), Some("the live alias"));
    assert_eq!(
        after.bot_alias_status().map(|s| s.as_str()),
        Some("Available")
    );
    let test_alias = lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id("TSTALIASID")
        .send()
        .await
        .expect("TestBotAlias");
    assert_eq!(test_alias.bot_version(), Some("DRAFT"));
}

#[tokio::test]
async fn lex_missing_bot_and_alias_are_not_found() {
    let world = World::new().await;
    let lex = &world.clients.lex;
    let missing = lex
        .describe_bot()
        .bot_id("MISSINGBOT")
        .send()
        .await
        .unwrap_err();
    assert!(missing
        .as_service_error()
        .unwrap()
        .is_resource_not_found_exception());
    assert_eq!(missing.raw_response().unwrap().status().as_u16(), 404);
    let missing = lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id("MISSINGALI")
        .send()
        .await
        .unwrap_err();
    assert!(missing
        .as_service_error()
        .unwrap()
        .is_resource_not_found_exception());
    let update = lex
        .update_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id("MISSINGALI")
        .bot_alias_name("x")
        .send()
        .await
        .unwrap_err();
    use aws_sdk_lexmodelsv2::error::ProvideErrorMetadata;
    assert_eq!(update.code(), Some("PreconditionFailedException"));
}

#[tokio::test]
async fn a_test_world_has_its_user_key_bucket_and_bot() {
    let world = World::new().await;
    let c = &world.clients;
    c.iam
        .get_user()
        .user_name(&world.user)
        .send()
        .await
        .expect("the world's user exists");
    let key = c
        .kms
        .describe_key()
        .key_id(&world.key_id)
        .send()
        .await
        .expect("the world's key exists");
    assert_eq!(
        key.key_metadata().unwrap().arn(),
        Some(world.key_arn.as_str())
    );
    c.s3.head_bucket()
        .bucket(&world.bucket)
        .send()
        .await
        .expect("the world's bucket exists");
    let other = World::new().await;
    assert_ne!(
        world.bot_name, other.bot_name,
        "worlds are isolated by unique names"
    );
    assert_ne!(world.bucket, other.bucket);
}
