//! The escalation check on the operator policy this tool printed before (it must fail), and on
//! one small document per path (each found, and each closed by what closes it).

use serde_json::{json, Value};

use super::{escalations, undeclared, Finding, Holder, Path, DECLARED_RISK_PREFIX};

const ROLE: &str = "arn:aws:iam::123456789012:role/R";

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn allow(actions: &[&str], resources: &[&str]) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resources})
}

fn paths(document: &Value, holder: &Holder) -> Vec<Path> {
    let mut p: Vec<Path> = escalations(document, holder)
        .iter()
        .map(|f| f.path)
        .collect();
    p.dedup();
    p
}

fn nobody() -> Holder {
    Holder::default()
}

#[test]
fn the_generic_operator_policy_printed_before_makes_its_holder_an_administrator() {
    let before: Value = serde_json::from_str(include_str!("generic_before.json")).unwrap();
    let found = escalations(&before, &Holder::anyone(vec![]));
    let has = |path: Path, statement: &str| {
        found
            .iter()
            .any(|f| f.path == path && f.statement == statement)
    };
    // Create a LexLogs-* policy with any document, attach it to any role: two calls.
    assert!(
        has(
            Path::AnyPermissionsOnRole,
            "AttachOurLogPoliciesToWriterRoles"
        ),
        "{found:#?}"
    );
    // Create a LexLogs-* role trusting yourself, put any inline policy on it.
    assert!(has(Path::AnyPermissionsOnRole, "ChangeOnlyOurLoggingRole"));
    assert!(has(Path::TakeOverRole, "ChangeOnlyOurLoggingRole"));
    assert!(has(Path::PassAnyRole, "PassRolesToLex"));
    assert!(has(Path::MarkAsOurs, "CreateTheLogGroup"));
    assert!(has(Path::MarkAsOurs, "CreateTheLoggingRole"));
    assert!(has(Path::MarkAsOurs, "CreateOurPolicies"));
    assert_eq!(undeclared(&found).len(), found.len(), "it declared nothing");
}

#[test]
fn policy_creation_and_attachment_is_found_on_any_role_the_holder_may_use_or_not() {
    let create = allow(
        &["iam:CreatePolicy"],
        &["arn:aws:iam::123456789012:policy/P-*"],
    );
    let attach = |roles: &[&str]| {
        let mut s = allow(&["iam:AttachRolePolicy"], roles);
        s["Condition"] =
            json!({"ArnLike": {"iam:PolicyARN": "arn:aws:iam::123456789012:policy/P-*"}});
        s
    };
    let wild = doc(json!([
        create,
        attach(&["arn:aws:iam::123456789012:role/*"])
    ]));
    assert_eq!(paths(&wild, &nobody()), vec![Path::AnyPermissionsOnRole]);
    // Exact role, but the holder could assume it.
    let exact = doc(json!([create, attach(&[ROLE])]));
    assert_eq!(
        paths(&exact, &Holder::anyone(vec![])),
        vec![Path::AnyPermissionsOnRole]
    );
    // The holder cannot use it: still found, for whoever the role trusts.
    assert_eq!(
        paths(&exact, &nobody()),
        vec![Path::AnyPermissionsOnOthersRole]
    );
    let denied = doc(json!([create, attach(&[ROLE]),
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": ROLE}]));
    assert_eq!(
        paths(&denied, &Holder::anyone(vec![])),
        vec![Path::AnyPermissionsOnOthersRole]
    );
    // Attaching without a policy condition attaches AdministratorAccess.
    let any = doc(json!([allow(&["iam:AttachRolePolicy"], &[ROLE])]));
    assert_eq!(
        paths(&any, &Holder::anyone(vec![])),
        vec![Path::AnyPermissionsOnRole]
    );
}

#[test]
fn any_permissions_on_a_role_the_holder_cannot_use_are_found_for_whoever_that_role_trusts() {
    // The in-place policy on a customer role, in short: create our policy with any document,
    // attach it to the team's exact role, never assume the role.
    let policy = "arn:aws:iam::123456789012:policy/LexLogs-X-CloudWatchLogs";
    let mut attach = allow(&["iam:AttachRolePolicy"], &[ROLE]);
    attach["Condition"] = json!({"ArnEquals": {"iam:PolicyARN": [policy]}});
    let deny = json!({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": ROLE});
    let document = doc(json!([
        allow(&["iam:CreatePolicy", "iam:TagPolicy"], &[policy]),
        attach,
        deny
    ]));
    let found = escalations(&document, &Holder::anyone(vec![policy.into()]));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].path, Path::AnyPermissionsOnOthersRole);
    assert_eq!(found[0].resource, ROLE);
    assert!(found[0].reason.contains(policy), "{}", found[0].reason);
    // A new version of a policy that already exists is the same capability.
    let versions = doc(json!([
        allow(&["iam:CreatePolicyVersion"], &[policy]),
        attach,
        deny
    ]));
    assert_eq!(
        paths(&versions, &nobody()),
        vec![Path::AnyPermissionsOnOthersRole]
    );
    // Attaching only a policy whose content the holder cannot write: nothing.
    let attach_only = doc(json!([
        allow(&["iam:DeletePolicy", "iam:DeletePolicyVersion"], &[policy]),
        attach,
        deny
    ]));
    assert!(paths(&attach_only, &Holder::anyone(vec![])).is_empty());
}

#[test]
fn a_role_whose_trust_the_holder_writes_is_found_even_when_assuming_it_is_denied() {
    let document = doc(json!([
        allow(&["iam:CreateRole", "iam:PutRolePolicy"], &[ROLE]),
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": ROLE},
    ]));
    let found = escalations(&document, &nobody());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].reason.contains("iam:CreateRole"),
        "{}",
        found[0].reason
    );
    let update = doc(json!([allow(&["iam:UpdateAssumeRolePolicy"], &[ROLE])]));
    assert_eq!(paths(&update, &nobody()), vec![Path::TakeOverRole]);
}

#[test]
fn lex_service_linked_roles_are_lex_only() {
    let slr = "arn:aws:iam::123456789012:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots*";
    let document = doc(json!([allow(
        &["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
        &[slr]
    )]));
    assert!(paths(&document, &Holder::anyone(vec![])).is_empty());
    // A pattern that only looks like one is not.
    let look_alike = doc(json!([allow(
        &["iam:PutRolePolicy"],
        &["arn:aws:iam::123456789012:role/*lexv2.amazonaws.com/*"]
    )]));
    assert_eq!(
        paths(&look_alike, &nobody()),
        vec![Path::AnyPermissionsOnRole]
    );
}

#[test]
fn pass_role_must_name_the_roles_and_a_service_that_runs_no_code() {
    let bare = doc(json!([allow(&["iam:PassRole"], &[ROLE])]));
    assert_eq!(paths(&bare, &nobody()), vec![Path::PassRoleToCode]);
    let mut to_lex = allow(&["iam:PassRole"], &[ROLE]);
    to_lex["Condition"] = json!({"StringEquals": {"iam:PassedToService": "lexv2.amazonaws.com"}});
    assert!(paths(&doc(json!([to_lex.clone()])), &nobody()).is_empty());
    to_lex["Resource"] = json!("*");
    assert_eq!(
        paths(&doc(json!([to_lex])), &nobody()),
        vec![Path::PassAnyRole]
    );
}

#[test]
fn users_groups_credentials_and_assuming_any_role_are_found() {
    let user = "arn:aws:iam::123456789012:user/dev";
    let cases = [
        (
            allow(&["iam:PutUserPolicy"], &[user]),
            Path::AnyPermissionsOnPrincipal,
        ),
        (
            allow(&["iam:PutGroupPolicy"], &["*"]),
            Path::AnyPermissionsOnPrincipal,
        ),
        (
            allow(&["iam:AddUserToGroup"], &["*"]),
            Path::AnyPermissionsOnPrincipal,
        ),
        (allow(&["iam:CreateAccessKey"], &[user]), Path::Credentials),
        (
            allow(&["iam:UpdateLoginProfile"], &["*"]),
            Path::Credentials,
        ),
        (allow(&["sts:AssumeRole"], &["*"]), Path::AssumeAnyRole),
        (
            allow(&["iam:CreatePolicyVersion"], &["arn:aws:iam::*:policy/*"]),
            Path::RewriteAnyPolicy,
        ),
    ];
    for (statement, path) in cases {
        let found = paths(&doc(json!([statement.clone()])), &nobody());
        assert!(found.contains(&path), "{statement}: {found:?}");
    }
}

#[test]
fn tag_writes_are_found_unless_on_what_the_plan_creates_or_kept_off_our_key() {
    let group = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lex/B";
    let tagging = doc(json!([allow(
        &["logs:CreateLogGroup", "logs:TagResource"],
        &[group, &format!("{group}:*")]
    )]));
    assert_eq!(paths(&tagging, &nobody()), vec![Path::MarkAsOurs]);
    assert!(paths(&tagging, &Holder::anyone(vec![group.into()])).is_empty());
    let wild = doc(json!([allow(
        &["logs:TagResource"],
        &["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lex/*"]
    )]));
    assert_eq!(
        paths(&wild, &Holder::anyone(vec![group.into()])),
        vec![Path::MarkAsOurs]
    );
    let mut lex = allow(&["lex:TagResource"], &["*"]);
    assert_eq!(
        paths(&doc(json!([lex.clone()])), &nobody()),
        vec![Path::MarkAsOurs]
    );
    lex["Condition"] =
        json!({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["lex-logs-setup:managed-by"]}});
    assert!(paths(&doc(json!([lex])), &nobody()).is_empty());
}

#[test]
fn a_statement_that_declares_its_risk_has_declared_findings() {
    let mut statement = allow(
        &["iam:PutUserPolicy"],
        &["arn:aws:iam::123456789012:user/dev"],
    );
    statement["Sid"] = json!(format!("{DECLARED_RISK_PREFIX}WritesAnyPolicyOnDev"));
    let found: Vec<Finding> = escalations(&doc(json!([statement])), &nobody());
    assert_eq!(found.len(), 1);
    assert!(found[0].declared);
    assert!(undeclared(&found).is_empty());
}

#[test]
fn reads_alone_open_nothing() {
    let reads = doc(json!([allow(
        &[
            "iam:GetRole",
            "iam:GetRolePolicy",
            "logs:DescribeLogGroups",
            "lex:DescribeBot"
        ],
        &["*"]
    )]));
    assert!(escalations(&reads, &Holder::anyone(vec![])).is_empty());
}
