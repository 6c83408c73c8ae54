//! Planner tests of an alias's log settings member by member: a change of any one member (the
//! selective-logging flags included) is a planned update that shows the member; an unset flag
//! and `false` are the same.

use serde_json::{json, Value};

use crate::plan::{Action, Address};
use crate::planner::alias::alias_change;
use crate::resources::alias::{AliasStep, AliasVersion};
use crate::resources::log_settings::{AudioLogSetting, LogSettings, TextLogSetting};
use crate::step::Step;

use super::in_place::{find, spec, world};
use super::WithSettings;
use crate::planner::plan_apply;

const GROUP: &str = "arn:aws:logs:us-west-2:111122223333:log-group:/team-y/lex";
const BUCKET: &str = "arn:aws:s3:::team-y-audio";
const KEY: &str = "arn:aws:kms:us-west-2:111122223333:key/team-y";

/// Text and audio (with a key), neither flag set.
fn base() -> LogSettings {
    LogSettings::of(
        vec![TextLogSetting::to_group(GROUP, "lex/", None)],
        vec![AudioLogSetting::to_bucket(BUCKET, "rec/", Some(KEY), None)],
    )
    .unwrap()
}

fn text_of(s: &mut LogSettings) -> &mut TextLogSetting {
    &mut s.text_log_settings.as_mut().unwrap()[0]
}

fn audio_of(s: &mut LogSettings) -> &mut AudioLogSetting {
    &mut s.audio_log_settings.as_mut().unwrap()[0]
}

/// The alias change from `current` to `desired`, keeping the version, for alias `beta`.
fn planned(current: &LogSettings, desired: &LogSettings) -> crate::plan::Change {
    let mut obs = world();
    obs.aliases[1].described = obs.aliases[1]
        .described
        .clone()
        .to_builder_with(Some(current.to_sdk()));
    let alias = obs.aliases[1].clone();
    let addr = Address::alias(&obs.bot.name, &alias.name);
    let current = alias.log_settings();
    alias_change(
        &addr,
        &obs,
        &alias,
        (current.as_ref(), Some(desired.clone())),
        AliasVersion::Keep,
        None,
        std::iter::empty(),
    )
}

/// Each single-member change: its name, the edit, the JSON path (under the list's first item)
/// and the value it shows after.
type Edit = (
    &'static str,
    fn(&mut LogSettings),
    &'static str,
    &'static str,
    Value,
);

fn edits() -> Vec<Edit> {
    vec![
        (
            "text selective on",
            |s| text_of(s).selective_logging_enabled = Some(true),
            "textLogSettings",
            "selectiveLoggingEnabled",
            json!(true),
        ),
        (
            "audio selective on",
            |s| audio_of(s).selective_logging_enabled = Some(true),
            "audioLogSettings",
            "selectiveLoggingEnabled",
            json!(true),
        ),
        (
            "text prefix",
            |s| text_of(s).destination.cloud_watch.log_prefix = "other/".into(),
            "textLogSettings",
            "logPrefix",
            json!("other/"),
        ),
        (
            "audio prefix",
            |s| audio_of(s).destination.s3_bucket.log_prefix = "other/".into(),
            "audioLogSettings",
            "logPrefix",
            json!("other/"),
        ),
        (
            "kms key removed",
            |s| audio_of(s).destination.s3_bucket.kms_key_arn = None,
            "audioLogSettings",
            "kmsKeyArn",
            Value::Null,
        ),
        (
            "kms key changed",
            |s| audio_of(s).destination.s3_bucket.kms_key_arn = Some(format!("{KEY}-2")),
            "audioLogSettings",
            "kmsKeyArn",
            json!(format!("{KEY}-2")),
        ),
        (
            "text disabled",
            |s| text_of(s).enabled = false,
            "textLogSettings",
            "enabled",
            json!(false),
        ),
        (
            "audio disabled",
            |s| audio_of(s).enabled = false,
            "audioLogSettings",
            "enabled",
            json!(false),
        ),
        (
            "text group",
            |s| text_of(s).destination.cloud_watch.cloud_watch_log_group_arn = format!("{GROUP}-2"),
            "textLogSettings",
            "cloudWatchLogGroupArn",
            json!(format!("{GROUP}-2")),
        ),
    ]
}

#[test]
fn a_change_of_any_single_member_is_a_planned_update_that_shows_it() {
    for (name, edit, list, member, shown_after) in edits() {
        let current = base();
        let mut desired = base();
        edit(&mut desired);
        let change = planned(&current, &desired);
        assert_eq!(change.action, Action::Update, "{name}");
        let before = &change.before_json()["conversationLogSettings"][list][0];
        let after = &change.after_json()["conversationLogSettings"][list][0];
        assert_eq!(after[member], shown_after, "{name}: {after}");
        assert_ne!(before[member], after[member], "{name}: {before} vs {after}");
        let Some(Step::Alias(AliasStep::UpdateLogs {
            settings, expected, ..
        })) = &change.step
        else {
            panic!("{name}: {:?}", change.step)
        };
        assert_eq!(settings.as_ref(), Some(&desired), "{name}: the write");
        assert_eq!(
            expected.settings.as_ref(),
            Some(&current),
            "{name}: the guard"
        );
    }
}

#[test]
fn turning_a_selective_flag_off_is_planned_and_unset_is_false() {
    for audio in [false, true] {
        let mut on = base();
        let mut off = base();
        let unset = base();
        if audio {
            audio_of(&mut on).selective_logging_enabled = Some(true);
            audio_of(&mut off).selective_logging_enabled = Some(false);
        } else {
            text_of(&mut on).selective_logging_enabled = Some(true);
            text_of(&mut off).selective_logging_enabled = Some(false);
        }
        let list = if audio {
            "audioLogSettings"
        } else {
            "textLogSettings"
        };
        let change = planned(&on, &off);
        assert_eq!(change.action, Action::Update, "audio={audio}");
        assert_eq!(
            change.before_json()["conversationLogSettings"][list][0]["selectiveLoggingEnabled"],
            true
        );
        assert_eq!(
            change.after_json()["conversationLogSettings"][list][0]["selectiveLoggingEnabled"],
            false
        );
        assert_eq!(planned(&on, &unset).action, Action::Update);
        // What Lex takes an unset flag to mean: no change to plan.
        assert_eq!(planned(&off, &unset).action, Action::NoOp);
        assert_eq!(planned(&unset, &off).action, Action::NoOp);
        assert_eq!(planned(&on, &on).action, Action::NoOp);
    }
}

/// Apply moves the alias to our group and prefix and keeps the flag another actor set; the plan
/// shows it on both sides.
#[test]
fn apply_keeps_and_shows_the_flag_another_actor_set() {
    let mut obs = world();
    let theirs_but_ours = LogSettings::of(
        vec![TextLogSetting::to_group(
            &obs.scope.log_group("/aws/lex/PizzaBot"),
            "old/",
            Some(true),
        )],
        vec![],
    )
    .unwrap();
    obs.aliases[1].described = obs.aliases[1]
        .described
        .clone()
        .to_builder_with(Some(theirs_but_ours.to_sdk()));
    let plan = plan_apply(&spec(true, false), &obs).unwrap();
    let alias = find(&plan, "alias[PizzaBot/beta]");
    assert_eq!(alias.action, Action::Update);
    let before = &alias.before_json()["conversationLogSettings"]["textLogSettings"][0];
    let after = &alias.after_json()["conversationLogSettings"]["textLogSettings"][0];
    assert_eq!(before["selectiveLoggingEnabled"], true, "{before}");
    assert_eq!(after["selectiveLoggingEnabled"], true, "{after}");
    assert_ne!(before["logPrefix"], after["logPrefix"]);
}

/// `--selective-logging` sets the flag of each half it names and clears the other's; a flag-only
/// difference is an update, and asking what is there is a no-op.
#[test]
fn selective_logging_asked_sets_the_flags_and_nothing_else() {
    use crate::spec::{Selective, Spec};
    let ours = |selective: Option<bool>| {
        let obs = world();
        LogSettings::of(
            vec![TextLogSetting::to_group(
                &obs.scope.log_group("/aws/lex/PizzaBot"),
                "lex/",
                selective,
            )],
            vec![],
        )
        .unwrap()
    };
    let asked = |selective: Option<Selective>| Spec {
        selective,
        ..spec(true, false)
    };
    let text_flag = |plan: &crate::plan::Plan, side: &str| {
        let alias = find(plan, "alias[PizzaBot/beta]");
        let value = match side {
            "before" => alias.before_json(),
            _ => alias.after_json(),
        };
        value["conversationLogSettings"]["textLogSettings"][0]["selectiveLoggingEnabled"].clone()
    };
    for (now, selective, action, after) in [
        (None, Some(true), Action::Update, json!(true)),
        (Some(true), Some(false), Action::Update, json!(false)),
        (Some(true), None, Action::NoOp, json!(true)),
        (Some(true), Some(true), Action::NoOp, json!(true)),
        (None, Some(false), Action::NoOp, Value::Null),
    ] {
        let mut obs = world();
        obs.aliases[1].described = obs.aliases[1]
            .described
            .clone()
            .to_builder_with(Some(ours(now).to_sdk()));
        let spec = asked(selective.map(|text| Selective { text, audio: false }));
        let plan = plan_apply(&spec, &obs).unwrap();
        let alias = find(&plan, "alias[PizzaBot/beta]");
        assert_eq!(alias.action, action, "{now:?} asked {selective:?}");
        assert_eq!(
            text_flag(&plan, "after"),
            after,
            "{now:?} asked {selective:?}"
        );
        // Nothing but the aliases differs from the plan that asks nothing of the flags.
        let unasked = plan_apply(&asked(None), &obs).unwrap();
        let others = |p: &crate::plan::Plan| -> Vec<crate::plan::Change> {
            let alias = |c: &&crate::plan::Change| matches!(c.address, Address::Alias { .. });
            p.changes.iter().filter(|c| !alias(c)).cloned().collect()
        };
        assert_eq!(others(&plan), others(&unasked));
    }
    // Audio too: the flag goes on the audio setting we write, on every alias.
    let spec = Spec {
        selective: Some(Selective {
            text: false,
            audio: true,
        }),
        ..spec(false, true)
    };
    let plan = plan_apply(&spec, &world()).unwrap();
    for name in ["prod", "beta"] {
        let alias = find(&plan, &format!("alias[PizzaBot/{name}]"));
        let audio = &alias.after_json()["conversationLogSettings"]["audioLogSettings"][0];
        assert_eq!(audio["selectiveLoggingEnabled"], true, "{name}: {audio}");
    }
}
