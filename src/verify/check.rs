//! The static check of `verify`: what an alias's conversation log settings need (the role its
//! version runs on, Lex's right to assume it, the role's permissions on the exact destinations,
//! the destinations themselves), read once through `crate::observe` and judged by a pure function
//! with [`crate::iam_eval`]. No conversation is needed, and no `iam:SimulatePrincipalPolicy`.
//!
//! This module reads nothing: it turns what `observe` read into facts (`role_facts`,
//! `key_facts`) and says what to read (`wanted`); `destinations` parses the alias's settings,
//! `facts` holds what was read, and `diagnosis` judges it.

mod destinations;
mod diagnosis;
mod facts;

use serde_json::Value;

use crate::iam_eval::NamedPolicy;
use crate::observe::{ObservedKey, Wanted, WriterPolicies};
use crate::resources::alias::Alias;

pub use destinations::{destinations, AudioDest, Destinations, TextDest};
pub use diagnosis::{diagnose, Diagnosis};
pub use facts::{utc_date, AliasFacts, KeyFacts, RoleFacts};

/// The role as the static check judges it, from what `observe` read of it: the trust policy,
/// the attached managed policies then the inline ones, and the boundary (one that cannot be
/// read allows nothing).
pub fn role_facts(found: &WriterPolicies) -> RoleFacts {
    let state = &found.state;
    let mut identity: Vec<NamedPolicy> = found
        .managed
        .iter()
        .filter_map(|(arn, document)| {
            let name = crate::arn::iam_name(arn).unwrap_or(arn);
            let document = document.clone()?;
            Some(NamedPolicy::new(format!("{name} (managed)"), document))
        })
        .collect();
    identity.extend(
        state
            .inline
            .iter()
            .map(|(n, d)| NamedPolicy::new(format!("{n} (inline)"), d.clone())),
    );
    RoleFacts {
        arn: state.arn.clone(),
        trust: NamedPolicy::new(
            format!("the trust policy of {}", state.name),
            state.trust.clone(),
        ),
        identity,
        boundary: found
            .boundary
            .as_ref()
            .map(|(arn, document)| match document {
                Some(document) => {
                    let name = crate::arn::iam_name(arn).unwrap_or(arn);
                    NamedPolicy::new(format!("{name} (managed)"), document.clone())
                }
                None => NamedPolicy::new(arn.clone(), Value::Null),
            }),
    }
}

/// The audio key as the static check judges it, from what `observe` read of it.
pub fn key_facts(key: &ObservedKey) -> KeyFacts {
    match &key.found {
        None => KeyFacts::Missing {
            key: key.given.clone(),
        },
        Some(found) if !found.enabled => KeyFacts::NotEnabled {
            arn: found.arn.clone(),
            state: found.state.clone(),
        },
        Some(found) => KeyFacts::Usable {
            arn: found.arn.clone(),
            policy: found.policy.clone(),
        },
    }
}

/// The log groups, buckets and keys the settings of `aliases` send logs to.
pub fn wanted<'a>(aliases: impl Iterator<Item = &'a Alias>) -> Wanted {
    let mut wanted = Wanted::default();
    for a in aliases {
        let found = destinations(a.described.conversation_log_settings());
        wanted.log_groups.extend(found.text.map(|t| t.group));
        if let Some(audio) = found.audio {
            wanted.buckets.insert(audio.bucket);
            wanted.keys.extend(audio.kms_key);
        }
    }
    wanted
}

#[cfg(test)]
mod tests;
