//! The static check of `verify`: what an alias's conversation log settings need (the role its
//! version runs on, Lex's right to assume it, the role's permissions on the exact destinations,
//! the destinations themselves), read from AWS once and judged by a pure function with
//! [`crate::iam_eval`]. No conversation is needed, and no `iam:SimulatePrincipalPolicy`.

use std::collections::BTreeMap;

use aws_sdk_lexmodelsv2::types::ConversationLogSettings;
use serde_json::Value;

use crate::arn::Scope;
use crate::aws::Clients;
use crate::documents::LEX_SERVICE;
use crate::error::{Context as _, Error, Result};
use crate::iam_eval::{self, Context, NamedPolicy, Principal, Request};
use crate::resources::{log_group, managed_policy, role};

/// Where an alias sends text logs (its first enabled text setting).
#[derive(Debug, Clone, PartialEq)]
pub struct TextDest {
    pub group_arn: String,
    /// The group's name (from the ARN).
    pub group: String,
    pub prefix: String,
}

/// Where an alias sends audio logs (its first enabled audio setting).
#[derive(Debug, Clone, PartialEq)]
pub struct AudioDest {
    pub bucket_arn: String,
    pub bucket: String,
    pub prefix: String,
    pub kms_key: Option<String>,
}

/// The destinations an alias's settings name; both `None`: not configured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Destinations {
    pub text: Option<TextDest>,
    pub audio: Option<AudioDest>,
}

impl Destinations {
    pub fn configured(&self) -> bool {
        self.text.is_some() || self.audio.is_some()
    }
}

/// The group name in a log-group ARN (`...:log-group:NAME` or `...:log-group:NAME:*`).
pub fn group_name(arn: &str) -> Option<String> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let name = resource.strip_prefix("log-group:")?;
    Some(name.strip_suffix(":*").unwrap_or(name).to_string())
}

/// Reads the destinations from an alias's conversation log settings (enabled ones only).
pub fn destinations(settings: Option<&ConversationLogSettings>) -> Destinations {
    let Some(settings) = settings else {
        return Destinations::default();
    };
    let text = settings
        .text_log_settings()
        .iter()
        .filter(|t| t.enabled())
        .find_map(|t| t.destination().and_then(|d| d.cloud_watch()))
        .map(|cw| TextDest {
            group_arn: cw.cloud_watch_log_group_arn().to_string(),
            group: group_name(cw.cloud_watch_log_group_arn())
                .unwrap_or_else(|| cw.cloud_watch_log_group_arn().to_string()),
            prefix: cw.log_prefix().to_string(),
        });
    let audio = settings
        .audio_log_settings()
        .iter()
        .filter(|a| a.enabled())
        .find_map(|a| a.destination().and_then(|d| d.s3_bucket()))
        .map(|s3| AudioDest {
            bucket_arn: s3.s3_bucket_arn().to_string(),
            bucket: s3
                .s3_bucket_arn()
                .rsplit(":::")
                .next()
                .unwrap_or_default()
                .to_string(),
            prefix: s3.log_prefix().to_string(),
            kms_key: s3.kms_key_arn().map(str::to_string),
        });
    Destinations { text, audio }
}

/// What IAM says about the role an alias's version runs on.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleFacts {
    pub arn: String,
    pub trust: NamedPolicy,
    /// Attached managed (AWS and customer) and inline policies.
    pub identity: Vec<NamedPolicy>,
    pub boundary: Option<NamedPolicy>,
}

/// Reads a role with the documents of its policies; `None` when it does not exist.
pub async fn read_role(clients: &Clients, arn: &str) -> Result<Option<RoleFacts>> {
    let iam = &clients.iam;
    let name = crate::arn::iam_name(arn).unwrap_or(arn);
    let Some(state) = role::observe(iam, name).await? else {
        return Ok(None);
    };
    let managed = |policy_arn: String| async move {
        let policy_name = crate::arn::iam_name(&policy_arn)
            .unwrap_or(&policy_arn)
            .to_string();
        let found = managed_policy::observe(iam, &policy_name, &policy_arn).await?;
        Ok::<_, Error>(
            found.map(|p| NamedPolicy::new(format!("{policy_name} (managed)"), p.document)),
        )
    };
    let (attached, boundary) = tokio::try_join!(
        futures::future::try_join_all(state.attached.iter().cloned().map(managed)),
        async {
            match &state.boundary {
                Some(b) => managed(b.clone()).await,
                None => Ok(None),
            }
        }
    )?;
    let mut identity: Vec<NamedPolicy> = attached.into_iter().flatten().collect();
    identity.extend(
        state
            .inline
            .iter()
            .map(|(n, d)| NamedPolicy::new(format!("{n} (inline)"), d.clone())),
    );
    Ok(Some(RoleFacts {
        arn: state.arn.clone(),
        trust: NamedPolicy::new(format!("the trust policy of {}", state.name), state.trust),
        identity,
        // A boundary that cannot be read allows nothing.
        boundary: match (&state.boundary, boundary) {
            (_, Some(found)) => Some(found),
            (Some(arn), None) => Some(NamedPolicy::new(arn.clone(), Value::Null)),
            (None, None) => None,
        },
    }))
}

/// What KMS says about the audio key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyFacts {
    Missing { key: String },
    NotEnabled { arn: String, state: String },
    Usable { arn: String, policy: Option<Value> },
}

pub async fn read_key(clients: &Clients, key: &str) -> Result<KeyFacts> {
    let out = match clients
        .kms
        .describe_key()
        .key_id(key)
        .send()
        .await
        .context("kms:DescribeKey", format!("kms_key[{key}]"))
    {
        Ok(out) => out,
        Err(e) if e.is_not_found() => return Ok(KeyFacts::Missing { key: key.into() }),
        Err(e) => return Err(e),
    };
    let metadata = out.key_metadata().expect("DescribeKey returns metadata");
    let arn = metadata.arn().unwrap_or(key).to_string();
    let state = metadata
        .key_state()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    if !metadata.enabled() || (!state.is_empty() && state != "Enabled") {
        return Ok(KeyFacts::NotEnabled { arn, state });
    }
    let policy = match clients
        .kms
        .get_key_policy()
        .key_id(&arn)
        .policy_name("default")
        .send()
        .await
    {
        Ok(out) => out
            .policy()
            .and_then(|p| serde_json::from_str::<Value>(p).ok()),
        Err(e) => {
            tracing::debug!(error = ?e, "GetKeyPolicy failed; the key policy is not checked");
            None
        }
    };
    Ok(KeyFacts::Usable { arn, policy })
}

/// True when the log group exists.
pub async fn log_group_exists(clients: &Clients, name: &str) -> Result<bool> {
    Ok(log_group::observe(&clients.logs, name, None)
        .await?
        .is_some())
}

/// True when the bucket exists (and is reachable with these credentials).
pub async fn bucket_exists(clients: &Clients, bucket: &str) -> Result<bool> {
    match clients.s3.head_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error().is_some_and(|s| s.is_not_found())
                || e.raw_response().is_some_and(|r| r.status().as_u16() == 404) =>
        {
            Ok(false)
        }
        Err(e) => {
            Err(
                crate::error::AwsError::from_sdk("s3:HeadBucket", format!("bucket[{bucket}]"), &e)
                    .into(),
            )
        }
    }
}

/// Everything the static check judges for one alias.
#[derive(Debug, Clone)]
pub struct AliasFacts<'a> {
    pub scope: &'a Scope,
    pub bot_id: &'a str,
    pub alias_id: &'a str,
    pub version: &'a str,
    pub locale: &'a str,
    pub session: &'a str,
    /// Today's UTC date as `YYYY/MM/DD` (the stream name's tail).
    pub today: &'a str,
    /// The role the alias's version runs on, as the version names it.
    pub runs_on: Option<&'a str>,
    /// That role as IAM has it (`None`: it does not exist).
    pub role: Option<&'a RoleFacts>,
    pub destinations: &'a Destinations,
    pub log_group_exists: bool,
    pub bucket_exists: bool,
    pub key: Option<&'a KeyFacts>,
}

/// The static verdict: problems per channel (empty: it should be delivered), and warnings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnosis {
    pub text: Vec<String>,
    pub audio: Vec<String>,
    pub warnings: Vec<String>,
}

impl AliasFacts<'_> {
    pub fn alias_arn(&self) -> String {
        self.scope.bot_alias(self.bot_id, self.alias_id)
    }

    /// The stream Lex writes this alias's text log to today (the twin's naming, see
    /// localstack/FIDELITY-runtime.md), as the resource of CreateLogStream and PutLogEvents.
    pub fn stream_arn(&self, text: &TextDest) -> String {
        let group_arn = text.group_arn.strip_suffix(":*").unwrap_or(&text.group_arn);
        format!(
            "{group_arn}:log-stream:{}{}/{}/{}/{}",
            text.prefix, self.bot_id, self.alias_id, self.locale, self.today
        )
    }

    /// The object Lex writes this turn's audio to (the twin's naming).
    pub fn object_arn(&self, audio: &AudioDest) -> String {
        format!(
            "{}/{}{}/{}/{}/{}/<request-id>.wav",
            audio.bucket_arn, audio.prefix, self.bot_id, self.alias_id, self.locale, self.session
        )
    }
}

/// "role R lacks A and B on X (why)" for the actions the role may not do on `resource`.
fn lacks(role: &RoleFacts, actions: &[&str], resource: &str) -> Option<String> {
    let context = Context::new();
    let refused: Vec<(&str, String)> = actions
        .iter()
        .filter_map(|action| {
            iam_eval::identity_allows(
                &role.identity,
                role.boundary.as_ref(),
                &Request {
                    action,
                    resource,
                    context: &context,
                },
            )
            .map(|why| (*action, why))
        })
        .collect();
    let (_, why) = refused.first()?;
    let names: Vec<&str> = refused.iter().map(|(a, _)| *a).collect();
    Some(format!(
        "role {} lacks {} on {resource} ({why})",
        role.arn,
        names.join(" and ")
    ))
}

/// Judges the facts: the first problems are the role's (shared by both channels), then each
/// channel's permissions and destination.
pub fn diagnose(facts: &AliasFacts) -> Diagnosis {
    let mut d = Diagnosis::default();
    let d_text = facts.destinations.text.as_ref();
    let d_audio = facts.destinations.audio.as_ref();
    let mut common = Vec::new();
    let role = match (facts.runs_on, facts.role) {
        (None, _) => {
            common.push(format!(
                "version {} of the bot has no role, so Lex has none to write logs with",
                facts.version
            ));
            None
        }
        (Some(arn), None) => {
            common.push(format!(
                "role {arn}, which version {} runs on, does not exist",
                facts.version
            ));
            None
        }
        (Some(_), Some(role)) => {
            let alias_arn = facts.alias_arn();
            let context = Context::new()
                .with("aws:SourceAccount", &facts.scope.account)
                .with("aws:SourceArn", &alias_arn);
            if let Some(why) = iam_eval::resource_policy_allows(
                &role.trust,
                &Principal::Service(LEX_SERVICE.into()),
                &Request {
                    action: "sts:AssumeRole",
                    resource: &role.arn,
                    context: &context,
                },
            ) {
                common.push(format!(
                    "{LEX_SERVICE} may not assume role {} ({why}; evaluated with aws:SourceAccount={} and aws:SourceArn={alias_arn})",
                    role.arn, facts.scope.account
                ));
            }
            Some(role)
        }
    };
    if let Some(text) = d_text {
        d.text.extend(common.iter().cloned());
        match text.group_arn.parse::<crate::arn::Arn>() {
            Ok(arn) if arn.account != facts.scope.account || arn.region != facts.scope.region => {
                d.text.push(format!(
                    "log group {} is not in the bot's account and region ({} {}); Lex writes only there",
                    text.group_arn, facts.scope.account, facts.scope.region
                ))
            }
            Ok(_) => {}
            Err(e) => d.text.push(format!("the alias's log group ARN is not valid: {e}")),
        }
        if let Some(role) = role {
            let stream = facts.stream_arn(text);
            d.text.extend(lacks(
                role,
                &["logs:CreateLogStream", "logs:PutLogEvents"],
                &stream,
            ));
        }
        if !facts.log_group_exists {
            d.text.push(format!(
                "log group {} does not exist (Lex does not create it; `lex-logs-setup apply` does)",
                text.group
            ));
        }
    }
    if let Some(audio) = d_audio {
        d.audio.extend(common.iter().cloned());
        if let Some(role) = role {
            d.audio
                .extend(lacks(role, &["s3:PutObject"], &facts.object_arn(audio)));
        }
        if !facts.bucket_exists {
            d.audio
                .push(format!("bucket {} does not exist", audio.bucket));
        }
        match (facts.key, role) {
            (Some(KeyFacts::Missing { key }), _) => {
                d.audio.push(format!("KMS key {key} does not exist"))
            }
            (Some(KeyFacts::NotEnabled { arn, state }), _) => d
                .audio
                .push(format!("KMS key {arn} is not enabled ({state})")),
            (Some(KeyFacts::Usable { arn, policy }), Some(role)) => {
                let (problems, warnings) =
                    judge_key(role, arn, policy.as_ref(), &facts.scope.account);
                d.audio.extend(problems);
                d.warnings.extend(warnings);
            }
            _ => {}
        }
    }
    d
}

/// The key policy and the role's IAM policies, as KMS decides GenerateDataKey
/// (https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html).
fn judge_key(
    role: &RoleFacts,
    key_arn: &str,
    policy: Option<&Value>,
    account: &str,
) -> (Vec<String>, Vec<String>) {
    const ACTION: &str = "kms:GenerateDataKey";
    let root = format!(
        "arn:{}:iam::{account}:root",
        role.arn.split(':').nth(1).unwrap_or("aws")
    );
    let context = Context::new();
    let request = Request {
        action: ACTION,
        resource: key_arn,
        context: &context,
    };
    let identity = || lacks(role, &[ACTION], key_arn);
    let Some(policy) = policy else {
        // Unreadable key policy: judge IAM alone, and say so.
        return (
            identity().into_iter().collect(),
            vec![format!(
                "the key policy of {key_arn} could not be read; only the role's IAM policies were checked"
            )],
        );
    };
    let key_policy = NamedPolicy::new(format!("the key policy of {key_arn}"), policy.clone());
    let either = Principal::Aws(vec![role.arn.clone(), root.clone()]);
    if let iam_eval::Decision::ExplicitDeny { by } =
        iam_eval::evaluate(std::slice::from_ref(&key_policy), &request, Some(&either))
    {
        return (
            vec![format!(
                "{ACTION} on {key_arn} is denied to role {} by {by}",
                role.arn
            )],
            vec![],
        );
    }
    let enables_iam = crate::resources::destination::key_policy_enables_iam(policy, account);
    let direct = iam_eval::resource_policy_allows(
        &key_policy,
        &Principal::Aws(vec![role.arn.clone()]),
        &request,
    )
    .is_none();
    let delegated =
        iam_eval::resource_policy_allows(&key_policy, &Principal::Aws(vec![root]), &request)
            .is_none();
    let mut warnings = Vec::new();
    if !enables_iam {
        warnings.push(format!(
            "the key policy of {key_arn} does not enable IAM policies (no unconditional statement for the account root): the role's IAM permissions on the key have no effect"
        ));
    }
    let problems = if direct {
        // Allowed by the key policy itself; only an explicit IAM Deny could stop it.
        let own = iam_eval::evaluate(&role.identity, &request, None);
        match own {
            iam_eval::Decision::ExplicitDeny { by } => vec![format!(
                "role {} denies itself {ACTION} on {key_arn} ({by})",
                role.arn
            )],
            _ => vec![],
        }
    } else if delegated {
        identity().into_iter().collect()
    } else {
        vec![format!(
            "the key policy of {key_arn} neither allows role {} {ACTION} nor delegates to IAM policies",
            role.arn
        )]
    };
    (problems, warnings)
}

/// Today's UTC date as `YYYY/MM/DD`.
pub fn utc_date(now: std::time::SystemTime) -> String {
    let days = now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}/{month:02}/{day:02}")
}

/// Reads what the static check of several aliases needs, each role and key once.
pub async fn read_roles(
    clients: &Clients,
    arns: impl IntoIterator<Item = String>,
) -> Result<BTreeMap<String, Option<RoleFacts>>> {
    let arns: std::collections::BTreeSet<String> = arns.into_iter().collect();
    let found =
        futures::future::try_join_all(arns.iter().map(|arn| read_role(clients, arn))).await?;
    Ok(arns.into_iter().zip(found).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ACCOUNT: &str = "123456789012";
    const ROLE: &str = "arn:aws:iam::123456789012:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_X";

    fn scope() -> Scope {
        Scope {
            partition: "aws".into(),
            account: ACCOUNT.into(),
            region: "us-east-1".into(),
        }
    }

    fn lex_trust() -> NamedPolicy {
        NamedPolicy::new(
            "trust",
            json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        )
    }

    fn role(identity: Vec<Value>) -> RoleFacts {
        RoleFacts {
            arn: ROLE.into(),
            trust: lex_trust(),
            identity: identity
                .into_iter()
                .enumerate()
                .map(|(i, d)| NamedPolicy::new(format!("p{i} (inline)"), d))
                .collect(),
            boundary: None,
        }
    }

    fn logs_policy(resource: &str) -> Value {
        json!({"Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": resource}]})
    }

    fn text_dest() -> Destinations {
        Destinations {
            text: Some(TextDest {
                group_arn: format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lex/Bot"),
                group: "/aws/lex/Bot".into(),
                prefix: "lex/".into(),
            }),
            audio: None,
        }
    }

    fn audio_dest(key: Option<&str>) -> Destinations {
        Destinations {
            text: None,
            audio: Some(AudioDest {
                bucket_arn: "arn:aws:s3:::calls".into(),
                bucket: "calls".into(),
                prefix: "lex-audio/".into(),
                kms_key: key.map(str::to_string),
            }),
        }
    }

    fn facts<'a>(
        role: Option<&'a RoleFacts>,
        destinations: &'a Destinations,
        key: Option<&'a KeyFacts>,
        scope: &'a Scope,
    ) -> AliasFacts<'a> {
        AliasFacts {
            scope,
            bot_id: "BOT",
            alias_id: "ALIAS",
            version: "1",
            locale: "en_US",
            session: "s1",
            today: "2026/01/02",
            runs_on: Some(ROLE),
            role,
            destinations,
            log_group_exists: true,
            bucket_exists: true,
            key,
        }
    }

    #[test]
    fn destinations_come_from_the_first_enabled_settings() {
        assert_eq!(
            group_name("arn:aws:logs:r:1:log-group:/a/b:*").as_deref(),
            Some("/a/b")
        );
        assert_eq!(
            group_name("arn:aws:logs:r:1:log-group:/a/b").as_deref(),
            Some("/a/b")
        );
        assert_eq!(group_name("arn:aws:s3:::b"), None);
        assert!(!destinations(None).configured());
    }

    #[test]
    fn the_documented_policy_passes_and_the_stream_arn_is_precise() {
        let scope = scope();
        let r = role(vec![logs_policy(&format!(
            "arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lex/Bot:*"
        ))]);
        let dest = text_dest();
        let f = facts(Some(&r), &dest, None, &scope);
        assert_eq!(diagnose(&f), Diagnosis::default());
        assert_eq!(
            f.stream_arn(dest.text.as_ref().unwrap()),
            format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lex/Bot:log-stream:lex/BOT/ALIAS/en_US/2026/01/02")
        );
    }

    #[test]
    fn a_missing_permission_names_the_role_the_actions_and_the_resource() {
        let scope = scope();
        // The group ARN alone does not reach its streams.
        let r = role(vec![logs_policy(&format!(
            "arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lex/Bot"
        ))]);
        let dest = text_dest();
        let d = diagnose(&facts(Some(&r), &dest, None, &scope));
        assert_eq!(d.text.len(), 1, "{d:?}");
        assert!(
            d.text[0].starts_with(&format!("role {ROLE} lacks logs:CreateLogStream and logs:PutLogEvents on arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lex/Bot:log-stream:lex/BOT/ALIAS/en_US/")),
            "{}",
            d.text[0]
        );
        // Only PutLogEvents missing.
        let r = role(vec![
            json!({"Statement": [{"Effect": "Allow", "Action": "logs:CreateLogStream", "Resource": "*"}]}),
        ]);
        let d = diagnose(&facts(Some(&r), &dest, None, &scope));
        assert!(d.text[0].contains("lacks logs:PutLogEvents on"), "{d:?}");
        assert!(!d.text[0].contains("CreateLogStream"), "{d:?}");
    }

    #[test]
    fn trust_problems_come_first_and_say_what_was_evaluated() {
        let scope = scope();
        let mut r = role(vec![logs_policy("*")]);
        r.trust = NamedPolicy::new(
            "trust",
            json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}}]}),
        );
        let dest = text_dest();
        let d = diagnose(&facts(Some(&r), &dest, None, &scope));
        assert_eq!(d.text.len(), 1, "{d:?}");
        assert!(
            d.text[0].starts_with("lexv2.amazonaws.com may not assume role"),
            "{d:?}"
        );
        assert!(d.text[0]
            .contains("aws:SourceArn=arn:aws:lex:us-east-1:123456789012:bot-alias/BOT/ALIAS"));
    }

    #[test]
    fn missing_roles_and_groups_are_reported() {
        let scope = scope();
        let dest = text_dest();
        let d = diagnose(&facts(None, &dest, None, &scope));
        assert!(d.text[0].contains("does not exist"), "{d:?}");
        let r = role(vec![logs_policy("*")]);
        let mut f = facts(Some(&r), &dest, None, &scope);
        f.log_group_exists = false;
        assert_eq!(diagnose(&f).text, vec!["log group /aws/lex/Bot does not exist (Lex does not create it; `lex-logs-setup apply` does)".to_string()]);
        f.runs_on = None;
        assert!(diagnose(&f).text[0].contains("has no role"));
    }

    #[test]
    fn a_deny_statement_is_named() {
        let scope = scope();
        let r = role(vec![
            logs_policy("*"),
            json!({"Statement": [{"Sid": "NoLogs", "Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": "*"}]}),
        ]);
        let dest = text_dest();
        let d = diagnose(&facts(Some(&r), &dest, None, &scope));
        assert!(d.text[0].contains("lacks logs:PutLogEvents"), "{d:?}");
        assert!(
            d.text[0].contains("explicitly denied by statement \"NoLogs\" of policy p1 (inline)"),
            "{d:?}"
        );
    }

    #[test]
    fn audio_needs_put_object_and_the_key() {
        let scope = scope();
        let key = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/k");
        let dest = audio_dest(Some(&key));
        let default_policy = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"}]});
        let usable = KeyFacts::Usable {
            arn: key.clone(),
            policy: Some(default_policy),
        };
        let s3_only = role(vec![
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::calls/lex-audio/*"}]}),
        ]);
        let d = diagnose(&facts(Some(&s3_only), &dest, Some(&usable), &scope));
        assert_eq!(
            d.audio,
            vec![format!(
                "role {ROLE} lacks kms:GenerateDataKey on {key} (no policy of the role allows it)"
            )]
        );
        let both = role(vec![
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::calls/lex-audio/*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key}]}),
        ]);
        assert_eq!(
            diagnose(&facts(Some(&both), &dest, Some(&usable), &scope)),
            Diagnosis::default()
        );
        // Another prefix.
        let elsewhere = audio_dest(None);
        let other = role(vec![
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::calls/other/*"}]}),
        ]);
        let d = diagnose(&facts(Some(&other), &elsewhere, None, &scope));
        assert!(
            d.audio[0]
                .contains("lacks s3:PutObject on arn:aws:s3:::calls/lex-audio/BOT/ALIAS/en_US/s1/"),
            "{d:?}"
        );
        // A key policy that names only an admin: no delegation, and a warning.
        let narrow = KeyFacts::Usable {
            arn: key.clone(),
            policy: Some(
                json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/Admin"}, "Action": "kms:*", "Resource": "*"}]}),
            ),
        };
        let d = diagnose(&facts(Some(&both), &dest, Some(&narrow), &scope));
        assert!(d.audio[0].contains("neither allows role"), "{d:?}");
        assert!(
            d.warnings[0].contains("does not enable IAM policies"),
            "{d:?}"
        );
        // A key policy that names the role directly works without IAM.
        let direct = KeyFacts::Usable {
            arn: key.clone(),
            policy: Some(
                json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:GenerateDataKey*", "Resource": "*"}]}),
            ),
        };
        let d = diagnose(&facts(Some(&s3_only), &dest, Some(&direct), &scope));
        assert!(d.audio.is_empty(), "{d:?}");
        let missing = KeyFacts::Missing {
            key: "alias/gone".into(),
        };
        let d = diagnose(&facts(Some(&both), &dest, Some(&missing), &scope));
        assert_eq!(
            d.audio,
            vec!["KMS key alias/gone does not exist".to_string()]
        );
    }

    #[test]
    fn utc_dates() {
        let at = |secs: u64| utc_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs));
        assert_eq!(at(0), "1970/01/01");
        assert_eq!(at(951_868_800), "2000/03/01");
        assert_eq!(at(1_709_164_800), "2024/02/29");
    }
}
