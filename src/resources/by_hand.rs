//! By-hand AWS CLI commands that take documents or tags as arguments (quoted for a POSIX shell),
//! for what a stopped or failed rollback leaves to a person.

use serde_json::Value;

use crate::resources::tags::Tags;

/// `value` as JSON in single quotes, an argument for a by-hand AWS CLI command.
pub(crate) fn json_arg(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(value).expect("values serialise");
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Tags as IAM's CLI takes them: `[{"Key": .., "Value": ..}]`.
fn iam_tags(tags: &Tags) -> Vec<Value> {
    tags.iter()
        .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
        .collect()
}

/// Recreates a role with its trust policy and tags (its policies come back with their own steps).
pub(crate) fn create_role(name: &str, trust: &Value, tags: &Tags) -> String {
    format!(
        "aws iam create-role --role-name {name} --assume-role-policy-document {} --tags {}",
        json_arg(trust),
        json_arg(&iam_tags(tags))
    )
}

/// Sets a role's trust policy and tags to the first of each `(new, old)` pair.
pub(crate) fn update_role(
    name: &str,
    trust: Option<&(Value, Value)>,
    tags: Option<&(Tags, Tags)>,
) -> Option<String> {
    let mut parts = Vec::new();
    if let Some((new, _)) = trust {
        parts.push(format!(
            "aws iam update-assume-role-policy --role-name {name} --policy-document {}",
            json_arg(new)
        ));
    }
    if let Some((new, old)) = tags {
        let gone: Vec<&str> = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .map(String::as_str)
            .collect();
        if !gone.is_empty() {
            parts.push(format!(
                "aws iam untag-role --role-name {name} --tag-keys {}",
                gone.join(" ")
            ));
        }
        if !new.is_empty() {
            parts.push(format!(
                "aws iam tag-role --role-name {name} --tags {}",
                json_arg(&iam_tags(new))
            ));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" && "))
}
