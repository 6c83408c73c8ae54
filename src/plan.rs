//! A plan is data: a list of changes, each with an address, an action and before/after values,
//! plus the step the engine runs to make it (not serialised). Rendering lives in `render`.

use serde::Serialize;
use serde_json::Value;

use crate::step::Step;

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
    pub address: String,
    pub action: Action,
    /// The resource as it is (null when it does not exist).
    pub before: Value,
    /// The resource as it will be (null when it will not exist).
    pub after: Value,
    /// What the engine runs.
    #[serde(skip)]
    pub step: Step,
    /// Addresses of changes that must finish first.
    #[serde(skip)]
    pub depends_on: Vec<String>,
}

impl Change {
    pub fn new(
        address: impl Into<String>,
        action: Action,
        before: Value,
        after: Value,
        step: Step,
    ) -> Self {
        Change {
            address: address.into(),
            action,
            before,
            after,
            step,
            depends_on: Vec::new(),
        }
    }

    pub fn no_op(address: impl Into<String>, value: Value) -> Self {
        Change::new(address, Action::NoOp, value.clone(), value, Step::Nothing)
    }

    pub fn after(mut self, addresses: impl IntoIterator<Item = String>) -> Self {
        self.depends_on.extend(addresses);
        self
    }
}

/// Which command a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Apply,
    Destroy,
}

/// Everything one run would change, in dependency order.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub command: Kind,
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
    pub role: String,
    pub region: String,
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
