//! IAM policy documents: typed building, URL-decoding of what IAM returns, and comparison as
//! parsed, normalised JSON (statement order, string-vs-array and array order do not matter).

use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::{Map, Value};

pub(crate) const VERSION: &str = "2012-10-17";

/// A policy document, built in code and serialised as IAM expects it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Document {
    #[serde(rename = "Version")]
    pub version: &'static str,
    #[serde(rename = "Statement")]
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Statement {
    #[serde(rename = "Sid", skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(rename = "Effect")]
    pub effect: &'static str,
    #[serde(rename = "Principal", skip_serializing_if = "Option::is_none")]
    pub principal: Option<Value>,
    #[serde(rename = "Action")]
    pub actions: Vec<String>,
    #[serde(rename = "Resource", skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(rename = "Condition", skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
}

impl Statement {
    /// An Allow statement of `actions` on `resources`.
    pub(crate) fn allow(sid: &str, actions: &[&str], resources: Vec<String>) -> Self {
        Statement {
            sid: Some(sid.into()),
            effect: "Allow",
            principal: None,
            actions: actions.iter().map(|a| a.to_string()).collect(),
            resources,
            condition: None,
        }
    }

    pub(crate) fn with_condition(mut self, condition: Value) -> Self {
        self.condition = Some(condition);
        self
    }
}

impl Document {
    pub(crate) fn new(statements: Vec<Statement>) -> Self {
        Document {
            version: VERSION,
            statements,
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("policy documents serialise")
    }
}

/// Parses a policy document as IAM returns it: URL-encoded JSON (GetRole, GetPolicyVersion,
/// Get*Policy), or plain JSON (some emulators and other APIs).
pub fn parse_returned(text: &str) -> Result<Value, String> {
    let trimmed = text.trim_start();
    let json = if trimmed.starts_with('{') {
        text.to_string()
    } else {
        percent_decode_str(text)
            .decode_utf8()
            .map_err(|e| format!("policy document is not valid URL-encoded UTF-8: {e}"))?
            .into_owned()
    };
    serde_json::from_str(&json).map_err(|e| format!("policy document is not JSON: {e}"))
}

/// True when two documents grant the same thing, compared as normalised JSON.
pub fn equivalent(a: &Value, b: &Value) -> bool {
    normalise(a) == normalise(b)
}

/// The normal form: `Statement` always an array, sorted; in each statement the action, resource
/// and condition-value lists always arrays, sorted and without duplicates; principals likewise.
pub(crate) fn normalise(doc: &Value) -> Value {
    let Value::Object(map) = doc else {
        return doc.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        if key == "Statement" {
            let mut statements: Vec<Value> =
                as_list(value).iter().map(normalise_statement).collect();
            statements.sort_by_key(canonical);
            statements.dedup();
            out.insert(key.clone(), Value::Array(statements));
        } else {
            out.insert(key.clone(), value.clone());
        }
    }
    Value::Object(out)
}

fn normalise_statement(statement: &Value) -> Value {
    let Value::Object(map) = statement else {
        return statement.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        let normal = match key.as_str() {
            "Action" | "NotAction" | "Resource" | "NotResource" => sorted_list(value),
            "Principal" | "NotPrincipal" => match value {
                Value::Object(principals) => Value::Object(
                    principals
                        .iter()
                        .map(|(kind, ids)| (kind.clone(), sorted_list(ids)))
                        .collect(),
                ),
                other => other.clone(),
            },
            "Condition" => match value {
                Value::Object(operators) => Value::Object(
                    operators
                        .iter()
                        .map(|(op, keys)| {
                            let keys = match keys {
                                Value::Object(k) => Value::Object(
                                    k.iter()
                                        .map(|(name, v)| (name.clone(), sorted_list(v)))
                                        .collect(),
                                ),
                                other => other.clone(),
                            };
                            (op.clone(), keys)
                        })
                        .collect(),
                ),
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), normal);
    }
    Value::Object(out)
}

fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

fn sorted_list(value: &Value) -> Value {
    let mut items = as_list(value);
    items.sort_by_key(canonical);
    items.dedup();
    Value::Array(items)
}

/// A JSON text with object keys sorted, so equal values give equal text.
pub(crate) fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let body: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", body.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_url_encoded_documents_as_iam_returns_them() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3APutObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2F%2A%22%7D%5D%7D";
        let doc = parse_returned(encoded).unwrap();
        assert_eq!(doc["Statement"][0]["Resource"], "arn:aws:s3:::b/*");
        assert_eq!(
            parse_returned(r#"{"Version":"2012-10-17"}"#).unwrap()["Version"],
            VERSION
        );
        assert!(parse_returned("%7Bnot json").is_err());
    }

    #[test]
    fn equivalence_ignores_order_and_string_versus_array() {
        let a = json!({"Version": VERSION, "Statement": {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": ["r2", "r1"]}});
        let b = json!({"Statement": [{"Resource": ["r1", "r2", "r1"], "Action": ["logs:PutLogEvents"], "Effect": "Allow"}], "Version": VERSION});
        assert!(equivalent(&a, &b));
        let c = json!({"Version": VERSION, "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "r1"}]});
        assert!(
            !equivalent(&a, &c),
            "a narrower resource list is a different policy"
        );
    }

    #[test]
    fn equivalence_normalises_conditions_and_statement_order() {
        let s1 = json!({"Effect": "Allow", "Action": "a", "Resource": "*", "Condition": {"StringEquals": {"k": ["x", "y"]}}});
        let s2 = json!({"Effect": "Deny", "Action": "b", "Resource": "*"});
        let a = json!({"Version": VERSION, "Statement": [s1, s2]});
        let s1_reordered = json!({"Effect": "Allow", "Action": "a", "Resource": "*", "Condition": {"StringEquals": {"k": ["y", "x"]}}});
        let b = json!({"Version": VERSION, "Statement": [s2, s1_reordered]});
        assert!(equivalent(&a, &b));
        let s1_other = json!({"Effect": "Allow", "Action": "a", "Resource": "*", "Condition": {"StringEquals": {"k": "x"}}});
        assert!(!equivalent(
            &a,
            &json!({"Version": VERSION, "Statement": [s2, s1_other]})
        ));
    }

    #[test]
    fn typed_documents_serialise_as_iam_expects() {
        let doc = Document::new(vec![Statement::allow(
            "Logs",
            &["logs:PutLogEvents"],
            vec!["r".into()],
        )
        .with_condition(json!({"StringEquals": {"aws:SourceAccount": "1"}}))]);
        let value = doc.to_value();
        assert_eq!(value["Version"], VERSION);
        assert_eq!(value["Statement"][0]["Sid"], "Logs");
        assert_eq!(
            value["Statement"][0]["Action"],
            json!(["logs:PutLogEvents"])
        );
        assert!(value["Statement"][0].get("Principal").is_none());
        assert!(equivalent(
            &value,
            &parse_returned(&doc.to_value().to_string()).unwrap()
        ));
    }
}
