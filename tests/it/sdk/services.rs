//! CloudWatch Logs (groups with tags and retention), S3 (head bucket, encryption, location) and
//! KMS (describe a key by id, ARN and alias).

use aws_sdk_cloudwatchlogs::types::LogGroupClass;
use aws_sdk_kms::types::{KeySpec, KeyUsageType};
use aws_sdk_s3::types::ServerSideEncryption;

use crate::support::{clients, set_default_kms_key, unique};

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
