//! The operator policy: least privilege for the person or pipeline that runs `apply`, `destroy`
//! and `verify`, scoped to the targets when they are known.

use serde_json::{json, Value};

use super::logging::LEX_SERVICE;
use crate::arn::Scope;
use crate::policy::{Document, Statement};

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
    // --publish-version: each locale's intent and slot-type counts, for the plan.
    "lex:DescribeBotLocale",
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
    let r = OperatorResources::new(o);
    let mut statements = iam_statements(&r);
    statements.extend(writer_statements(&r));
    statements.extend(lex_statements(&r));
    if !r.principals.is_empty() {
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
            r.principals,
        ));
    }
    Document::new(statements).to_value()
}

/// ARNs in the targets' partition, account and region, or `*` for each when they are unknown.
struct ArnPattern {
    partition: String,
    account: String,
    region: String,
}

impl ArnPattern {
    fn new(scope: Option<&Scope>) -> Self {
        let (partition, account, region) = match scope {
            Some(s) => (s.partition.clone(), s.account.clone(), s.region.clone()),
            None => ("*".into(), "*".into(), "*".into()),
        };
        ArnPattern {
            partition,
            account,
            region,
        }
    }

    fn iam(&self, resource: &str) -> String {
        format!("arn:{}:iam::{}:{resource}", self.partition, self.account)
    }

    fn log_group(&self, name: &str) -> String {
        format!(
            "arn:{}:logs:{}:{}:log-group:{name}",
            self.partition, self.region, self.account
        )
    }

    fn bot(&self, id: &str) -> String {
        format!(
            "arn:{}:lex:{}:{}:bot/{id}",
            self.partition, self.region, self.account
        )
    }

    /// Every alias of the bot.
    fn aliases_of(&self, id: &str) -> String {
        format!(
            "arn:{}:lex:{}:{}:bot-alias/{id}/*",
            self.partition, self.region, self.account
        )
    }
}

/// The items, or the default when there are none.
fn or_default(items: Vec<String>, default: Vec<String>) -> Vec<String> {
    if items.is_empty() {
        default
    } else {
        items
    }
}

/// The resources the operator policy names, each scoped to the targets when they are known.
struct OperatorResources {
    /// Our logging roles.
    roles: Vec<String>,
    /// Our managed policies.
    policies: Vec<String>,
    log_groups: Vec<String>,
    /// The bots and their aliases.
    bots: Vec<String>,
    /// The aliases verify talks to.
    aliases: Vec<String>,
    /// The principals granted PassRole (inline policies on them).
    principals: Vec<String>,
    /// Service-linked roles that get our inline grant (in place).
    service_linked: Vec<String>,
    /// Customer roles our managed policies are attached to (in place).
    customer_writers: Vec<String>,
    /// The roles passed to Lex.
    passed: Vec<String>,
}

impl OperatorResources {
    fn new(o: &OperatorScope) -> Self {
        let arn = ArnPattern::new(o.scope.as_ref());
        let roles = or_default(
            o.role_names
                .iter()
                .map(|r| arn.iam(&format!("role/{r}")))
                .collect(),
            vec![arn.iam("role/LexLogs-*")],
        );
        let policies = or_default(
            o.role_names
                .iter()
                .map(|r| arn.iam(&format!("policy/{r}-*")))
                .collect(),
            vec![arn.iam("policy/LexLogs-*")],
        );
        let log_groups = or_default(
            o.log_groups
                .iter()
                .flat_map(|g| [arn.log_group(g), format!("{}:*", arn.log_group(g))])
                .collect(),
            vec![arn.log_group("/aws/lex/*")],
        );
        let bots = or_default(
            o.bot_ids
                .iter()
                .flat_map(|id| [arn.bot(id), arn.aliases_of(id)])
                .collect(),
            vec![arn.bot("*"), arn.aliases_of("*")],
        );
        // verify: one conversation turn per alias.
        let aliases = or_default(
            o.bot_ids.iter().map(|id| arn.aliases_of(id)).collect(),
            vec![arn.aliases_of("*")],
        );
        let (service_linked, customer_writers) = writer_roles(o, &arn);
        let passed = passed_roles(o, &roles, &arn);
        OperatorResources {
            principals: granted_principals(o, &arn),
            roles,
            policies,
            log_groups,
            bots,
            aliases,
            service_linked,
            customer_writers,
            passed,
        }
    }
}

/// PassRole grants are inline policies on the principals named; IAM cannot limit what an inline
/// policy says, so these writes are only ever on exactly those principals, and only when the
/// targets ask for grants (see the README: they are administrator-equivalent for those
/// principals).
fn granted_principals(o: &OperatorScope, arn: &ArnPattern) -> Vec<String> {
    o.principals
        .iter()
        .flat_map(|p| {
            [
                arn.iam(&format!("{}/{}", p.kind.as_str(), p.name)),
                arn.iam(&format!("{}/*/{}", p.kind.as_str(), p.name)),
            ]
        })
        .collect()
}

/// The roles that write the logs in place: service-linked ones (our inline grant) and customer
/// ones (our managed policies attached), each any of its kind when none is named.
fn writer_roles(o: &OperatorScope, arn: &ArnPattern) -> (Vec<String>, Vec<String>) {
    let (service_linked, customer): (Vec<String>, Vec<String>) = o
        .writer_roles
        .iter()
        .cloned()
        .partition(|r| crate::resources::role::is_service_linked(r));
    (
        or_default(service_linked, vec![arn.iam(LEX_SERVICE_LINKED_ROLES)]),
        or_default(customer, vec![arn.iam("role/*")]),
    )
}

/// The roles the tool passes to Lex: ours, the previous ones destroy gives back, the writers,
/// and the service-linked role.
fn passed_roles(o: &OperatorScope, roles: &[String], arn: &ArnPattern) -> Vec<String> {
    let mut passed = roles.to_vec();
    passed.extend(
        o.previous_roles
            .iter()
            .filter(|r| !crate::resources::role::is_service_linked(r))
            .cloned(),
    );
    passed.extend(o.writer_roles.iter().cloned());
    // Destroy and rollback give a bot back its service-linked role (AmazonLexFullAccess grants
    // the same PassRole).
    passed.push(arn.iam(LEX_SERVICE_LINKED_ROLES));
    passed.sort();
    passed.dedup();
    passed
}

/// Deletes and rewrites only of what the tool made (our tag), never of a same-named resource.
fn ours(key: &str) -> Value {
    json!({"StringEquals": {format!("{key}/{}", crate::resources::tags::MANAGED_BY): crate::resources::tags::MANAGED_BY_VALUE}})
}

/// Reads, and the logging role and our policies: create, change only ours, pass to Lex.
fn iam_statements(r: &OperatorResources) -> Vec<Statement> {
    vec![
        Statement::allow("ReadWhatExists", OPERATOR_READ_ACTIONS, vec!["*".into()]),
        Statement::allow(
            "CreateTheLoggingRole",
            &[
                "iam:CreateRole",
                "iam:TagRole",
                "iam:PutRolePermissionsBoundary",
            ],
            r.roles.clone(),
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
            r.roles.clone(),
        )
        .with_condition(ours("iam:ResourceTag")),
        Statement::allow(
            "CreateOurPolicies",
            &["iam:CreatePolicy", "iam:TagPolicy"],
            r.policies.clone(),
        ),
        Statement::allow(
            "ChangeOnlyOurPolicies",
            &[
                "iam:DeletePolicy",
                "iam:CreatePolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            ],
            r.policies.clone(),
        )
        .with_condition(ours("iam:ResourceTag")),
        Statement::allow("PassRolesToLex", &["iam:PassRole"], r.passed.clone())
            .with_condition(json!({"StringEquals": {"iam:PassedToService": LEX_SERVICE}})),
    ]
}

/// The log group (create, delete only ours) and the roles that write into it in place.
fn writer_statements(r: &OperatorResources) -> Vec<Statement> {
    vec![
        Statement::allow(
            "CreateTheLogGroup",
            &[
                "logs:CreateLogGroup",
                "logs:TagResource",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
            ],
            r.log_groups.clone(),
        ),
        // A take-over's record on another team's group is removed by destroy (only our keys).
        Statement::allow(
            "RemoveOurRecordFromTheLogGroup",
            &["logs:UntagResource"],
            r.log_groups.clone(),
        )
        .with_condition(json!({"ForAllValues:StringLike": {"aws:TagKeys": ["lex-logs-setup:*"]}})),
        Statement::allow(
            "DeleteOnlyOurLogGroup",
            &["logs:DeleteLogGroup"],
            r.log_groups.clone(),
        )
        .with_condition(ours("aws:ResourceTag")),
        Statement::allow(
            "GrantLogsOnServiceLinkedRoles",
            &["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
            r.service_linked.clone(),
        ),
        Statement::allow(
            "AttachOurLogPoliciesToWriterRoles",
            &["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            r.customer_writers.clone(),
        )
        .with_condition(json!({"ArnLike": {"iam:PolicyARN": r.policies.clone()}})),
    ]
}

/// The bots, aliases and versions apply changes, and the aliases verify talks to.
fn lex_statements(r: &OperatorResources) -> Vec<Statement> {
    vec![
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
            r.bots.clone(),
        ),
        Statement::allow(
            "VerifyConversationLogs",
            &["lex:RecognizeText", "lex:RecognizeUtterance"],
            r.aliases.clone(),
        ),
    ]
}

/// What the pipeline's own identity needs to reach targets in other accounts: sts:AssumeRole on
/// exactly the roles the config file names (each role's trust policy must also allow it).
pub(crate) fn assume_roles(role_arns: &[String]) -> Value {
    let mut roles: Vec<&String> = role_arns.iter().collect();
    roles.sort();
    roles.dedup();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AssumeTheTargetAccountsRoles",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": roles,
        }],
    })
}
