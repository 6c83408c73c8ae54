//! Unit tests of the operator policy: exact resources per mode, and the escalation check finds
//! nothing its statements do not declare.

use serde_json::Value;

use super::escalation::{escalations, undeclared, Holder, Path};
use super::operator::{CUSTOMER_ROLE_RISK_SID, DEDICATED_RISK_SID, GRANT_RISK_SID};
use super::operator_generic::LOG_GROUP_RISK_SID;
use super::{operator, risks, OperatorScope};
use crate::arn::Scope;

const SLR: &str = "arn:aws:iam::123456789012:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_ABC";
const CUSTOMER: &str = "arn:aws:iam::123456789012:role/team/CustomerLexRole";

fn in_place(writer: &str) -> OperatorScope {
    OperatorScope {
        scope: Some(Scope {
            partition: "aws".into(),
            account: "123456789012".into(),
            region: "eu-west-1".into(),
        }),
        bot_ids: vec!["BOTID".into()],
        aliases: vec![("BOTID".into(), "ALIASID".into())],
        log_groups: vec!["/aws/lex/B".into()],
        writer_roles: vec![writer.into()],
        ..OperatorScope::default()
    }
}

fn statement<'a>(document: &'a Value, sid: &str) -> Option<&'a Value> {
    document["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == sid)
}

fn actions(document: &Value) -> Vec<String> {
    document["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .flat_map(|s| s["Action"].as_array().cloned().unwrap())
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// The escalation check's findings, with the plan's creations known.
fn check(document: &Value, o: &OperatorScope) -> Vec<super::escalation::Finding> {
    escalations(document, &Holder::anyone(o.created_arns()))
}

#[test]
fn in_place_on_a_service_linked_role_grants_exact_resources_and_no_role_or_policy_writes() {
    let o = in_place(SLR);
    let document = operator(&o);
    for absent in [
        "iam:CreateRole",
        "iam:CreatePolicy",
        "iam:AttachRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:PutUserPolicy",
    ] {
        assert!(
            !actions(&document).contains(&absent.to_string()),
            "{absent}: {document:#}"
        );
    }
    assert_eq!(
        statement(&document, "GrantLogsOnTheServiceLinkedRoles").unwrap()["Resource"],
        serde_json::json!([SLR])
    );
    assert_eq!(
        statement(&document, "UpdateTheNamedAliases").unwrap()["Resource"],
        serde_json::json!(["arn:aws:lex:eu-west-1:123456789012:bot-alias/BOTID/ALIASID"])
    );
    assert_eq!(
        statement(&document, "UpdateTheNamedBotsAndTheirVersions").unwrap()["Resource"],
        serde_json::json!(["arn:aws:lex:eu-west-1:123456789012:bot/BOTID"])
    );
    // No wildcard anywhere but the reads.
    for s in document["Statement"].as_array().unwrap() {
        if s["Sid"] != "ReadWhatExists" {
            assert!(!s["Resource"].to_string().contains("/*\""), "{s}");
        }
    }
    assert_eq!(check(&document, &o), vec![]);
    assert_eq!(risks(&document, &o), Vec::<String>::new());
}

#[test]
fn in_place_on_a_customer_role_lets_its_holder_give_that_role_any_permissions() {
    // The plan creates our policy: its content is any document the holder writes, attached to
    // another team's role; whoever that role trusts gets it, though the holder cannot assume it.
    let mut o = in_place(CUSTOMER);
    o.policies = vec!["LexLogs-B-CloudWatchLogs".into()];
    o.created_policies = o.policies.clone();
    let document = operator(&o);
    let found = check(&document, &o);
    let on_role: Vec<_> = found.iter().filter(|f| f.resource == CUSTOMER).collect();
    assert_eq!(on_role.len(), 1, "{found:#?}");
    assert!(
        on_role[0].reason.contains("LexLogs-B-CloudWatchLogs"),
        "{}",
        on_role[0].reason
    );
    assert_eq!(on_role[0].path, Path::AnyPermissionsOnOthersRole);
    // IAM cannot check the document: the policy declares it, and the screen says it.
    assert_eq!(on_role[0].statement, CUSTOMER_ROLE_RISK_SID);
    assert!(undeclared(&found).is_empty(), "{found:#?}");
    let said = risks(&document, &o);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("in place on a customer role"),
        "{said:?}"
    );
    // Without the Deny, the holder could also assume the role itself.
    let mut without = document.clone();
    without["Statement"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["Sid"] != "DenyAssumingTheRolesThisPolicyWrites");
    let found = check(&without, &o);
    assert!(
        found.iter().any(|f| f.path == Path::AnyPermissionsOnRole),
        "{found:#?}"
    );
}

#[test]
fn in_place_on_a_customer_role_with_our_policies_unchanged_writes_no_policy_content() {
    let mut o = in_place(CUSTOMER);
    o.policies = vec!["LexLogs-B-CloudWatchLogs".into()];
    let document = operator(&o);
    for absent in ["iam:CreatePolicy", "iam:CreatePolicyVersion"] {
        assert!(
            !actions(&document).contains(&absent.to_string()),
            "{absent}: {document:#}"
        );
    }
    assert!(statement(&document, CUSTOMER_ROLE_RISK_SID).is_none());
    let attach = statement(&document, "AttachOurPoliciesToTheWriterRoles").unwrap();
    assert_eq!(attach["Resource"], serde_json::json!([CUSTOMER]));
    assert_eq!(
        attach["Condition"]["ArnEquals"]["iam:PolicyARN"],
        serde_json::json!(["arn:aws:iam::123456789012:policy/LexLogs-B-CloudWatchLogs"])
    );
    let deny = statement(&document, "DenyAssumingTheRolesThisPolicyWrites").unwrap();
    assert_eq!(deny["Effect"], "Deny");
    assert_eq!(check(&document, &o), vec![]);
    assert_eq!(risks(&document, &o), Vec::<String>::new());
}

#[test]
fn only_the_policies_the_plan_updates_get_new_versions() {
    let mut o = in_place(CUSTOMER);
    o.policies = vec!["LexLogs-B-CloudWatchLogs".into(), "LexLogs-B-S3".into()];
    o.updated_policies = vec!["LexLogs-B-S3".into()];
    let document = operator(&o);
    let versions = statement(&document, "NewVersionsOfOurPoliciesThePlansUpdate").unwrap();
    assert_eq!(
        versions["Resource"],
        serde_json::json!(["arn:aws:iam::123456789012:policy/LexLogs-B-S3"])
    );
    let found = check(&document, &o);
    assert!(
        found.iter().any(|f| f.resource == CUSTOMER
            && f.statement == CUSTOMER_ROLE_RISK_SID
            && f.reason.contains("LexLogs-B-S3")),
        "{found:#?}"
    );
    assert!(undeclared(&found).is_empty(), "{found:#?}");
}

#[test]
fn dedicated_mode_declares_that_the_role_s_trust_and_permissions_are_any_document() {
    let mut o = in_place(SLR);
    o.writer_roles = vec![];
    o.previous_roles = vec![SLR.into()];
    o.role_names = vec!["LexLogs-B".into()];
    o.created_roles = o.role_names.clone();
    o.policies = vec!["LexLogs-B-CloudWatchLogs".into()];
    o.created_policies = o.policies.clone();
    let document = operator(&o);
    let found = check(&document, &o);
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|f| f.statement == DEDICATED_RISK_SID),
        "{found:#?}"
    );
    assert!(undeclared(&found).is_empty());
    let said = risks(&document, &o);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("trust policy may name any other principal"));
    let pass = statement(&document, "PassTheseRolesToLexOnly").unwrap();
    assert_eq!(
        pass["Resource"],
        serde_json::json!(["arn:aws:iam::123456789012:role/LexLogs-B", SLR])
    );
}

#[test]
fn pass_role_grants_are_declared_and_only_on_the_named_principals() {
    let mut o = in_place(SLR);
    o.principals = vec!["user/dev".parse().unwrap()];
    let document = operator(&o);
    let grant = statement(&document, GRANT_RISK_SID).unwrap();
    assert_eq!(
        grant["Resource"],
        serde_json::json!([
            "arn:aws:iam::123456789012:user/*/dev",
            "arn:aws:iam::123456789012:user/dev"
        ])
    );
    let found = check(&document, &o);
    assert!(
        !found.is_empty() && undeclared(&found).is_empty(),
        "{found:#?}"
    );
    assert!(risks(&document, &o)[0].contains("administrator-equivalent"));
}

#[test]
fn the_target_free_policy_opens_no_path_to_administrator_and_says_what_it_lets_do() {
    let o = OperatorScope::default();
    let document = operator(&o);
    for absent in [
        "iam:CreateRole",
        "iam:CreatePolicy",
        "iam:CreatePolicyVersion",
        "iam:AttachRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:PutUserPolicy",
        "iam:PutGroupPolicy",
    ] {
        assert!(
            !actions(&document).contains(&absent.to_string()),
            "{absent}"
        );
    }
    let found = check(&document, &o);
    assert!(
        found.iter().all(|f| f.statement == LOG_GROUP_RISK_SID),
        "{found:#?}"
    );
    assert!(undeclared(&found).is_empty());
    let said = risks(&document, &o);
    assert!(said[0].starts_with("not least privilege"), "{said:?}");
    assert!(said
        .iter()
        .any(|s| s.contains("tag an existing one of another team")));
}

#[test]
fn a_replica_region_names_its_log_groups_and_the_aliases_verify_talks_to_there() {
    let mut scope = in_place(SLR);
    let alone = operator(&scope);
    scope.regions = vec!["eu-west-1".into(), "eu-central-1".into()];
    let replicated = operator(&scope);
    let resources = |document: &Value, sid: &str| -> Vec<String> {
        statement(document, sid).unwrap()["Resource"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect()
    };
    let group = |region: &str| format!("arn:aws:logs:{region}:123456789012:log-group:/aws/lex/B");
    let created = resources(&replicated, "CreateTheLogGroupsThePlansCreate");
    for region in ["eu-west-1", "eu-central-1"] {
        assert!(created.contains(&group(region)), "{created:?}");
        assert!(
            created.contains(&format!("{}:*", group(region))),
            "{created:?}"
        );
    }
    let alone_created = resources(&alone, "CreateTheLogGroupsThePlansCreate");
    assert!(!alone_created.contains(&group("eu-central-1")));
    let conversed = resources(&replicated, "VerifyConversationLogs");
    assert_eq!(
        conversed,
        [
            "arn:aws:lex:eu-central-1:123456789012:bot-alias/BOTID/ALIASID",
            "arn:aws:lex:eu-west-1:123456789012:bot-alias/BOTID/ALIASID",
        ]
    );
    // Changing the alias stays in the bot's region (the replica is read-only).
    assert_eq!(
        resources(&replicated, "UpdateTheNamedAliases"),
        ["arn:aws:lex:eu-west-1:123456789012:bot-alias/BOTID/ALIASID"]
    );
    assert!(actions(&replicated).contains(&"lex:ListBotReplicas".to_string()));
}

/// A statement's resources, one or a list.
fn resources(statement: &Value) -> Vec<String> {
    match &statement["Resource"] {
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect(),
        one => vec![one.as_str().unwrap().to_string()],
    }
}

#[test]
fn the_alarm_actions_name_exactly_the_named_aliases_alarms() {
    let ours = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:lex-logs-setup-BOTID-ALIASID-text-logs-stopped";
    let actions_of = |document: &Value, sid: &str| -> Vec<String> {
        match &statement(document, sid).expect(sid)["Action"] {
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
            one => vec![one.as_str().unwrap().to_string()],
        }
    };
    // Without --alarm: our alarm of each named alias may only be deleted (destroy), and saved
    // queries only deleted.
    let document = operator(&in_place(SLR));
    assert!(statement(&document, "OurAlarmsOfTheNamedAliases").is_none());
    let removed = statement(&document, "RemoveOurAlarmsOfTheNamedAliases").expect("removal");
    assert_eq!(resources(removed), [ours]);
    assert_eq!(
        actions_of(&document, "RemoveOurAlarmsOfTheNamedAliases"),
        ["cloudwatch:DeleteAlarms"]
    );
    assert_eq!(
        actions_of(&document, "SavedQueriesNoResourceLevel"),
        ["logs:DeleteQueryDefinition"]
    );
    // With --alarm and --insights-queries in the plans: written, on exactly that alarm.
    let mut scope = in_place(SLR);
    scope.alarms = vec!["lex-logs-setup-BOTID-ALIASID-text-logs-stopped".into()];
    scope.saved_queries = true;
    let document = operator(&scope);
    let alarms = statement(&document, "OurAlarmsOfTheNamedAliases").expect("alarm statement");
    assert_eq!(resources(alarms), [ours]);
    assert!(actions_of(&document, "OurAlarmsOfTheNamedAliases")
        .contains(&"cloudwatch:PutMetricAlarm".to_string()));
    assert!(actions_of(&document, "SavedQueriesNoResourceLevel")
        .contains(&"logs:PutQueryDefinition".to_string()));
    let generic = super::operator_generic::generic();
    let any = statement(&generic, "AlarmsNamedLikeOurs").expect("generic alarm statement");
    assert_eq!(
        resources(any),
        ["arn:*:cloudwatch:*:*:alarm:lex-logs-setup-*"]
    );
}
