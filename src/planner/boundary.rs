//! The permissions-boundary check of a plan: a role with a boundary may write the logs only if
//! the boundary, too, allows each request Lex makes with it (`logs:CreateLogStream` and
//! `logs:PutLogEvents` on the alias's log stream, `s3:PutObject` on its audio object,
//! `kms:GenerateDataKey` on the key). Otherwise apply would say "Apply complete" and no log would
//! ever arrive, so the plan refuses before any change. Pure: judged with [`crate::iam_eval`], the
//! evaluator `verify` uses, on what observation read.

use serde_json::Value;

use super::destinations::{wanted_destinations, AudioDestination, TextDestination};
use super::policies::wanted_documents;
use crate::error::{Error, Result};
use crate::iam_eval::{self, Context, NamedPolicy, Request};
use crate::observe::Observed;
use crate::spec::Spec;

/// One request Lex makes with the role to deliver an alias's logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogRequest {
    pub action: &'static str,
    pub resource: String,
}

/// The alias whose logs a role writes, as the requests are named.
pub(crate) struct AliasOf<'a> {
    pub bot_id: &'a str,
    pub alias_id: &'a str,
    /// A locale of the alias (part of the stream and object names).
    pub locale: &'a str,
}

/// The requests Lex makes to deliver one alias's logs to these destinations. The stream and
/// object names end in the day and the session, which a plan cannot know: they are stood for by
/// `YYYY/MM/DD` and `SESSION/REQUEST.wav`, which any boundary that grants the prefix matches.
pub(crate) fn log_requests(
    alias: &AliasOf,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
) -> Vec<LogRequest> {
    let mut requests = Vec::new();
    let AliasOf {
        bot_id,
        alias_id,
        locale,
    } = alias;
    if let Some(text) = text {
        let group = text.log_group_arn.trim_end_matches(":*");
        let stream = format!(
            "{group}:log-stream:{}{bot_id}/{alias_id}/{locale}/YYYY/MM/DD",
            text.prefix
        );
        for action in ["logs:CreateLogStream", "logs:PutLogEvents"] {
            requests.push(LogRequest {
                action,
                resource: stream.clone(),
            });
        }
    }
    if let Some(audio) = audio {
        requests.push(LogRequest {
            action: "s3:PutObject",
            resource: format!(
                "{}/{}{bot_id}/{alias_id}/{locale}/SESSION/REQUEST.wav",
                audio.bucket_arn, audio.prefix
            ),
        });
        if let Some(key) = &audio.kms_key_arn {
            requests.push(LogRequest {
                action: "kms:GenerateDataKey",
                resource: key.clone(),
            });
        }
    }
    requests
}

/// A role that writes logs, with its boundary.
pub(crate) struct BoundedRole<'a> {
    pub role_arn: &'a str,
    pub boundary_arn: &'a str,
    /// The boundary's document; `None` when it could not be read.
    pub boundary: Option<&'a Value>,
}

/// The requests the boundary refuses, each as "ACTION on RESOURCE (why)". `grants` are the
/// identity policies the role will have (ours), so that only the boundary can refuse.
pub(crate) fn refused(
    role: &BoundedRole,
    grants: &[NamedPolicy],
    requests: &[LogRequest],
) -> Vec<String> {
    let Some(document) = role.boundary else {
        return Vec::new();
    };
    let boundary = NamedPolicy::new(role.boundary_arn, document.clone());
    let context = Context::new();
    let mut refused: Vec<String> = requests
        .iter()
        .filter_map(|r| {
            let request = Request {
                action: r.action,
                resource: &r.resource,
                context: &context,
            };
            let why = iam_eval::identity_allows(grants, Some(&boundary), &request)?;
            Some(format!("{} on {} ({why})", r.action, r.resource))
        })
        .collect();
    refused.sort();
    refused.dedup();
    refused
}

/// The refusal for the roles whose boundary does not allow the log requests: `refusals` are
/// (alias name, role, its refused requests).
pub(crate) fn refusal(refusals: &[(String, BoundedRole, Vec<String>)]) -> Error {
    let mut lines = Vec::new();
    for (alias, role, refused) in refusals {
        lines.push(format!(
            "alias {alias}: role {} has the permissions boundary {}, which does not allow:",
            role.role_arn, role.boundary_arn
        ));
        lines.extend(refused.iter().map(|r| format!("  - {r}")));
    }
    let mut boundaries: Vec<&str> = refusals.iter().map(|(_, r, _)| r.boundary_arn).collect();
    boundaries.sort();
    boundaries.dedup();
    Error::invalid(
        format!(
            "Lex could not deliver these logs: apply would complete, and no log would arrive. Nothing was changed.\n{}",
            lines.join("\n")
        ),
        format!(
            "add those actions on those resources to the boundary policy {} (or ask its owner to), then run plan again (a dedicated role carries the same boundary, so --role-name does not help)",
            boundaries.join(", ")
        ),
    )
}

/// The boundary check of an apply plan: for each alias, the role that will write its logs (in
/// place: the role its version runs on; dedicated: our role, `dedicated_role`), when it has a
/// boundary, must be allowed every log request by it. Refuses otherwise; returns the warnings
/// for boundaries that could not be read.
pub(super) fn check(
    spec: &Spec,
    obs: &Observed,
    dedicated_role: Option<(&str, Option<&str>)>,
) -> Result<Vec<String>> {
    let (text, audio) = wanted_destinations(spec, obs);
    let grants: Vec<NamedPolicy> = wanted_documents(spec, obs)
        .into_iter()
        .map(|(concern, document)| NamedPolicy::new(concern.policy_name(&obs.role_name), document))
        .collect();
    let (mut refusals, mut notes) = (Vec::new(), Vec::new());
    for alias in &obs.aliases {
        let (role_arn, boundary_arn) = match dedicated_role {
            Some(role) => role,
            None => match super::in_place::writer_of(obs, alias)? {
                w if w.service_linked => continue,
                w => (
                    w.arn.as_str(),
                    w.state.as_ref().and_then(|s| s.boundary.as_deref()),
                ),
            },
        };
        let Some(boundary_arn) = boundary_arn else {
            continue;
        };
        let role = BoundedRole {
            role_arn,
            boundary_arn,
            boundary: obs.boundaries.get(boundary_arn).and_then(Option::as_ref),
        };
        let locale = alias
            .described
            .bot_alias_locale_settings()
            .and_then(|l| l.keys().min())
            .map_or("en_US", String::as_str);
        let of = AliasOf {
            bot_id: &obs.bot.id,
            alias_id: &alias.id,
            locale,
        };
        let requests = log_requests(&of, text.as_ref(), audio.as_ref());
        let refused = refused(&role, &grants, &requests);
        if !refused.is_empty() {
            refusals.push((alias.name.clone(), role, refused));
        } else if let Some(note) = unreadable_note(&role) {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    match refusals.is_empty() {
        true => Ok(notes),
        false => Err(refusal(&refusals)),
    }
}

/// The warning for a boundary that could not be read (the plan cannot tell whether Lex may write).
pub(crate) fn unreadable_note(role: &BoundedRole) -> Option<String> {
    role.boundary.is_none().then(|| {
        format!(
            "warning: the permissions boundary {} of role {} could not be read, so the plan cannot tell whether it allows the log actions; run verify after apply",
            role.boundary_arn, role.role_arn
        )
    })
}

#[cfg(test)]
mod tests;
