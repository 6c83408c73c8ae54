//! A plan is data: a list of changes, each with an address, an action and before/after values,
//! plus the step the engine runs to make it (not serialised; a no-op has none). Rendering lives in `render`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::step::Step;

mod address;
pub use address::Address;

mod place;
pub use place::{AbsAddress, Provider};
pub(crate) mod values;
pub use values::{Document, Purpose, Resource};

/// What a change does; its glyph is how plans draw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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

/// One change to one resource, made in one place by one connection. Its serde form is the
/// lossless one a saved plan holds (what plans show is `render`'s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Which resource, e.g. `role[LexLogs-OrderBot]` (where it is: [`Change::abs`]).
    #[serde(with = "address::AddressFields")]
    pub address: Address,
    pub action: Action,
    /// The resource as it is (`None` when it does not exist).
    pub before: Option<Resource>,
    /// The resource as it will be (`None` when it will not exist).
    pub after: Option<Resource>,
    /// What the engine runs; `None` for a no-op.
    pub step: Option<Step>,
    /// The changes that must finish first, wherever they are (a change two targets share waits
    /// for both targets' dependencies).
    pub depends_on: Vec<AbsAddress>,
    /// The policy document the resource holds once the change is made (a role: its trust
    /// policy), for the policy command; none for what the change deletes.
    pub document: Option<Document>,
    /// Who makes the change: the account and region of the connection, and the role assumed
    /// there. Set when the planner makes the change, from the observation it plans on.
    pub provider: Provider,
}

impl Change {
    pub fn new(
        provider: &Provider,
        address: Address,
        action: Action,
        before: Option<Resource>,
        after: Option<Resource>,
        step: Step,
    ) -> Self {
        Change {
            address,
            action,
            before,
            after,
            step: Some(step),
            depends_on: Vec::new(),
            document: None,
            provider: provider.clone(),
        }
    }

    /// Records the policy document the resource holds once the change is made, and its purpose.
    pub fn with_document(mut self, purpose: Purpose, document: &Value) -> Self {
        self.document = Some(Document {
            purpose,
            body: document.clone(),
        });
        self
    }

    pub fn no_op(provider: &Provider, address: Address, value: Resource) -> Self {
        Change {
            address,
            action: Action::NoOp,
            before: Some(value.clone()),
            after: Some(value),
            step: None,
            depends_on: Vec::new(),
            document: None,
            provider: provider.clone(),
        }
    }

    /// The resource as it is, as plans show it (null when it does not exist).
    pub fn before_json(&self) -> Value {
        self.before.as_ref().map_or(Value::Null, Resource::fields)
    }

    /// The resource as it will be, as plans show it (null when it will not exist).
    pub fn after_json(&self) -> Value {
        self.after.as_ref().map_or(Value::Null, Resource::fields)
    }

    /// The resource this change is to, absolutely: its address in the provider's account (and
    /// region, unless IAM's).
    pub fn abs(&self) -> AbsAddress {
        self.provider.locate(&self.address)
    }

    /// This change waits for the changes to `addresses`, made by the same provider.
    pub fn needs(mut self, addresses: impl IntoIterator<Item = Address>) -> Self {
        for address in addresses {
            let dependency = self.provider.locate(&address);
            if !self.depends_on.contains(&dependency) {
                self.depends_on.push(dependency);
            }
        }
        self
    }
}

/// Which command a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Apply,
    Destroy,
}

/// Everything one run would change, in dependency order. Prints through `render`; its serde
/// form is lossless (a saved plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub command: Mode,
    pub targets: Vec<Target>,
    pub changes: Vec<Change>,
    /// Things the reviewer should know that are not changes (kept resources, carried permissions).
    pub notes: Vec<String>,
}

/// The bot a plan is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub bot: String,
    pub bot_id: String,
    pub aliases: Vec<String>,
    /// The aliases' ids, in the order of `aliases` (their ARNs are the operator policy's).
    pub alias_ids: Vec<String>,
    /// The dedicated role (dedicated-role mode), or the setup's name (in place: our policies'
    /// prefix).
    pub role: String,
    pub region: String,
    pub account: String,
    pub partition: String,
    /// In place: the roles that write the aliases' logs (the roles of their versions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writers: Vec<String>,
    /// Dedicated mode: the role the bot ran on before ours (destroy passes it back to the bot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_role: Option<String>,
    /// The role assumed to reach the target's account (a config file's `assume_role`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

    /// The distinct connections (account, region, role assumed) the plan's changes are made by.
    pub fn providers(&self) -> Vec<&Provider> {
        let mut providers: Vec<&Provider> = self.changes.iter().map(|c| &c.provider).collect();
        providers.sort();
        providers.dedup();
        providers
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
        let mut seen: std::collections::HashMap<AbsAddress, usize> = merged
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.abs(), i))
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
                let abs = change.abs();
                match seen.get(&abs) {
                    Some(&i)
                        if merged.changes[i].action == change.action
                            && merged.changes[i].after == change.after =>
                    {
                        let kept = &mut merged.changes[i];
                        for dependency in change.depends_on {
                            if !kept.depends_on.contains(&dependency) {
                                kept.depends_on.push(dependency);
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
                        seen.insert(abs, merged.changes.len());
                        merged.changes.push(change);
                    }
                }
            }
        }
        Ok(merged)
    }
}

#[cfg(test)]
mod tests;
