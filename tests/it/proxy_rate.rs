//! `Fault::RateLimit`'s token buckets: one per access key id, region and service of a request's
//! SigV4 credential scope (one key is one account here; IAM signs for us-east-1 whatever the
//! region), so that each account has each service's rate to itself, as AWS's quotas are; and
//! the count of the calls they throttled.

use std::collections::HashMap;
use std::time::Duration;

/// Per credential scope: the tokens left and when they were counted.
#[derive(Debug, Default)]
pub struct Buckets(HashMap<String, (f64, Duration)>);

impl Buckets {
    /// Takes a token of `scope`'s bucket (holding one second's worth of `per_second`) at `now`;
    /// false when it is empty.
    pub fn take(&mut self, scope: &str, per_second: f64, now: Duration) -> bool {
        let (tokens, at) = self.0.get(scope).copied().unwrap_or((per_second, now));
        let tokens = (tokens + (now - at).as_secs_f64() * per_second).min(per_second);
        let admitted = tokens >= 1.0;
        self.0
            .insert(scope.into(), (tokens - f64::from(u8::from(admitted)), now));
        admitted
    }
}

/// The SigV4 credential scope's access key id, region and service (`AKID/region/service`).
pub fn credential_scope(parts: &hyper::http::request::Parts) -> String {
    let auth = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let credential = auth.split("Credential=").nth(1).unwrap_or_default();
    let fields: Vec<&str> = credential.split(['/', ',']).collect();
    match fields.as_slice() {
        [key, _date, region, service, ..] => format!("{key}/{region}/{service}"),
        _ => "unsigned".to_string(),
    }
}

/// How many of `calls` were answered with the service's throttling error.
pub fn throttled(calls: &[super::Call]) -> usize {
    calls.iter().filter(|c| c.injected == "throttled").count()
}
