//! The floor of each scenario: the depth of its dependency chain (calls that cannot start before
//! another's answer), declared per scenario since calls cannot show it, times the added latency.
//! No client, however parallel, does the work in fewer round trips. Each depth spells out its
//! chain; a scenario without one (status, fleet: bounded by call counts and rate limits, not by
//! a chain) has no floor.
//!
//! The floor counts data dependencies only. The tool's safety rules add rounds to it, on
//! purpose (README, "Performance"): an inline policy is re-read right before it is written or
//! deleted (no ETag: someone else's document is never overwritten), the alias is re-read only
//! once its grant is written (a deployment landing during the grant's write is not missed), and
//! a grant put on a service-linked role is sized against the role's other inline policies first.

/// The chain of a console world's fresh apply (service-linked role, text logs, PassRole):
/// 1. reads that need nothing: who am I, the bot by name (ListBots), the user and its grant,
///    the log group (its name derives from the bot's);
/// 2. what needs the bot id: the bot (its role), its aliases (their ids and versions);
/// 3. what needs the role's name or an alias id: the role's inline grant, the alias (its
///    settings), the version it runs; the group and the user's grant (needing the role ARN) may
///    be written here, beside these reads;
/// 4. the role's grant (PutRolePolicy, once wave 3 showed it missing), and beside it the alias's
///    read-before-write (UpdateBotAlias replaces the whole alias: re-read what to keep);
/// 5. the alias's write (after the grant: the alias never logs through a role that cannot).
pub const CONSOLE_APPLY: usize = 5;

/// The chain of the full world's fresh apply (customer role, text and audio with a KMS key,
/// PassRole): the console's three read waves (the bucket and the key, named on the command line,
/// read in wave 1; our managed policies' ARNs derive from the role's name, read in wave 3), then
/// 4. the policies created (CreatePolicy, once wave 3 showed them missing; the group and the
///    user's grant beside them, or earlier);
/// 5. the policies attached (AttachRolePolicy needs them to exist), and beside them the alias's
///    read-before-write;
/// 6. the alias's write, after the role can write to the group, the bucket and the key.
pub const FULL_APPLY: usize = 6;

/// A no-op apply or a plan with nothing to do: the three read waves above and nothing written.
pub const NO_OP: usize = 3;

/// The console world's destroy: the three read waves (wave 3's alias read is the one before its
/// write), 4. the alias's logs off and the user's grant removed, 5. the role's inline grant
/// deleted (only once no alias logs through it).
pub const CONSOLE_DESTROY: usize = 5;

/// The full world's destroy: the three read waves, 4. the alias's logs off and the user's grant
/// removed, 5. our policies detached (once no alias logs through them), 6. deleted (IAM deletes
/// no attached policy).
pub const FULL_DESTROY: usize = 6;

/// The depth of `scenario`'s chain, when it has one.
pub fn depth(scenario: &str) -> Option<usize> {
    let full = scenario.starts_with("full:");
    let what = scenario.trim_start_matches("full: ");
    Some(match what {
        // The baselines do the same setup as the tool's fresh apply in the same world.
        w if w.starts_with("apply (fresh")
            || w.starts_with("AWS CLI")
            || w.starts_with("boto3") =>
        {
            if full {
                FULL_APPLY
            } else {
                CONSOLE_APPLY
            }
        }
        w if w.starts_with("apply again") || w.starts_with("plan") => NO_OP,
        "destroy" if full => FULL_DESTROY,
        "destroy" => CONSOLE_DESTROY,
        // More aliases and more bots (in a config file) are more calls in the same waves.
        w if w.starts_with("apply, ") || w.starts_with("config file") => CONSOLE_APPLY,
        _ => return None,
    })
}
