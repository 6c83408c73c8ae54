//! The target-free operator policy (`policy --operator-only` without targets): not least
//! privilege. It covers in-place setups on Lex service-linked roles only (no dedicated role, no
//! customer role, no PassRole grants: those need names to be safe), in any bot of the account,
//! and says in its Sids and on screen what it lets its holder do. Also the sts:AssumeRole policy a
//! pipeline needs to reach a config file's other accounts.

use serde_json::{json, Value};

use super::logging::LEX_SERVICE;
use super::operator::{
    not_our_tag, ours, ArnPattern, LEX_SERVICE_LINKED_ROLES, OPERATOR_READ_ACTIONS,
};
use crate::policy::{Document, Statement};

/// The Sid of the statement that may create and tag any `/aws/lex/` log group.
pub const LOG_GROUP_RISK_SID: &str = "DeclaredRiskCreatesAndTagsAnyLexLogGroupAsOurs";

/// What the target-free policy lets its holder do, for the screen and the README.
pub const GENERIC_LETS_ITS_HOLDER: &[&str] = &[
    "not least privilege: print the policy for your targets (policy --bot ... --alias ..., or --config) for that",
    "in any bot of the account: repoint any alias (conversation log settings and version), publish and delete versions, and write the tool's records in bot and alias tags (never the ownership tag)",
    "put and delete inline policies on any Lex V2 service-linked role (only Lex assumes those; their trust cannot be changed), and pass them to Lex only",
    "talk to any alias (verify's one conversation turn)",
    "create, change and delete CloudWatch alarms whose names start with lex-logs-setup- (--alarm)",
    "save and delete any saved Logs Insights query of the account and region (--insights-queries; IAM cannot scope query definitions)",
];

/// The target-free operator policy.
pub fn generic() -> Value {
    let arn = ArnPattern::new(None);
    let groups = vec![arn.log_group("/aws/lex/*")];
    let service_linked = vec![arn.iam(LEX_SERVICE_LINKED_ROLES)];
    let bots = vec![arn.lex("bot/*")];
    let aliases = vec![arn.lex("bot-alias/*")];
    let mut tagged = bots.clone();
    tagged.extend(aliases.iter().cloned());
    let statements = vec![
        Statement::allow("ReadWhatExists", OPERATOR_READ_ACTIONS, vec!["*".into()]),
        Statement::allow(
            LOG_GROUP_RISK_SID,
            &["logs:CreateLogGroup", "logs:TagResource"],
            groups.clone(),
        ),
        Statement::allow(
            "ChangeOnlyOurLexLogGroups",
            &[
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:DeleteLogGroup",
                "logs:AssociateKmsKey",
                "logs:DisassociateKmsKey",
            ],
            groups,
        )
        .with_condition(ours("aws:ResourceTag")),
        Statement::allow(
            "GrantLogsOnAnyLexServiceLinkedRole",
            &["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
            service_linked.clone(),
        ),
        Statement::allow(
            "PassLexServiceLinkedRolesToLexOnly",
            &["iam:PassRole"],
            service_linked,
        )
        .with_condition(json!({"StringEquals": {"iam:PassedToService": LEX_SERVICE}})),
        Statement::allow(
            "AnyBotInTheAccountItsVersions",
            &["lex:CreateBotVersion", "lex:DeleteBotVersion"],
            bots,
        ),
        Statement::allow(
            "AnyAliasInTheAccount",
            &[
                "lex:UpdateBotAlias",
                "lex:RecognizeText",
                "lex:RecognizeUtterance",
            ],
            aliases,
        ),
        Statement::allow(
            "RecordsOnAnyBotOrAliasNeverTheOwnershipTag",
            &["lex:TagResource", "lex:UntagResource"],
            tagged,
        )
        .with_condition(not_our_tag()),
        Statement::allow(
            "AlarmsNamedLikeOurs",
            crate::resources::alarm::IAM_ACTIONS,
            vec![arn.alarm(&format!("{}*", crate::resources::alarm::NAME_PREFIX))],
        ),
        Statement::allow(
            "SavedQueriesNoResourceLevel",
            crate::resources::query::IAM_ACTIONS,
            vec!["*".into()],
        ),
    ];
    Document::new(statements).to_value()
}

/// The words for a declared risk of the target-free policy.
pub fn declared_risk(sid: &str) -> Option<&'static str> {
    (sid == LOG_GROUP_RISK_SID).then_some(
        "the holder may create any /aws/lex/ log group, and tag an existing one of another team as ours (IAM cannot tell the tag written at creation from one written later); then change its retention or delete it",
    )
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
