//! A plan's serde form is lossless: every plan the planner makes (both modes, apply and destroy,
//! a take-over, a merged plan of two places) reads back equal to itself, steps included, which
//! is what a saved plan applied later relies on.

use crate::plan::{Plan, Provider};
use crate::planner::{plan_apply, plan_destroy};
use crate::resources::log_settings::LogSettings;
use crate::spec::Spec;

use super::dedicated;
use super::in_place;
use super::WithSettings;

/// Serialises `plan` to JSON text and back: equal, and equal again as JSON.
fn assert_round_trip(what: &str, plan: &Plan) {
    let text = serde_json::to_string_pretty(plan).expect("a plan serialises");
    let back: Plan = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: the saved form does not read back: {e}\n{text}"));
    assert_eq!(&back, plan, "{what}: the plan read back differs");
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::to_value(plan).unwrap(),
        "{what}"
    );
    // Not a vacuous equality: each change that runs carries its step, each its provider.
    for change in &back.changes {
        assert_eq!(
            change.step.is_some(),
            change.action != crate::plan::Action::NoOp,
            "{what}: {}",
            change.address
        );
        assert!(!change.provider.account.is_empty(), "{what}");
    }
}

#[test]
fn every_kind_of_plan_reads_back_equal_to_itself() {
    let world = in_place::world();
    for (text, audio) in [(true, false), (false, true), (true, true)] {
        let spec = in_place::spec(text, audio);
        assert_round_trip("in place apply", &plan_apply(&spec, &world).unwrap());
        assert_round_trip("in place destroy", &plan_destroy(&spec, &world).unwrap());
    }
    let spec = Spec {
        publish_version: true,
        ..dedicated::spec()
    };
    let fresh = dedicated::fresh();
    assert_round_trip("dedicated apply", &plan_apply(&spec, &fresh).unwrap());
    let applied = dedicated::applied(&dedicated::spec());
    assert_round_trip(
        "dedicated destroy",
        &plan_destroy(&dedicated::spec(), &applied).unwrap(),
    );
}

#[test]
fn a_take_over_and_a_selective_flag_read_back_exactly() {
    use aws_sdk_lexmodelsv2::types as sdk;
    let mut world = in_place::world();
    let theirs = sdk::ConversationLogSettings::builder()
        .text_log_settings(
            sdk::TextLogSetting::builder()
                .enabled(true)
                .selective_logging_enabled(true)
                .destination(
                    sdk::TextLogDestination::builder()
                        .cloud_watch(
                            sdk::CloudWatchLogGroupLogDestination::builder()
                                .cloud_watch_log_group_arn(
                                    "arn:aws:logs:us-west-2:111122223333:log-group:/team-x/lex",
                                )
                                .log_prefix("x/")
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        )
        .build();
    world.aliases[1].described = world.aliases[1]
        .described
        .clone()
        .to_builder_with(Some(theirs.clone()));
    let spec = Spec {
        take_over_destinations: true,
        ..in_place::spec(true, false)
    };
    let plan = plan_apply(&spec, &world).unwrap();
    assert_round_trip("take-over", &plan);
    // The flag is in the saved form, typed, on the alias's before.
    let saved = serde_json::to_string(&plan).unwrap();
    assert!(
        saved.contains("\"selectiveLoggingEnabled\":true"),
        "{saved}"
    );
    assert_eq!(
        LogSettings::from_sdk(&theirs)
            .text()
            .first()
            .and_then(|t| t.selective_logging_enabled),
        Some(true)
    );
}

#[test]
fn a_merged_plan_of_two_places_reads_back_with_its_providers_and_dependencies() {
    let spec = in_place::spec(true, false);
    let here = in_place::world();
    let mut there = in_place::world();
    there.provider = Provider {
        account: "999988887777".into(),
        region: "eu-central-1".into(),
        via: Some("arn:aws:iam::999988887777:role/Deploy".into()),
    };
    there.scope.account = there.provider.account.clone();
    there.scope.region = there.provider.region.clone();
    let merged = Plan::merge(vec![
        plan_apply(&spec, &here).unwrap(),
        plan_apply(&spec, &there).unwrap(),
    ])
    .unwrap();
    assert_eq!(merged.providers().len(), 2);
    assert!(merged.changes.iter().any(|c| !c.depends_on.is_empty()));
    assert_round_trip("merged", &merged);
}
