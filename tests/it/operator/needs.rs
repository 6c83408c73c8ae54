//! What a recorded call needs from IAM (its action and, where checked, its resource and the
//! condition keys it carries), and whether a policy document allows it: a small model of IAM's
//! evaluation for the coverage test.

use serde_json::Value;

use crate::proxy::Call;
use crate::support::{ACCOUNT, REGION};

/// What one recorded call needs: an action, and (where the test checks it) the resource it acts
/// on and the condition keys IAM evaluates with it.
#[derive(Debug, Clone)]
pub(super) struct Need {
    pub(super) action: String,
    pub(super) resource: Option<String>,
    pub(super) context: Vec<(&'static str, String)>,
}

impl Need {
    fn action(action: impl Into<String>) -> Need {
        Need {
            action: action.into(),
            resource: None,
            context: vec![],
        }
    }

    pub(super) fn on(action: impl Into<String>, resource: impl Into<String>) -> Need {
        Need {
            action: action.into(),
            resource: Some(resource.into()),
            context: vec![],
        }
    }

    pub(super) fn with(mut self, key: &'static str, value: impl Into<String>) -> Need {
        self.context.push((key, value.into()));
        self
    }
}

/// The form fields of an IAM (query protocol) request body.
pub(super) fn form(body: &str) -> std::collections::HashMap<String, String> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

/// The actions (and, for IAM and Lex writes, the resources) a recorded call needs. `roles` maps
/// the role names the worlds use to their ARNs (a service-linked role's ARN has a path).
pub(super) fn needs_of(
    call: &Call,
    roles: &std::collections::HashMap<String, String>,
) -> Vec<Need> {
    let iam = |resource: &str| format!("arn:aws:iam::{ACCOUNT}:{resource}");
    let action = match (call.service.as_str(), call.operation.as_str()) {
        ("s3", "HeadBucket") => "s3:ListBucket".to_string(),
        ("s3", "GetBucketEncryption") => "s3:GetEncryptionConfiguration".to_string(),
        (service, operation) => format!("{service}:{operation}"),
    };
    match call.service.as_str() {
        "iam" => {
            let p = form(&call.body);
            let resource = if let Some(role) = p.get("RoleName") {
                Some(roles.get(role).cloned().unwrap_or_else(|| {
                    panic!("{action} on role {role}, which the test does not know")
                }))
            } else if let Some(user) = p.get("UserName") {
                Some(iam(&format!("user/{user}")))
            } else if let Some(group) = p.get("GroupName") {
                Some(iam(&format!("group/{group}")))
            } else if let Some(policy) = p.get("PolicyArn") {
                Some(policy.clone())
            } else {
                p.get("PolicyName")
                    .map(|name| iam(&format!("policy/{name}")))
            };
            let mut need = Need {
                action: action.clone(),
                resource: resource.clone(),
                context: vec![],
            };
            if matches!(
                call.operation.as_str(),
                "AttachRolePolicy" | "DetachRolePolicy"
            ) {
                need = need.with("iam:PolicyARN", p["PolicyArn"].clone());
            }
            // The roles and policies of our naming that the tool changes are the ones it made,
            // so they carry our tag (the snapshots check it): IAM sees it as a resource tag.
            if resource
                .as_deref()
                .is_some_and(|r| r.contains(":role/LexLogs-") || r.contains(":policy/LexLogs-"))
            {
                need = need.with(
                    "iam:ResourceTag/lex-logs-setup:managed-by",
                    "lex-logs-setup",
                );
            }
            let mut needs = vec![need];
            // Tags given on create need the tagging action too.
            match call.operation.as_str() {
                "CreateRole" => needs.push(Need::on("iam:TagRole", resource.unwrap())),
                "CreatePolicy" => needs.push(Need::on("iam:TagPolicy", resource.unwrap())),
                _ => {}
            }
            needs
        }
        "lex" => {
            let segments: Vec<&str> = call.path.trim_matches('/').split('/').collect();
            let bot = || format!("arn:aws:lex:{REGION}:{ACCOUNT}:bot/{}", segments[1]);
            match call.operation.as_str() {
                "UpdateBot" => {
                    let body: Value = serde_json::from_str(&call.body).unwrap();
                    vec![
                        Need::on(action, bot()),
                        // UpdateBot passes the bot's role to Lex.
                        Need::on("iam:PassRole", body["roleArn"].as_str().unwrap())
                            .with("iam:PassedToService", "lexv2.amazonaws.com"),
                    ]
                }
                "CreateBotVersion" | "DeleteBotVersion" => vec![Need::on(action, bot())],
                "UpdateBotAlias" => vec![Need::on(
                    action,
                    format!(
                        "arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/{}/{}",
                        segments[1], segments[3]
                    ),
                )],
                _ => vec![Need::action(action)],
            }
        }
        "logs" if call.operation == "CreateLogGroup" => {
            vec![Need::action(action), Need::action("logs:TagResource")]
        }
        // A group's key: on that group.
        "logs" if call.operation.ends_with("KmsKey") => {
            let body: Value = serde_json::from_str(&call.body).unwrap_or_default();
            let group = body["logGroupName"].as_str().unwrap_or_default();
            vec![Need::on(
                action,
                format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"),
            )]
        }
        _ => vec![Need::action(action)],
    }
}

/// IAM's wildcard match (`*` any run of characters, `?` one).
fn glob(pattern: &str, value: &str) -> bool {
    let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
    let (mut pi, mut vi, mut star, mut mark) = (0, 0, None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

/// Whether an Allow statement of `policy` grants `need`. Without a resource, only the action is
/// checked; with one, the statement's resources and its conditions (StringEquals, StringLike,
/// ArnEquals, ArnLike, each also with IfExists; a key the call does not carry fails unless
/// IfExists) must match too. Deny statements are not read: the policy's Denies are on what the
/// tool never calls (the escalation test reads them).
pub(super) fn allows(policy: &Value, need: &Need) -> bool {
    policy["Statement"].as_array().unwrap().iter().any(|s| {
        if s["Effect"] != "Allow"
            || !strings(&s["Action"])
                .iter()
                .any(|a| glob(&a.to_lowercase(), &need.action.to_lowercase()))
        {
            return false;
        }
        let Some(resource) = &need.resource else {
            return true;
        };
        if !strings(&s["Resource"]).iter().any(|r| glob(r, resource)) {
            return false;
        }
        let Some(conditions) = s["Condition"].as_object() else {
            return true;
        };
        conditions.iter().all(|(operator, keys)| {
            keys.as_object().unwrap().iter().all(|(key, wanted)| {
                let if_exists = operator.ends_with("IfExists");
                let Some((_, actual)) = need.context.iter().find(|(k, _)| k == key) else {
                    return if_exists;
                };
                strings(wanted)
                    .iter()
                    .any(|w| match operator.trim_end_matches("IfExists") {
                        "StringEquals" | "ArnEquals" => w == actual,
                        "StringLike" | "ArnLike" => glob(w, actual),
                        other => panic!("condition operator {other} is not modelled here"),
                    })
            })
        })
    })
}
