//! The published JSON Schemas (docs/schema/) against the real outputs of every command on the
//! twin: each `--output json` document validates against its schema, carries `formatVersion`
//! 1, and the schemas are strict: the same document with a field added, or any fixed field
//! renamed, anywhere outside the free-form parts (IAM documents, tags, the log line read back)
//! fails. So an output that changes shape without its schema changing fails these tests.

use std::path::{Path, PathBuf};
use std::process::Output;

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::{json, Value};

use crate::support::{stderr, stdout};

mod commands;
mod failures;
mod places;
mod saved;

/// Where the schemas are published.
fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

/// Resolves the schemas' relative `$ref`s (`plan.schema.json#/$defs/change`) to the files
/// beside them, as a user's validator reading docs/schema/ from disk does; nothing else.
struct SchemaFiles;

impl Retrieve for SchemaFiles {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let path = uri
            .as_str()
            .strip_prefix("file://")
            .ok_or_else(|| format!("not a schema file: {}", uri.as_str()))?;
        let path = path.split('#').next().unwrap_or(path);
        if !Path::new(path).starts_with(schema_dir()) {
            return Err(format!("outside docs/schema: {path}").into());
        }
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }
}

/// The validator of `docs/schema/{name}.schema.json` (itself checked against draft 2020-12).
fn validator(name: &str) -> Validator {
    let path = schema_dir().join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .with_base_uri(format!("file://{}", path.display()))
        .with_retriever(SchemaFiles)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{} is not a valid schema: {e}", path.display()))
}

/// The errors of `document` against `validator`, one line each.
fn errors(validator: &Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect()
}

/// The run's stdout as JSON, checked against `docs/schema/{schema}.schema.json`: valid,
/// `formatVersion` 1, and strict (see [`assert_strict`]). Returns the document.
pub fn assert_matches(schema: &str, out: &Output) -> Value {
    let document: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\n--- stderr\n{}",
            stdout(out),
            stderr(out)
        )
    });
    assert_document(schema, &document);
    document
}

/// `document` checked against `docs/schema/{schema}.schema.json` (see [`assert_matches`]).
pub fn assert_document(schema: &str, document: &Value) {
    let validator = validator(schema);
    let found = errors(&validator, document);
    assert!(
        found.is_empty(),
        "{schema}.schema.json refuses the output:\n  {}\n{document:#}",
        found.join("\n  ")
    );
    assert_eq!(document["formatVersion"], json!(1), "{document:#}");
    let first = document.as_object().and_then(|o| o.keys().next().cloned());
    assert_eq!(first.as_deref(), Some("formatVersion"), "{document:#}");
    assert_strict(schema, &validator, document);
}

/// Every object of `document` outside the free-form parts refuses a field added to it, and
/// refuses each of its fields renamed: a new or renamed field must come with a schema change.
fn assert_strict(schema: &str, validator: &Validator, document: &Value) {
    let mut objects = Vec::new();
    fixed_objects(document, String::new(), &mut objects);
    assert!(!objects.is_empty());
    for pointer in objects {
        let keys: Vec<String> = document
            .pointer(&pointer)
            .and_then(Value::as_object)
            .expect("collected as an object")
            .keys()
            .cloned()
            .collect();
        let mut added = document.clone();
        let object = added
            .pointer_mut(&pointer)
            .unwrap()
            .as_object_mut()
            .unwrap();
        object.insert("unexpectedField".into(), json!(true));
        assert!(
            !validator.is_valid(&added),
            "{schema}.schema.json takes a field added at `{pointer}`: make that object strict"
        );
        for key in keys {
            let mut renamed = document.clone();
            let object = renamed
                .pointer_mut(&pointer)
                .unwrap()
                .as_object_mut()
                .unwrap();
            let value = object.shift_remove(&key).expect("the key is there");
            object.insert(format!("{key}Renamed"), value);
            assert!(
                !validator.is_valid(&renamed),
                "{schema}.schema.json takes `{pointer}/{key}` renamed: pin the field"
            );
        }
    }
}

/// The JSON pointers of the objects whose keys the tool fixes: every object but the free-form
/// ones, which hold what AWS or Lex defines (IAM documents, tags, the log line read back).
fn fixed_objects(value: &Value, pointer: String, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            found.push(pointer.clone());
            let bot_record = object
                .get("address")
                .and_then(Value::as_str)
                .is_some_and(|a| a.starts_with("bot_record["));
            for (key, child) in object {
                let free = FREE_FORM.contains(&key.as_str())
                    || (bot_record && (key == "before" || key == "after"));
                if !free {
                    fixed_objects(child, format!("{pointer}/{}", escape(key)), found);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                fixed_objects(item, format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// The keys whose values are free-form objects: IAM policy documents (a saved plan's document
/// `body`), AWS tags, a CloudWatch metric's dimensions (name to value, as an alarm holds them),
/// the log line verify read back, and a saved plan's `step` (the tool's own form, not for
/// policy-as-code). (A bot record's before and after are its tags.)
const FREE_FORM: &[&str] = &[
    "document",
    "trustPolicy",
    "tags",
    "dimensions",
    "found",
    "body",
    "step",
];

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[test]
fn every_schema_is_valid_draft_2020_12_and_every_file_is_one() {
    let mut names: Vec<String> = std::fs::read_dir(schema_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".schema.json"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "error.schema.json",
            "outcome.schema.json",
            "plan.schema.json",
            "policy.schema.json",
            "saved-plan.schema.json",
            "status.schema.json",
            "verify.schema.json"
        ]
    );
    for name in names {
        validator(name.trim_end_matches(".schema.json"));
    }
}

#[test]
fn a_document_with_an_added_or_renamed_field_or_another_version_fails() {
    let usage = json!({"formatVersion": 1, "error": {
        "kind": "usage", "message": "unexpected argument '--bogus' found",
        "hint": "see lex-logs-setup --help", "code": null, "requestId": null, "exitCode": 64}});
    assert_document("error", &usage);
    let mut other_version = usage.clone();
    other_version["formatVersion"] = json!(2);
    let mut unversioned = usage.clone();
    unversioned
        .as_object_mut()
        .unwrap()
        .shift_remove("formatVersion");
    let mut unknown_kind = usage.clone();
    unknown_kind["error"]["kind"] = json!("surprise");
    let validator = validator("error");
    for wrong in [other_version, unversioned, unknown_kind] {
        assert!(!validator.is_valid(&wrong), "{wrong:#}");
    }
}
