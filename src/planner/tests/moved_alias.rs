//! Planner tests of an alias that moved to another version.

use crate::documents::{self, Concern};
use crate::resources::tags::{self};

use crate::plan::Action;
use crate::planner::*;

use super::in_place::{find, spec, world};

#[test]
fn destroy_detaches_our_policy_from_a_role_no_alias_runs_on_any_more() {
    let mut obs = world();
    let arn = obs
        .scope
        .policy(&Concern::CloudWatch.policy_name("LexLogs-PizzaBot"));
    obs.policies.insert(
        Concern::CloudWatch,
        Some(crate::resources::managed_policy::PolicyState {
            name: Concern::CloudWatch.policy_name("LexLogs-PizzaBot"),
            arn: arn.clone(),
            document: documents::cloudwatch(&obs.scope, "/aws/lex/PizzaBot"),
            default_version: "v1".into(),
            tags: [(
                tags::MANAGED_BY.to_string(),
                tags::MANAGED_BY_VALUE.to_string(),
            )]
            .into(),
            // `prod` ran on version 1 (role old-runtime) at apply time; it runs version 2 now.
            attached_roles: vec!["pizza-runtime".into(), "old-runtime".into()],
        }),
    );
    let runtime = obs
        .writers
        .values_mut()
        .find(|w| w.name == "pizza-runtime")
        .unwrap();
    runtime.state.as_mut().unwrap().attached.push(arn.clone());
    let plan = plan_destroy(&spec(true, false), &obs).unwrap();
    let old = find(&plan, &format!("attachment[old-runtime -> {arn}]"));
    assert_eq!(old.action, Action::Delete);
    let delete = find(&plan, "policy[LexLogs-PizzaBot-CloudWatchLogs]");
    assert!(delete.depends_on.contains(&old.abs()));
    assert!(delete
        .depends_on
        .iter()
        .any(|d| d.address.to_string() == format!("attachment[pizza-runtime -> {arn}]")));
}

/// An alias on a published version built with another role than the bot's: Lex V2 does not
/// document which role writes its logs, so in place both get the grant, the plan says why, and
/// destroy takes it from both.
#[test]
fn a_version_on_another_role_than_the_bots_grants_both_and_destroy_revokes_both() {
    let mut obs = world();
    // Only `prod`, on version 2 (role pizza-runtime); the bot runs on its service-linked role.
    obs.aliases.retain(|a| a.name == "prod");
    let asked = crate::spec::Spec {
        aliases: vec!["prod".into()],
        ..spec(true, false)
    };
    let plan = plan_apply(&asked, &obs).unwrap();
    let slr_grant =
        "inline_policy[role/AWSServiceRoleForLexV2Bots_Pizza/LexLogs-PizzaBot-ConversationLogs]";
    assert_eq!(find(&plan, slr_grant).action, Action::Create);
    let runtime_attach = plan
        .changes
        .iter()
        .find(|c| {
            c.address
                .to_string()
                .starts_with("attachment[pizza-runtime -> ")
        })
        .expect("the version's role is granted");
    assert_eq!(runtime_attach.action, Action::Create);
    let note = plan
        .notes
        .iter()
        .find(|n| n.starts_with("alias prod runs version 2"))
        .unwrap();
    assert!(
        note.contains("does not document which of the two writes a published version's logs, so both get the grant"),
        "{note}"
    );
    assert_eq!(
        plan.targets[0].writers.len(),
        2,
        "{:?}",
        plan.targets[0].writers
    );
    // The same world with the grant on the service-linked role: destroy deletes it.
    let combined = match &find(&plan, slr_grant).after {
        Some(crate::plan::Resource::InlinePolicy(v)) => v.document.clone(),
        other => panic!("{other:?}"),
    };
    let slr = obs.writers.values_mut().find(|w| w.service_linked).unwrap();
    slr.state
        .as_mut()
        .unwrap()
        .inline
        .insert("LexLogs-PizzaBot-ConversationLogs".into(), combined);
    let destroy = plan_destroy(&asked, &obs).unwrap();
    assert_eq!(find(&destroy, slr_grant).action, Action::Delete);
    // An alias on its bot's own role is granted that role only.
    let mut on_bot_role = world();
    on_bot_role.aliases.retain(|a| a.name == "beta");
    let asked = crate::spec::Spec {
        aliases: vec!["beta".into()],
        ..spec(true, false)
    };
    let plan = plan_apply(&asked, &on_bot_role).unwrap();
    assert_eq!(
        plan.targets[0].writers.len(),
        1,
        "{:?}",
        plan.targets[0].writers
    );
}

/// A key given by its alias is resolved to the key's ARN, and the plan says so; given by its
/// ARN, nothing is said.
#[test]
fn an_audio_key_given_by_alias_is_named_by_its_arn_and_the_plan_says_so() {
    let mut obs = world();
    let key_arn = "arn:aws:kms:us-west-2:444455556666:key/k-1".to_string();
    obs.kms_key = Some(crate::resources::destination::KeyInfo {
        arn: key_arn.clone(),
        iam_policies_enabled: Some(true),
        allows_account_via_s3: false,
    });
    let with_key = |given: &str| {
        let mut asked = spec(false, true);
        asked.audio.as_mut().unwrap().kms_key = Some(given.into());
        plan_apply(&asked, &obs).unwrap()
    };
    let plan = with_key("alias/team-audio");
    let note = plan
        .notes
        .iter()
        .find(|n| n.starts_with("KMS key alias/team-audio is key"))
        .unwrap_or_else(|| panic!("{:#?}", plan.notes));
    assert!(note.contains(&key_arn), "{note}");
    let prod = find(&plan, "alias[PizzaBot/prod]");
    assert_eq!(
        prod.after_json()["conversationLogSettings"]["audioLogSettings"][0]["kmsKeyArn"],
        key_arn.as_str()
    );
    assert!(with_key(&key_arn)
        .notes
        .iter()
        .all(|n| !n.starts_with("KMS key ")));
}
