//! Where a target lives: the region, and the role in another account to assume (with its external
//! id and session name), as a config file's `region`, `assume_role`, `external_id` and
//! `session_name` give them; validated offline.

use crate::arn::Arn;
use crate::error::{Error, Result};

use super::{Names, TargetConfig};

/// Where a target lives when it is not where the credentials point: another region, and another
/// account through a role assumed with STS. The default is where the credentials point.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub region: Option<String>,
    pub assume_role: Option<AssumeRole>,
}

/// A role in another account that the tool assumes (sts:AssumeRole) to work there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssumeRole {
    pub role_arn: String,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
}

/// The session name of an assumed role when none is given (CloudTrail shows it).
pub const DEFAULT_SESSION_NAME: &str = "lex-logs-setup";

impl Location {
    /// True when this is where the credentials point.
    pub fn is_default(&self) -> bool {
        self.region.is_none() && self.assume_role.is_none()
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.assume_role, &self.region) {
            (None, None) => f.write_str("the credentials' account and region"),
            (None, Some(region)) => write!(f, "region {region}"),
            (Some(role), None) => write!(f, "role {}", role.role_arn),
            (Some(role), Some(region)) => write!(f, "role {} in region {region}", role.role_arn),
        }
    }
}

/// The target's location from its config, each value checked against what AWS accepts.
pub(crate) fn location(args: &TargetConfig, names: &Names) -> Result<Location> {
    if let Some(region) = &args.region {
        check_region(region, names)?;
    }
    let assume_role = match &args.assume_role {
        Some(arn) => Some(AssumeRole {
            role_arn: check_role_arn(arn, names)?,
            external_id: check_external_id(args.external_id.as_deref(), names)?,
            session_name: check_session_name(args.session_name.as_deref(), names)?,
        }),
        None => {
            for (key, given) in [
                ("external_id", &args.external_id),
                ("session_name", &args.session_name),
            ] {
                if given.is_some() {
                    return Err(Error::invalid(
                        format!("{}{key} is given without assume_role", names.at(key)),
                        "give assume_role = \"arn:aws:iam::ACCOUNT:role/NAME\", or leave it out",
                    ));
                }
            }
            None
        }
    };
    Ok(Location {
        region: args.region.clone(),
        assume_role,
    })
}

/// A region name such as `eu-west-1` or `us-gov-west-1`.
fn check_region(region: &str, names: &Names) -> Result<()> {
    let parts: Vec<&str> = region.split('-').collect();
    let letters = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase());
    let ok = parts.len() >= 3
        && parts[..parts.len() - 1].iter().all(|p| letters(p))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if ok {
        return Ok(());
    }
    Err(Error::invalid(
        format!("{}{region:?} is not a region name", names.at("region")),
        "give a region such as eu-west-1",
    ))
}

/// The ARN of an IAM role: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
fn check_role_arn(arn: &str, names: &Names) -> Result<String> {
    let parsed: Option<Arn> = arn.parse().ok();
    let ok = parsed.is_some_and(|a| {
        a.service == "iam"
            && a.region.is_empty()
            && a.account.len() == 12
            && a.account.chars().all(|c| c.is_ascii_digit())
            && a.resource.starts_with("role/")
            && a.resource.len() > "role/".len()
    });
    if ok {
        return Ok(arn.to_string());
    }
    Err(Error::invalid(
        format!(
            "{}{arn:?} is not the ARN of an IAM role",
            names.at("assume_role")
        ),
        "give assume_role = \"arn:aws:iam::ACCOUNT:role/NAME\"",
    ))
}

/// STS's rules: an external id of 2 to 1224 characters of `[\w+=,.@:/-]`.
fn check_external_id(id: Option<&str>, names: &Names) -> Result<Option<String>> {
    check_sts_text(id, "external_id", 1224, ":/", names)
}

/// STS's rules: a session name of 2 to 64 characters of `[\w+=,.@-]`.
fn check_session_name(name: Option<&str>, names: &Names) -> Result<Option<String>> {
    check_sts_text(name, "session_name", 64, "", names)
}

fn check_sts_text(
    text: Option<&str>,
    key: &str,
    max: usize,
    extra: &str,
    names: &Names,
) -> Result<Option<String>> {
    let Some(text) = text else { return Ok(None) };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) || extra.contains(c);
    if (2..=max).contains(&text.chars().count()) && text.chars().all(allowed) {
        return Ok(Some(text.to_string()));
    }
    Err(Error::invalid(
        format!("{}{text:?} is not a valid {key}", names.at(key)),
        format!("give 2 to {max} characters of letters, digits and _+=,.@-{extra}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(
        region: Option<&str>,
        role: Option<&str>,
        id: Option<&str>,
        session: Option<&str>,
    ) -> TargetConfig {
        TargetConfig {
            bot: "B".into(),
            region: region.map(String::from),
            assume_role: role.map(String::from),
            external_id: id.map(String::from),
            session_name: session.map(String::from),
            ..TargetConfig::default()
        }
    }

    #[test]
    fn a_region_and_a_role_to_assume_make_a_location() {
        let names = Names::default();
        let here = location(&target(None, None, None, None), &names).unwrap();
        assert!(here.is_default());
        let there = location(
            &target(
                Some("us-gov-west-1"),
                Some("arn:aws-us-gov:iam::444455556666:role/ops/LexLogsDeployer"),
                Some("pipeline:42/a"),
                Some("ci-run.7"),
            ),
            &names,
        )
        .unwrap();
        assert_eq!(there.region.as_deref(), Some("us-gov-west-1"));
        let role = there.assume_role.as_ref().unwrap();
        assert_eq!(
            role.role_arn,
            "arn:aws-us-gov:iam::444455556666:role/ops/LexLogsDeployer"
        );
        assert_eq!(role.external_id.as_deref(), Some("pipeline:42/a"));
        assert_eq!(role.session_name.as_deref(), Some("ci-run.7"));
        assert_eq!(
            there.to_string(),
            "role arn:aws-us-gov:iam::444455556666:role/ops/LexLogsDeployer in region us-gov-west-1"
        );
    }

    #[test]
    fn bad_values_are_refused_before_any_call() {
        let names = Names::default();
        let refused = |t: TargetConfig, needle: &str| {
            let err = location(&t, &names).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        };
        for region in ["EU-WEST-1", "eu-west", "euwest1", "eu-west-x", ""] {
            refused(
                target(Some(region), None, None, None),
                "is not a region name",
            );
        }
        for arn in [
            "arn:aws:iam::444455556666:user/ci",
            "arn:aws:iam::4444:role/x",
            "arn:aws:sts::444455556666:role/x",
            "role/x",
            "arn:aws:iam::444455556666:role/",
        ] {
            refused(
                target(None, Some(arn), None, None),
                "is not the ARN of an IAM role",
            );
        }
        let role = Some("arn:aws:iam::444455556666:role/x");
        refused(
            target(None, role, Some("a"), None),
            "is not a valid external_id",
        );
        refused(
            target(None, role, Some("has space"), None),
            "is not a valid external_id",
        );
        refused(
            target(None, role, None, Some("a:b")),
            "is not a valid session_name",
        );
        refused(
            target(None, role, None, Some(&"s".repeat(65))),
            "is not a valid session_name",
        );
        refused(
            target(None, None, Some("abc"), None),
            "external_id is given without assume_role",
        );
        refused(
            target(None, None, None, Some("abc")),
            "session_name is given without assume_role",
        );
    }
}
