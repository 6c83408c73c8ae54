//! Planner tests of the permissions-boundary check: a plan for a role whose boundary does not
//! allow the log actions refuses before any change, in place and in the dedicated mode.

use serde_json::{json, Value};

use crate::planner::*;

const ROLE: &str = "arn:aws:iam::444455556666:role/team/pizza-runtime";
const BOUNDARY: &str = "arn:aws:iam::444455556666:policy/TeamBoundary";

/// PizzaBot's `prod` runs on a customer role; give it a boundary.
fn world_with_boundary(document: Option<Value>) -> crate::observe::Observed {
    let mut obs = super::in_place::world();
    let writer = obs.writers.get_mut(ROLE).expect("prod's writer");
    writer.state.as_mut().unwrap().boundary = Some(BOUNDARY.into());
    obs.boundaries.insert(BOUNDARY.into(), document);
    obs
}

#[test]
fn in_place_a_plan_for_a_role_whose_boundary_omits_the_log_actions_refuses() {
    let spec = super::in_place::spec(true, false);
    let no_logs = json!({"Statement": [{"Effect": "Allow", "Action": "polly:*", "Resource": "*"}]});
    let err = plan_apply(&spec, &world_with_boundary(Some(no_logs)))
        .unwrap_err()
        .to_string();
    for part in [
        "alias prod",
        ROLE,
        BOUNDARY,
        "logs:PutLogEvents on arn:aws:logs:us-west-2:444455556666:log-group:/aws/lex/PizzaBot:log-stream:lex/PIZZA00001/PRODALIAS1/",
        "Nothing was changed",
        "add those actions",
    ] {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
    // beta runs on the service-linked role, which has no boundary: not named.
    assert!(!err.contains("alias beta"), "{err}");
    let allows = json!({"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]});
    let plan = plan_apply(&spec, &world_with_boundary(Some(allows))).unwrap();
    assert!(!plan.notes.iter().any(|n| n.contains("boundary")));
    let plan = plan_apply(&spec, &world_with_boundary(None)).unwrap();
    assert!(plan.notes.iter().any(|n| n.contains("could not be read")));
}

#[test]
fn dedicated_the_boundary_our_role_carries_from_a_customer_role_is_checked() {
    use crate::resources::role::PreviousRole;
    let mut obs = super::dedicated::fresh();
    obs.previous = Some(PreviousRole::Customer {
        arn: ROLE.into(),
        attached: vec![],
        inline: Default::default(),
        boundary: Some(BOUNDARY.into()),
    });
    let no_logs = json!({"Statement": [{"Effect": "Allow", "Action": "polly:*", "Resource": "*"}]});
    obs.boundaries.insert(BOUNDARY.into(), Some(no_logs));
    let spec = super::dedicated::spec();
    let err = plan_apply(&spec, &obs).unwrap_err().to_string();
    assert!(
        err.contains("role/LexLogs-OrderBot") && err.contains(BOUNDARY),
        "{err}"
    );
}
