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
