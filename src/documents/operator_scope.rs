//! What the operator policy must name for a plan: read from the plan's typed changes and targets
//! (the dedicated role, our managed policies, the log groups whose retention or key changes, the
//! principals granted PassRole, the bots, aliases and roles the run passes to Lex), and the
//! regions it changes things in (a replicated bot's), where the log groups and aliases are named.

use super::operator::{ArnPattern, OperatorScope};
use crate::plan::values::LogGroupValue;
use crate::plan::{Action, Address, Change, Plan, Resource};
use crate::policy::Statement;

impl OperatorScope {
    /// The ARNs the plans create (tags written on them are written at their creation).
    pub fn created_arns(&self) -> Vec<String> {
        let arn = ArnPattern::new(self.scope.as_ref());
        let mut out: Vec<String> = self.log_groups.iter().map(|g| arn.log_group(g)).collect();
        out.extend(
            self.created_roles
                .iter()
                .map(|r| arn.iam(&format!("role/{r}"))),
        );
        out.extend(
            self.created_policies
                .iter()
                .map(|p| arn.iam(&format!("policy/{p}"))),
        );
        out
    }

    /// Widens the scope to what `plan` touches.
    pub(crate) fn cover(&mut self, plan: &Plan) {
        for change in &plan.changes {
            self.cover_change(change);
        }
        for target in &plan.targets {
            self.bot_ids.push(target.bot_id.clone());
            self.aliases.extend(
                target
                    .alias_ids
                    .iter()
                    .map(|a| (target.bot_id.clone(), a.clone())),
            );
            self.writer_roles.extend(target.writers.iter().cloned());
            self.previous_roles
                .extend(target.previous_role.iter().cloned());
            self.scope.get_or_insert(crate::arn::Scope {
                partition: target.partition.clone(),
                account: target.account.clone(),
                region: target.region.clone(),
            });
        }
    }

    /// Our alarms of the named aliases (whether or not the plans ask for `--alarm`: destroy
    /// removes one whatever its flags), and any other the plans name.
    pub(super) fn alarm_names(&self) -> Vec<String> {
        let named = self.aliases.iter();
        let named = named.map(|(b, a)| crate::resources::alarm::name(b, a));
        self.alarms.iter().cloned().chain(named).collect()
    }

    /// What one change needs the operator policy to name: the dedicated role (created, changed
    /// or an earlier one removed), our managed policies, the log groups created or whose
    /// retention changes, and the principals granted PassRole.
    fn cover_change(&mut self, change: &Change) {
        if !self.regions.contains(&change.provider.region) {
            self.regions.push(change.provider.region.clone());
        }
        let (created, deleted) = (
            change.action == Action::Create,
            change.action == Action::Delete,
        );
        match &change.address {
            Address::Role(name) if deleted => self.removed_roles.push(name.clone()),
            Address::Role(name) => {
                self.role_names.push(name.clone());
                if created {
                    self.created_roles.push(name.clone());
                }
            }
            Address::Policy(name) => {
                self.policies.push(name.clone());
                if created {
                    self.created_policies.push(name.clone());
                }
                if change.action == Action::Update {
                    self.updated_policies.push(name.clone());
                }
            }
            // A grant is named by our prefix whether it is put or deleted (a deletion carries no
            // document, and so no purpose).
            Address::InlinePolicy { owner, name } if name.starts_with(super::PASS_ROLE_PREFIX) => {
                self.principals.push(owner.clone());
            }
            Address::Query(_) if change.after.is_some() => self.saved_queries = true,
            Address::Alarm { .. } => {
                let values = change.before.iter().chain(change.after.iter());
                self.alarms.extend(values.filter_map(|v| match v {
                    Resource::Alarm(a) => Some(a.alarm_name.clone()),
                    _ => None,
                }));
            }
            Address::LogGroup(name) if created => self.log_groups.push(name.clone()),
            Address::LogGroup(name) => {
                let (retention, key) = log_group_changes(change);
                if retention {
                    self.retention_log_groups.push(name.clone());
                }
                if key {
                    self.key_log_groups.push(name.clone());
                }
            }
            _ => {}
        }
    }
}

/// Whether an existing group's change sets its retention (or our record on it: destroy puts back
/// the retention a take-over recorded), and whether it sets its KMS key.
fn log_group_changes(change: &Change) -> (bool, bool) {
    let value = |v: &Option<Resource>| match v {
        Some(Resource::LogGroup(g)) => Some(g.clone()),
        _ => None,
    };
    let (before, after) = (value(&change.before), value(&change.after));
    let recorded = before
        .as_ref()
        .is_some_and(|g| g.recorded_retention.is_some());
    if change.action != Action::Update {
        return (recorded, false);
    }
    let key_of = |g: &Option<LogGroupValue>| g.as_ref().and_then(|g| g.kms_key_id.clone());
    let key = key_of(&before) != key_of(&after);
    let without_key = |g: Option<LogGroupValue>| {
        g.map(|g| LogGroupValue {
            kms_key_id: None,
            ..g
        })
    };
    (
        recorded || !key || without_key(before) != without_key(after),
        key,
    )
}

/// The pattern in its own region and in each of `regions` (a bot's replica regions).
pub(super) fn places(arn: &ArnPattern, regions: &[String]) -> Vec<ArnPattern> {
    let mut places = vec![arn.in_region(&arn.region())];
    places.extend(regions.iter().map(|r| arn.in_region(r)));
    places
}

/// `arns` (of `arn`'s region) in every region of `places`, sorted, without duplicates.
pub(super) fn in_every_region(
    arns: &[String],
    arn: &ArnPattern,
    places: &[ArnPattern],
) -> Vec<String> {
    let here = format!(":{}:", arn.region());
    let mut out = Vec::new();
    for at in places {
        let there = format!(":{}:", at.region());
        out.extend(arns.iter().map(|a| a.replacen(&here, &there, 1)));
    }
    out.sort();
    out.dedup();
    out
}

impl ArnPattern {
    /// A CloudWatch alarm's ARN (IAM scopes the alarm actions to it).
    pub(super) fn alarm(&self, name: &str) -> String {
        let (p, r, a) = (&self.partition, &self.region, &self.account);
        format!("arn:{p}:cloudwatch:{r}:{a}:alarm:{name}")
    }
}

/// Our alarms, on their ARNs, and saved queries, on `*` (IAM has no resource type for a query
/// definition). Writing an alarm (its actions may name any SNS topic or EC2 action CloudWatch
/// takes) and saving a query only when the plans do (`--alarm`, `--insights-queries`); deleting
/// our alarm of each named alias and a query proven ours always (destroy removes them whatever its
/// flags).
pub(super) fn monitoring(
    written: &[String],
    removed: &[String],
    saved_queries: bool,
) -> Vec<Statement> {
    let mut statements = Vec::new();
    if !written.is_empty() {
        statements.push(Statement::allow(
            "OurAlarmsOfTheNamedAliases",
            crate::resources::alarm::IAM_ACTIONS,
            written.to_vec(),
        ));
    }
    if !removed.is_empty() {
        statements.push(Statement::allow(
            "RemoveOurAlarmsOfTheNamedAliases",
            &["cloudwatch:DeleteAlarms"],
            removed.to_vec(),
        ));
    }
    let queries: &[&str] = match saved_queries {
        true => crate::resources::query::IAM_ACTIONS,
        false => &["logs:DeleteQueryDefinition"],
    };
    statements.push(Statement::allow(
        "SavedQueriesNoResourceLevel",
        queries,
        vec!["*".into()],
    ));
    statements
}
