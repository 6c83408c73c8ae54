//! What the operator policy must name for a plan: read from the plan's typed changes and targets
//! (the dedicated role, our managed policies, the log groups whose retention changes, the
//! principals granted PassRole, the bots, aliases and roles the run passes to Lex).

use super::operator::{ArnPattern, OperatorScope};
use crate::plan::{Action, Address, Change, Plan, Resource};
use crate::policy::Statement;

impl OperatorScope {
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
            Address::Alarm { .. } => {
                let values = change.before.iter().chain(change.after.iter());
                self.alarms.extend(values.filter_map(|v| match v {
                    Resource::Alarm(a) => Some(a.alarm_name.clone()),
                    _ => None,
                }));
            }
            Address::LogGroup(name) if created => self.log_groups.push(name.clone()),
            // Its retention changes, or destroy will put back the retention a take-over recorded.
            Address::LogGroup(name)
                if change.action == Action::Update
                    || matches!(&change.before, Some(Resource::LogGroup(g)) if g.recorded_retention.is_some()) =>
            {
                self.retention_log_groups.push(name.clone())
            }
            _ => {}
        }
    }
}

impl ArnPattern {
    /// A CloudWatch alarm's ARN (IAM scopes the alarm actions to it).
    pub(super) fn alarm(&self, name: &str) -> String {
        let (p, r, a) = (&self.partition, &self.region, &self.account);
        format!("arn:{p}:cloudwatch:{r}:{a}:alarm:{name}")
    }
}

/// Our alarms, on their ARNs (`--alarm`), and saved queries, on `*`: IAM has no resource type
/// for a query definition (`--insights-queries`).
pub(super) fn monitoring(alarm_arns: &[String]) -> Vec<Statement> {
    let mut statements = Vec::new();
    if !alarm_arns.is_empty() {
        statements.push(Statement::allow(
            "OurAlarmsOfTheNamedAliases",
            crate::resources::alarm::IAM_ACTIONS,
            alarm_arns.to_vec(),
        ));
    }
    statements.push(Statement::allow(
        "SavedQueriesNoResourceLevel",
        crate::resources::query::IAM_ACTIONS,
        vec!["*".into()],
    ));
    statements
}
