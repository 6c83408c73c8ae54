//! ARN parsing and building, partition-aware (`aws`, `aws-cn`, `aws-us-gov`, ...).
//!
//! The partition and account always come from the caller's own identity (STS), never from a
//! guess, so the same code works in every partition.

use std::fmt;
use std::str::FromStr;

/// A parsed ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account: String,
    pub resource: String,
}

impl FromStr for Arn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(service),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return Err(format!(
                "{s:?} is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)"
            ));
        };
        if partition.is_empty() || service.is_empty() || resource.is_empty() {
            return Err(format!(
                "{s:?} is not an ARN: partition, service and resource are required"
            ));
        }
        Ok(Arn {
            partition: partition.into(),
            service: service.into(),
            region: region.into(),
            account: account.into(),
            resource: resource.into(),
        })
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// Where ARNs are built: the caller's partition and account, and the region in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub partition: String,
    pub account: String,
    pub region: String,
}

impl Scope {
    /// Builds the scope from the caller ARN that STS GetCallerIdentity returns.
    pub(crate) fn from_caller(
        caller_arn: &str,
        account: &str,
        region: &str,
    ) -> Result<Self, String> {
        let arn: Arn = caller_arn.parse()?;
        Ok(Scope {
            partition: arn.partition,
            account: account.into(),
            region: region.into(),
        })
    }

    pub(crate) fn role(&self, name: &str) -> String {
        format!("arn:{}:iam::{}:role/{name}", self.partition, self.account)
    }

    pub(crate) fn policy(&self, name: &str) -> String {
        format!("arn:{}:iam::{}:policy/{name}", self.partition, self.account)
    }

    /// The same account and partition in another region (a bot's replica region).
    pub(crate) fn in_region(&self, region: &str) -> Scope {
        Scope {
            region: region.to_string(),
            ..self.clone()
        }
    }

    /// The log group itself, as Lex wants it in `cloudWatchLogGroupArn`.
    pub(crate) fn log_group(&self, name: &str) -> String {
        format!(
            "arn:{}:logs:{}:{}:log-group:{name}",
            self.partition, self.region, self.account
        )
    }

    /// The log group's streams, the resource of `logs:CreateLogStream` and `logs:PutLogEvents`.
    pub(crate) fn log_group_streams(&self, name: &str) -> String {
        format!("{}:*", self.log_group(name))
    }

    pub(crate) fn bucket(&self, bucket: &str) -> String {
        format!("arn:{}:s3:::{bucket}", self.partition)
    }

    pub(crate) fn bot(&self, bot_id: &str) -> String {
        format!(
            "arn:{}:lex:{}:{}:bot/{bot_id}",
            self.partition, self.region, self.account
        )
    }

    pub(crate) fn bot_alias(&self, bot_id: &str, alias_id: &str) -> String {
        format!(
            "arn:{}:lex:{}:{}:bot-alias/{bot_id}/{alias_id}",
            self.partition, self.region, self.account
        )
    }
}

/// The name at the end of an IAM ARN's resource (`role/path/NAME` gives `NAME`).
pub(crate) fn iam_name(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    resource.rsplit('/').next()
}

/// The path of an IAM ARN's resource (`role/aws-service-role/x.amazonaws.com/NAME` gives
/// `/aws-service-role/x.amazonaws.com/`).
pub fn iam_path(arn: &str) -> Option<String> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let mut segments: Vec<&str> = resource.split('/').collect();
    if segments.len() < 2 {
        return None;
    }
    segments.pop();
    segments.remove(0);
    Some(if segments.is_empty() {
        "/".into()
    } else {
        format!("/{}/", segments.join("/"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_arns_round_trip() {
        let text = "arn:aws-cn:iam::123456789012:role/service-role/MyRole";
        let arn: Arn = text.parse().unwrap();
        assert_eq!(arn.partition, "aws-cn");
        assert_eq!(arn.service, "iam");
        assert_eq!(arn.region, "");
        assert_eq!(arn.resource, "role/service-role/MyRole");
        assert_eq!(arn.to_string(), text);
        assert!("not-an-arn".parse::<Arn>().is_err());
        assert!("arn:aws:iam".parse::<Arn>().is_err());
    }

    #[test]
    fn scope_uses_the_callers_partition() {
        let scope = Scope::from_caller(
            "arn:aws-us-gov:iam::111122223333:user/alice",
            "111122223333",
            "us-gov-west-1",
        )
        .unwrap();
        assert_eq!(scope.role("R"), "arn:aws-us-gov:iam::111122223333:role/R");
        assert_eq!(
            scope.log_group_streams("/aws/lex/Bot"),
            "arn:aws-us-gov:logs:us-gov-west-1:111122223333:log-group:/aws/lex/Bot:*"
        );
        assert_eq!(scope.bucket("b"), "arn:aws-us-gov:s3:::b");
        assert_eq!(
            scope.bot("ABCDEFGHIJ"),
            "arn:aws-us-gov:lex:us-gov-west-1:111122223333:bot/ABCDEFGHIJ"
        );
    }

    #[test]
    fn iam_names_and_paths() {
        let slr =
            "arn:aws:iam::1:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_X";
        assert_eq!(iam_name(slr), Some("AWSServiceRoleForLexV2Bots_X"));
        assert_eq!(
            iam_path(slr).as_deref(),
            Some("/aws-service-role/lexv2.amazonaws.com/")
        );
        assert_eq!(iam_path("arn:aws:iam::1:role/Plain").as_deref(), Some("/"));
        assert_eq!(iam_name("arn:aws:iam::1:policy/P"), Some("P"));
    }
}
