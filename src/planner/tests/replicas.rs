//! Planner tests of a replicated bot (Global Resiliency): the text logs' group in each replica
//! region is a change of that region's provider, the grant names each region's group, the alias
//! settings are written only in the bot's region, another team's group there is refused as in the
//! bot's region, and audio is refused.

use serde_json::json;

use crate::observe::{Observed, ReplicaRegion};
use crate::plan::Action;
use crate::planner::*;
use crate::resources::inline_policy::InlinePolicyStep;
use crate::resources::log_group::LogGroupState;
use crate::step::Step;

use super::in_place::{find, spec, world};

const GROUP: &str = "/aws/lex/PizzaBot";
const REPLICA: &str = "us-east-1";

/// The in-place world, its bot replicated to us-east-1 (with the group there, if `group`).
fn replicated(group: Option<LogGroupState>) -> Observed {
    let mut obs = world();
    obs.replicas = vec![ReplicaRegion {
        region: REPLICA.into(),
        status: "Enabled".into(),
        provider: crate::plan::Provider {
            region: REPLICA.into(),
            ..obs.provider.clone()
        },
        scope: obs.scope.in_region(REPLICA),
        log_group: Some((GROUP.into(), group)),
    }];
    obs
}

fn team_group(retention: Option<i32>) -> LogGroupState {
    LogGroupState {
        name: GROUP.into(),
        retention_days: retention,
        kms_key_id: None,
        tags: [("team".to_string(), "x".to_string())]
            .into_iter()
            .collect(),
    }
}

#[test]
fn the_replica_regions_group_is_created_there_and_the_grant_names_both_regions() {
    let obs = replicated(None);
    let plan = plan_apply(&spec(true, false), &obs).unwrap();
    let groups: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.address.to_string() == format!("log_group[{GROUP}]"))
        .collect();
    let regions: Vec<&str> = groups.iter().map(|c| c.provider.region.as_str()).collect();
    assert_eq!(regions, ["us-west-2", REPLICA], "one group in each region");
    assert!(groups.iter().all(|c| c.action == Action::Create));
    assert_eq!(groups[1].abs().region.as_deref(), Some(REPLICA));

    let inline = find(
        &plan,
        "inline_policy[role/AWSServiceRoleForLexV2Bots_Pizza/LexLogs-PizzaBot-ConversationLogs]",
    );
    let Some(Step::InlinePolicy(InlinePolicyStep::Put { document, .. })) = &inline.step else {
        panic!("{:?}", inline.step)
    };
    assert_eq!(
        document["Statement"][0]["Resource"],
        json!([
            format!("arn:aws:logs:us-west-2:444455556666:log-group:{GROUP}:*"),
            format!("arn:aws:logs:{REPLICA}:444455556666:log-group:{GROUP}:*"),
        ])
    );
    assert!(
        plan.changes
            .iter()
            .filter(|c| c.address.to_string().starts_with("alias["))
            .all(|c| c.provider.region == "us-west-2"),
        "the alias settings are written only in the bot's region"
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("replicated to us-east-1")
                && n.contains("written only in us-west-2")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn a_bot_without_replicas_plans_one_group_and_grants_one_region() {
    let plan = plan_apply(&spec(true, false), &world()).unwrap();
    let groups = plan
        .changes
        .iter()
        .filter(|c| c.address.to_string() == format!("log_group[{GROUP}]"))
        .count();
    assert_eq!(groups, 1);
    assert!(!plan.notes.iter().any(|n| n.contains("replicated")));
}

#[test]
fn another_teams_group_in_the_replica_region_is_refused_naming_the_region() {
    let obs = replicated(Some(team_group(Some(30))));
    let err = plan_apply(&spec(true, false), &obs)
        .unwrap_err()
        .to_string();
    for part in [
        "replicated to us-east-1",
        GROUP,
        "30 days",
        "--take-over-destinations",
    ] {
        assert!(err.contains(part), "{part} in {err}");
    }
    // The same group used as it is (no retention asked) is not refused.
    let mut as_it_is = spec(true, false);
    as_it_is.text.as_mut().unwrap().retention_days = None;
    let plan = plan_apply(&as_it_is, &obs).unwrap();
    let kept = plan
        .changes
        .iter()
        .find(|c| c.provider.region == REPLICA)
        .expect("the replica's group");
    assert_eq!(kept.action, Action::NoOp);
}

#[test]
fn audio_on_a_replicated_bot_is_refused_saying_why() {
    let err = plan_apply(&spec(true, true), &replicated(None))
        .unwrap_err()
        .to_string();
    for part in [
        "replicated to us-east-1",
        "audio-bucket",
        "bot's own region",
    ] {
        assert!(err.contains(part), "{part} in {err}");
    }
    assert!(plan_apply(&spec(true, true), &world()).is_ok());
}
