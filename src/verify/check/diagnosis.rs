//! The static check's verdict: a pure function from [`AliasFacts`] to the problems of each
//! channel (the first one to fix first) and warnings, with [`crate::iam_eval`].

use serde_json::Value;

use super::destinations::{AudioDest, TextDest};
use super::facts::{AliasFacts, KeyFacts, RoleFacts};
use crate::documents::LEX_SERVICE;
use crate::iam_eval::{self, Context, NamedPolicy, Principal, Request};

/// The static verdict: problems per channel (empty: it should be delivered), and warnings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnosis {
    pub text: Vec<String>,
    pub audio: Vec<String>,
    pub warnings: Vec<String>,
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
    if let Some(role) = role {
        problems.extend(lacks(role, &["s3:PutObject"], &facts.object_arn(audio)));
    }
    if !facts.bucket_exists {
        problems.push(format!("bucket {} does not exist", audio.bucket));
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
            let (key_problems, warnings) =
                judge_key(role, arn, policy.as_ref(), &facts.scope.account);
            problems.extend(key_problems);
            warnings
        }
        _ => vec![],
    };
    (problems, warnings)
}

/// The key policy and the role's IAM policies, as KMS decides GenerateDataKey
/// (<https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html>).
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
