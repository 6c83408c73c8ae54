//! Typed addresses: where a change happens, printed as plans show it (`role[X]`) and ordered as
//! plans group changes.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::spec::Principal;

/// Where a change happens: one resource, typed. `Display` prints the form plans show
/// (`role[LexLogs-OrderBot]`); the derived order is the order plans group changes in (what the bot
/// depends on first), so the variants are listed in that order. Bots and aliases are named by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Address {
    LogGroup(String),
    Role(String),
    /// A managed policy, by name.
    Policy(String),
    /// A managed policy attached to a role.
    Attachment {
        role: String,
        policy_arn: String,
    },
    /// An inline policy of a user, role or group.
    InlinePolicy {
        owner: Principal,
        name: String,
    },
    /// The bot's tag that records the principals granted PassRole.
    BotRecord(String),
    Bot(String),
    /// A version of a bot: its number, or `new` for the one a run publishes.
    Version {
        bot: String,
        version: String,
    },
    /// The alias's tags that record what a take-over replaced; `released` tells apart the record
    /// of a half that goes back to its owner.
    AliasRecord {
        bot: String,
        alias: String,
        released: bool,
    },
    Alias {
        bot: String,
        alias: String,
    },
    /// Our CloudWatch alarm on an alias's text logs (`--alarm`).
    Alarm {
        bot: String,
        alias: String,
    },
    /// A saved Logs Insights query of ours, by its definition's name (`--insights-queries`).
    Query(String),
}

impl Address {
    pub fn attachment(role: &str, policy_arn: &str) -> Self {
        Address::Attachment {
            role: role.into(),
            policy_arn: policy_arn.into(),
        }
    }

    pub fn inline_policy(owner: &Principal, name: &str) -> Self {
        Address::InlinePolicy {
            owner: owner.clone(),
            name: name.into(),
        }
    }

    pub fn version(bot: &str, version: &str) -> Self {
        Address::Version {
            bot: bot.into(),
            version: version.into(),
        }
    }

    pub fn alias(bot: &str, alias: &str) -> Self {
        Address::Alias {
            bot: bot.into(),
            alias: alias.into(),
        }
    }

    pub fn alarm(bot: &str, alias: &str) -> Self {
        Address::Alarm {
            bot: bot.into(),
            alias: alias.into(),
        }
    }

    pub fn alias_record(bot: &str, alias: &str, released: bool) -> Self {
        Address::AliasRecord {
            bot: bot.into(),
            alias: alias.into(),
            released,
        }
    }

    /// False for IAM's resources, which are one per account whatever the region.
    pub fn is_regional(&self) -> bool {
        !matches!(
            self,
            Address::Role(_)
                | Address::Policy(_)
                | Address::Attachment { .. }
                | Address::InlinePolicy { .. }
        )
    }

    /// The kind of resource, which is how plans group changes (in this order).
    pub fn kind(&self) -> ResourceKind {
        match self {
            Address::LogGroup(_) => ResourceKind::LogGroup,
            Address::Role(_) => ResourceKind::Role,
            Address::Policy(_) => ResourceKind::Policy,
            Address::Attachment { .. } => ResourceKind::Attachment,
            Address::InlinePolicy { .. } => ResourceKind::InlinePolicy,
            Address::BotRecord(_) => ResourceKind::BotRecord,
            Address::Bot(_) => ResourceKind::Bot,
            Address::Version { .. } => ResourceKind::Version,
            Address::AliasRecord { .. } => ResourceKind::AliasRecord,
            Address::Alias { .. } => ResourceKind::Alias,
            Address::Alarm { .. } => ResourceKind::Alarm,
            Address::Query(_) => ResourceKind::Query,
        }
    }
}

/// The kinds of resource a plan changes, in the order plans show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    LogGroup,
    Role,
    Policy,
    Attachment,
    InlinePolicy,
    BotRecord,
    Bot,
    Version,
    AliasRecord,
    Alias,
    Alarm,
    Query,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::LogGroup(name) => write!(f, "log_group[{name}]"),
            Address::Role(name) => write!(f, "role[{name}]"),
            Address::Policy(name) => write!(f, "policy[{name}]"),
            Address::Attachment { role, policy_arn } => {
                write!(f, "attachment[{role} -> {policy_arn}]")
            }
            Address::InlinePolicy { owner, name } => write!(f, "inline_policy[{owner}/{name}]"),
            Address::BotRecord(bot) => write!(f, "bot_record[{bot}]"),
            Address::Bot(bot) => write!(f, "bot[{bot}]"),
            Address::Version { bot, version } => write!(f, "version[{bot}/{version}]"),
            Address::AliasRecord {
                bot,
                alias,
                released,
            } => {
                let suffix = if *released { "/released" } else { "" };
                write!(f, "alias_record[{bot}/{alias}{suffix}]")
            }
            Address::Alias { bot, alias } => write!(f, "alias[{bot}/{alias}]"),
            Address::Alarm { bot, alias } => write!(f, "alarm[{bot}/{alias}]"),
            Address::Query(name) => write!(f, "query[{name}]"),
        }
    }
}

/// In JSON an address is the string plans print.
impl Serialize for Address {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The address as data, field by field, for a plan saved to be applied later (`#[serde(with =
/// "AddressFields")]`): read back without parsing the printed form. It mirrors [`Address`]; the
/// compiler refuses a mirror that differs.
#[derive(Serialize, Deserialize)]
#[serde(remote = "Address", rename_all = "snake_case")]
pub(crate) enum AddressFields {
    LogGroup(String),
    Role(String),
    Policy(String),
    Attachment {
        role: String,
        policy_arn: String,
    },
    InlinePolicy {
        owner: Principal,
        name: String,
    },
    BotRecord(String),
    Bot(String),
    Version {
        bot: String,
        version: String,
    },
    AliasRecord {
        bot: String,
        alias: String,
        released: bool,
    },
    Alias {
        bot: String,
        alias: String,
    },
    Alarm {
        bot: String,
        alias: String,
    },
    Query(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_print_as_plans_show_them_and_serialise_as_that_string() {
        use crate::spec::PrincipalKind;
        let owner = Principal {
            kind: PrincipalKind::User,
            name: "ci".into(),
        };
        let cases = [
            (
                Address::LogGroup("/aws/lex/B".into()),
                "log_group[/aws/lex/B]",
            ),
            (Address::Role("R".into()), "role[R]"),
            (Address::Policy("P".into()), "policy[P]"),
            (
                Address::attachment("R", "arn:aws:iam::1:policy/P"),
                "attachment[R -> arn:aws:iam::1:policy/P]",
            ),
            (
                Address::inline_policy(&owner, "G"),
                "inline_policy[user/ci/G]",
            ),
            (Address::BotRecord("B".into()), "bot_record[B]"),
            (Address::Bot("B".into()), "bot[B]"),
            (Address::version("B", "new"), "version[B/new]"),
            (Address::version("B", "3"), "version[B/3]"),
            (
                Address::alias_record("B", "live", false),
                "alias_record[B/live]",
            ),
            (
                Address::alias_record("B", "live", true),
                "alias_record[B/live/released]",
            ),
            (Address::alias("B", "live"), "alias[B/live]"),
            (Address::alarm("B", "live"), "alarm[B/live]"),
            (
                Address::Query("lex-logs-setup/aws/lex/B/q".into()),
                "query[lex-logs-setup/aws/lex/B/q]",
            ),
        ];
        for (address, text) in &cases {
            assert_eq!(address.to_string(), *text);
            assert_eq!(serde_json::to_value(address).unwrap(), json!(text));
        }
        // The derived order groups by kind, what the bot depends on first.
        let mut shuffled: Vec<Address> = cases.iter().rev().map(|(a, _)| a.clone()).collect();
        shuffled.sort();
        let kinds: Vec<ResourceKind> = shuffled.iter().map(Address::kind).collect();
        let mut sorted_kinds = kinds.clone();
        sorted_kinds.sort();
        assert_eq!(kinds, sorted_kinds);
        assert_eq!(shuffled.first().unwrap().kind(), ResourceKind::LogGroup);
        assert_eq!(shuffled.last().unwrap().kind(), ResourceKind::Query);
        assert!(Address::Role("Z".into()) < Address::Policy("A".into()));
    }
}
