//! `--alarm`: one alarm per alias, planned from the versions' locales and the log group; created,
//! updated, kept; refused when an alarm of our name is not ours; deleted by destroy only when
//! ours.

use std::collections::BTreeMap;

use crate::observe::Observed;
use crate::plan::values::AlarmValue;
use crate::plan::{Action, Resource};
use crate::planner::{plan_apply, plan_destroy};
use crate::resources::alarm::{AlarmState, AlarmStep};
use crate::resources::tags::{self, Tags};
use crate::spec::{AlarmSpec, Spec};
use crate::step::Step;

use super::in_place::{find, spec, world};

const TOPIC: &str = "arn:aws:sns:us-west-2:111122223333:oncall";

fn with_alarm(topic: Option<&str>) -> Spec {
    Spec {
        alarm: Some(AlarmSpec {
            topic: topic.map(str::to_string),
        }),
        ..spec(true, false)
    }
}

/// The world with its versions' locales read (prod runs 2, beta 3) and these alarms found.
fn observed(alarms: &[AlarmState]) -> Observed {
    let mut obs = world();
    obs.version_locales = BTreeMap::from([
        ("2".to_string(), vec!["en_US".to_string()]),
        (
            "3".to_string(),
            vec!["de_DE".to_string(), "en_US".to_string()],
        ),
    ]);
    obs.alarms = Some(
        alarms
            .iter()
            .map(|a| (a.value.alarm_name.clone(), a.clone()))
            .collect(),
    );
    obs
}

fn after(plan: &crate::plan::Plan, alias: &str) -> AlarmValue {
    match &find(plan, &format!("alarm[PizzaBot/{alias}]")).after {
        Some(Resource::Alarm(value)) => value.clone(),
        other => panic!("{other:?}"),
    }
}

fn found(value: AlarmValue, ours: bool) -> AlarmState {
    let tags: Tags = match ours {
        true => Tags::from([
            (tags::MANAGED_BY.into(), tags::MANAGED_BY_VALUE.into()),
            (tags::RUN.into(), "earlier".into()),
        ]),
        false => Tags::from([("team".into(), "x".into())]),
    };
    AlarmState {
        arn: format!(
            "arn:aws:cloudwatch:us-west-2:111122223333:alarm:{}",
            value.alarm_name
        ),
        value: AlarmValue {
            tags: match ours {
                true => value.tags.clone(),
                false => tags.clone(),
            },
            ..value
        },
        state: "OK".into(),
        tags,
    }
}

#[test]
fn each_alias_gets_an_alarm_on_its_traffic_and_its_groups_incoming_events() {
    let plan = plan_apply(&with_alarm(Some(TOPIC)), &observed(&[])).unwrap();
    let beta = after(&plan, "beta");
    assert_eq!(
        beta.alarm_name,
        "lex-logs-setup-PIZZA00001-BETAALIAS1-text-logs-stopped"
    );
    assert_eq!(beta.alarm_actions, vec![TOPIC.to_string()]);
    assert_eq!(
        beta.tags.get(tags::MANAGED_BY).map(String::as_str),
        Some("lex-logs-setup")
    );
    let ids: Vec<&str> = beta.metrics.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "requests_de_DE_text",
            "requests_de_DE_utterance",
            "requests_en_US_text",
            "requests_en_US_utterance",
            "incoming",
            "traffic",
            "logs_stopped"
        ]
    );
    let requests = beta.metrics[2].metric_stat.as_ref().unwrap();
    assert_eq!(
        (requests.namespace.as_str(), requests.metric_name.as_str()),
        ("AWS/Lex", "RuntimeRequestCount")
    );
    let dims: Vec<(&str, &str)> = requests
        .dimensions
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        dims,
        [
            ("BotAliasId", "BETAALIAS1"),
            ("BotId", "PIZZA00001"),
            ("LocaleId", "en_US"),
            ("Operation", "RecognizeText")
        ]
    );
    let incoming = beta.metrics[4].metric_stat.as_ref().unwrap();
    assert_eq!(incoming.metric_name, "IncomingLogEvents");
    assert_eq!(
        incoming.dimensions.get("LogGroupName").map(String::as_str),
        Some("/aws/lex/PizzaBot")
    );
    assert_eq!(
        beta.metrics[5].expression.as_deref(),
        Some("FILL(requests_de_DE_text, 0) + FILL(requests_de_DE_utterance, 0) + FILL(requests_en_US_text, 0) + FILL(requests_en_US_utterance, 0)")
    );
    let returned: Vec<&str> = beta
        .metrics
        .iter()
        .filter(|m| m.return_data)
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(returned, ["logs_stopped"]);
    // prod runs version 2: one locale, its own alias id.
    let prod = after(&plan, "prod");
    assert_eq!(prod.metrics.len(), 5);
    assert!(prod.alarm_name.contains("PRODALIAS1"));
    let change = find(&plan, "alarm[PizzaBot/prod]");
    assert_eq!(change.action, Action::Create);
    assert!(matches!(
        &change.step,
        Some(Step::Alarm(AlarmStep::Create { .. }))
    ));
}

#[test]
fn no_alarm_asked_no_alarm_planned() {
    let plan = plan_apply(&spec(true, false), &observed(&[])).unwrap();
    assert!(plan
        .changes
        .iter()
        .all(|c| !c.address.to_string().starts_with("alarm[")));
}

#[test]
fn an_alarm_of_ours_is_kept_updated_and_another_teams_is_refused() {
    let fresh = plan_apply(&with_alarm(None), &observed(&[])).unwrap();
    let (prod, beta) = (after(&fresh, "prod"), after(&fresh, "beta"));

    let same = plan_apply(
        &with_alarm(None),
        &observed(&[found(prod.clone(), true), found(beta.clone(), true)]),
    )
    .unwrap();
    assert_eq!(find(&same, "alarm[PizzaBot/prod]").action, Action::NoOp);
    assert_eq!(find(&same, "alarm[PizzaBot/beta]").action, Action::NoOp);

    // A topic added: an update whose previous is what was read.
    let topic = plan_apply(
        &with_alarm(Some(TOPIC)),
        &observed(&[found(prod.clone(), true)]),
    )
    .unwrap();
    let change = find(&topic, "alarm[PizzaBot/prod]");
    assert_eq!(change.action, Action::Update);
    let Some(Step::Alarm(AlarmStep::Update {
        previous, value, ..
    })) = &change.step
    else {
        panic!("{:?}", change.step)
    };
    assert_eq!(previous, &prod);
    assert_eq!(value.alarm_actions, vec![TOPIC.to_string()]);

    let err = plan_apply(&with_alarm(None), &observed(&[found(beta, false)]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("is not ours") && err.contains("never overwrites"),
        "{err}"
    );
}

#[test]
fn a_version_without_locales_gets_no_alarm_and_more_than_three_are_capped() {
    let mut obs = observed(&[]);
    obs.version_locales.insert("2".into(), vec![]);
    let locales = ["de_DE", "en_GB", "en_US", "fr_FR"];
    obs.version_locales
        .insert("3".into(), locales.map(String::from).to_vec());
    let plan = plan_apply(&with_alarm(None), &obs).unwrap();
    assert!(plan
        .changes
        .iter()
        .all(|c| c.address.to_string() != "alarm[PizzaBot/prod]"));
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("no alarm for alias prod")),
        "{:?}",
        plan.notes
    );
    let beta = after(&plan, "beta");
    assert_eq!(
        beta.metrics.len(),
        9,
        "three locales: an alarm reads at most 10 metrics"
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("de_DE, en_GB, en_US only")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn destroy_deletes_our_alarms_only() {
    let fresh = plan_apply(&with_alarm(None), &observed(&[])).unwrap();
    let (prod, beta) = (after(&fresh, "prod"), after(&fresh, "beta"));
    let obs = observed(&[found(prod.clone(), true), found(beta, false)]);
    let plan = plan_destroy(&spec(true, false), &obs).unwrap();
    let delete = find(&plan, "alarm[PizzaBot/prod]");
    assert_eq!(delete.action, Action::Delete);
    assert!(
        matches!(&delete.step, Some(Step::Alarm(AlarmStep::Delete { value })) if *value == prod)
    );
    assert!(plan
        .changes
        .iter()
        .all(|c| c.address.to_string() != "alarm[PizzaBot/beta]"));
    assert!(
        plan.notes.iter().any(|n| n.contains("is not ours")),
        "{:?}",
        plan.notes
    );
    // Not read (a destroy observes them; a plan built without): nothing planned.
    let mut unread = obs.clone();
    unread.alarms = None;
    let plan = plan_destroy(&spec(true, false), &unread).unwrap();
    assert!(plan
        .changes
        .iter()
        .all(|c| !c.address.to_string().starts_with("alarm[")));
}

#[test]
fn a_plan_with_alarms_reads_back_equal_to_itself() {
    let fresh = plan_apply(&with_alarm(Some(TOPIC)), &observed(&[])).unwrap();
    let prod = after(&fresh, "prod");
    for plan in [
        fresh.clone(),
        plan_apply(&with_alarm(None), &observed(&[found(prod.clone(), true)])).unwrap(),
        plan_destroy(&spec(true, false), &observed(&[found(prod, true)])).unwrap(),
    ] {
        let text = serde_json::to_string(&plan).unwrap();
        let back: crate::plan::Plan = serde_json::from_str(&text).unwrap();
        assert_eq!(back, plan);
    }
}

#[test]
fn status_drift_names_an_alarm_under_its_own_alias() {
    let drift = crate::planner::drift(&with_alarm(None), &observed(&[]));
    assert!(
        drift["prod"].contains(&"+ alarm[PizzaBot/prod]".to_string()),
        "{drift:?}"
    );
    assert!(
        !drift["beta"].contains(&"+ alarm[PizzaBot/prod]".to_string()),
        "{drift:?}"
    );
}
