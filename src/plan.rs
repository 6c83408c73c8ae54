//! A plan is data: a list of changes, each with an address, an action and before/after values,
//! plus the step the engine runs to make it (not serialised; a no-op has none). Rendering lives in `render`.

use serde::Serialize;
use serde_json::Value;

pub use crate::step::Step;

mod address;
pub use address::Address;

/// One resource in one place: (account, region or "" for IAM), address.
pub(crate) type ResourceKey = ((String, String), Address);

/// The account and region a change is made in (IAM is one per account; the rest per region). A
/// plan for targets in several places runs each change with that place's clients.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Place {
    pub account: String,
    pub region: String,
    /// The role assumed to work there (a config file's `assume_role`), or none for the caller's
    /// own credentials: which identity makes the change, not which resource it is.
    #[serde(skip)]
    pub via: Option<String>,
}

impl Place {
    /// Where `address` is one resource: the account, and the region unless IAM's.
    fn scope_of(&self, address: &Address) -> (String, String) {
        let region = if address.is_regional() {
            self.region.clone()
        } else {
            String::new()
        };
        (self.account.clone(), region)
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
    /// Where the change is made (set for every change of a target once it is planned).
    #[serde(skip)]
    pub place: Place,
    /// Changes in other places that must finish first (a change two targets share keeps the
    /// other target's dependencies here, with their places).
    #[serde(skip)]
    pub depends_elsewhere: Vec<ResourceKey>,
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
            place: Place::default(),
            depends_elsewhere: Vec::new(),
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
            place: Place::default(),
            depends_elsewhere: Vec::new(),
        }
    }

    /// Which resource the change is to: its address where it is made (IAM's per account).
    pub(crate) fn resource_key(&self) -> ResourceKey {
        (self.place.scope_of(&self.address), self.address.clone())
    }

    /// The key of a resource this change depends on (in the same place).
    pub(crate) fn key_of(&self, address: &Address) -> ResourceKey {
        (self.place.scope_of(address), address.clone())
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
    /// The aliases' ids, in the order of `aliases` (their ARNs are the operator policy's).
    #[serde(skip)]
    pub alias_ids: Vec<String>,
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
    /// The role assumed to reach the target's account (a config file's `assume_role`).
    #[serde(rename = "assumeRole", skip_serializing_if = "Option::is_none")]
    pub assume_role: Option<String>,
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

    /// The distinct places (account, region) the plan's changes are made in.
    pub fn places(&self) -> Vec<&Place> {
        let mut places: Vec<&Place> = self.changes.iter().map(|c| &c.place).collect();
        places.sort();
        places.dedup();
        places
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
        let mut seen: std::collections::HashMap<ResourceKey, usize> = merged
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.resource_key(), i))
            .collect();
        for plan in iter {
            for target in plan.targets {
                let same = |t: &Target| {
                    (&t.account, &t.region, &t.bot_id)
                        == (&target.account, &target.region, &target.bot_id)
                };
                if merged.targets.iter().any(same) {
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
                match seen.get(&change.resource_key()) {
                    Some(&i)
                        if merged.changes[i].action == change.action
                            && merged.changes[i].after == change.after =>
                    {
                        let elsewhere: Vec<ResourceKey> = change
                            .depends_on
                            .iter()
                            .map(|d| change.key_of(d))
                            .chain(change.depends_elsewhere.iter().cloned())
                            .collect();
                        let kept = &mut merged.changes[i];
                        for key in elsewhere {
                            if key.0 == kept.place.scope_of(&key.1) {
                                if !kept.depends_on.contains(&key.1) {
                                    kept.depends_on.push(key.1);
                                }
                            } else if !kept.depends_elsewhere.contains(&key) {
                                kept.depends_elsewhere.push(key);
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
                        seen.insert(change.resource_key(), merged.changes.len());
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
                alias_ids: vec![],
                role: String::new(),
                region: String::new(),
                account: String::new(),
                partition: String::new(),
                writers: vec![],
                previous_role: None,
                assume_role: None,
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
    fn merge_keeps_places_apart_and_iam_one_per_account() {
        let at = |account: &str, region: &str, address: Address, after: Value| Change {
            place: Place {
                account: account.into(),
                region: region.into(),
                via: None,
            },
            ..Change::no_op(address, after)
        };
        let target = |account: &str, region: &str| {
            let mut p = plan("B", vec![]);
            p.targets[0].account = account.into();
            p.targets[0].region = region.into();
            p
        };
        let group = || Address::LogGroup("/aws/lex/B".into());
        let role = || Address::Role("LexLogs-B".into());
        // The same bot name and group in two accounts: two targets, two resources.
        let mut a = target("111111111111", "eu-west-1");
        a.changes = vec![at("111111111111", "eu-west-1", group(), json!({"a": 1}))];
        let mut b = target("222222222222", "eu-west-1");
        b.changes = vec![at("222222222222", "eu-west-1", group(), json!({"b": 2}))];
        let merged = Plan::merge(vec![a, b]).unwrap();
        assert_eq!(merged.targets.len(), 2);
        assert_eq!(merged.changes.len(), 2);
        assert_eq!(merged.places().len(), 2);
        // One account, two regions: a regional resource twice, IAM's once (or a conflict).
        let mut c = target("111111111111", "eu-west-1");
        c.changes = vec![
            at("111111111111", "eu-west-1", group(), json!({})),
            at("111111111111", "eu-west-1", role(), json!({"trust": 1})),
        ];
        let mut d = target("111111111111", "us-east-1");
        d.changes = vec![
            at("111111111111", "us-east-1", group(), json!({})),
            at("111111111111", "us-east-1", role(), json!({"trust": 1})),
        ];
        let merged = Plan::merge(vec![c.clone(), d.clone()]).unwrap();
        assert_eq!(
            merged.changes.len(),
            3,
            "the role once, the group per region"
        );
        d.changes[1].after = json!({"trust": 2});
        let err = Plan::merge(vec![c, d]).unwrap_err();
        assert!(err.contains("role[LexLogs-B]"), "{err}");
        // The same bot twice in one place is refused.
        let twice = Plan::merge(vec![target("1", "r"), target("1", "r")]).unwrap_err();
        assert!(twice.contains("twice"), "{twice}");
    }

    #[test]
    fn a_shared_change_keeps_the_other_targets_dependencies_in_their_place() {
        let at = |region: &str, change: Change| Change {
            place: Place {
                account: "111111111111".into(),
                region: region.into(),
                via: None,
            },
            ..change
        };
        let grant = || {
            Change::new(
                Address::Role("LexLogs-B".into()),
                Action::Delete,
                json!({}),
                Value::Null,
                create_group(),
            )
        };
        let alias = Address::alias("B", "live");
        let mut a = plan("B", vec![at("eu-west-1", grant().needs([alias.clone()]))]);
        a.targets[0].region = "eu-west-1".into();
        let mut b = plan("B", vec![at("us-east-1", grant().needs([alias.clone()]))]);
        b.targets[0].region = "us-east-1".into();
        let merged = Plan::merge(vec![a, b]).unwrap();
        assert_eq!(merged.changes.len(), 1, "IAM's role once per account");
        let kept = &merged.changes[0];
        assert_eq!(kept.depends_on, std::slice::from_ref(&alias));
        assert_eq!(
            kept.depends_elsewhere,
            [(("111111111111".to_string(), "us-east-1".to_string()), alias)],
            "the other region's alias is waited for where it is"
        );
    }
}
