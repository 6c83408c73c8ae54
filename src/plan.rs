//! A plan is data: a list of changes, each with an address, an action and before/after values,
//! plus the step the engine runs to make it (not serialised; a no-op has none). Rendering lives in `render`.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::spec::Principal;
pub use crate::step::Step;

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

    pub fn alias_record(bot: &str, alias: &str, released: bool) -> Self {
        Address::AliasRecord {
            bot: bot.into(),
            alias: alias.into(),
            released,
        }
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
        }
    }
}

/// In JSON an address is the string plans print.
impl Serialize for Address {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What a change does; its glyph is how plans draw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    Update,
    Delete,
    NoOp,
}

impl Action {
    pub fn glyph(self) -> char {
        match self {
            Action::Create => '+',
            Action::Update => '~',
            Action::Delete => '-',
            Action::NoOp => ' ',
        }
    }
}

/// One change to one resource.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Where the change happens, e.g. `role[LexLogs-OrderBot]`.
    pub address: Address,
    pub action: Action,
    /// The resource as it is (null when it does not exist).
    pub before: Value,
    /// The resource as it will be (null when it will not exist).
    pub after: Value,
    /// What the engine runs; `None` for a no-op.
    #[serde(skip)]
    pub step: Option<Step>,
    /// Addresses of changes that must finish first.
    #[serde(skip)]
    pub depends_on: Vec<Address>,
    /// The policy document the resource holds once the change is made (a role: its trust
    /// policy), for the policy command; none for what the change deletes.
    #[serde(skip)]
    pub document: Option<Value>,
}

impl Change {
    pub fn new(address: Address, action: Action, before: Value, after: Value, step: Step) -> Self {
        Change {
            address,
            action,
            before,
            after,
            step: Some(step),
            depends_on: Vec::new(),
            document: None,
        }
    }

    /// Records the policy document the resource holds once the change is made.
    pub fn with_document(mut self, document: &Value) -> Self {
        self.document = Some(document.clone());
        self
    }

    pub fn no_op(address: Address, value: Value) -> Self {
        Change {
            address,
            action: Action::NoOp,
            before: value.clone(),
            after: value,
            step: None,
            depends_on: Vec::new(),
            document: None,
        }
    }

    /// This change waits for the changes at `addresses` to finish.
    pub fn needs(mut self, addresses: impl IntoIterator<Item = Address>) -> Self {
        self.depends_on.extend(addresses);
        self
    }
}

/// Which command a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Apply,
    Destroy,
}

/// Everything one run would change, in dependency order. Prints and serialises through `render`.
#[derive(Debug, Clone)]
pub struct Plan {
    pub command: Mode,
    pub targets: Vec<Target>,
    pub changes: Vec<Change>,
    /// Things the reviewer should know that are not changes (kept resources, carried permissions).
    pub notes: Vec<String>,
}

/// The bot a plan is about.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub bot: String,
    #[serde(rename = "botId")]
    pub bot_id: String,
    pub aliases: Vec<String>,
    /// The dedicated role (dedicated-role mode), or the setup's name (in place: our policies'
    /// prefix).
    pub role: String,
    pub region: String,
    pub account: String,
    pub partition: String,
    /// In place: the roles that write the aliases' logs (the roles of their versions).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub writers: Vec<String>,
    /// Dedicated mode: the role the bot ran on before ours (destroy passes it back to the bot).
    #[serde(skip)]
    pub previous_role: Option<String>,
}

/// How many changes of each action a plan (or outcome) has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    #[serde(rename = "no-op")]
    pub no_op: usize,
}

impl Summary {
    pub fn of<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Summary {
        let mut summary = Summary::default();
        for change in changes {
            match change.action {
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::Delete => summary.delete += 1,
                Action::NoOp => summary.no_op += 1,
            }
        }
        summary
    }

    pub fn changes(&self) -> usize {
        self.create + self.update + self.delete
    }
}

impl Plan {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.changes)
    }

    pub fn has_changes(&self) -> bool {
        self.summary().changes() > 0
    }
}

impl Plan {
    /// One plan for several targets: one confirmation, one run, one rollback. A change two targets
    /// share (a log group both log to) appears once; two targets wanting different things of the
    /// same resource, or the same bot twice, is an error.
    pub fn merge(plans: Vec<Plan>) -> Result<Plan, String> {
        let mut iter = plans.into_iter();
        let mut merged = iter.next().ok_or("no target to plan")?;
        let mut seen: std::collections::HashMap<Address, usize> = merged
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.address.clone(), i))
            .collect();
        for plan in iter {
            for target in plan.targets {
                if merged.targets.iter().any(|t| t.bot_id == target.bot_id) {
                    return Err(format!(
                        "bot {} ({}) is a target twice",
                        target.bot, target.bot_id
                    ));
                }
                merged.targets.push(target);
            }
            for note in plan.notes {
                if !merged.notes.contains(&note) {
                    merged.notes.push(note);
                }
            }
            for change in plan.changes {
                match seen.get(&change.address) {
                    Some(&i)
                        if merged.changes[i].action == change.action
                            && merged.changes[i].after == change.after =>
                    {
                        let deps = &mut merged.changes[i].depends_on;
                        for d in change.depends_on {
                            if !deps.contains(&d) {
                                deps.push(d);
                            }
                        }
                    }
                    Some(_) => {
                        return Err(format!(
                            "two targets want different things of {}",
                            change.address
                        ))
                    }
                    None => {
                        seen.insert(change.address.clone(), merged.changes.len());
                        merged.changes.push(change);
                    }
                }
            }
        }
        Ok(merged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::log_group::LogGroupStep;
    use serde_json::json;

    fn create_group() -> Step {
        Step::LogGroup(LogGroupStep::Create {
            name: "/g".into(),
            retention_days: None,
        })
    }

    fn plan(bot: &str, changes: Vec<Change>) -> Plan {
        Plan {
            command: Mode::Apply,
            targets: vec![Target {
                bot: bot.into(),
                bot_id: format!("{bot}-id"),
                aliases: vec![],
                role: String::new(),
                region: String::new(),
                account: String::new(),
                partition: String::new(),
                writers: vec![],
                previous_role: None,
            }],
            changes,
            notes: vec![],
        }
    }

    #[test]
    fn merge_keeps_one_copy_of_a_shared_change_and_refuses_conflicts() {
        let shared = || {
            Change::new(
                Address::LogGroup("/g".into()),
                Action::Create,
                Value::Null,
                json!({"name": "/g"}),
                create_group(),
            )
        };
        let a = plan(
            "A",
            vec![shared(), Change::no_op(Address::Bot("A".into()), json!({}))],
        );
        let b = plan(
            "B",
            vec![
                shared().needs([Address::Bot("B".into())]),
                Change::no_op(Address::Bot("B".into()), json!({})),
            ],
        );
        let merged = Plan::merge(vec![a, b]).unwrap();
        assert_eq!(merged.changes.len(), 3);
        assert_eq!(merged.targets.len(), 2);
        assert_eq!(merged.changes[0].depends_on, [Address::Bot("B".into())]);
        let c = plan(
            "C",
            vec![Change::new(
                Address::LogGroup("/g".into()),
                Action::Create,
                Value::Null,
                json!({"name": "/g", "retentionInDays": 3}),
                create_group(),
            )],
        );
        assert!(Plan::merge(vec![plan("A", vec![shared()]), c])
            .unwrap_err()
            .contains("log_group[/g]"));
        assert!(Plan::merge(vec![plan("A", vec![]), plan("A", vec![])])
            .unwrap_err()
            .contains("twice"));
    }

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
        assert_eq!(shuffled.last().unwrap().kind(), ResourceKind::Alias);
        assert!(Address::Role("Z".into()) < Address::Policy("A".into()));
    }
}
