//! Offline checks of names and references as AWS accepts them, and the default role name.

use crate::arn::Arn;

/// The longest role name IAM accepts.
pub(crate) const ROLE_NAME_MAX: usize = 64;

/// IAM names: letters, digits and `+=,.@_-`. Commas are refused because principal names are
/// recorded in a tag, and tag values cannot hold them.
pub(crate) fn valid_iam_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=.@_-".contains(c))
}

/// CloudWatch Logs group names: 1-512 of `A-Za-z0-9._-/#`.
pub(crate) fn valid_log_group_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c))
}

/// S3 bucket names: 3-63 of lowercase letters, digits, dots and hyphens, starting and ending with
/// a letter or digit.
pub(crate) fn valid_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && !name.contains("..")
}

/// KMS key references: a key id, a key ARN, `alias/NAME` or an alias ARN.
pub(crate) fn valid_kms_key_ref(key: &str) -> bool {
    if key.starts_with("arn:") {
        return key
            .parse::<Arn>()
            .map(|a| {
                a.service == "kms"
                    && (a.resource.starts_with("key/") || a.resource.starts_with("alias/"))
            })
            .unwrap_or(false);
    }
    if let Some(alias) = key.strip_prefix("alias/") {
        return !alias.is_empty()
            && alias.len() <= 250
            && alias
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c));
    }
    !key.is_empty() && key.len() <= 64 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Log stream and object key prefixes: 1-1024 characters, no `*` or `:`, not starting with `/`.
pub(crate) fn valid_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.len() <= 1024
        && !prefix.contains(['*', ':'])
        && !prefix.starts_with('/')
}

/// A prefix ends with `/`, so that it is a folder: `BUCKET/PREFIX*` then grants only under it.
pub(crate) fn prefix_ends_a_folder(prefix: &str) -> bool {
    prefix.ends_with('/')
}

/// The default role name for a bot: `LexLogs-<bot name>`, shortened with a stable hash when it
/// would pass IAM's 64-character limit.
pub fn default_role_name(bot_name: &str) -> String {
    let full = format!("LexLogs-{bot_name}");
    if full.len() <= ROLE_NAME_MAX {
        return full;
    }
    // FNV-1a: stable across runs and platforms.
    let hash = bot_name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{}-{:08x}", &full[..ROLE_NAME_MAX - 9], hash as u32)
}
