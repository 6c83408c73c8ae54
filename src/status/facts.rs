//! An observed alias made into the facts the posture findings judge (`crate::posture`): its destinations from its
//! settings, the log group and the audio key as the observation read them (`Reads`), what
//! verify's static check said, and its version's unmasked slots when they were read.

use crate::arn::Scope;
use crate::observe::Reads;
use crate::resources::alias::{Alias, TEST_ALIAS_NAME};
use crate::resources::bot::Bot;

use crate::posture::{AliasFacts, AudioFacts, GroupFacts, TextFacts};

/// What the findings need of `alias` of `bot`: read from `reads`, which holds every log group
/// and key the aliases name once verify's static check has run; `cannot_write` is that check's
/// problems, `unmasked_slots` those of the alias's version (`None`: not read).
pub(crate) fn alias_facts(
    scope: &Scope,
    bot: &Bot,
    alias: &Alias,
    reads: &Reads,
    cannot_write: Vec<String>,
    unmasked_slots: Option<Vec<String>>,
) -> AliasFacts {
    let found = crate::verify::destinations(alias.described.conversation_log_settings());
    let (text_selective, audio_selective) = alias
        .log_settings()
        .map(|s| s.selective())
        .unwrap_or_default();
    let text = found.text.map(|t| TextFacts {
        group_arn: t.group_arn.trim_end_matches(":*").to_string(),
        group: reads
            .log_groups
            .get(&t.group)
            .and_then(Option::as_ref)
            .map(|g| GroupFacts {
                retention_days: g.retention_days,
                kms_key_id: g.kms_key_id.clone(),
            }),
        selective: text_selective,
    });
    let audio = found.audio.map(|a| AudioFacts {
        customer_managed: a
            .kms_key
            .as_ref()
            .and_then(|k| reads.keys.get(k))
            .and_then(|k| k.found.as_ref())
            .map(|k| k.customer_managed),
        kms_key: a.kms_key,
        selective: audio_selective,
    });
    AliasFacts {
        account: scope.account.clone(),
        region: scope.region.clone(),
        bot: bot.name.clone(),
        alias: alias.name.clone(),
        alias_arn: scope.bot_alias(&bot.id, &alias.id),
        test_alias: alias.name == TEST_ALIAS_NAME,
        child_directed: bot.child_directed(),
        text,
        audio,
        cannot_write,
        unmasked_slots,
        replicas_uncovered: Vec::new(),
    }
}
