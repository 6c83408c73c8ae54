//! `--insights-queries`: four saved queries scoped to the text log group, saved or kept;
//! refused when a definition of our name holds another query; deleted by destroy only when its
//! content is ours.

use crate::observe::Observed;
use crate::plan::{Action, Resource};
use crate::planner::{plan_apply, plan_destroy};
use crate::resources::query::{QueryState, QueryStep, QueryValue};
use crate::spec::Spec;
use crate::step::Step;

use super::in_place::{spec, world};

fn asking() -> Spec {
    Spec {
        insights_queries: true,
        ..spec(true, false)
    }
}

fn observed(found: &[QueryState]) -> Observed {
    let mut obs = world();
    obs.queries = Some(found.to_vec());
    obs
}

fn queries_of(plan: &crate::plan::Plan) -> Vec<(&crate::plan::Change, QueryValue)> {
    plan.changes
        .iter()
        .filter_map(|c| match (&c.after, &c.before) {
            (Some(Resource::Query(v)), _) | (None, Some(Resource::Query(v))) => {
                Some((c, v.clone()))
            }
            _ => None,
        })
        .collect()
}

fn state(id: &str, value: QueryValue) -> QueryState {
    QueryState {
        id: id.into(),
        value,
    }
}

#[test]
fn four_queries_are_saved_for_the_group_and_kept_once_saved() {
    let plan = plan_apply(&asking(), &observed(&[])).unwrap();
    let saved = queries_of(&plan);
    let names: Vec<&str> = saved.iter().map(|(_, v)| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "lex-logs-setup/aws/lex/PizzaBot/missed-utterances",
            "lex-logs-setup/aws/lex/PizzaBot/sessions-per-alias",
            "lex-logs-setup/aws/lex/PizzaBot/intents-by-hour",
            "lex-logs-setup/aws/lex/PizzaBot/recent-delivery-gaps"
        ]
    );
    for (change, value) in &saved {
        assert_eq!(change.action, Action::Create);
        assert_eq!(value.log_group_names, ["/aws/lex/PizzaBot"]);
        assert!(matches!(
            &change.step,
            Some(Step::Query(QueryStep::Create { .. }))
        ));
    }
    assert!(saved[0]
        .1
        .query_string
        .contains("filter missedUtterance = 1"));
    assert!(saved[1]
        .1
        .query_string
        .contains("count_distinct(sessionId)"));
    assert!(saved[2]
        .1
        .query_string
        .contains("sessionState.intent.name, bin(1h)"));

    let found: Vec<QueryState> = saved
        .iter()
        .enumerate()
        .map(|(i, (_, v))| state(&format!("id{i}"), v.clone()))
        .collect();
    let again = plan_apply(&asking(), &observed(&found)).unwrap();
    assert!(queries_of(&again)
        .iter()
        .all(|(c, _)| c.action == Action::NoOp));
    // Not asked: none planned.
    let plain = plan_apply(&spec(true, false), &observed(&[])).unwrap();
    assert!(queries_of(&plain).is_empty());
}

#[test]
fn a_definition_of_our_name_with_another_query_is_refused_and_left_by_destroy() {
    let fresh = plan_apply(&asking(), &observed(&[])).unwrap();
    let ours: Vec<QueryValue> = queries_of(&fresh).into_iter().map(|(_, v)| v).collect();
    let theirs = QueryValue {
        query_string: "fields @message".into(),
        ..ours[0].clone()
    };
    let err = plan_apply(&asking(), &observed(&[state("t1", theirs.clone())]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not ours") && err.contains("t1"), "{err}");

    let found = [state("t1", theirs), state("o2", ours[1].clone())];
    let plan = plan_destroy(&spec(true, false), &observed(&found)).unwrap();
    let deleted = queries_of(&plan);
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].0.action, Action::Delete);
    assert!(
        matches!(&deleted[0].0.step, Some(Step::Query(QueryStep::Delete { id, .. })) if id == "o2")
    );
    assert!(
        plan.notes.iter().any(|n| n.contains("(id t1) is not ours")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn a_plan_with_queries_reads_back_equal_to_itself() {
    let fresh = plan_apply(&asking(), &observed(&[])).unwrap();
    let text = serde_json::to_string(&fresh).unwrap();
    let back: crate::plan::Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(back, fresh);
}
