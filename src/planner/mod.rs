//! Planning: pure functions from what was asked (`Spec`) and what exists (`Observed`) to a `Plan`.
//! No I/O here, so every decision is unit-tested.

use std::collections::BTreeMap;

use aws_sdk_lexmodelsv2::types::{
    AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
    ConversationLogSettings, S3BucketLogDestination, TextLogDestination, TextLogSetting,
};
use serde_json::{json, Value};

use crate::documents::{self, Concern};
use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::{Action, Change, Kind, Plan, Target};
use crate::policy;
use crate::resources::alias::{settings_json, Alias};
use crate::resources::role::{PreviousRole, RoleState};
use crate::resources::tags::{self, Tags};
use crate::resources::{inline_policy, log_group};
use crate::spec::{Principal, PrincipalKind, Spec};
use crate::step::{AliasVersion, Step};

mod in_place;

/// Where an alias's text logs go.
#[derive(Debug, Clone, PartialEq)]
pub struct TextDestination {
    pub log_group_arn: String,
    pub prefix: String,
}

/// Where an alias's audio logs go.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioDestination {
    pub bucket_arn: String,
    pub prefix: String,
    pub kms_key_arn: Option<String>,
}

/// Destinations that belong to this setup (so later runs may replace or remove them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OurDestinations {
    pub log_group_arns: Vec<String>,
    pub bucket_arns: Vec<String>,
}

pub(crate) fn role_address(name: &str) -> String {
    format!("role[{name}]")
}

pub(crate) fn policy_address(name: &str) -> String {
    format!("policy[{name}]")
}

pub(crate) fn attachment_address(role: &str, policy_arn: &str) -> String {
    format!("attachment[{role} -> {policy_arn}]")
}

fn role_json(name: &str, arn: &str, trust: &Value, tags: &Tags) -> Value {
    json!({"name": name, "arn": arn, "trustPolicy": trust, "tags": tags})
}

pub(crate) fn policy_json(name: &str, arn: &str, document: &Value) -> Value {
    json!({"name": name, "arn": arn, "document": document})
}

/// The alias's conversation log settings with ours in place: text and audio replaced by the
/// given destinations; where one is not wanted, settings pointing at our destinations removed and
/// anyone else's kept. `None` when nothing is left.
pub fn desired_settings(
    current: Option<&ConversationLogSettings>,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
    ours: &OurDestinations,
) -> Option<ConversationLogSettings> {
    let current_text = current.map(|c| c.text_log_settings()).unwrap_or_default();
    let current_audio = current.map(|c| c.audio_log_settings()).unwrap_or_default();
    let text_settings: Vec<TextLogSetting> = match text {
        Some(d) => vec![TextLogSetting::builder()
            .enabled(true)
            .destination(
                TextLogDestination::builder()
                    .cloud_watch(
                        CloudWatchLogGroupLogDestination::builder()
                            .cloud_watch_log_group_arn(&d.log_group_arn)
                            .log_prefix(&d.prefix)
                            .build()
                            .expect("arn and prefix are set"),
                    )
                    .build(),
            )
            .set_selective_logging_enabled(
                current_text
                    .first()
                    .and_then(|t| t.selective_logging_enabled()),
            )
            .build()],
        None => current_text
            .iter()
            .filter(|t| {
                let arn = t
                    .destination()
                    .and_then(|d| d.cloud_watch())
                    .map(|c| c.cloud_watch_log_group_arn());
                !arn.is_some_and(|a| {
                    ours.log_group_arns
                        .iter()
                        .any(|o| in_place::same_log_group(o, a))
                })
            })
            .cloned()
            .collect(),
    };
    let audio_settings: Vec<AudioLogSetting> = match audio {
        Some(d) => vec![AudioLogSetting::builder()
            .enabled(true)
            .destination(
                AudioLogDestination::builder()
                    .s3_bucket(
                        S3BucketLogDestination::builder()
                            .s3_bucket_arn(&d.bucket_arn)
                            .log_prefix(&d.prefix)
                            .set_kms_key_arn(d.kms_key_arn.clone())
                            .build()
                            .expect("arn and prefix are set"),
                    )
                    .build(),
            )
            .set_selective_logging_enabled(
                current_audio
                    .first()
                    .and_then(|a| a.selective_logging_enabled()),
            )
            .build()],
        None => current_audio
            .iter()
            .filter(|a| {
                let arn = a
                    .destination()
                    .and_then(|d| d.s3_bucket())
                    .map(|s| s.s3_bucket_arn());
                !arn.is_some_and(|a| ours.bucket_arns.iter().any(|o| o == a))
            })
            .cloned()
            .collect(),
    };
    if text_settings.is_empty() && audio_settings.is_empty() {
        return None;
    }
    // The model allows exactly one item in each list: an empty list is a ValidationException on
    // AWS, so a list with nothing in it is left out.
    Some(
        ConversationLogSettings::builder()
            .set_text_log_settings((!text_settings.is_empty()).then_some(text_settings))
            .set_audio_log_settings((!audio_settings.is_empty()).then_some(audio_settings))
            .build(),
    )
}

/// Settings compared as JSON, with "no settings" and "empty lists" the same.
fn same_settings(a: Option<&ConversationLogSettings>, b: Option<&ConversationLogSettings>) -> bool {
    fn normal(s: Option<&ConversationLogSettings>) -> Option<&ConversationLogSettings> {
        s.filter(|s| !s.text_log_settings().is_empty() || !s.audio_log_settings().is_empty())
    }
    settings_json(normal(a)) == settings_json(normal(b))
}

/// The log groups and buckets our existing policies grant, plus the ones this run wants.
pub(crate) fn our_destinations(
    obs: &Observed,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
) -> OurDestinations {
    let mut ours = OurDestinations::default();
    ours.log_group_arns
        .extend(text.map(|t| t.log_group_arn.clone()));
    ours.bucket_arns.extend(audio.map(|a| a.bucket_arn.clone()));
    if let Some(Some(p)) = obs.policies.get(&Concern::CloudWatch) {
        for resource in documents::granted_resources(&p.document) {
            ours.log_group_arns
                .push(resource.trim_end_matches(":*").to_string());
        }
    }
    if let Some(Some(p)) = obs.policies.get(&Concern::S3) {
        for resource in documents::granted_resources(&p.document) {
            let bucket = resource.split('/').next().unwrap_or_default().to_string();
            ours.bucket_arns.push(bucket);
        }
    }
    ours.log_group_arns.dedup();
    ours.bucket_arns.dedup();
    ours
}

pub(crate) fn wanted_destinations(
    spec: &Spec,
    obs: &Observed,
) -> (Option<TextDestination>, Option<AudioDestination>) {
    let text = match (&spec.text, &obs.log_group) {
        (Some(t), Some((name, _))) => Some(TextDestination {
            log_group_arn: obs.scope.log_group(name),
            prefix: t.log_prefix.clone(),
        }),
        _ => None,
    };
    let audio = spec.audio.as_ref().map(|a| AudioDestination {
        bucket_arn: obs.scope.bucket(&a.bucket),
        prefix: a.prefix.clone(),
        kms_key_arn: obs.kms_key.as_ref().map(|k| k.arn.clone()),
    });
    (text, audio)
}

pub(crate) fn target(obs: &Observed) -> Target {
    Target {
        bot: obs.bot.name.clone(),
        bot_id: obs.bot.id.clone(),
        aliases: obs.aliases.iter().map(|a| a.name.clone()).collect(),
        role: obs.role_name.clone(),
        region: obs.scope.region.clone(),
        account: obs.scope.account.clone(),
        partition: obs.scope.partition.clone(),
        writers: Vec::new(),
    }
}

/// Dedicated mode: the aliases on a published version whose role is not ours (they log through
/// our role only once they run a version published after the switch).
fn stale_aliases(obs: &Observed) -> Vec<&Alias> {
    let role_arn = obs.role_arn();
    obs.aliases
        .iter()
        .filter(|a| !a.on_draft() && a.runs_on.as_deref() != Some(role_arn.as_str()))
        .collect()
}

/// The role's tags as apply wants them (only our keys).
fn desired_role_tags(spec: &Spec, obs: &Observed) -> Result<Tags> {
    let mut wanted = Tags::new();
    wanted.insert(tags::MANAGED_BY.into(), tags::MANAGED_BY_VALUE.into());
    wanted.insert(tags::BOT_ID.into(), obs.bot.id.clone());
    if let Some(previous) = &obs.previous {
        wanted.insert(tags::PREVIOUS_ROLE.into(), previous.arn().to_string());
    }
    if !spec.pass_role.is_empty() {
        let value = spec
            .pass_role
            .iter()
            .map(Principal::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        if value.len() > tags::VALUE_MAX {
            return Err(Error::invalid(
                format!("the --grant-pass-role principals take {} characters to record; a role tag holds {}", value.len(), tags::VALUE_MAX),
                "grant fewer principals (a group can stand for many users)",
            ));
        }
        wanted.insert(tags::PASS_ROLE_PRINCIPALS.into(), value);
    }
    // The version each repointed alias ran first (an earlier record is kept).
    let mut versions = obs
        .role
        .as_ref()
        .map(|r| tags::alias_versions(&r.tags))
        .unwrap_or_default();
    // An earlier role of ours recorded what the aliases ran before any of our versions.
    if let Some(earlier) = &obs.earlier_role {
        for (alias, version) in tags::alias_versions(&earlier.state.tags) {
            versions.entry(alias).or_insert(version);
        }
    }
    if spec.publish_version {
        for alias in stale_aliases(obs) {
            versions
                .entry(alias.id.clone())
                .or_insert_with(|| alias.version().to_string());
        }
    }
    if !versions.is_empty() {
        let value = versions
            .iter()
            .map(|(a, v)| format!("{a}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        if value.len() > tags::VALUE_MAX {
            return Err(Error::invalid(
                format!("the versions of {} repointed aliases take {} characters to record; a role tag holds {}", versions.len(), value.len(), tags::VALUE_MAX),
                "set up fewer aliases per run in the dedicated-role mode",
            ));
        }
        wanted.insert(tags::ALIAS_VERSIONS.into(), value);
    }
    Ok(wanted)
}

fn our_tag_keys() -> [&'static str; 5] {
    [
        tags::MANAGED_BY,
        tags::BOT_ID,
        tags::PREVIOUS_ROLE,
        tags::PASS_ROLE_PRINCIPALS,
        tags::ALIAS_VERSIONS,
    ]
}

fn only_our_tags(all: &Tags) -> Tags {
    all.iter()
        .filter(|(k, _)| our_tag_keys().contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The documents of our managed policies that the spec wants, by concern (not the bot runtime
/// one, which only the dedicated role carries).
pub(crate) fn wanted_documents(spec: &Spec, obs: &Observed) -> BTreeMap<Concern, Value> {
    let scope = &obs.scope;
    let mut wanted: BTreeMap<Concern, Value> = BTreeMap::new();
    if let Some((name, _)) = obs.log_group.as_ref().filter(|_| spec.text.is_some()) {
        wanted.insert(Concern::CloudWatch, documents::cloudwatch(scope, name));
    }
    if let Some(audio) = &spec.audio {
        wanted.insert(
            Concern::S3,
            documents::s3(scope, &audio.bucket, &audio.prefix),
        );
    }
    if let Some(key) = &obs.kms_key {
        wanted.insert(Concern::Kms, documents::kms(&key.arn));
    }
    wanted
}

/// A role our managed policies are attached to: its name, what is attached now, and what must
/// exist before an attachment.
pub(crate) struct AttachTarget<'a> {
    pub role: &'a str,
    pub attached: &'a [String],
    pub after: Vec<String>,
}

/// Our managed policies (named from `setup`, one per concern) created, updated or deleted as
/// `wanted` says, and attached to every target; returns the changes and the addresses of the
/// attachments (what the aliases wait for).
pub(crate) fn managed_policy_changes(
    obs: &Observed,
    setup: &str,
    concerns: &[Concern],
    wanted: &BTreeMap<Concern, Value>,
    targets: &[AttachTarget],
) -> (Vec<Change>, Vec<String>) {
    let scope = &obs.scope;
    let mut changes = Vec::new();
    let mut ready = Vec::new();
    for &concern in concerns {
        let name = concern.policy_name(setup);
        let arn = scope.policy(&name);
        let addr = policy_address(&name);
        let existing = obs.policies.get(&concern).cloned().flatten();
        let policy_tags: Tags = [(
            tags::MANAGED_BY.to_string(),
            tags::MANAGED_BY_VALUE.to_string(),
        )]
        .into();
        match (wanted.get(&concern), existing) {
            (Some(document), None) => {
                changes.push(Change::new(
                    &addr,
                    Action::Create,
                    Value::Null,
                    policy_json(&name, &arn, document),
                    Step::CreatePolicy {
                        name: name.clone(),
                        arn: arn.clone(),
                        document: document.clone(),
                        tags: policy_tags,
                    },
                ));
            }
            (Some(document), Some(found)) if !policy::equivalent(&found.document, document) => {
                changes.push(Change::new(
                    &addr,
                    Action::Update,
                    policy_json(&name, &arn, &found.document),
                    policy_json(&name, &arn, document),
                    Step::UpdatePolicy {
                        name: name.clone(),
                        arn: arn.clone(),
                        document: document.clone(),
                        previous_version: found.default_version.clone(),
                    },
                ));
            }
            (Some(_), Some(found)) => changes.push(Change::no_op(
                &addr,
                policy_json(&name, &arn, &found.document),
            )),
            (None, Some(found)) => {
                if !tags::is_ours(&found.tags) {
                    continue;
                }
                // No longer wanted (e.g. audio turned off): detach, then delete.
                let mut detached = Vec::new();
                for target in targets.iter().filter(|t| t.attached.contains(&arn)) {
                    let change = detach_change(target.role, &arn);
                    detached.push(change.address.clone());
                    changes.push(change);
                }
                changes.push(
                    Change::new(
                        &addr,
                        Action::Delete,
                        policy_json(&name, &arn, &found.document),
                        Value::Null,
                        Step::DeletePolicy {
                            name: name.clone(),
                            arn: arn.clone(),
                            document: found.document.clone(),
                            tags: found.tags.clone(),
                        },
                    )
                    .after(detached),
                );
                continue;
            }
            (None, None) => continue,
        }
        // What writes the logs must be in place before an alias points at it: a new or changed
        // document too, not only its attachment.
        ready.push(addr.clone());
        for target in targets {
            let attach_addr = attachment_address(target.role, &arn);
            changes.push(if target.attached.contains(&arn) {
                Change::no_op(&attach_addr, json!({"role": target.role, "policyArn": arn}))
            } else {
                Change::new(
                    &attach_addr,
                    Action::Create,
                    Value::Null,
                    json!({"role": target.role, "policyArn": arn}),
                    Step::Attach {
                        role: target.role.into(),
                        policy_arn: arn.clone(),
                    },
                )
                .after(target.after.iter().cloned().chain([addr.clone()]))
            });
            ready.push(attach_addr);
        }
    }
    (changes, ready)
}

/// iam:PassRole on `role_arns` for the principals asked for; grants recorded earlier but no
/// longer asked for are revoked.
pub(crate) fn grant_changes(
    spec: &Spec,
    obs: &Observed,
    grant_name: &str,
    role_arns: &[String],
) -> Vec<Change> {
    let grant = documents::pass_role(role_arns);
    let mut changes = Vec::new();
    for (principal, current) in &obs.grants {
        let asked = spec.pass_role.contains(principal);
        changes.push(match (asked, current) {
            (true, _) => put_inline_change(principal, grant_name, current.as_ref(), &grant),
            (false, Some(found)) => delete_inline_change(principal, grant_name, found),
            (false, None) => continue,
        });
    }
    changes
}

/// Detaches `policy_arn` from `role`.
pub(crate) fn detach_change(role: &str, policy_arn: &str) -> Change {
    Change::new(
        attachment_address(role, policy_arn),
        Action::Delete,
        json!({"role": role, "policyArn": policy_arn}),
        Value::Null,
        Step::Detach {
            role: role.to_string(),
            policy_arn: policy_arn.to_string(),
        },
    )
}

/// Removes `recorded` (a take-over's record) from the alias's tags; `suffix` tells two such
/// changes of one alias apart.
fn drop_alias_record(obs: &Observed, alias: &Alias, suffix: &str, recorded: Tags) -> Change {
    Change::new(
        format!("alias_record[{}/{}{suffix}]", obs.bot.name, alias.name),
        Action::Delete,
        json!({"tags": recorded}),
        Value::Null,
        Step::SetLexTags {
            arn: obs.scope.bot_alias(&obs.bot.id, &alias.id),
            what: format!("alias {}/{}", obs.bot.name, alias.name),
            keys: recorded.keys().cloned().collect(),
            values: Tags::new(),
            previous: recorded,
        },
    )
}

/// Deletes the inline policy `name` of `owner`, whose document is `found` (kept for the undo).
pub(crate) fn delete_inline_change(owner: &Principal, name: &str, found: &Value) -> Change {
    Change::new(
        inline_policy::address(owner, name),
        Action::Delete,
        json!({"document": found}),
        Value::Null,
        Step::DeleteInline {
            owner: owner.clone(),
            name: name.to_string(),
            previous: found.clone(),
        },
    )
}

/// The inline policy `name` of `owner` as `wanted`: a no-op, a create, or an update.
pub(crate) fn put_inline_change(
    owner: &Principal,
    name: &str,
    current: Option<&Value>,
    wanted: &Value,
) -> Change {
    let addr = inline_policy::address(owner, name);
    match current {
        Some(found) if policy::equivalent(found, wanted) => {
            Change::no_op(&addr, json!({"document": found}))
        }
        _ => Change::new(
            &addr,
            if current.is_some() {
                Action::Update
            } else {
                Action::Create
            },
            current
                .map(|d| json!({"document": d}))
                .unwrap_or(Value::Null),
            json!({"document": wanted}),
            Step::PutInline {
                owner: owner.clone(),
                name: name.to_string(),
                document: wanted.clone(),
                previous: current.cloned(),
            },
        ),
    }
}

/// Deletes of the versions we published (on `role`, if given) that no alias runs once the plan is
/// done, after `after`.
fn delete_unused_versions(
    obs: &Observed,
    role: Option<&str>,
    runs_after: &std::collections::BTreeSet<String>,
    after: &[String],
) -> Vec<Change> {
    obs.version_roles
        .iter()
        .filter(|v| v.ours && !runs_after.contains(&v.number))
        .filter(|v| role.is_none() || v.role.as_deref() == role)
        .map(|version| {
            Change::new(
                format!("version[{}/{}]", obs.bot.name, version.number),
                Action::Delete,
                json!({"botVersion": version.number, "roleArn": version.role}),
                Value::Null,
                Step::DeleteVersion {
                    bot_id: obs.bot.id.clone(),
                    bot_name: obs.bot.name.clone(),
                    version: version.number.clone(),
                },
            )
            .after(after.iter().cloned())
        })
        .collect()
}

/// The versions that still run on `role` once the plan is done (ours that nothing runs are
/// deleted by it).
fn versions_still_on<'a>(
    obs: &'a Observed,
    role: &str,
    runs_after: &std::collections::BTreeSet<String>,
) -> Vec<&'a str> {
    obs.version_roles
        .iter()
        .filter(|v| v.role.as_deref() == Some(role))
        .filter(|v| !v.ours || runs_after.contains(&v.number))
        .map(|v| v.number.as_str())
        .collect()
}

/// Removes a role of ours: its attachments and inline policies, our `policies` of it, then the
/// role itself; everything after `after`, the role also after `before_delete`.
fn role_removal(
    role: &RoleState,
    policies: &[&crate::resources::managed_policy::PolicyState],
    after: &[String],
    mut before_delete: Vec<String>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut detached: BTreeMap<String, String> = BTreeMap::new();
    for policy_arn in &role.attached {
        let change = detach_change(&role.name, policy_arn).after(after.iter().cloned());
        detached.insert(policy_arn.clone(), change.address.clone());
        before_delete.push(change.address.clone());
        changes.push(change);
    }
    let owner = Principal {
        kind: PrincipalKind::Role,
        name: role.name.clone(),
    };
    for (name, document) in &role.inline {
        let addr = inline_policy::address(&owner, name);
        changes.push(
            Change::new(
                &addr,
                Action::Delete,
                json!({"document": document}),
                Value::Null,
                Step::DeleteInline {
                    owner: owner.clone(),
                    name: name.clone(),
                    previous: document.clone(),
                },
            )
            .after(after.iter().cloned()),
        );
        before_delete.push(addr);
    }
    for policy in policies {
        changes.push(
            Change::new(
                policy_address(&policy.name),
                Action::Delete,
                policy_json(&policy.name, &policy.arn, &policy.document),
                Value::Null,
                Step::DeletePolicy {
                    name: policy.name.clone(),
                    arn: policy.arn.clone(),
                    document: policy.document.clone(),
                    tags: policy.tags.clone(),
                },
            )
            .after(
                detached
                    .get(&policy.arn)
                    .cloned()
                    .into_iter()
                    .chain(after.iter().cloned()),
            ),
        );
    }
    changes.push(
        Change::new(
            role_address(&role.name),
            Action::Delete,
            role_json(
                &role.name,
                &role.arn,
                &role.trust,
                &only_our_tags(&role.tags),
            ),
            Value::Null,
            Step::DeleteRole {
                name: role.name.clone(),
                trust: role.trust.clone(),
                tags: role.tags.clone(),
                boundary: role.boundary.clone(),
            },
        )
        .after(before_delete.into_iter().chain(after.iter().cloned())),
    );
    changes
}

/// Dedicated apply under a new `--role-name`: the earlier role of ours the bot ran on is removed
/// once the bot and aliases have moved (its attachments, inline policies, our policies of it,
/// then the role), unless a published version still runs on it.
fn earlier_role_removal(
    obs: &Observed,
    notes: &mut Vec<String>,
    after: Vec<String>,
) -> Vec<Change> {
    let Some(earlier) = &obs.earlier_role else {
        return Vec::new();
    };
    let role = &earlier.state;
    // What the aliases run once this apply is done: the repointed ones a new version.
    let stale: Vec<&str> = stale_aliases(obs).iter().map(|a| a.id.as_str()).collect();
    let runs_after: std::collections::BTreeSet<String> = obs
        .aliases
        .iter()
        .filter(|a| !stale.contains(&a.id.as_str()))
        .chain(obs.bystanders.iter())
        .map(|a| a.version().to_string())
        .collect();
    // Versions we published on the earlier role that nothing runs any more go last (a deleted
    // version cannot be restored by a rollback), after the role.
    let version_deletes = delete_unused_versions(obs, Some(&role.arn), &runs_after, &after);
    let in_use = versions_still_on(obs, &role.arn, &runs_after);
    if !in_use.is_empty() {
        notes.push(format!(
            "role {} (an earlier logging role of ours) is kept: version(s) {} of bot {} run on it",
            role.name,
            in_use.join(", "),
            obs.bot.name
        ));
        return Vec::new();
    }
    notes.push(format!(
        "role {} is an earlier logging role of ours for this bot: the bot moves to {}, and {} is removed with its policies",
        role.name, obs.role_name, role.name
    ));
    let policies: Vec<&crate::resources::managed_policy::PolicyState> =
        earlier.policies.iter().collect();
    // Its PassRole grants name it: they go with it.
    let grant_name = documents::pass_role_policy_name(&role.name);
    let mut changes: Vec<Change> = earlier
        .grants
        .iter()
        .filter_map(|(principal, found)| {
            let found = found.as_ref()?;
            Some(delete_inline_change(principal, &grant_name, found).after(after.iter().cloned()))
        })
        .collect();
    let grants: Vec<String> = changes.iter().map(|c| c.address.clone()).collect();
    changes.extend(role_removal(role, &policies, &after, grants));
    let role_addr = role_address(&role.name);
    changes.extend(
        version_deletes
            .into_iter()
            .map(|c| c.after([role_addr.clone()])),
    );
    changes
}

/// The note that what a plan creates also carries the run's tag (the plan shows only our other
/// tags; the run id is made when apply starts).
pub(crate) fn run_tag_note(changes: &[Change]) -> Option<String> {
    changes.iter().any(|c| c.action == Action::Create).then(|| {
        format!(
            "what apply creates is also tagged {}=<the run's id>, so that a create whose answer was lost can be told from another run's work",
            tags::RUN
        )
    })
}

/// What a reviewer should know about the destinations before apply: a KMS key whose policy does
/// not let IAM policies grant its use (our grant would then do nothing); a log group of an
/// earlier setup that this one no longer uses (kept, with its logs); the run tag.
pub(crate) fn destination_notes(obs: &Observed) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(Some(policy)) = obs.policies.get(&Concern::CloudWatch) {
        let wanted = obs
            .log_group
            .as_ref()
            .map(|(name, _)| obs.scope.log_group(name));
        for granted in documents::granted_resources(&policy.document) {
            let group = granted.trim_end_matches(":*");
            if wanted.as_deref() != Some(group) {
                notes.push(format!(
                    "log group {} (set up by an earlier apply) is no longer used by this setup: it is left as it is, with its logs",
                    group.rsplit("log-group:").next().unwrap_or(group)
                ));
            }
        }
    }

    if let Some(key) = obs
        .kms_key
        .as_ref()
        .filter(|k| k.iam_policies_enabled == Some(false))
    {
        notes.push(format!(
            "warning: the key policy of {} does not let IAM policies of account {} grant its use, so the kms:GenerateDataKey grant does nothing; add the role that writes the logs to the key policy, or enable IAM policies there",
            key.arn, obs.scope.account
        ));
    }
    notes
}

/// The log group for text logs: created, its retention set, or as it is.
pub(crate) fn log_group_change(spec: &Spec, obs: &Observed) -> Option<Change> {
    if let (Some(text), Some((name, state))) = (&spec.text, &obs.log_group) {
        let addr = log_group::address(name);
        let want = text.retention_days;
        return Some(match state {
            None => Change::new(
                &addr,
                Action::Create,
                Value::Null,
                json!({"name": name, "retentionInDays": want}),
                Step::CreateLogGroup {
                    name: name.clone(),
                    retention_days: want,
                },
            ),
            Some(group) if want.is_some() && want != group.retention_days => Change::new(
                &addr,
                Action::Update,
                json!({"name": name, "retentionInDays": group.retention_days}),
                json!({"name": name, "retentionInDays": want}),
                Step::SetRetention {
                    name: name.clone(),
                    days: want,
                    previous: group.retention_days,
                },
            ),
            Some(group) => Change::no_op(
                &addr,
                json!({"name": name, "retentionInDays": group.retention_days}),
            ),
        });
    }
    None
}

/// The plan that makes the setup true.
pub fn plan_apply(spec: &Spec, obs: &Observed) -> Result<Plan> {
    let scope = &obs.scope;
    let role_name = obs.role_name.as_str();
    let role_arn = obs.role_arn();
    let role_addr = role_address(role_name);
    let mut changes: Vec<Change> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut role_ready: Vec<String> = vec![role_addr.clone()];

    if !spec.dedicated() {
        return in_place::plan_apply(spec, obs);
    }
    let log_group = log_group_change(spec, obs);
    let log_group_addr = log_group.as_ref().map(|c| c.address.clone());
    changes.extend(log_group);

    // The role.
    let trust = documents::trust(scope, &obs.bot.id, spec.pin_source_arn);
    let wanted_tags = desired_role_tags(spec, obs)?;
    changes.push(match &obs.role {
        None => Change::new(
            &role_addr,
            Action::Create,
            Value::Null,
            role_json(role_name, &role_arn, &trust, &wanted_tags),
            Step::CreateRole {
                name: role_name.into(),
                trust: trust.clone(),
                tags: wanted_tags.clone(),
                boundary: match &obs.previous {
                    Some(PreviousRole::Customer { boundary, .. }) => boundary.clone(),
                    _ => None,
                },
            },
        ),
        Some(role) => {
            let current_tags = only_our_tags(&role.tags);
            let trust_change = (!policy::equivalent(&role.trust, &trust))
                .then(|| (trust.clone(), role.trust.clone()));
            let tag_change =
                (current_tags != wanted_tags).then(|| (wanted_tags.clone(), current_tags.clone()));
            let before = role_json(role_name, &role.arn, &role.trust, &current_tags);
            if trust_change.is_none() && tag_change.is_none() {
                Change::no_op(&role_addr, before)
            } else {
                Change::new(
                    &role_addr,
                    Action::Update,
                    before,
                    role_json(role_name, &role.arn, &trust, &wanted_tags),
                    Step::UpdateRole {
                        name: role_name.into(),
                        trust: trust_change,
                        tags: tag_change,
                    },
                )
            }
        }
    });

    // Our managed policies, one per concern, and their attachments.
    let (text_dest, audio_dest) = wanted_destinations(spec, obs);
    let mut wanted = wanted_documents(spec, obs);
    if let Some(PreviousRole::ServiceLinked { .. }) = &obs.previous {
        wanted.insert(Concern::BotRuntime, documents::bot_runtime());
    }
    let attached_now: Vec<String> = obs
        .role
        .as_ref()
        .map(|r| r.attached.clone())
        .unwrap_or_default();
    let (policy_changes, ready) = managed_policy_changes(
        obs,
        role_name,
        &Concern::ALL,
        &wanted,
        &[AttachTarget {
            role: role_name,
            attached: &attached_now,
            after: vec![role_addr.clone()],
        }],
    );
    changes.extend(policy_changes);
    role_ready.extend(ready);
    let attached = |arn: &str| attached_now.iter().any(|a| a == arn);

    // The permissions of the bot's previous role, carried over.
    let (carried, inline): (&[String], Option<&BTreeMap<String, Value>>) = match &obs.previous {
        Some(PreviousRole::ServiceLinked { arn, inline }) => {
            notes.push(format!(
                "the bot's previous role is the service-linked role {arn}; role {role_name} gets the Lex bot runtime actions it granted ({}) through policy {}, and a copy of its {} inline policies",
                documents::BOT_RUNTIME_ACTIONS.join(", "),
                Concern::BotRuntime.policy_name(role_name),
                inline.len()
            ));
            (&[], Some(inline))
        }
        Some(PreviousRole::Customer {
            arn,
            attached: carried,
            inline,
            boundary,
        }) => {
            if let Some(boundary) = boundary {
                notes.push(format!("role {role_name} gets the permissions boundary of the bot's previous role: {boundary}"));
            }
            notes.push(format!(
                "role {role_name} carries the permissions of the bot's previous role {arn}: {} managed and {} inline policies",
                carried.len(),
                inline.len()
            ));
            (carried.as_slice(), Some(inline))
        }
        _ => (&[], None),
    };
    // What an in-place setup of ours put on the previous role is ours, not the bot's: not carried.
    let in_place_setup = crate::spec::default_role_name(&obs.bot.name);
    let our_policy_prefix = obs.scope.policy(&format!("{in_place_setup}-"));
    let our_inline = documents::service_linked_policy_name(&in_place_setup);
    for policy_arn in carried
        .iter()
        .filter(|a| !a.starts_with(&our_policy_prefix))
    {
        let addr = attachment_address(role_name, policy_arn);
        changes.push(if attached(policy_arn) {
            Change::no_op(&addr, json!({"role": role_name, "policyArn": policy_arn}))
        } else {
            Change::new(
                &addr,
                Action::Create,
                Value::Null,
                json!({"role": role_name, "policyArn": policy_arn}),
                Step::Attach {
                    role: role_name.into(),
                    policy_arn: policy_arn.clone(),
                },
            )
            .after([role_addr.clone()])
        });
        role_ready.push(addr);
    }
    let owner = Principal {
        kind: PrincipalKind::Role,
        name: role_name.into(),
    };
    for (name, document) in inline
        .into_iter()
        .flatten()
        .filter(|(name, _)| **name != our_inline)
    {
        let current = obs.role.as_ref().and_then(|r| r.inline.get(name));
        let change = put_inline_change(&owner, name, current, document).after([role_addr.clone()]);
        role_ready.push(change.address.clone());
        changes.push(change);
    }
    if let Some(PreviousRole::Gone { arn }) = &obs.previous {
        notes.push(format!("the bot's previous role {arn} no longer exists: there are no permissions to carry over"));
    }

    // iam:PassRole on our role for the principals asked for.
    let grant_name = documents::pass_role_policy_name(role_name);
    changes.extend(grant_changes(
        spec,
        obs,
        &grant_name,
        std::slice::from_ref(&role_arn),
    ));

    // The bot runs with the role, once the role has every permission.
    let bot_addr = obs.bot.address();
    let current_role = obs.bot.role_arn().unwrap_or_default();
    if obs.bot_on_our_role() {
        changes.push(Change::no_op(&bot_addr, json!({"roleArn": current_role})));
    } else {
        changes.push(
            Change::new(
                &bot_addr,
                Action::Update,
                json!({"roleArn": current_role}),
                json!({"roleArn": role_arn}),
                Step::UpdateBot {
                    described: Box::new(obs.bot.described.clone()),
                    role_arn: role_arn.clone(),
                },
            )
            .after(role_ready.iter().cloned()),
        );
    }

    // An alias on a published version runs on that version's role (UpdateBot changes only
    // DRAFT): it logs through our role only once it runs a version published after the switch.
    let stale = stale_aliases(obs);
    let publish_addr = format!("version[{}/new]", obs.bot.name);
    if !stale.is_empty() {
        let listed: Vec<String> = stale
            .iter()
            .map(|a| {
                format!(
                    "{} (version {}, role {})",
                    a.name,
                    a.version(),
                    a.runs_on.as_deref().unwrap_or("none")
                )
            })
            .collect();
        if !spec.publish_version {
            return Err(Error::invalid(
                format!(
                    "in the dedicated-role mode, aliases that run a published version keep that version's role, so they would not log through {role_name}: {}",
                    listed.join(", ")
                ),
                "pass --publish-version to publish DRAFT (on the new role) and point them at it, or drop --role-name to grant the role each version runs on (the default, in-place mode)",
            ));
        }
        changes.push(
            Change::new(
                &publish_addr,
                Action::Create,
                Value::Null,
                json!({"sourceBotVersion": "DRAFT", "roleArn": role_arn}),
                Step::PublishVersion {
                    bot_id: obs.bot.id.clone(),
                    bot_name: obs.bot.name.clone(),
                },
            )
            .after([bot_addr.clone()]),
        );
        notes.push(format!(
            "--publish-version publishes the DRAFT of bot {} as it is now, and points {} at it: whatever DRAFT holds that the old versions did not goes live with it",
            obs.bot.name,
            listed.join(", ")
        ));
    }

    // Each alias logs to our destinations.
    let ours = our_destinations(obs, text_dest.as_ref(), audio_dest.as_ref());
    for alias in &obs.aliases {
        let repoint = stale.iter().any(|s| s.id == alias.id);
        let version = if repoint {
            AliasVersion::PublishedByRun
        } else {
            AliasVersion::Keep
        };
        changes.extend(alias_apply_changes(
            spec,
            obs,
            alias,
            text_dest.as_ref(),
            audio_dest.as_ref(),
            &ours,
            version,
            std::iter::once(&bot_addr)
                .chain(log_group_addr.iter())
                .chain(role_ready.iter())
                .chain(repoint.then_some(&publish_addr)),
        )?);
    }

    changes.extend(earlier_role_removal(
        obs,
        &mut notes,
        std::iter::once(bot_addr.clone())
            .chain(obs.aliases.iter().map(|a| a.address(&obs.bot)))
            .collect(),
    ));
    notes.extend(destination_notes(obs));
    notes.extend(run_tag_note(&changes));
    Ok(Plan {
        command: Kind::Apply,
        targets: vec![target(obs)],
        changes,
        notes,
    })
}

/// Apply's changes to one alias: its settings with our destinations, after `after`. A
/// destination lex-logs-setup did not set (another team's group or bucket) is never replaced by
/// a plain apply; with `--take-over-destinations` it is recorded on the alias first, so that
/// destroy can put it back exactly.
#[allow(clippy::too_many_arguments)]
pub(crate) fn alias_apply_changes<'a>(
    spec: &Spec,
    obs: &Observed,
    alias: &Alias,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
    ours: &OurDestinations,
    version: AliasVersion,
    after: impl Iterator<Item = &'a String>,
) -> Result<Vec<Change>> {
    use crate::resources::alias::{record_audio, record_text};
    let current = alias.described.conversation_log_settings();
    let mut conflicts: Vec<String> = Vec::new();
    let mut record = Tags::new();
    let refuse = |why: String| {
        Error::invalid(
            format!(
                "alias {} cannot record the destination it replaces: {why}",
                alias.name
            ),
            "set the alias's conversation logs by hand, or leave this alias out",
        )
    };
    if let (Some(wanted), Some(setting)) =
        (text, current.and_then(|c| c.text_log_settings().first()))
    {
        if let Some(arn) = setting
            .destination()
            .and_then(|d| d.cloud_watch())
            .map(|c| c.cloud_watch_log_group_arn())
        {
            let ours_already = in_place::same_log_group(arn, &wanted.log_group_arn)
                || ours
                    .log_group_arns
                    .iter()
                    .any(|o| in_place::same_log_group(o, arn));
            if !ours_already {
                conflicts.push(format!("text to {arn}"));
                record.extend(record_text(setting).map_err(refuse)?);
            }
        }
    }
    if let (Some(wanted), Some(setting)) =
        (audio, current.and_then(|c| c.audio_log_settings().first()))
    {
        if let Some(arn) = setting
            .destination()
            .and_then(|d| d.s3_bucket())
            .map(|s| s.s3_bucket_arn())
        {
            let ours_already =
                arn == wanted.bucket_arn || ours.bucket_arns.iter().any(|o| o == arn);
            if !ours_already {
                conflicts.push(format!("audio to {arn}"));
                record.extend(record_audio(setting).map_err(refuse)?);
            }
        }
    }
    let addr = alias.address(&obs.bot);
    let mut desired = desired_settings(current, text, audio, ours);
    let mut after: Vec<String> = after.cloned().collect();
    let mut changes = Vec::new();
    // A half no longer asked for (e.g. --no-text-logs) that a take-over had replaced goes back to
    // what it was, and its record is dropped once the alias is updated.
    let (restored, released) = restore_released_halves(alias, desired.as_ref(), text, audio);
    if let Some(settings) = restored {
        desired = Some(settings);
    }
    if !released.is_empty() {
        changes.push(drop_alias_record(obs, alias, "/released", released).after([addr.clone()]));
    }
    if !conflicts.is_empty() {
        if !spec.take_over_destinations {
            return Err(Error::invalid(
                format!(
                    "alias {} of bot {} already logs {}: a destination lex-logs-setup did not set, which a plain apply never replaces",
                    alias.name,
                    obs.bot.name,
                    conflicts.join(" and ")
                ),
                "leave the alias as it is, or pass --take-over-destinations to replace it (the previous setting is recorded on the alias, and destroy puts it back exactly)",
            ));
        }
        let record_addr = format!("alias_record[{}/{}]", obs.bot.name, alias.name);
        let keys: Vec<String> = record.keys().cloned().collect();
        let previous: Tags = keys
            .iter()
            .filter_map(|k| alias.tags.get(k).map(|v| (k.clone(), v.clone())))
            .collect();
        changes.push(Change::new(
            &record_addr,
            Action::Create,
            Value::Null,
            json!({"tags": record}),
            Step::SetLexTags {
                arn: obs.scope.bot_alias(&obs.bot.id, &alias.id),
                what: format!("alias {}/{}", obs.bot.name, alias.name),
                keys,
                values: record,
                previous,
            },
        ));
        after.push(record_addr);
    }
    changes.push(alias_change(
        &addr,
        obs,
        alias,
        current,
        desired,
        version,
        after.iter(),
    ));
    Ok(changes)
}

/// Apply: where a half (text or audio) is no longer wanted and a take-over recorded what it
/// replaced, the settings with that half put back, and the record keys of those halves.
fn restore_released_halves(
    alias: &Alias,
    desired: Option<&ConversationLogSettings>,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
) -> (Option<ConversationLogSettings>, Tags) {
    use crate::resources::alias::{
        recorded_audio, recorded_text, PREVIOUS_AUDIO_ARN, PREVIOUS_AUDIO_FLAGS,
        PREVIOUS_AUDIO_KMS, PREVIOUS_AUDIO_PREFIX, PREVIOUS_TEXT_ARN, PREVIOUS_TEXT_FLAGS,
        PREVIOUS_TEXT_PREFIX,
    };
    let mut text_list: Vec<TextLogSetting> = desired
        .map(|d| d.text_log_settings().to_vec())
        .unwrap_or_default();
    let mut audio_list: Vec<AudioLogSetting> = desired
        .map(|d| d.audio_log_settings().to_vec())
        .unwrap_or_default();
    let mut released = Tags::new();
    let mut take = |keys: &[&str]| {
        for k in keys {
            if let Some(v) = alias.tags.get(*k) {
                released.insert(k.to_string(), v.clone());
            }
        }
    };
    let mut changed = false;
    if text.is_none() && text_list.is_empty() {
        if let Some(setting) = recorded_text(&alias.tags) {
            text_list.push(setting);
            changed = true;
            take(&[PREVIOUS_TEXT_ARN, PREVIOUS_TEXT_PREFIX, PREVIOUS_TEXT_FLAGS]);
        }
    }
    if audio.is_none() && audio_list.is_empty() {
        if let Some(setting) = recorded_audio(&alias.tags) {
            audio_list.push(setting);
            changed = true;
            take(&[
                PREVIOUS_AUDIO_ARN,
                PREVIOUS_AUDIO_PREFIX,
                PREVIOUS_AUDIO_KMS,
                PREVIOUS_AUDIO_FLAGS,
            ]);
        }
    }
    let restored = changed.then(|| {
        ConversationLogSettings::builder()
            .set_text_log_settings((!text_list.is_empty()).then_some(text_list))
            .set_audio_log_settings((!audio_list.is_empty()).then_some(audio_list))
            .build()
    });
    (restored, released)
}

/// Destroy's changes to one alias: our destinations removed, a destination a take-over replaced
/// put back exactly (unless someone set another since), and the record removed afterwards.
pub(crate) fn alias_destroy_changes(
    obs: &Observed,
    alias: &Alias,
    ours: &OurDestinations,
    version: AliasVersion,
) -> Vec<Change> {
    use crate::resources::alias::{recorded_audio, recorded_text, RECORD_KEYS};
    let addr = alias.address(&obs.bot);
    let current = alias.described.conversation_log_settings();
    let desired = desired_settings(current, None, None, ours);
    let mut text: Vec<TextLogSetting> = desired
        .as_ref()
        .map(|d| d.text_log_settings().to_vec())
        .unwrap_or_default();
    let mut audio: Vec<AudioLogSetting> = desired
        .as_ref()
        .map(|d| d.audio_log_settings().to_vec())
        .unwrap_or_default();
    if text.is_empty() {
        text.extend(recorded_text(&alias.tags));
    }
    if audio.is_empty() {
        audio.extend(recorded_audio(&alias.tags));
    }
    let desired = (!text.is_empty() || !audio.is_empty()).then(|| {
        ConversationLogSettings::builder()
            .set_text_log_settings((!text.is_empty()).then_some(text))
            .set_audio_log_settings((!audio.is_empty()).then_some(audio))
            .build()
    });
    let mut changes = vec![alias_change(
        &addr,
        obs,
        alias,
        current,
        desired,
        version,
        std::iter::empty(),
    )];
    let recorded: Tags = RECORD_KEYS
        .iter()
        .filter_map(|k| alias.tags.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    if !recorded.is_empty() {
        changes.push(drop_alias_record(obs, alias, "", recorded).after([addr]));
    }
    changes
}

/// The alias's log settings changed to `desired` (and its version as `version` says), after the
/// changes named by `after`.
pub(crate) fn alias_change<'a>(
    addr: &str,
    obs: &Observed,
    alias: &Alias,
    current: Option<&ConversationLogSettings>,
    desired: Option<ConversationLogSettings>,
    version: AliasVersion,
    after: impl Iterator<Item = &'a String>,
) -> Change {
    let mut before = json!({"conversationLogSettings": settings_json(current)});
    if version == AliasVersion::Keep && same_settings(current, desired.as_ref()) {
        return Change::no_op(addr, before);
    }
    let mut after_value = json!({"conversationLogSettings": settings_json(desired.as_ref())});
    match &version {
        AliasVersion::Keep => {}
        AliasVersion::PublishedByRun => {
            before["botVersion"] = json!(alias.version());
            after_value["botVersion"] = json!("(published by this run)");
        }
        AliasVersion::Number(v) => {
            before["botVersion"] = json!(alias.version());
            after_value["botVersion"] = json!(v);
        }
    }
    Change::new(
        addr,
        Action::Update,
        before,
        after_value,
        Step::UpdateAlias {
            bot_id: obs.bot.id.clone(),
            bot_name: obs.bot.name.clone(),
            described: Box::new(alias.described.clone()),
            settings: desired,
            version,
        },
    )
    .after(after.cloned())
}

/// The plan that undoes apply: logs off on the aliases, the bot back on its previous role,
/// grants revoked, our policies detached and deleted, our role deleted. Log groups and buckets
/// are kept.
pub fn plan_destroy(spec: &Spec, obs: &Observed) -> Result<Plan> {
    if spec.dedicated() {
        plan_destroy_dedicated(spec, obs)
    } else {
        in_place::plan_destroy(spec, obs)
    }
}

/// Destroy of the dedicated-role setup: the bot back on its previous role, our role and its
/// policies deleted unless a published version still runs on it.
pub(crate) fn plan_destroy_dedicated(spec: &Spec, obs: &Observed) -> Result<Plan> {
    let role_name = obs.role_name.as_str();
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    let plan = |changes, notes| Plan {
        command: Kind::Destroy,
        targets: vec![target(obs)],
        changes,
        notes,
    };
    let role: Option<&RoleState> = match &obs.role {
        Some(role) if !tags::is_ours(&role.tags) => {
            notes.push(format!("role {role_name} was not created by lex-logs-setup: it is left alone, and so is everything else"));
            return Ok(plan(changes, notes));
        }
        // The logging role of another bot was refused before planning (`crate::ownership`).
        other => other.as_ref(),
    };

    // Aliases: remove the settings that point at our destinations.
    let (text_dest, audio_dest) = wanted_destinations(spec, obs);
    let ours = our_destinations(obs, text_dest.as_ref(), audio_dest.as_ref());
    let bot_addr = obs.bot.address();
    let mut alias_addrs = Vec::new();
    // An alias that --publish-version moved to a version of ours goes back to the one it ran.
    let recorded = role
        .map(|r| tags::alias_versions(&r.tags))
        .unwrap_or_default();
    let our_versions: Vec<&str> = obs
        .version_roles
        .iter()
        .filter(|v| v.ours)
        .map(|v| v.number.as_str())
        .collect();
    let mut runs_after: std::collections::BTreeSet<String> = obs
        .bystanders
        .iter()
        .map(|a| a.version().to_string())
        .collect();
    for alias in &obs.aliases {
        let addr = alias.address(&obs.bot);
        let back = recorded
            .get(&alias.id)
            .filter(|_| our_versions.contains(&alias.version()))
            .filter(|v| obs.version_roles.iter().any(|i| i.number == **v));
        runs_after.insert(back.cloned().unwrap_or_else(|| alias.version().to_string()));
        let alias_changes = alias_destroy_changes(
            obs,
            alias,
            &ours,
            back.map(|v| AliasVersion::Number(v.clone()))
                .unwrap_or(AliasVersion::Keep),
        );
        // On destroy, aliases go first.
        alias_addrs.push(addr);
        changes.extend(alias_changes);
    }

    // The bot goes back to its previous role.
    let current_role = obs.bot.role_arn().unwrap_or_default();
    if obs.bot_on_our_role() {
        let previous = role.and_then(|r| r.tags.get(tags::PREVIOUS_ROLE)).ok_or_else(|| {
            Error::invalid(
                format!("bot {} runs with role {role_name}, which has no record of the bot's previous role", obs.bot.name),
                "set the bot's role by hand (Lex console or aws lexv2-models update-bot), then run destroy again",
            )
        })?;
        changes.push(
            Change::new(
                &bot_addr,
                Action::Update,
                json!({"roleArn": current_role}),
                json!({"roleArn": previous}),
                Step::UpdateBot {
                    described: Box::new(obs.bot.described.clone()),
                    role_arn: previous.clone(),
                },
            )
            .after(alias_addrs.clone()),
        );
    } else {
        changes.push(Change::no_op(&bot_addr, json!({"roleArn": current_role})));
    }

    // PassRole grants that name our role.
    let grant_name = documents::pass_role_policy_name(role_name);
    let role_arn = obs.role_arn();
    let mut before_role_delete = vec![bot_addr.clone()];
    for (principal, current) in &obs.grants {
        let Some(found) = current else { continue };
        let addr = inline_policy::address(principal, &grant_name);
        if !found.to_string().contains(&role_arn) {
            notes.push(format!(
                "{addr} does not grant {role_arn}: it is left alone"
            ));
            continue;
        }
        changes.push(delete_inline_change(principal, &grant_name, found));
        before_role_delete.push(addr);
    }

    let Some(role) = role else {
        notes.push(format!(
            "there is no role {role_name}: nothing of ours is left in IAM"
        ));
        return Ok(plan(changes, notes));
    };

    // Versions we published that no alias runs any more go; then a version made while the bot
    // ran on our role that is left still runs on it, and keeps it.
    // Deleting a version cannot be undone, so it comes last: after the role is gone (nothing
    // runs the version any more), so that a failure before it rolls back completely.
    let version_deletes = delete_unused_versions(obs, None, &runs_after, &alias_addrs);
    let in_use = versions_still_on(obs, &role.arn, &runs_after);
    if !in_use.is_empty() {
        changes.extend(version_deletes);
        notes.push(format!(
            "role {role_name} is kept, with its policies: version{} {} of bot {} run{} on it, and would break without it; once no alias needs {}, delete {} and run destroy again",
            if in_use.len() == 1 { "" } else { "s" },
            in_use.join(", "),
            obs.bot.name,
            if in_use.len() == 1 { "s" } else { "" },
            if in_use.len() == 1 { "it" } else { "them" },
            if in_use.len() == 1 { "it" } else { "them" },
        ));
        return Ok(plan(changes, notes));
    }

    // Detach everything from our role, delete its inline policies, our policies, then the role.
    let mut ours = Vec::new();
    for found in obs.policies.values().flatten() {
        if tags::is_ours(&found.tags) {
            ours.push(found);
        } else {
            notes.push(format!(
                "policy {} was not created by lex-logs-setup: it is left alone",
                found.name
            ));
        }
    }
    changes.extend(role_removal(
        role,
        &ours,
        std::slice::from_ref(&bot_addr),
        before_role_delete,
    ));
    let role_addr = role_address(role_name);
    changes.extend(
        version_deletes
            .into_iter()
            .map(|c| c.after([role_addr.clone()])),
    );
    if let Some((name, _)) = &obs.log_group {
        notes.push(format!("log group {name} is kept, with the logs in it"));
    }
    if let Some(bucket) = &obs.bucket {
        notes.push(format!(
            "bucket {} is kept, with the audio in it",
            bucket.name
        ));
    }
    Ok(plan(changes, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arn::Scope;
    use crate::resources::alias::Alias;
    use crate::resources::bot::Bot;
    use crate::resources::managed_policy::PolicyState;
    use crate::spec::TextSpec;
    use aws_sdk_lexmodelsv2::operation::describe_bot::DescribeBotOutput;
    use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;

    const SLR: &str = "arn:aws:iam::111122223333:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_X";

    fn scope() -> Scope {
        Scope {
            partition: "aws".into(),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
        }
    }

    fn spec() -> Spec {
        Spec {
            bot: "OrderBot".into(),
            aliases: vec!["live".into()],
            text: Some(TextSpec {
                log_group: None,
                retention_days: None,
                log_prefix: "lex/".into(),
            }),
            audio: None,
            role_name: Some("LexLogs-OrderBot".into()),
            pass_role: vec![],
            publish_version: false,
            pin_source_arn: false,
            take_over_destinations: false,
        }
    }

    /// An alias on DRAFT (which runs on the bot's current role).
    fn alias(settings: Option<ConversationLogSettings>) -> Alias {
        Alias {
            id: "ALIAS12345".into(),
            name: "live".into(),
            described: DescribeBotAliasOutput::builder()
                .bot_alias_id("ALIAS12345")
                .bot_alias_name("live")
                .bot_version("DRAFT")
                .set_conversation_log_settings(settings)
                .build(),
            runs_on: Some(SLR.into()),
            tags: Default::default(),
        }
    }

    /// A bot on a service-linked role, before any apply.
    fn fresh() -> Observed {
        Observed {
            scope: scope(),
            bot: Bot {
                id: "BOTID12345".into(),
                name: "OrderBot".into(),
                described: DescribeBotOutput::builder()
                    .bot_id("BOTID12345")
                    .bot_name("OrderBot")
                    .role_arn(SLR)
                    .build(),
            },
            aliases: vec![alias(None)],
            role_name: "LexLogs-OrderBot".into(),
            role: None,
            policies: Concern::ALL.into_iter().map(|c| (c, None)).collect(),
            previous: Some(PreviousRole::ServiceLinked {
                arn: SLR.into(),
                inline: BTreeMap::new(),
            }),
            log_group: Some(("/aws/lex/OrderBot".into(), None)),
            bucket: None,
            kms_key: None,
            grants: BTreeMap::new(),
            writers: BTreeMap::new(),
            bystanders: vec![],
            version_roles: vec![],
            earlier_role: None,
            bot_tags: Default::default(),
        }
    }

    /// The world after apply, as observation would read it.
    fn applied(spec: &Spec) -> Observed {
        let mut obs = fresh();
        // Observation lists every principal asked for, with no grant yet.
        obs.grants = spec.pass_role.iter().map(|p| (p.clone(), None)).collect();
        let plan = plan_apply(spec, &obs).unwrap();
        let role_arn = obs.role_arn();
        for change in &plan.changes {
            match &change.step {
                Step::CreateRole {
                    name, trust, tags, ..
                } => {
                    obs.role = Some(RoleState {
                        boundary: None,
                        name: name.clone(),
                        arn: role_arn.clone(),
                        trust: trust.clone(),
                        tags: tags.clone(),
                        attached: vec![],
                        inline: BTreeMap::new(),
                    })
                }
                Step::CreatePolicy {
                    name,
                    arn,
                    document,
                    tags,
                } => {
                    let concern = Concern::ALL
                        .into_iter()
                        .find(|c| c.policy_name(&obs.role_name) == *name)
                        .unwrap();
                    obs.policies.insert(
                        concern,
                        Some(PolicyState {
                            name: name.clone(),
                            arn: arn.clone(),
                            document: document.clone(),
                            default_version: "v1".into(),
                            attached_roles: vec![],
                            tags: tags.clone(),
                        }),
                    );
                }
                Step::Attach { policy_arn, .. } => {
                    obs.role.as_mut().unwrap().attached.push(policy_arn.clone())
                }
                Step::UpdateBot { role_arn, .. } => {
                    obs.bot.described = DescribeBotOutput::builder()
                        .bot_id("BOTID12345")
                        .bot_name("OrderBot")
                        .role_arn(role_arn)
                        .build()
                }
                Step::UpdateAlias { settings, .. } => obs.aliases = vec![alias(settings.clone())],
                Step::CreateLogGroup {
                    name,
                    retention_days,
                } => {
                    obs.log_group = Some((
                        name.clone(),
                        Some(log_group::LogGroupState {
                            name: name.clone(),
                            retention_days: *retention_days,
                            tags: Tags::new(),
                        }),
                    ))
                }
                Step::PutInline {
                    owner, document, ..
                } => {
                    obs.grants.insert(owner.clone(), Some(document.clone()));
                }
                _ => {}
            }
        }
        obs
    }

    fn find<'a>(plan: &'a Plan, address: &str) -> &'a Change {
        plan.changes
            .iter()
            .find(|c| c.address == address)
            .unwrap_or_else(|| {
                panic!(
                    "no {address} in {:?}",
                    plan.changes.iter().map(|c| &c.address).collect::<Vec<_>>()
                )
            })
    }

    #[test]
    fn dedicated_mode_refuses_aliases_on_old_versions_unless_asked_to_publish() {
        let mut obs = fresh();
        let mut on_v3 = alias(None);
        on_v3.described = DescribeBotAliasOutput::builder()
            .bot_alias_id("ALIAS12345")
            .bot_alias_name("live")
            .bot_version("3")
            .build();
        obs.aliases = vec![on_v3];
        let err = plan_apply(&spec(), &obs).unwrap_err().to_string();
        assert!(
            err.contains("live (version 3") && err.contains("--publish-version"),
            "{err}"
        );
        let publishing = Spec {
            publish_version: true,
            ..spec()
        };
        let plan = plan_apply(&publishing, &obs).unwrap();
        let publish = find(&plan, "version[OrderBot/new]");
        assert!(matches!(publish.step, Step::PublishVersion { .. }));
        assert!(publish.depends_on.contains(&"bot[OrderBot]".to_string()));
        let alias = find(&plan, "alias[OrderBot/live]");
        assert!(alias.depends_on.contains(&publish.address));
        assert!(matches!(
            alias.step,
            Step::UpdateAlias {
                version: AliasVersion::PublishedByRun,
                ..
            }
        ));
        assert!(plan.notes.iter().any(|n| n.contains("publishes the DRAFT")));
    }

    #[test]
    fn dedicated_destroy_points_repointed_aliases_back_and_deletes_our_versions() {
        let spec = Spec {
            publish_version: true,
            ..spec()
        };
        let mut obs = fresh();
        obs.aliases[0].described = DescribeBotAliasOutput::builder()
            .bot_alias_id("ALIAS12345")
            .bot_alias_name("live")
            .bot_version("1")
            .build();
        let plan = plan_apply(&spec, &obs).unwrap();
        let Step::CreateRole {
            tags: role_tags, ..
        } = &find(&plan, "role[LexLogs-OrderBot]").step
        else {
            panic!()
        };
        assert_eq!(role_tags[tags::ALIAS_VERSIONS], "ALIAS12345=1");

        // After apply: the bot and version 2 (ours) on our role, the alias on version 2.
        let mut after = applied(&Spec {
            publish_version: false,
            ..spec.clone()
        });
        after.role.as_mut().unwrap().tags = role_tags.clone();
        after.aliases[0].described = DescribeBotAliasOutput::builder()
            .bot_alias_id("ALIAS12345")
            .bot_alias_name("live")
            .bot_version("2")
            .build();
        let our_role = after.role_arn();
        after.version_roles = vec![
            crate::resources::version::VersionInfo {
                number: "2".into(),
                role: Some(our_role),
                ours: true,
            },
            crate::resources::version::VersionInfo {
                number: "1".into(),
                role: Some(SLR.into()),
                ours: false,
            },
        ];
        let plan = plan_destroy(&spec, &after).unwrap();
        let alias = find(&plan, "alias[OrderBot/live]");
        assert!(matches!(
            &alias.step,
            Step::UpdateAlias { version: AliasVersion::Number(v), .. } if v == "1"
        ));
        let version = find(&plan, "version[OrderBot/2]");
        assert_eq!(version.action, Action::Delete);
        assert!(version.depends_on.contains(&alias.address));
        let role = find(&plan, "role[LexLogs-OrderBot]");
        assert_eq!(role.action, Action::Delete);
        assert!(
            version.depends_on.contains(&role.address),
            "a deleted version cannot be restored: it goes last, so a failure before rolls back"
        );
    }

    #[test]
    fn a_changed_log_group_says_the_old_one_is_left_and_a_plan_names_the_run_tag() {
        let spec = spec();
        let fresh_plan = plan_apply(&spec, &fresh()).unwrap();
        assert!(fresh_plan.notes.iter().any(|n| n.contains(tags::RUN)));
        let mut obs = applied(&spec);
        obs.log_group = Some(("/aws/lex/NewGroup".into(), None));
        let plan = plan_apply(&spec, &obs).unwrap();
        assert!(
            plan.notes
                .iter()
                .any(|n| n.contains("/aws/lex/OrderBot") && n.contains("left as it is")),
            "{:?}",
            plan.notes
        );
        let again = plan_apply(&spec, &applied(&spec)).unwrap();
        assert!(
            !again.notes.iter().any(|n| n.contains(tags::RUN)),
            "nothing created"
        );
    }

    #[test]
    fn dedicated_destroy_keeps_a_role_that_a_published_version_runs_on() {
        let spec = spec();
        let mut obs = applied(&spec);
        obs.version_roles = vec![
            crate::resources::version::VersionInfo {
                number: "4".into(),
                role: Some(obs.role_arn()),
                ours: false,
            },
            crate::resources::version::VersionInfo {
                number: "2".into(),
                role: Some(SLR.into()),
                ours: false,
            },
        ];
        let plan = plan_destroy(&spec, &obs).unwrap();
        assert!(plan
            .changes
            .iter()
            .all(|c| c.action != Action::Delete || !c.address.starts_with("role[")));
        assert!(
            plan.notes
                .iter()
                .any(|n| n.contains("version 4") && n.contains("kept")),
            "{:?}",
            plan.notes
        );
    }

    #[test]
    fn fresh_apply_creates_everything_and_orders_the_bot_and_alias_last() {
        let plan = plan_apply(&spec(), &fresh()).unwrap();
        assert_eq!(find(&plan, "role[LexLogs-OrderBot]").action, Action::Create);
        assert_eq!(
            find(&plan, "log_group[/aws/lex/OrderBot]").action,
            Action::Create
        );
        assert_eq!(
            find(&plan, "policy[LexLogs-OrderBot-CloudWatchLogs]").action,
            Action::Create
        );
        assert_eq!(
            find(&plan, "policy[LexLogs-OrderBot-LexBotRuntime]").action,
            Action::Create,
            "service-linked role's runtime actions are carried"
        );
        let bot = find(&plan, "bot[OrderBot]");
        assert_eq!(bot.action, Action::Update);
        assert!(bot
            .depends_on
            .contains(&"role[LexLogs-OrderBot]".to_string()));
        assert!(
            bot.depends_on
                .iter()
                .filter(|d| d.starts_with("attachment["))
                .count()
                == 2,
            "{:?}",
            bot.depends_on
        );
        let alias = find(&plan, "alias[OrderBot/live]");
        assert!(alias.depends_on.contains(&"bot[OrderBot]".to_string()));
        assert!(alias
            .depends_on
            .contains(&"log_group[/aws/lex/OrderBot]".to_string()));
        assert_eq!(
            alias.after["conversationLogSettings"]["textLogSettings"][0]["cloudWatchLogGroupArn"],
            "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lex/OrderBot"
        );
        let role = find(&plan, "role[LexLogs-OrderBot]");
        assert_eq!(role.after["tags"][tags::PREVIOUS_ROLE], SLR);
    }

    #[test]
    fn apply_after_apply_changes_nothing() {
        let spec = Spec {
            pass_role: vec!["user/dev".parse().unwrap()],
            ..spec()
        };
        let plan = plan_apply(&spec, &applied(&spec)).unwrap();
        let changed: Vec<_> = plan
            .changes
            .iter()
            .filter(|c| c.action != Action::NoOp)
            .map(|c| &c.address)
            .collect();
        assert!(changed.is_empty(), "{changed:?}");
    }

    #[test]
    fn a_changed_document_is_a_new_version_and_an_unwanted_policy_is_detached_then_deleted() {
        let mut obs = applied(&spec());
        // The CloudWatch policy was edited by hand; an old S3 policy is still attached.
        let cw = obs
            .policies
            .get_mut(&Concern::CloudWatch)
            .unwrap()
            .as_mut()
            .unwrap();
        cw.document = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]});
        let s3_arn = obs.scope.policy("LexLogs-OrderBot-S3AudioLogs");
        obs.policies.insert(
            Concern::S3,
            Some(PolicyState {
                name: "LexLogs-OrderBot-S3AudioLogs".into(),
                arn: s3_arn.clone(),
                document: documents::s3(&obs.scope, "old-bucket", "lex-audio/"),
                default_version: "v2".into(),
                attached_roles: vec!["LexLogs-OrderBot".into()],
                tags: [(
                    tags::MANAGED_BY.to_string(),
                    tags::MANAGED_BY_VALUE.to_string(),
                )]
                .into(),
            }),
        );
        obs.role.as_mut().unwrap().attached.push(s3_arn.clone());
        let plan = plan_apply(&spec(), &obs).unwrap();
        let cw = find(&plan, "policy[LexLogs-OrderBot-CloudWatchLogs]");
        assert_eq!(cw.action, Action::Update);
        assert!(
            matches!(&cw.step, Step::UpdatePolicy { previous_version, .. } if previous_version == "v1")
        );
        let detach = find(&plan, &format!("attachment[LexLogs-OrderBot -> {s3_arn}]"));
        assert_eq!(detach.action, Action::Delete);
        let delete = find(&plan, "policy[LexLogs-OrderBot-S3AudioLogs]");
        assert_eq!(delete.action, Action::Delete);
        assert_eq!(delete.depends_on, vec![detach.address.clone()]);
    }

    #[test]
    fn a_grant_no_longer_asked_for_is_revoked() {
        let with_grant = Spec {
            pass_role: vec!["role/ci".parse().unwrap()],
            ..spec()
        };
        let obs = applied(&with_grant);
        let plan = plan_apply(&spec(), &obs).unwrap();
        let revoke = find(
            &plan,
            "inline_policy[role/ci/LexLogsPassRole-LexLogs-OrderBot]",
        );
        assert_eq!(revoke.action, Action::Delete);
        let role = find(&plan, "role[LexLogs-OrderBot]");
        assert_eq!(
            role.action,
            Action::Update,
            "the recorded principals tag changes"
        );
    }

    #[test]
    fn alias_settings_keep_what_is_not_ours() {
        let ours = OurDestinations {
            log_group_arns: vec!["arn:ours".into()],
            bucket_arns: vec!["arn:aws:s3:::ours".into()],
        };
        let theirs = AudioDestination {
            bucket_arn: "arn:aws:s3:::theirs".into(),
            prefix: "p/".into(),
            kms_key_arn: None,
        };
        let text = TextDestination {
            log_group_arn: "arn:ours".into(),
            prefix: "lex/".into(),
        };
        let current = desired_settings(
            None,
            Some(&text),
            Some(&theirs),
            &OurDestinations::default(),
        );
        // Turning our text logs off keeps someone else's audio logs.
        let after =
            desired_settings(current.as_ref(), None, None, &ours).expect("their audio stays");
        assert!(after.text_log_settings().is_empty());
        assert_eq!(after.audio_log_settings().len(), 1);
        // Nothing left means no settings at all.
        let only_ours = desired_settings(None, Some(&text), None, &ours);
        assert_eq!(
            desired_settings(only_ours.as_ref(), None, None, &ours),
            None
        );
        assert!(same_settings(
            None,
            Some(&ConversationLogSettings::builder().build())
        ));
    }

    #[test]
    fn destroy_undoes_apply_in_a_safe_order() {
        let spec = Spec {
            pass_role: vec!["user/dev".parse().unwrap()],
            ..spec()
        };
        let obs = applied(&spec);
        let plan = plan_destroy(&spec, &obs).unwrap();
        let alias = find(&plan, "alias[OrderBot/live]");
        assert_eq!(alias.after["conversationLogSettings"], Value::Null);
        let bot = find(&plan, "bot[OrderBot]");
        assert_eq!(bot.after["roleArn"], SLR);
        assert!(bot.depends_on.contains(&alias.address));
        let role = find(&plan, "role[LexLogs-OrderBot]");
        assert_eq!(role.action, Action::Delete);
        assert!(
            role.depends_on
                .iter()
                .filter(|d| d.starts_with("attachment["))
                .count()
                == 2
        );
        assert!(role.depends_on.contains(&bot.address));
        assert_eq!(
            find(
                &plan,
                "inline_policy[user/dev/LexLogsPassRole-LexLogs-OrderBot]"
            )
            .action,
            Action::Delete
        );
        assert!(plan
            .notes
            .iter()
            .any(|n| n.contains("/aws/lex/OrderBot is kept")));
        assert!(
            plan.changes
                .iter()
                .all(|c| !c.address.starts_with("log_group[")),
            "log groups are never deleted by destroy"
        );
    }

    #[test]
    fn destroy_of_a_foreign_role_changes_nothing() {
        let mut obs = fresh();
        obs.role = Some(RoleState {
            boundary: None,
            name: "LexLogs-OrderBot".into(),
            arn: obs.role_arn(),
            trust: json!({}),
            tags: Tags::new(),
            attached: vec![],
            inline: BTreeMap::new(),
        });
        let plan = plan_destroy(&spec(), &obs).unwrap();
        assert!(!plan.has_changes());
        assert!(plan.notes[0].contains("left alone"));
    }
}
