//! Where a resource is, absolutely (Terraform's `AbsResourceInstance`): its account, its region
//! when the service is regional (IAM is one per account), and its typed address. Every change
//! and every dependency of a plan is one of these from the moment the planner makes it, so plans
//! of several targets merge, and the engine orders them, by comparing values, never by resolving.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::address::AddressFields;
use super::Address;
pub use crate::provider::Provider;

/// One resource in one place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AbsAddress {
    pub account: String,
    /// `None` for IAM's resources, which are the same in every region of the account.
    pub region: Option<String>,
    #[serde(with = "AddressFields")]
    pub address: Address,
}

impl Provider {
    /// `address` as the resource this connection changes: in its account, and in its region
    /// unless the resource is IAM's.
    pub fn locate(&self, address: &Address) -> AbsAddress {
        AbsAddress {
            account: self.account.clone(),
            region: address.is_regional().then(|| self.region.clone()),
            address: address.clone(),
        }
    }
}

impl fmt::Display for AbsAddress {
    /// `111111111111/eu-west-1: log_group[/aws/lex/B]`, or `111111111111: role[R]` for IAM's.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.region {
            Some(region) => write!(f, "{}/{region}: {}", self.account, self.address),
            None => write!(f, "{}: {}", self.account, self.address),
        }
    }
}
