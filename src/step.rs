//! The mutations the engine can run. Running a step returns its inverse, the step that undoes
//! it; the engine's journal is the list of those inverses.

use aws_sdk_lexmodelsv2::operation::describe_bot::DescribeBotOutput;
use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;
use aws_sdk_lexmodelsv2::types::ConversationLogSettings;
use serde_json::Value;

use crate::aws::Clients;
use crate::error::Result;
use crate::progress::Progress;
use crate::resources::tags::{self, Tags};
use crate::resources::{alias, bot, inline_policy, log_group, managed_policy, role, version};
use crate::spec::Principal;

/// What a step needs to run.
pub struct Context {
    pub clients: Clients,
    pub progress: Progress,
    /// Tags what this run creates (see [`tags::RUN`]).
    pub run_id: String,
}

/// Who made a resource that a create step finds in place.
enum Made {
    /// This run (the create landed, its response did not): ours to undo.
    ByThisRun,
    /// Another lex-logs-setup run, for the same target, at the same time: keep, never undo.
    ByAnotherRun,
}

/// Runs a create; when it fails (already exists, or an answer that may hide a change that
/// happened), reads the resource back and decides by its tags who made it. `matches` says whether
/// a resource made by another run is the one this run wanted.
async fn create_once<C, P>(
    ctx: &Context,
    create: C,
    probe: P,
    matches: impl Fn(&Tags) -> bool,
) -> Result<Made>
where
    C: std::future::Future<Output = Result<()>>,
    P: std::future::Future<Output = Result<Option<Tags>>>,
{
    let err = match create.await {
        Ok(()) => return Ok(Made::ByThisRun),
        Err(err) => err,
    };
    let already_exists = err.has_code(&[
        "EntityAlreadyExists",
        "EntityAlreadyExistsException",
        "ResourceAlreadyExistsException",
    ]);
    let found = match probe.await {
        Ok(found) => found,
        Err(_) => return Err(err),
    };
    match found {
        Some(found) if found.get(tags::RUN) == Some(&ctx.run_id) => {
            ctx.progress
                .line("the create went through although its answer was lost; carrying on");
            Ok(Made::ByThisRun)
        }
        Some(found) if already_exists && tags::is_ours(&found) && matches(&found) => {
            ctx.progress
                .line("another lex-logs-setup run created it at the same time; using it");
            Ok(Made::ByAnotherRun)
        }
        _ => Err(err),
    }
}

/// The version an alias update leaves the alias on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasVersion {
    /// The one it runs now.
    Keep,
    /// The version this run published (`--publish-version`).
    PublishedByRun,
    /// This version (destroy: the one it ran before apply repointed it).
    Number(String),
}

#[derive(Debug, Clone, Default)]
pub enum Step {
    #[default]
    Nothing,
    CreateLogGroup {
        name: String,
        retention_days: Option<i32>,
    },
    DeleteLogGroup {
        name: String,
    },
    SetRetention {
        name: String,
        days: Option<i32>,
        previous: Option<i32>,
    },
    CreateRole {
        name: String,
        trust: Value,
        tags: Tags,
        /// The permissions boundary (carried from the bot's previous role).
        boundary: Option<String>,
    },
    UpdateRole {
        name: String,
        trust: Option<(Value, Value)>,
        tags: Option<(Tags, Tags)>,
    },
    DeleteRole {
        name: String,
        trust: Value,
        tags: Tags,
        boundary: Option<String>,
    },
    CreatePolicy {
        name: String,
        arn: String,
        document: Value,
        tags: Tags,
    },
    UpdatePolicy {
        name: String,
        arn: String,
        document: Value,
        previous_version: String,
    },
    RestorePolicy {
        name: String,
        arn: String,
        version: String,
        remove: String,
        pruned: Option<Value>,
    },
    DeletePolicy {
        name: String,
        arn: String,
        document: Value,
        tags: Tags,
    },
    Attach {
        role: String,
        policy_arn: String,
    },
    Detach {
        role: String,
        policy_arn: String,
    },
    PutInline {
        owner: Principal,
        name: String,
        document: Value,
        previous: Option<Value>,
    },
    DeleteInline {
        owner: Principal,
        name: String,
        previous: Value,
    },
    UpdateBot {
        described: Box<DescribeBotOutput>,
        role_arn: String,
    },
    UpdateAlias {
        bot_id: String,
        bot_name: String,
        described: Box<DescribeBotAliasOutput>,
        settings: Option<ConversationLogSettings>,
        /// Which version the alias runs afterwards.
        version: AliasVersion,
    },
    /// The alias's tags that record a destination a take-over replaced: `values` set, the other
    /// `keys` removed; `previous` is what those keys held.
    SetLexTags {
        arn: String,
        /// What carries the tags, for messages: "alias Bot/live", "bot Bot".
        what: String,
        keys: Vec<String>,
        values: Tags,
        previous: Tags,
    },
    /// CreateBotVersion from DRAFT (dedicated-role mode, `--publish-version`).
    PublishVersion {
        bot_id: String,
        bot_name: String,
    },
    /// DeleteBotVersion of a version this run published (its undo).
    DeleteVersion {
        bot_id: String,
        bot_name: String,
        version: String,
    },
}

impl Step {
    /// A sentence saying what the step does, for progress lines and for what is left after a
    /// failed rollback.
    pub fn describe(&self) -> String {
        match self {
            Step::Nothing => "nothing".into(),
            Step::CreateLogGroup { name, .. } => format!("create log group {name}"),
            Step::DeleteLogGroup { name } => format!("delete log group {name}"),
            Step::SetRetention { name, days, .. } => match days {
                Some(d) => format!("set retention of log group {name} to {d} days"),
                None => format!("remove the retention of log group {name}"),
            },
            Step::CreateRole { name, .. } => format!("create role {name}"),
            Step::UpdateRole { name, .. } => format!("update trust policy or tags of role {name}"),
            Step::DeleteRole { name, .. } => format!("delete role {name}"),
            Step::CreatePolicy { name, .. } => format!("create policy {name}"),
            Step::UpdatePolicy { name, .. } => {
                format!("make a new default version of policy {name}")
            }
            Step::RestorePolicy { name, version, .. } => {
                format!("make version {version} the default of policy {name} again")
            }
            Step::DeletePolicy { name, .. } => format!("delete policy {name}"),
            Step::Attach { role, policy_arn } => format!("attach {policy_arn} to role {role}"),
            Step::Detach { role, policy_arn } => format!("detach {policy_arn} from role {role}"),
            Step::PutInline { owner, name, .. } => format!("put inline policy {name} on {owner}"),
            Step::DeleteInline { owner, name, .. } => {
                format!("delete inline policy {name} of {owner}")
            }
            Step::UpdateBot {
                described,
                role_arn,
            } => format!(
                "set the role of bot {} to {role_arn}",
                described.bot_name().unwrap_or_default()
            ),
            Step::UpdateAlias {
                bot_name,
                described,
                version,
                ..
            } => {
                format!(
                    "update the conversation logs of alias {bot_name}/{}{}",
                    described.bot_alias_name().unwrap_or_default(),
                    match version {
                        AliasVersion::Keep => String::new(),
                        AliasVersion::PublishedByRun =>
                            " and point it at the version just published".into(),
                        AliasVersion::Number(v) => format!(" and point it at version {v}"),
                    }
                )
            }
            Step::PublishVersion { bot_name, .. } => {
                format!("publish the DRAFT of bot {bot_name} as a new version")
            }
            Step::SetLexTags { what, values, .. } => {
                if values.is_empty() {
                    format!("remove our record from the tags of {what}")
                } else {
                    format!("record on {what} (its tags) what a later destroy needs")
                }
            }
            Step::DeleteVersion {
                bot_name, version, ..
            } => format!("delete version {version} of bot {bot_name}"),
        }
    }

    /// The AWS CLI command that does this step by hand, where one command does it; used to tell
    /// a person how to remove what a failed rollback left behind.
    pub fn how_by_hand(&self) -> Option<String> {
        Some(match self {
            Step::DeleteLogGroup { name } => format!("aws logs delete-log-group --log-group-name {name}"),
            Step::SetRetention { name, days: None, .. } => format!("aws logs delete-retention-policy --log-group-name {name}"),
            Step::SetRetention { name, days: Some(d), .. } => format!("aws logs put-retention-policy --log-group-name {name} --retention-in-days {d}"),
            Step::DeleteRole { name, .. } => format!("aws iam delete-role --role-name {name}"),
            Step::RestorePolicy { arn, version, .. } => format!("aws iam set-default-policy-version --policy-arn {arn} --version-id {version}"),
            Step::DeletePolicy { arn, .. } => format!("aws iam delete-policy --policy-arn {arn}  (delete its non-default versions first)"),
            Step::Detach { role, policy_arn } => format!("aws iam detach-role-policy --role-name {role} --policy-arn {policy_arn}"),
            Step::DeleteInline { owner, name, .. } => format!(
                "aws iam delete-{kind}-policy --{kind}-name {} --policy-name {name}",
                owner.name,
                kind = owner.kind.as_str()
            ),
            Step::UpdateBot { described, role_arn } => format!(
                "set the role of bot {} back to {role_arn} in the Lex console (UpdateBot needs every field of the bot)",
                described.bot_id().unwrap_or_default()
            ),
            Step::UpdateAlias { bot_id, described, .. } => format!(
                "restore the conversation logs of alias {} of bot {bot_id} in the Lex console",
                described.bot_alias_id().unwrap_or_default()
            ),
            Step::DeleteVersion { bot_id, version, .. } => format!(
                "aws lexv2-models delete-bot-version --bot-id {bot_id} --bot-version {version}"
            ),
            _ => return None,
        })
    }

    /// The step that undoes this one, known without its answer: what `run` journals, and what the
    /// engine journals when a step fails in a way that may hide a change that happened (every
    /// undo tolerates "already undone"). `None` where there is nothing to undo, or where the undo
    /// needs the answer (a new policy version's id).
    pub fn inverse(&self) -> Option<Step> {
        Some(match self.clone() {
            Step::Nothing
            | Step::PublishVersion { .. }
            | Step::DeleteVersion { .. }
            | Step::DeleteLogGroup { .. }
            | Step::RestorePolicy { .. }
            | Step::UpdatePolicy { .. } => return None,
            Step::CreateLogGroup { name, .. } => Step::DeleteLogGroup { name },
            Step::SetLexTags {
                arn,
                what,
                keys,
                values,
                previous,
            } => Step::SetLexTags {
                arn,
                what,
                keys,
                values: previous,
                previous: values,
            },
            Step::SetRetention {
                name,
                days,
                previous,
            } => Step::SetRetention {
                name,
                days: previous,
                previous: days,
            },
            Step::CreateRole {
                name,
                trust,
                tags,
                boundary,
            } => Step::DeleteRole {
                name,
                trust,
                tags,
                boundary,
            },
            Step::UpdateRole { name, trust, tags } => Step::UpdateRole {
                name,
                trust: trust.map(|(new, old)| (old, new)),
                tags: tags.map(|(new, old)| (old, new)),
            },
            Step::DeleteRole {
                name,
                trust,
                tags,
                boundary,
            } => Step::CreateRole {
                name,
                trust,
                tags,
                boundary,
            },
            Step::CreatePolicy {
                name,
                arn,
                document,
                tags,
            } => Step::DeletePolicy {
                name,
                arn,
                document,
                tags,
            },
            Step::DeletePolicy {
                name,
                arn,
                document,
                tags,
            } => Step::CreatePolicy {
                name,
                arn,
                document,
                tags,
            },
            Step::Attach { role, policy_arn } => Step::Detach { role, policy_arn },
            Step::Detach { role, policy_arn } => Step::Attach { role, policy_arn },
            Step::PutInline {
                owner,
                name,
                document,
                previous: Some(previous),
            } => Step::PutInline {
                owner,
                name,
                document: previous,
                previous: Some(document),
            },
            Step::PutInline {
                owner,
                name,
                document,
                previous: None,
            } => Step::DeleteInline {
                owner,
                name,
                previous: document,
            },
            Step::DeleteInline {
                owner,
                name,
                previous,
            } => Step::PutInline {
                owner,
                name,
                document: previous,
                previous: None,
            },
            Step::UpdateBot { described, .. } => {
                let role_arn = described.role_arn().unwrap_or_default().to_string();
                Step::UpdateBot {
                    described,
                    role_arn,
                }
            }
            Step::UpdateAlias {
                bot_id,
                bot_name,
                described,
                ..
            } => {
                // As read, but never with an empty list (the model allows exactly one item).
                let settings = described.conversation_log_settings().and_then(|s| {
                    let text = s.text_log_settings().to_vec();
                    let audio = s.audio_log_settings().to_vec();
                    (!text.is_empty() || !audio.is_empty()).then(|| {
                        ConversationLogSettings::builder()
                            .set_text_log_settings((!text.is_empty()).then_some(text))
                            .set_audio_log_settings((!audio.is_empty()).then_some(audio))
                            .build()
                    })
                });
                Step::UpdateAlias {
                    bot_id,
                    bot_name,
                    described,
                    settings,
                    version: AliasVersion::Keep,
                }
            }
        })
    }

    /// Runs the step and returns the step that undoes it: [`Step::inverse`], unless another run
    /// made the resource (then nothing is ours to undo) or the undo needs the answer (a new policy
    /// version's id).
    pub async fn run(&self, ctx: &Context) -> Result<Step> {
        let c = &ctx.clients;
        let made = match self {
            Step::Nothing => Made::ByThisRun,
            Step::CreateLogGroup {
                name,
                retention_days,
            } => {
                let made = create_once(
                    ctx,
                    log_group::create(&c.logs, name, &ctx.run_id),
                    async {
                        Ok(log_group::observe(&c.logs, name, None)
                            .await?
                            .map(|g| g.tags))
                    },
                    |_| true,
                )
                .await?;
                if retention_days.is_some() {
                    if let Err(e) = log_group::set_retention(&c.logs, name, *retention_days).await {
                        // Leave nothing half-made: undo what this step made.
                        if let Made::ByThisRun = made {
                            let _ = log_group::delete(&c.logs, name).await;
                        }
                        return Err(e);
                    }
                }
                made
            }
            Step::DeleteLogGroup { name } => log_group::delete(&c.logs, name)
                .await
                .map(|_| Made::ByThisRun)?,
            Step::SetRetention { name, days, .. } => log_group::set_retention(&c.logs, name, *days)
                .await
                .map(|_| Made::ByThisRun)?,
            Step::CreateRole {
                name,
                trust,
                tags,
                boundary,
            } => {
                create_once(
                    ctx,
                    role::create(
                        &c.iam,
                        name,
                        trust,
                        &tags::with_run(tags, &ctx.run_id),
                        boundary.as_deref(),
                    ),
                    async { Ok(role::observe(&c.iam, name).await?.map(|r| r.tags)) },
                    |found| found.get(tags::BOT_ID) == tags.get(tags::BOT_ID),
                )
                .await?
            }
            Step::UpdateRole { name, trust, tags } => {
                if let Some((new, _)) = trust {
                    role::update_trust(&c.iam, name, new).await?;
                }
                if let Some((new, old)) = tags {
                    let remove: Vec<String> = old
                        .keys()
                        .filter(|k| !new.contains_key(*k))
                        .cloned()
                        .collect();
                    if let Err(e) = role::set_tags(&c.iam, name, new, &remove).await {
                        if let Some((_, old_trust)) = trust {
                            let _ = role::update_trust(&c.iam, name, old_trust).await;
                        }
                        return Err(e);
                    }
                }
                Made::ByThisRun
            }
            Step::DeleteRole { name, .. } => {
                role::delete(&c.iam, name).await.map(|_| Made::ByThisRun)?
            }
            Step::CreatePolicy {
                name,
                arn,
                document,
                tags,
            } => {
                create_once(
                    ctx,
                    async {
                        let tags = tags::with_run(tags, &ctx.run_id);
                        managed_policy::create(&c.iam, name, document, &tags)
                            .await
                            .map(|_| ())
                    },
                    async {
                        Ok(managed_policy::observe(&c.iam, name, arn)
                            .await?
                            .map(|p| p.tags))
                    },
                    |_| true,
                )
                .await?
            }
            Step::UpdatePolicy {
                name,
                arn,
                document,
                previous_version,
            } => {
                let (new_version, pruned) =
                    managed_policy::update(&c.iam, name, arn, document).await?;
                return Ok(Step::RestorePolicy {
                    name: name.clone(),
                    arn: arn.clone(),
                    version: previous_version.clone(),
                    remove: new_version,
                    pruned,
                });
            }
            Step::RestorePolicy {
                name,
                arn,
                version,
                remove,
                pruned,
            } => managed_policy::restore(&c.iam, name, arn, version, remove, pruned.as_ref())
                .await
                .map(|_| Made::ByThisRun)?,
            Step::DeletePolicy { name, arn, .. } => managed_policy::delete(&c.iam, name, arn)
                .await
                .map(|_| Made::ByThisRun)?,
            Step::Attach {
                role: r,
                policy_arn,
            } => role::attach(&c.iam, r, policy_arn)
                .await
                .map(|_| Made::ByThisRun)?,
            Step::Detach {
                role: r,
                policy_arn,
            } => role::detach(&c.iam, r, policy_arn)
                .await
                .map(|_| Made::ByThisRun)?,
            Step::PutInline {
                owner,
                name,
                document,
                ..
            } => inline_policy::put(&c.iam, owner, name, document)
                .await
                .map(|_| Made::ByThisRun)?,
            Step::DeleteInline { owner, name, .. } => inline_policy::delete(&c.iam, owner, name)
                .await
                .map(|_| Made::ByThisRun)?,
            Step::UpdateBot {
                described,
                role_arn,
            } => bot::update_role(&c.lex, &ctx.progress, described, role_arn)
                .await
                .map(|_| Made::ByThisRun)?,
            Step::UpdateAlias {
                bot_id,
                bot_name,
                described,
                settings,
                version: which,
            } => {
                let published = match which {
                    AliasVersion::Keep => None,
                    AliasVersion::Number(v) => Some(v.clone()),
                    AliasVersion::PublishedByRun => {
                        let found =
                            version::published_by_run(&c.lex, bot_id, bot_name, &ctx.run_id)
                                .await?;
                        Some(found.ok_or_else(|| {
                            crate::error::Error::invalid(
                                format!("bot {bot_name} has no version published by this run"),
                                "run apply again with --publish-version",
                            )
                        })?)
                    }
                };
                alias::update_logs(
                    &c.lex,
                    &ctx.progress,
                    bot_id,
                    bot_name,
                    described,
                    settings.as_ref(),
                    published.as_deref(),
                )
                .await
                .map(|_| Made::ByThisRun)?
            }
            Step::SetLexTags {
                arn, keys, values, ..
            } => alias::set_tags(&c.lex, arn, keys, values)
                .await
                .map(|_| Made::ByThisRun)?,
            Step::PublishVersion { bot_id, bot_name } => {
                let number =
                    version::publish(&c.lex, &ctx.progress, bot_id, bot_name, &ctx.run_id).await?;
                ctx.progress
                    .line(format!("published version {number} of bot {bot_name}"));
                return Ok(Step::DeleteVersion {
                    bot_id: bot_id.clone(),
                    bot_name: bot_name.clone(),
                    version: number,
                });
            }
            Step::DeleteVersion {
                bot_id,
                bot_name,
                version: number,
            } => version::delete(&c.lex, bot_id, bot_name, number)
                .await
                .map(|_| Made::ByThisRun)?,
        };
        Ok(match made {
            Made::ByThisRun => self.inverse().unwrap_or_default(),
            Made::ByAnotherRun => Step::Nothing,
        })
    }
}
