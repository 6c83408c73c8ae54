//! `--grant-pass-role` principals: parsing `user/NAME`, `role/NAME`, `group/NAME` or an IAM ARN,
//! and where a principal given with an account or a path was said to live.

use crate::arn::Arn;
use crate::error::{Error, Result};

use super::valid::valid_iam_name;

/// An IAM identity that may pass the role to Lex.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub name: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    User,
    Role,
    Group,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
            PrincipalKind::Group => "group",
        }
    }

    /// `user`, `role` or `group`.
    fn parse(kind: &str) -> std::result::Result<PrincipalKind, String> {
        match kind {
            "user" => Ok(PrincipalKind::User),
            "role" => Ok(PrincipalKind::Role),
            "group" => Ok(PrincipalKind::Group),
            _ => Err("the kind must be user, role or group".into()),
        }
    }

    /// The longest name IAM allows for this kind.
    fn name_max(self) -> usize {
        match self {
            PrincipalKind::Group => 128,
            PrincipalKind::User | PrincipalKind::Role => 64,
        }
    }
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind.as_str(), self.name)
    }
}

/// Where a `--grant-pass-role` principal was said to live, when it was said: an ARN names one
/// identity (partition, account, path and name), and `user/PATH/NAME` one path in this account.
/// A plain `user/NAME` means "this account, any path" and needs no check. Before anything is
/// planned, the partition and account must be the caller's and the path the principal's real one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrincipalLocation {
    pub principal: Principal,
    /// The principal as given.
    pub given: String,
    /// The principal as given and where: `--grant-pass-role arn:...`, or a config file's line.
    pub named: String,
    /// From an ARN only.
    pub partition: Option<String>,
    /// From an ARN only.
    pub account: Option<String>,
    /// `/`, or `/a/b/` for `user/a/b/NAME`.
    pub path: String,
}

impl Principal {
    /// Parses `user/NAME`, `role/NAME`, `group/NAME`, or an IAM ARN of one of those (then also
    /// where the ARN says it lives). The error says why, without naming the flag.
    pub(crate) fn parse_given(
        text: &str,
    ) -> std::result::Result<(Principal, Option<PrincipalLocation>), String> {
        let arn = if text.starts_with("arn:") {
            Some(parse_iam_arn(text)?)
        } else {
            None
        };
        let resource = arn.as_ref().map_or(text, |arn| arn.resource.as_str());
        let (kind, rest) = resource
            .split_once('/')
            .ok_or_else(|| "no kind/ prefix".to_string())?;
        let kind = PrincipalKind::parse(kind)?;
        // A path (role/path/to/NAME) is checked against the principal's real one before planning;
        // IAM APIs take the bare name.
        let (path, name) = match rest.rsplit_once('/') {
            Some((path, name)) => (Some(path), name),
            None => (None, rest),
        };
        let max = kind.name_max();
        if !valid_iam_name(name, max) {
            return Err(format!(
                "{name:?} is not a valid IAM name (1-{max} of A-Z a-z 0-9 + = . @ _ -)"
            ));
        }
        let path = path.map(iam_path).transpose()?;
        let principal = Principal {
            kind,
            name: name.into(),
        };
        let location = location(&principal, text, arn, path);
        Ok((principal, location))
    }
}

/// An IAM ARN as a principal's: service `iam`, no region, a 12-digit account.
fn parse_iam_arn(text: &str) -> std::result::Result<Arn, String> {
    let arn: Arn = text.parse()?;
    if arn.service != "iam" {
        return Err("not an IAM ARN".into());
    }
    if !arn.region.is_empty() {
        return Err(format!("an IAM ARN has no region (found {:?})", arn.region));
    }
    if arn.account.len() != 12 || !arn.account.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "the account {:?} in the ARN is not 12 digits",
            arn.account
        ));
    }
    Ok(arn)
}

/// The IAM path of `a/b` (between the kind and the name): `/a/b/`.
fn iam_path(inner: &str) -> std::result::Result<String, String> {
    if inner.split('/').any(str::is_empty)
        || !inner.chars().all(|c| ('!'..='~').contains(&c))
        || inner.len() > 510
    {
        return Err(format!("{inner:?} is not a valid IAM path"));
    }
    Ok(format!("/{inner}/"))
}

/// Where `text` said the principal lives: nothing for a plain `kind/NAME`.
fn location(
    principal: &Principal,
    text: &str,
    arn: Option<Arn>,
    path: Option<String>,
) -> Option<PrincipalLocation> {
    let (partition, account, path) = match (arn, path) {
        (None, None) => return None,
        (None, Some(path)) => (None, None, path),
        (Some(arn), path) => (
            Some(arn.partition),
            Some(arn.account),
            path.unwrap_or_else(|| "/".into()),
        ),
    };
    Some(PrincipalLocation {
        principal: principal.clone(),
        given: text.to_string(),
        named: format!("--grant-pass-role {text}"),
        partition,
        account,
        path,
    })
}

impl std::str::FromStr for Principal {
    type Err = Error;

    /// `user/NAME`, `role/NAME`, `group/NAME`, or an IAM ARN of one of those.
    fn from_str(text: &str) -> Result<Self> {
        Principal::parse_given(text)
            .map(|(principal, _)| principal)
            .map_err(|why| grant_error(&format!("--grant-pass-role {text:?}"), &why))
    }
}

/// `named`: the value as given, e.g. `--grant-pass-role "x"`.
pub(super) fn grant_error(named: &str, why: &str) -> Error {
    Error::invalid(
        format!("{named}: {why}"),
        "give user/NAME, role/NAME, group/NAME or an IAM user, role or group ARN",
    )
}
