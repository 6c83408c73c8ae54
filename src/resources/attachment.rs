//! Attachments of managed policies to roles: attaching and detaching (the step and its calls).

use crate::error::{Context, Optional, Result};
use crate::resources::operation::{self, Operation};

/// The changes the engine makes to an attachment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AttachmentStep {
    Attach { role: String, policy_arn: String },
    Detach { role: String, policy_arn: String },
}

impl Operation for AttachmentStep {
    fn describe(&self) -> String {
        match self {
            AttachmentStep::Attach { role, policy_arn } => {
                format!("attach {policy_arn} to role {role}")
            }
            AttachmentStep::Detach { role, policy_arn } => {
                format!("detach {policy_arn} from role {role}")
            }
        }
    }

    fn how_by_hand(&self) -> Option<String> {
        match self {
            AttachmentStep::Attach { role, policy_arn } => Some(format!(
                "aws iam attach-role-policy --role-name {role} --policy-arn {policy_arn}"
            )),
            AttachmentStep::Detach { role, policy_arn } => Some(format!(
                "aws iam detach-role-policy --role-name {role} --policy-arn {policy_arn}"
            )),
        }
    }

    fn inverse(&self) -> Option<Self> {
        Some(match self.clone() {
            AttachmentStep::Attach { role, policy_arn } => {
                AttachmentStep::Detach { role, policy_arn }
            }
            AttachmentStep::Detach { role, policy_arn } => {
                AttachmentStep::Attach { role, policy_arn }
            }
        })
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let iam = &ctx.clients.iam;
        match self {
            AttachmentStep::Attach { role, policy_arn } => attach(iam, role, policy_arn).await?,
            AttachmentStep::Detach { role, policy_arn } => detach(iam, role, policy_arn).await?,
        }
        Ok(self.inverse())
    }
}

async fn attach(iam: &aws_sdk_iam::Client, role: &str, policy_arn: &str) -> Result<()> {
    iam.attach_role_policy()
        .role_name(role)
        .policy_arn(policy_arn)
        .send()
        .await
        .context(
            "iam:AttachRolePolicy",
            format!("attachment[{role} -> {policy_arn}]"),
        )?;
    Ok(())
}

async fn detach(iam: &aws_sdk_iam::Client, role: &str, policy_arn: &str) -> Result<()> {
    iam.detach_role_policy()
        .role_name(role)
        .policy_arn(policy_arn)
        .send()
        .await
        .context(
            "iam:DetachRolePolicy",
            format!("attachment[{role} -> {policy_arn}]"),
        )
        .optional()
        .map(|_| ())
}
