//! Who applies a change, apart from what it changes (Terraform's provider address): the account
//! and region a connection works in and the role assumed to get there. A leaf module, so that
//! `aws` (which builds connections) and `plan` (whose changes carry one) both name it.

use serde::{Deserialize, Serialize};

/// The connection a change runs on: equal providers share one set of clients.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Provider {
    pub account: String,
    pub region: String,
    /// The role assumed to work there (a config file's `assume_role`), or none for the caller's
    /// own credentials.
    #[serde(
        rename = "assumeRole",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub via: Option<String>,
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.account.as_str() {
            "" => write!(f, "{}", self.region)?,
            account => write!(f, "account {account}, {}", self.region)?,
        }
        if let Some(role) = &self.via {
            write!(f, " (as {role})")?;
        }
        Ok(())
    }
}
