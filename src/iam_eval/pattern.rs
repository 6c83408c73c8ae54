//! Matching of policy values: IAM's `*`/`?` wildcards, and policy elements that may be one
//! string or a list.

use serde_json::Value;

/// `*` matches any run of characters, `?` exactly one.
pub(crate) fn wildcard_match(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, v) = (fold(pattern), fold(value));
    // Iterative glob matching with backtracking to the last `*`.
    let (mut pi, mut vi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, vi));
            pi += 1;
        } else if let Some((sp, sv)) = star {
            pi = sp + 1;
            vi = sv + 1;
            star = Some((sp, sv + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// A policy element as strings (one string or a list; other scalars as their JSON text).
pub(super) fn as_strings(value: &Value) -> Vec<String> {
    match value {
        Value::Null => vec![],
        Value::Array(items) => items.iter().flat_map(as_strings).collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}
