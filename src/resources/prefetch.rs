//! Reads started a round trip early: an alias's read-modify-write must re-read the alias right
//! before it writes (Lex V2 has no ETag), and that re-read used to wait until every change the
//! alias depends on (its grants, its log group) had finished. None of those changes touches the
//! alias, so the engine starts the re-read while they run (see [`crate::engine`]) and the write
//! takes it when it starts: the re-read is then at most one round trip older than the write,
//! instead of costing one more sequential round trip. The early read is used only when the write
//! takes it within the read's own duration of its answer, i.e. when it is as fresh as a read made
//! at that moment would be; otherwise (a dependency took longer: a wait for IAM, a slow call, a
//! deployment meanwhile) it is dropped and the alias read again. Only writes guarded by the plan
//! use it; an undo always reads afresh.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;
use tokio::sync::oneshot;

use crate::error::{Context as _, Result};

/// When the read was sent, when it was answered, and the answer.
type Answer = (Instant, Instant, Result<DescribeBotAliasOutput>);

/// The alias reads started early, by (bot id, alias id); each is taken once.
#[derive(Default)]
pub(crate) struct Prefetched {
    aliases: Mutex<HashMap<(String, String), oneshot::Receiver<Answer>>>,
}

impl Prefetched {
    /// Starts reading alias `alias_id` of bot `bot_id` now (named `address` in errors), unless a
    /// read of it is pending.
    pub(crate) fn alias(
        &self,
        lex: &aws_sdk_lexmodelsv2::Client,
        bot_id: &str,
        alias_id: &str,
        address: String,
    ) {
        let key = (bot_id.to_string(), alias_id.to_string());
        let mut aliases = self.aliases.lock().expect("never poisoned");
        if aliases.contains_key(&key) {
            return;
        }
        let (send, receive) = oneshot::channel();
        let read = lex
            .describe_bot_alias()
            .bot_id(bot_id)
            .bot_alias_id(alias_id);
        tokio::spawn(async move {
            let sent = Instant::now();
            let now = read.send().await.context("lex:DescribeBotAlias", address);
            // The write may have been cancelled meanwhile: then nobody waits for the answer.
            let _ = send.send((sent, Instant::now(), now));
        });
        aliases.insert(key, receive);
    }

    /// The early read of the alias, if one was started (and taken by nobody yet), answered and
    /// fresh; `None` means read it now.
    pub(crate) async fn take_alias(
        &self,
        bot_id: &str,
        alias_id: &str,
    ) -> Option<Result<DescribeBotAliasOutput>> {
        let pending = self
            .aliases
            .lock()
            .expect("never poisoned")
            .remove(&(bot_id.to_string(), alias_id.to_string()))?;
        let (sent, answered, now) = pending.await.ok()?;
        if answered.elapsed() > answered - sent {
            tracing::debug!(
                bot_id,
                alias_id,
                "the early read of the alias is stale; reading again"
            );
            return None;
        }
        // A failed early read is made again, with the write's own retries and error.
        now.ok().map(Ok)
    }
}
