//! The operator policy: what the person or pipeline that runs `apply`, `destroy` and `verify`
//! needs, on exactly the resources the plans for its targets touch. Without targets it is the
//! target-free policy of [`super::operator_generic`], which says what it lets its holder do.
//!
//! Read as an attacker holding it ([`super::escalation`]), the targeted policy opens no
//! escalation path except the ones its statements declare (Sid `DeclaredRisk...`): the dedicated
//! role's trust and permissions, and our managed policies the plans create or update on a
//! customer role (in place), which IAM cannot check the content of; and `--grant-pass-role`'s
//! inline policies on the named principals.

use serde_json::{json, Value};

use super::logging::LEX_SERVICE;
use crate::arn::Scope;
use crate::policy::{Document, Statement};

/// What the operator policy is scoped to: the resources the plans for its targets touch. With
/// no bot, the policy is the target-free one.
#[derive(Debug, Clone, Default)]
pub struct OperatorScope {
    pub scope: Option<Scope>,
    /// Our dedicated roles the plans create or change (dedicated mode).
    pub role_names: Vec<String>,
    /// Of those, the ones the plans create (absent when printed).
    pub created_roles: Vec<String>,
    /// Earlier roles of ours that apply removes.
    pub removed_roles: Vec<String>,
    /// Our managed policies the plans create, change or delete.
    pub policies: Vec<String>,
    /// Of those, the ones the plans create.
    pub created_policies: Vec<String>,
    /// Of those, the ones the plans give a new version (the only ones that may get one).
    pub updated_policies: Vec<String>,
    pub bot_ids: Vec<String>,
    /// The aliases, as (bot id, alias id).
    pub aliases: Vec<(String, String)>,
    /// Log groups the plans create.
    pub log_groups: Vec<String>,
    /// Existing log groups whose retention the plans change.
    pub retention_log_groups: Vec<String>,
    /// Existing log groups the plans encrypt with a KMS key (AssociateKmsKey; undone by
    /// DisassociateKmsKey or by the key before).
    pub key_log_groups: Vec<String>,
    pub principals: Vec<crate::spec::Principal>,
    /// Roles destroy gives back to the bots (passed to Lex again).
    pub previous_roles: Vec<String>,
    /// In place: the roles the aliases' versions run on (ARNs), which get our grants.
    pub writer_roles: Vec<String>,
    /// The regions the plans change things in (a bot's replica regions beside the targets'):
    /// the log groups are named, and verify converses, in each.
    pub regions: Vec<String>,
    /// Our alarms the plans create, change or delete (`--alarm`), by name.
    pub alarms: Vec<String>,
    /// The plans save Logs Insights queries (`--insights-queries`).
    pub saved_queries: bool,
}

/// Lex V2 service-linked roles, as an IAM resource pattern.
pub const LEX_SERVICE_LINKED_ROLES: &str =
    "role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots*";

pub use super::operator_reads::OPERATOR_READ_ACTIONS;

/// The Sid of the statement that writes the dedicated role's trust and permissions.
pub const DEDICATED_RISK_SID: &str = "DeclaredRiskDedicatedRoleTrustAndPermissionsAreAnyDocument";
/// The Sid of the statement that attaches our policies to customer roles (in place) when the
/// plans create or update one of them: the holder writes their content.
pub const CUSTOMER_ROLE_RISK_SID: &str =
    "DeclaredRiskOurPoliciesOnTheseCustomerRolesAreAnyDocument";
/// The Sid of the statement that writes `--grant-pass-role`'s inline policies.
pub const GRANT_RISK_SID: &str = "DeclaredRiskWritesAnyInlinePolicyOnTheseExactPrincipals";

/// The operator policy for the scope: the targeted one, or the target-free one without a bot.
pub fn operator(o: &OperatorScope) -> Value {
    if o.bot_ids.is_empty() {
        return super::operator_generic::generic();
    }
    let r = OperatorResources::new(o);
    let mut statements = vec![Some(Statement::allow(
        "ReadWhatExists",
        OPERATOR_READ_ACTIONS,
        vec!["*".into()],
    ))];
    statements.extend(log_group_statements(&r));
    statements.extend(role_statements(&r));
    statements.extend(policy_statements(&r));
    statements.extend(lex_statements(&r));
    statements.extend(
        super::operator_scope::monitoring(&r.alarms, &r.alarms_removed, r.saved_queries)
            .into_iter()
            .map(Some),
    );
    statements.extend(deny_statements(&r));
    Document::new(statements.into_iter().flatten().collect()).to_value()
}

/// ARNs in the targets' partition, account and region, or `*` for each when they are unknown.
pub(super) struct ArnPattern {
    pub(super) partition: String,
    pub(super) account: String,
    pub(super) region: String,
}

impl ArnPattern {
    pub(super) fn new(scope: Option<&Scope>) -> Self {
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

    pub(super) fn region(&self) -> String {
        self.region.clone()
    }

    /// The same pattern in `region` (unknown stays `*`).
    pub(super) fn in_region(&self, region: &str) -> ArnPattern {
        let known = self.region != "*";
        ArnPattern {
            region: if known { region } else { "*" }.to_string(),
            partition: self.partition.clone(),
            account: self.account.clone(),
        }
    }

    pub(super) fn iam(&self, resource: &str) -> String {
        format!("arn:{}:iam::{}:{resource}", self.partition, self.account)
    }

    pub(super) fn log_group(&self, name: &str) -> String {
        format!(
            "arn:{}:logs:{}:{}:log-group:{name}",
            self.partition, self.region, self.account
        )
    }

    pub(super) fn lex(&self, resource: &str) -> String {
        format!(
            "arn:{}:lex:{}:{}:{resource}",
            self.partition, self.region, self.account
        )
    }
}

/// The resources the targeted operator policy names, all exact.
struct OperatorResources {
    created_groups: Vec<String>,
    retention_groups: Vec<String>,
    key_groups: Vec<String>,
    dedicated: Vec<String>,
    created_roles: Vec<String>,
    removed: Vec<String>,
    policies: Vec<String>,
    created_policies: Vec<String>,
    updated_policies: Vec<String>,
    service_linked: Vec<String>,
    customer_writers: Vec<String>,
    passed: Vec<String>,
    principals: Vec<String>,
    bots: Vec<String>,
    aliases: Vec<String>,
    /// The aliases in every region the plans change (verify converses in a replica's too).
    conversed: Vec<String>,
    alarms: Vec<String>,
    alarms_removed: Vec<String>,
    saved_queries: bool,
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

impl OperatorResources {
    fn new(o: &OperatorScope) -> Self {
        let arn = ArnPattern::new(o.scope.as_ref());
        let places = super::operator_scope::places(&arn, &o.regions);
        let groups = |names: &[String]| {
            sorted(
                (places
                    .iter()
                    .flat_map(|at| names.iter().map(move |g| at.log_group(g))))
                .flat_map(|g| [format!("{g}:*"), g])
                .collect(),
            )
        };
        let roles = |names: &[String]| {
            sorted(
                names
                    .iter()
                    .map(|r| arn.iam(&format!("role/{r}")))
                    .collect(),
            )
        };
        let policies = |names: &[String]| {
            sorted(
                names
                    .iter()
                    .map(|p| arn.iam(&format!("policy/{p}")))
                    .collect(),
            )
        };
        let (service_linked, customer_writers): (Vec<String>, Vec<String>) = o
            .writer_roles
            .iter()
            .cloned()
            .partition(|r| crate::resources::role::is_service_linked(r));
        let dedicated = roles(&o.role_names);
        // The roles passed to Lex: ours, the previous ones destroy gives back, the writers.
        let mut passed = dedicated.clone();
        passed.extend(o.previous_roles.iter().cloned());
        passed.extend(o.writer_roles.iter().cloned());
        let aliases: Vec<String> = match o.aliases.is_empty() {
            false => o
                .aliases
                .iter()
                .map(|(b, a)| arn.lex(&format!("bot-alias/{b}/{a}")))
                .collect(),
            // Only bots known (verify): their aliases.
            true => o
                .bot_ids
                .iter()
                .map(|b| arn.lex(&format!("bot-alias/{b}/*")))
                .collect(),
        };
        OperatorResources {
            created_groups: groups(&o.log_groups),
            retention_groups: groups(&o.retention_log_groups),
            key_groups: groups(&o.key_log_groups),
            created_roles: roles(&o.created_roles),
            removed: roles(&o.removed_roles),
            policies: policies(&o.policies),
            created_policies: policies(&o.created_policies),
            updated_policies: policies(&o.updated_policies),
            service_linked: sorted(service_linked),
            customer_writers: sorted(customer_writers),
            passed: sorted(passed),
            principals: sorted(granted_principals(o, &arn)),
            bots: sorted(
                o.bot_ids
                    .iter()
                    .map(|b| arn.lex(&format!("bot/{b}")))
                    .collect(),
            ),
            conversed: super::operator_scope::in_every_region(&aliases, &arn, &places),
            aliases: sorted(aliases),
            alarms: sorted(o.alarms.iter().map(|a| arn.alarm(a)).collect()),
            alarms_removed: sorted(o.alarm_names().iter().map(|a| arn.alarm(a)).collect()),
            saved_queries: o.saved_queries,
            dedicated,
        }
    }
}

/// PassRole grants are inline policies on the principals named; IAM cannot limit what an inline
/// policy says, so these writes are only ever on exactly those principals (with any path).
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

/// Deletes and rewrites only of what the tool made (our tag), never of a same-named resource.
pub(super) fn ours(key: &str) -> Value {
    json!({"StringEquals": {format!("{key}/{}", crate::resources::tags::MANAGED_BY): crate::resources::tags::MANAGED_BY_VALUE}})
}

/// A statement, or nothing when it would name no resource.
fn on(sid: &str, actions: &[&str], resources: &[String]) -> Option<Statement> {
    (!resources.is_empty()).then(|| Statement::allow(sid, actions, resources.to_vec()))
}

fn with(statement: Option<Statement>, condition: Value) -> Option<Statement> {
    statement.map(|s| s.with_condition(condition))
}

/// The log groups the plans create (tagged ours at creation; deleted only to undo that), and the
/// existing ones whose retention they change.
fn log_group_statements(r: &OperatorResources) -> Vec<Option<Statement>> {
    vec![
        on(
            "CreateTheLogGroupsThePlansCreate",
            &["logs:CreateLogGroup", "logs:TagResource"],
            &r.created_groups,
        ),
        with(
            on(
                "ChangeOnlyOurNewLogGroups",
                &[
                    "logs:PutRetentionPolicy",
                    "logs:DeleteRetentionPolicy",
                    "logs:DeleteLogGroup",
                ],
                &r.created_groups,
            ),
            ours("aws:ResourceTag"),
        ),
        on(
            "EncryptTheLogGroupsThePlansEncrypt",
            &["logs:AssociateKmsKey", "logs:DisassociateKmsKey"],
            &r.key_groups,
        ),
        on(
            "SetRetentionOfTheLogGroupsThePlansChange",
            &["logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy"],
            &r.retention_groups,
        ),
        // A take-over of another team's group records its retention on the group first, and
        // destroy removes the record: only those two keys, never our ownership tag.
        with(
            on(
                "RecordTheRetentionTheyReplace",
                &["logs:TagResource", "logs:UntagResource"],
                &r.retention_groups,
            ),
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": [
                crate::resources::tags::PREVIOUS_RETENTION,
                crate::resources::tags::TAKEN_OVER_RETENTION,
            ]}}),
        ),
    ]
}

/// Roles: our inline grant on the exact service-linked roles, our policies attached to the exact
/// customer roles (in place); our dedicated role; earlier roles of ours removed; PassRole to Lex.
fn role_statements(r: &OperatorResources) -> Vec<Option<Statement>> {
    let our_policies = json!({"ArnEquals": {"iam:PolicyARN": r.policies.clone()}});
    let mut dedicated_condition = ours("iam:ResourceTag");
    dedicated_condition["ArnEqualsIfExists"] = json!({"iam:PolicyARN": r.policies.clone()});
    // A policy whose document the holder writes (created or given a new version), attached to a
    // role others may assume: IAM cannot check the document, so the statement says so.
    let attach_sid = match r.created_policies.is_empty() && r.updated_policies.is_empty() {
        true => "AttachOurPoliciesToTheWriterRoles",
        false => CUSTOMER_ROLE_RISK_SID,
    };
    vec![
        on(
            "GrantLogsOnTheServiceLinkedRoles",
            &["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
            &r.service_linked,
        ),
        with(
            on(
                attach_sid,
                &["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
                &r.customer_writers,
            ),
            our_policies,
        ),
        on(
            "CreateTheDedicatedRole",
            &[
                "iam:CreateRole",
                "iam:TagRole",
                "iam:PutRolePermissionsBoundary",
            ],
            &r.created_roles,
        ),
        with(
            on(
                DEDICATED_RISK_SID,
                &[
                    "iam:UpdateAssumeRolePolicy",
                    "iam:PutRolePolicy",
                    "iam:AttachRolePolicy",
                    "iam:DetachRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:TagRole",
                    "iam:UntagRole",
                    "iam:DeleteRole",
                ],
                &r.dedicated,
            ),
            dedicated_condition,
        ),
        with(
            on(
                "RemoveOurEarlierRoles",
                &[
                    "iam:DetachRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:UntagRole",
                    "iam:DeleteRole",
                ],
                &r.removed,
            ),
            ours("iam:ResourceTag"),
        ),
        with(
            on("PassTheseRolesToLexOnly", &["iam:PassRole"], &r.passed),
            json!({"StringEquals": {"iam:PassedToService": LEX_SERVICE}}),
        ),
        on(GRANT_RISK_SID, GRANT_ACTIONS, &r.principals),
    ]
}

/// The inline policy writes of `--grant-pass-role`.
pub(super) const GRANT_ACTIONS: &[&str] = &[
    "iam:PutUserPolicy",
    "iam:DeleteUserPolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:PutGroupPolicy",
    "iam:DeleteGroupPolicy",
];

/// Our managed policies: created by name; new versions (and an update's undo) only of the ones
/// the plans update; deleted, with their versions, only while ours.
fn policy_statements(r: &OperatorResources) -> Vec<Option<Statement>> {
    vec![
        on(
            "CreateOurPolicies",
            &["iam:CreatePolicy", "iam:TagPolicy"],
            &r.created_policies,
        ),
        with(
            on(
                "NewVersionsOfOurPoliciesThePlansUpdate",
                &["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
                &r.updated_policies,
            ),
            ours("iam:ResourceTag"),
        ),
        with(
            on(
                "ChangeOnlyOurPolicies",
                &["iam:DeletePolicy", "iam:DeletePolicyVersion"],
                &r.policies,
            ),
            ours("iam:ResourceTag"),
        ),
    ]
}

/// Tags on Lex resources record what a run replaced; none of them is our ownership tag.
pub(super) fn not_our_tag() -> Value {
    json!({"ForAllValues:StringNotEquals": {"aws:TagKeys": [crate::resources::tags::MANAGED_BY]}})
}

/// The named bots (their versions, their role), the named aliases, their records, and verify.
fn lex_statements(r: &OperatorResources) -> Vec<Option<Statement>> {
    let mut tagged = r.bots.clone();
    tagged.extend(r.aliases.iter().cloned());
    vec![
        on(
            "UpdateTheNamedBotsAndTheirVersions",
            &[
                "lex:UpdateBot",
                "lex:CreateBotVersion",
                "lex:DeleteBotVersion",
            ],
            &r.bots,
        ),
        on("UpdateTheNamedAliases", &["lex:UpdateBotAlias"], &r.aliases),
        with(
            on(
                "RecordOnTheNamedBotsAndAliases",
                &["lex:TagResource", "lex:UntagResource"],
                &tagged,
            ),
            not_our_tag(),
        ),
        on(
            "VerifyConversationLogs",
            &["lex:RecognizeText", "lex:RecognizeUtterance"],
            &r.conversed,
        ),
    ]
}

/// The roles this policy gives permissions to may be neither assumed by its holder nor passed
/// to anything but Lex, whatever the holder's other policies or the roles' trust say.
fn deny_statements(r: &OperatorResources) -> Vec<Option<Statement>> {
    let mut written = r.dedicated.clone();
    written.extend(r.customer_writers.iter().cloned());
    let deny = |sid: &str, action: &str| {
        (!written.is_empty()).then(|| Statement {
            effect: "Deny",
            ..Statement::allow(sid, &[action], written.clone())
        })
    };
    vec![
        deny("DenyAssumingTheRolesThisPolicyWrites", "sts:AssumeRole"),
        deny("DenyPassingThemToAnyServiceButLex", "iam:PassRole").map(|s| {
            s.with_condition(json!({"StringNotEquals": {"iam:PassedToService": LEX_SERVICE}}))
        }),
    ]
}
