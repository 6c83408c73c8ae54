//! The policy documents apply creates, least privilege: the role's trust policy, one policy per
//! concern (CloudWatch Logs, S3, KMS, the bot runtime actions of a service-linked role), and the
//! `iam:PassRole` grant for principals.

use serde_json::{json, Value};

use crate::arn::Scope;
use crate::policy::{Document, Statement};

pub const LEX_SERVICE: &str = "lexv2.amazonaws.com";

/// The actions AWS's Lex V2 service-linked role policy grants a bot at run time (speech and
/// sentiment); a bot moved off that role needs them on ours.
pub const BOT_RUNTIME_ACTIONS: &[&str] = &["polly:SynthesizeSpeech", "comprehend:DetectSentiment"];

/// The policies apply may create on the role, one per concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Concern {
    CloudWatch,
    S3,
    Kms,
    BotRuntime,
}

impl Concern {
    pub const ALL: [Concern; 4] = [
        Concern::CloudWatch,
        Concern::S3,
        Concern::Kms,
        Concern::BotRuntime,
    ];

    /// The policy name for this concern on `role`: `<role>-<suffix>`.
    pub fn policy_name(self, role: &str) -> String {
        let suffix = match self {
            Concern::CloudWatch => "CloudWatchLogs",
            Concern::S3 => "S3AudioLogs",
            Concern::Kms => "KmsAudioLogs",
            Concern::BotRuntime => "LexBotRuntime",
        };
        format!("{role}-{suffix}")
    }
}

/// The inline PassRole policy on each granted principal is named this, then the role name.
pub const PASS_ROLE_PREFIX: &str = "LexLogsPassRole-";

/// The name of the inline PassRole policy put on each granted principal.
pub fn pass_role_policy_name(role: &str) -> String {
    format!("{PASS_ROLE_PREFIX}{role}")
}

/// Lex V2 may assume the role, only on behalf of this account (`aws:SourceAccount`, which blocks
/// the cross-account confused deputy). With `pin_source_arn`, also only for this bot's ARNs:
/// unverified, since no Lex V2 document says which `aws:SourceArn` Lex presents for builds, the
/// runtime or log delivery, and a condition on a key that is absent denies.
pub fn trust(scope: &Scope, bot_id: &str, pin_source_arn: bool) -> Value {
    let mut condition = json!({"StringEquals": {"aws:SourceAccount": scope.account}});
    if pin_source_arn {
        condition["ArnLike"] =
            json!({"aws:SourceArn": [scope.bot(bot_id), scope.bot_alias(bot_id, "*")]});
    }
    let statement = Statement {
        sid: Some("LexV2AssumeRole".into()),
        effect: "Allow",
        principal: Some(json!({"Service": LEX_SERVICE})),
        actions: vec!["sts:AssumeRole".into()],
        resources: vec![],
        condition: Some(condition),
    };
    Document::new(vec![statement]).to_value()
}

/// The name of the inline policy apply puts on a Lex service-linked role (in-place mode):
/// the setup's name (`LexLogs-<bot>`), then `-ConversationLogs`.
pub fn service_linked_policy_name(setup: &str) -> String {
    format!("{setup}{SERVICE_LINKED_POLICY_SUFFIX}")
}

/// How the name of the inline policy on a Lex service-linked role ends.
pub const SERVICE_LINKED_POLICY_SUFFIX: &str = "-ConversationLogs";

/// One document with every statement of `documents` (the in-place grant on a service-linked
/// role, which takes inline policies, not ours managed ones).
pub fn combined(documents: &[&Value]) -> Value {
    let statements: Vec<Value> = documents
        .iter()
        .flat_map(|d| match &d["Statement"] {
            Value::Array(items) => items.clone(),
            Value::Null => vec![],
            other => vec![other.clone()],
        })
        .collect();
    json!({"Version": crate::policy::VERSION, "Statement": statements})
}

/// Create streams and put events in one log group.
pub fn cloudwatch(scope: &Scope, log_group: &str) -> Value {
    Document::new(vec![Statement::allow(
        "WriteConversationLogs",
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![scope.log_group_streams(log_group)],
    )])
    .to_value()
}

/// Put audio objects under one prefix of one bucket.
pub fn s3(scope: &Scope, bucket: &str, prefix: &str) -> Value {
    Document::new(vec![Statement::allow(
        "WriteAudioLogs",
        &["s3:PutObject"],
        vec![format!("{}/{prefix}*", scope.bucket(bucket))],
    )])
    .to_value()
}

/// Encrypt audio with one key.
pub fn kms(key_arn: &str) -> Value {
    Document::new(vec![Statement::allow(
        "EncryptAudioLogs",
        &["kms:GenerateDataKey", "kms:Decrypt"],
        vec![key_arn.to_string()],
    )])
    .to_value()
}

/// What a bot on the Lex V2 service-linked role could do at run time.
pub fn bot_runtime() -> Value {
    Document::new(vec![Statement::allow(
        "LexBotRuntime",
        BOT_RUNTIME_ACTIONS,
        vec!["*".into()],
    )])
    .to_value()
}

/// Pass these roles (the ones that write the logs), and only to Lex V2.
pub fn pass_role(role_arns: &[String]) -> Value {
    Document::new(vec![Statement::allow(
        "PassLexLogsRole",
        &["iam:PassRole"],
        role_arns.to_vec(),
    )
    .with_condition(
        json!({"StringEquals": {"iam:PassedToService": LEX_SERVICE}}),
    )])
    .to_value()
}

/// The log group ARNs and bucket ARNs a CloudWatch or S3 policy of ours grants, so destroy and
/// later applies can tell which alias destinations are ours.
pub fn granted_resources(document: &Value) -> Vec<String> {
    let statements = match &document["Statement"] {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    statements
        .iter()
        .flat_map(|s| match &s["Resource"] {
            Value::Array(items) => items
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect(),
            Value::String(r) => vec![r.clone()],
            _ => vec![],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        Scope {
            partition: "aws".into(),
            account: "123456789012".into(),
            region: "eu-west-1".into(),
        }
    }

    #[test]
    fn trust_is_scoped_to_lex_this_account_and_this_bot() {
        let unpinned = trust(&scope(), "BOTID12345", false);
        assert!(
            unpinned["Statement"][0]["Condition"]
                .get("ArnLike")
                .is_none(),
            "no SourceArn condition unless asked: a key Lex may not present would deny"
        );
        let doc = trust(&scope(), "BOTID12345", true);
        let s = &doc["Statement"][0];
        assert_eq!(s["Principal"]["Service"], LEX_SERVICE);
        assert_eq!(s["Action"], json!(["sts:AssumeRole"]));
        assert_eq!(
            s["Condition"]["StringEquals"]["aws:SourceAccount"],
            "123456789012"
        );
        assert_eq!(
            s["Condition"]["ArnLike"]["aws:SourceArn"],
            json!([
                "arn:aws:lex:eu-west-1:123456789012:bot/BOTID12345",
                "arn:aws:lex:eu-west-1:123456789012:bot-alias/BOTID12345/*"
            ])
        );
        assert!(s.get("Resource").is_none());
    }

    #[test]
    fn policies_are_least_privilege() {
        let cw = cloudwatch(&scope(), "/aws/lex/OrderBot");
        assert_eq!(
            cw["Statement"][0]["Resource"],
            json!(["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lex/OrderBot:*"])
        );
        assert_eq!(
            cw["Statement"][0]["Action"],
            json!(["logs:CreateLogStream", "logs:PutLogEvents"])
        );
        let s3doc = s3(&scope(), "audio", "lex-audio/");
        assert_eq!(
            s3doc["Statement"][0]["Resource"],
            json!(["arn:aws:s3:::audio/lex-audio/*"])
        );
        assert_eq!(s3doc["Statement"][0]["Action"], json!(["s3:PutObject"]));
        let key = "arn:aws:kms:eu-west-1:123456789012:key/k";
        assert_eq!(kms(key)["Statement"][0]["Resource"], json!([key]));
        let pass = pass_role(&["arn:aws:iam::123456789012:role/R".to_string()]);
        assert_eq!(
            pass["Statement"][0]["Resource"],
            json!(["arn:aws:iam::123456789012:role/R"])
        );
        assert_eq!(
            pass["Statement"][0]["Condition"]["StringEquals"]["iam:PassedToService"],
            LEX_SERVICE
        );
        assert_eq!(
            granted_resources(&s3doc),
            vec!["arn:aws:s3:::audio/lex-audio/*".to_string()]
        );
    }

    #[test]
    fn the_operator_policy_is_scoped_when_targets_are_known() {
        let generic = operator(&OperatorScope::default());
        let text = generic.to_string();
        assert!(
            text.contains("arn:*:iam::*:role/LexLogs-*") && text.contains("log-group:/aws/lex/*"),
            "{text}"
        );
        let scoped = operator(&OperatorScope {
            scope: Some(scope()),
            role_names: vec!["R".into()],
            bot_ids: vec!["BOTID".into()],
            log_groups: vec!["/aws/lex/B".into()],
            principals: vec!["user/dev".parse().unwrap()],
            previous_roles: vec!["arn:aws:iam::123456789012:role/old".into()],
            writer_roles: vec![],
        });
        let text = scoped.to_string();
        assert!(
            !text.contains("LexLogs-*") && !text.contains("iam::*"),
            "{text}"
        );
        assert!(
            text.contains("arn:aws:iam::123456789012:role/R")
                && text.contains("arn:aws:iam::123456789012:user/dev")
        );
        assert!(text.contains("arn:aws:lex:eu-west-1:123456789012:bot-alias/BOTID/*"));
        assert!(
            text.contains("arn:aws:iam::123456789012:role/old"),
            "the previous role is passed back on destroy"
        );
        let actions = operator_actions(&scoped);
        for needed in [
            "iam:CreateRole",
            "iam:PassRole",
            "lex:UpdateBotAlias",
            "logs:CreateLogGroup",
            "s3:ListBucket",
            "kms:DescribeKey",
        ] {
            assert!(actions.iter().any(|a| a == needed), "{needed}");
        }
    }

    #[test]
    fn the_operator_policy_grants_nothing_to_escalate_with() {
        let statements = |doc: &Value| doc["Statement"].as_array().unwrap().clone();
        let generic = operator(&OperatorScope::default());
        for s in statements(&generic) {
            let actions: Vec<&str> = s["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            let resources: Vec<&str> = s["Resource"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            if actions.contains(&"iam:PassRole") {
                assert!(
                    !resources.iter().any(|r| r.ends_with(":role/*")),
                    "no wildcard PassRole: {resources:?}"
                );
            }
            for write in ["iam:PutUserPolicy", "iam:PutGroupPolicy"] {
                assert!(
                    !actions.contains(&write),
                    "no inline policy writes on arbitrary principals: {s}"
                );
            }
            for delete in [
                "iam:DeleteRole",
                "iam:DeletePolicy",
                "logs:DeleteLogGroup",
                "iam:CreatePolicyVersion",
                "iam:UpdateAssumeRolePolicy",
            ] {
                if actions.contains(&delete) {
                    assert!(
                        s["Condition"]
                            .to_string()
                            .contains("lex-logs-setup:managed-by"),
                        "{delete} only on what carries our tag: {s}"
                    );
                }
            }
            if actions.contains(&"iam:AttachRolePolicy")
                && resources.iter().any(|r| r.ends_with(":role/*"))
            {
                assert!(s["Condition"]["ArnLike"]["iam:PolicyARN"].is_array(), "{s}");
            }
        }
        let granting = operator(&OperatorScope {
            scope: Some(scope()),
            principals: vec!["user/dev".parse().unwrap()],
            ..OperatorScope::default()
        });
        let text = granting.to_string();
        assert!(
            text.contains("arn:aws:iam::123456789012:user/dev")
                && text.contains("arn:aws:iam::123456789012:user/*/dev")
        );
        assert!(
            !text.contains(":user/*\""),
            "only the principals named: {text}"
        );
    }

    #[test]
    fn policy_names_are_per_role_and_concern() {
        assert_eq!(Concern::CloudWatch.policy_name("R"), "R-CloudWatchLogs");
        assert_eq!(Concern::BotRuntime.policy_name("R"), "R-LexBotRuntime");
        assert_eq!(pass_role_policy_name("R"), "LexLogsPassRole-R");
        let longest = "x".repeat(64);
        assert!(Concern::ALL
            .iter()
            .all(|c| c.policy_name(&longest).len() <= 128));
    }
}

/// What the operator policy is scoped to; empty lists mean "any the tool's naming allows".
#[derive(Debug, Clone, Default)]
pub struct OperatorScope {
    pub scope: Option<Scope>,
    pub role_names: Vec<String>,
    pub bot_ids: Vec<String>,
    pub log_groups: Vec<String>,
    pub principals: Vec<crate::spec::Principal>,
    /// Roles destroy gives back to the bots (passed to Lex again).
    pub previous_roles: Vec<String>,
    /// In place: the roles the aliases' versions run on (ARNs), which get our grants.
    pub writer_roles: Vec<String>,
}

/// Lex V2 service-linked roles, as an IAM resource pattern.
pub const LEX_SERVICE_LINKED_ROLES: &str =
    "role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots*";

/// Read-only calls the tool makes (many cannot be scoped below `*` by IAM).
pub const OPERATOR_READ_ACTIONS: &[&str] = &[
    "sts:GetCallerIdentity",
    "lex:ListBots",
    "lex:DescribeBot",
    "lex:ListBotAliases",
    "lex:DescribeBotAlias",
    "lex:DescribeBotVersion",
    "lex:ListBotVersions",
    "lex:ListBotLocales",
    "lex:ListTagsForResource",
    "iam:GetRole",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListPolicyVersions",
    "iam:ListEntitiesForPolicy",
    "iam:GetUser",
    "iam:GetUserPolicy",
    "iam:GetGroup",
    "iam:GetGroupPolicy",
    "logs:DescribeLogGroups",
    "logs:ListTagsForResource",
    "s3:ListBucket",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketLocation",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    // verify: reads the log and the delivery-failure metric back.
    "logs:FilterLogEvents",
    "cloudwatch:GetMetricStatistics",
];

/// The least-privilege policy a person or pipeline needs to run `apply` and `destroy`.
pub fn operator(o: &OperatorScope) -> Value {
    let (partition, account, region) = match &o.scope {
        Some(s) => (s.partition.clone(), s.account.clone(), s.region.clone()),
        None => ("*".into(), "*".into(), "*".into()),
    };
    let iam = |resource: &str| format!("arn:{partition}:iam::{account}:{resource}");
    let or_default =
        |items: Vec<String>, default: Vec<String>| if items.is_empty() { default } else { items };
    let roles = or_default(
        o.role_names
            .iter()
            .map(|r| iam(&format!("role/{r}")))
            .collect(),
        vec![iam("role/LexLogs-*")],
    );
    let policies: Vec<String> = or_default(
        o.role_names
            .iter()
            .map(|r| iam(&format!("policy/{r}-*")))
            .collect(),
        vec![iam("policy/LexLogs-*")],
    );
    let log_group =
        |name: &str| format!("arn:{partition}:logs:{region}:{account}:log-group:{name}");
    let log_groups = or_default(
        o.log_groups
            .iter()
            .flat_map(|g| [log_group(g), format!("{}:*", log_group(g))])
            .collect(),
        vec![log_group("/aws/lex/*")],
    );
    let bot = |id: &str| format!("arn:{partition}:lex:{region}:{account}:bot/{id}");
    let alias = |id: &str| format!("arn:{partition}:lex:{region}:{account}:bot-alias/{id}/*");
    let bots = or_default(
        o.bot_ids
            .iter()
            .flat_map(|id| [bot(id), alias(id)])
            .collect(),
        vec![bot("*"), alias("*")],
    );
    // verify: one conversation turn per alias.
    let aliases = or_default(
        o.bot_ids.iter().map(|id| alias(id)).collect(),
        vec![alias("*")],
    );
    // PassRole grants are inline policies on the principals named; IAM cannot limit what an
    // inline policy says, so these writes are only ever on exactly those principals, and only
    // when the targets ask for grants (see the README: they are administrator-equivalent for
    // those principals).
    let principals: Vec<String> = o
        .principals
        .iter()
        .flat_map(|p| {
            [
                iam(&format!("{}/{}", p.kind.as_str(), p.name)),
                iam(&format!("{}/*/{}", p.kind.as_str(), p.name)),
            ]
        })
        .collect();
    let (service_linked_writers, customer_writers): (Vec<String>, Vec<String>) = o
        .writer_roles
        .iter()
        .cloned()
        .partition(|r| crate::resources::role::is_service_linked(r));
    let service_linked = or_default(service_linked_writers, vec![iam(LEX_SERVICE_LINKED_ROLES)]);
    let customer_writers = or_default(customer_writers, vec![iam("role/*")]);
    let mut passed = roles.clone();
    passed.extend(
        o.previous_roles
            .iter()
            .filter(|r| !crate::resources::role::is_service_linked(r))
            .cloned(),
    );
    passed.extend(o.writer_roles.iter().cloned());
    // Destroy and rollback give a bot back its service-linked role (AmazonLexFullAccess grants
    // the same PassRole).
    passed.push(iam(LEX_SERVICE_LINKED_ROLES));
    passed.sort();
    passed.dedup();
    let pass_to_lex = json!({"StringEquals": {"iam:PassedToService": LEX_SERVICE}});
    // Deletes and rewrites only of what the tool made (our tag), never of a same-named resource.
    let ours = |key: &str| json!({"StringEquals": {format!("{key}/{}", crate::resources::tags::MANAGED_BY): crate::resources::tags::MANAGED_BY_VALUE}});
    let mut statements = vec![
        Statement::allow("ReadWhatExists", OPERATOR_READ_ACTIONS, vec!["*".into()]),
        Statement::allow(
            "CreateTheLoggingRole",
            &[
                "iam:CreateRole",
                "iam:TagRole",
                "iam:PutRolePermissionsBoundary",
            ],
            roles.clone(),
        ),
        Statement::allow(
            "ChangeOnlyOurLoggingRole",
            &[
                "iam:DeleteRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:AttachRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
            ],
            roles,
        )
        .with_condition(ours("iam:ResourceTag")),
        Statement::allow(
            "CreateOurPolicies",
            &["iam:CreatePolicy", "iam:TagPolicy"],
            policies.clone(),
        ),
        Statement::allow(
            "ChangeOnlyOurPolicies",
            &[
                "iam:DeletePolicy",
                "iam:CreatePolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            ],
            policies.clone(),
        )
        .with_condition(ours("iam:ResourceTag")),
        Statement::allow("PassRolesToLex", &["iam:PassRole"], passed).with_condition(pass_to_lex),
        Statement::allow(
            "CreateTheLogGroup",
            &[
                "logs:CreateLogGroup",
                "logs:TagResource",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
            ],
            log_groups.clone(),
        ),
        Statement::allow(
            "DeleteOnlyOurLogGroup",
            &["logs:DeleteLogGroup"],
            log_groups,
        )
        .with_condition(ours("aws:ResourceTag")),
        Statement::allow(
            "GrantLogsOnServiceLinkedRoles",
            &["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
            service_linked,
        ),
        Statement::allow(
            "AttachOurLogPoliciesToWriterRoles",
            &["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            customer_writers,
        )
        .with_condition(json!({"ArnLike": {"iam:PolicyARN": policies.clone()}})),
        Statement::allow(
            "UpdateBotsAliasesAndVersions",
            &[
                "lex:UpdateBot",
                "lex:UpdateBotAlias",
                "lex:CreateBotVersion",
                "lex:DeleteBotVersion",
                "lex:TagResource",
                "lex:UntagResource",
            ],
            bots,
        ),
        Statement::allow(
            "VerifyConversationLogs",
            &["lex:RecognizeText", "lex:RecognizeUtterance"],
            aliases,
        ),
    ];
    if !principals.is_empty() {
        statements.push(Statement::allow(
            "GrantPassRoleToTheseExactPrincipals",
            &[
                "iam:PutUserPolicy",
                "iam:DeleteUserPolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:PutGroupPolicy",
                "iam:DeleteGroupPolicy",
            ],
            principals,
        ));
    }
    Document::new(statements).to_value()
}

/// Every action the operator policy allows.
pub fn operator_actions(document: &Value) -> Vec<String> {
    document["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["Action"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}
