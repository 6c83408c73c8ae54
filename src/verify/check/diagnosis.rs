//! The static check's verdict: a pure function from [`AliasFacts`] to the problems of each
//! channel (the first one to fix first) and warnings, with [`crate::iam_eval`].

use serde_json::Value;

use super::destinations::{AudioDest, TextDest};
use super::facts::{AliasFacts, KeyFacts, RoleFacts};
use crate::documents::LEX_SERVICE;
use crate::iam_eval::{self, lex_requests, Context, NamedPolicy, Principal, Request};

/// The static verdict: problems per channel (empty: it should be delivered), and warnings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnosis {
    pub text: Vec<String>,
    pub audio: Vec<String>,
    pub warnings: Vec<String>,
}

/// "role R lacks A and B on X (why)" for the actions the role may not do on `resource`.
fn lacks(role: &RoleFacts, actions: &[&str], resource: &str) -> Option<String> {
    lacks_in(role, actions, resource, &Context::new())
}

/// As [`lacks`], for requests that carry `context`.
fn lacks_in(
    role: &RoleFacts,
    actions: &[&str],
    resource: &str,
    context: &Context,
) -> Option<String> {
    let refused: Vec<(&str, String)> = actions
        .iter()
        .filter_map(|action| {
            iam_eval::identity_allows(
                &role.identity,
                role.boundary.as_ref(),
                &Request {
                    action,
                    resource,
                    context,
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
    let (role, common) = role_problems(facts);
    if let Some(text) = facts.destinations.text.as_ref() {
        d.text.extend(common.iter().cloned());
        d.text.extend(text_problems(facts, role, text));
    }
    if let Some(audio) = facts.destinations.audio.as_ref() {
        d.audio.extend(common.iter().cloned());
        let (problems, warnings) = audio_problems(facts, role, audio);
        d.audio.extend(problems);
        d.warnings.extend(warnings);
    }
    d
}

/// The role Lex writes with (when it exists), and the problems both channels share: no role, a
/// role that does not exist, or a trust policy that does not let Lex assume it.
fn role_problems<'a>(facts: &AliasFacts<'a>) -> (Option<&'a RoleFacts>, Vec<String>) {
    match (facts.runs_on, facts.role) {
        (None, _) => (
            None,
            vec![format!(
                "version {} of the bot has no role, so Lex has none to write logs with",
                facts.version
            )],
        ),
        (Some(arn), None) => (
            None,
            vec![format!(
                "role {arn}, which version {} runs on, does not exist",
                facts.version
            )],
        ),
        (Some(_), Some(role)) => (Some(role), trust_problem(facts, role).into_iter().collect()),
    }
}

/// Why Lex may not assume the role for this alias, evaluated with the source keys Lex presents.
fn trust_problem(facts: &AliasFacts, role: &RoleFacts) -> Option<String> {
    let alias_arn = facts.alias_arn();
    let context = Context::new()
        .with("aws:SourceAccount", &facts.scope.account)
        .with("aws:SourceArn", &alias_arn);
    let why = iam_eval::resource_policy_allows(
        &role.trust,
        &Principal::Service(LEX_SERVICE.into()),
        &Request {
            action: "sts:AssumeRole",
            resource: &role.arn,
            context: &context,
        },
    )?;
    Some(format!(
        "{LEX_SERVICE} may not assume role {} ({why}; evaluated with aws:SourceAccount={} and aws:SourceArn={alias_arn})",
        role.arn, facts.scope.account
    ))
}

/// The text channel's own problems: a group outside the bot's account and region, the role's
/// missing log permissions on today's stream, a missing group.
fn text_problems(facts: &AliasFacts, role: Option<&RoleFacts>, text: &TextDest) -> Vec<String> {
    let mut problems = Vec::new();
    match text.group_arn.parse::<crate::arn::Arn>() {
        Ok(arn) if arn.account != facts.scope.account || arn.region != facts.scope.region => {
            problems.push(format!(
                "log group {} is not in the bot's account and region ({} {}); Lex writes only there",
                text.group_arn, facts.scope.account, facts.scope.region
            ))
        }
        Ok(_) => {}
        Err(e) => problems.push(format!("the alias's log group ARN is not valid: {e}")),
    }
    if let Some(role) = role {
        let stream = facts.stream_arn(text);
        problems.extend(lacks(
            role,
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            &stream,
        ));
    }
    if !facts.log_group_exists {
        problems.push(format!(
            "log group {} does not exist (Lex does not create it; `lex-logs-setup apply` does)",
            text.group
        ));
    }
    problems
}

/// The audio channel's own problems (the role's PutObject on this turn's object, a missing
/// bucket, the key) and warnings (about the key policy).
fn audio_problems(
    facts: &AliasFacts,
    role: Option<&RoleFacts>,
    audio: &AudioDest,
) -> (Vec<String>, Vec<String>) {
    let mut problems = Vec::new();
    let object = facts.object_arn(audio);
    let account = &facts.scope.account;
    if let Some(role) = role {
        let context = lex_requests::s3_put_by_lex(&role.arn, account, audio.kms_key.as_deref());
        problems.extend(lacks_in(role, &["s3:PutObject"], &object, &context));
    }
    if !facts.bucket_exists {
        problems.push(format!(
            "bucket {} does not exist in account {account} (or belongs to another account: Lex writes audio only to a bucket of the bot's account)",
            audio.bucket
        ));
    }
    if let (Some(policy), Some(role)) = (facts.bucket_policy, role) {
        let write = lex_requests::AudioWrite {
            bucket: &audio.bucket,
            object_arn: &object,
            role_arn: &role.arn,
            account,
            kms_key: audio.kms_key.as_deref(),
        };
        if let Some(by) = lex_requests::bucket_policy_denies(policy, &write) {
            problems.push(format!(
                "s3:PutObject on {object} by role {} is denied by {by} (evaluated as Lex's delivery sends it: over TLS, not through a VPC endpoint{})",
                role.arn,
                if audio.kms_key.is_some() { ", with the SSE-KMS headers of the alias's key" } else { ", without SSE headers" }
            ));
        }
    }
    let warnings = match (facts.key, role) {
        (Some(KeyFacts::Missing { key }), _) => {
            problems.push(format!("KMS key {key} does not exist"));
            vec![]
        }
        (Some(KeyFacts::NotEnabled { arn, state }), _) => {
            problems.push(format!("KMS key {arn} is not enabled ({state})"));
            vec![]
        }
        (Some(KeyFacts::Usable { arn, policy }), Some(role)) => {
            let context = lex_requests::kms_via_s3(&facts.scope.region, account, &object);
            let key = KeyJudged {
                arn,
                policy: policy.as_ref(),
                account: &facts.scope.account,
                context: &context,
            };
            let (key_problems, warnings) = judge_key(role, &key);
            problems.extend(key_problems);
            warnings
        }
        _ => vec![],
    };
    (problems, warnings)
}

/// The audio key as [`judge_key`] judges it: its ARN and policy, the bot's account, and the
/// context of the request S3 makes to KMS for Lex's object.
struct KeyJudged<'a> {
    arn: &'a str,
    policy: Option<&'a Value>,
    account: &'a str,
    context: &'a Context,
}

/// The key policy and the role's IAM policies, as KMS decides GenerateDataKey
/// (<https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html>), for the
/// request S3 makes for Lex's audio object (`kms:ViaService`, `kms:CallerAccount`, the
/// encryption context `aws:s3:arn`: see [`lex_requests::kms_via_s3`]).
fn judge_key(role: &RoleFacts, key: &KeyJudged) -> (Vec<String>, Vec<String>) {
    const ACTION: &str = "kms:GenerateDataKey";
    let (key_arn, policy, account) = (key.arn, key.policy, key.account);
    let root = format!(
        "arn:{}:iam::{account}:root",
        role.arn.split(':').nth(1).unwrap_or("aws")
    );
    let request = Request {
        action: ACTION,
        resource: key_arn,
        context: key.context,
    };
    let identity = || lacks_in(role, &[ACTION], key_arn, key.context);
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
    if !enables_iam && !direct {
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
