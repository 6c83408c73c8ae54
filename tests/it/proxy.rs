//! A fault-injecting HTTP proxy between the binary and LocalStack (set as AWS_ENDPOINT_URL).
//! It classifies each request by service (SigV4 credential scope) and operation (`Action=` for
//! IAM/STS, `X-Amz-Target` for Logs/KMS, method and path for S3, Lex V2 and CloudWatch), records every call,
//! and can reject or lose the k-th mutating call, throttle a share of mutating calls, or slow
//! every call.

#[path = "proxy_lex.rs"]
mod lex_ops;
#[path = "proxy_rate.rs"]
mod rate;
pub use rate::throttled;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

use crate::support::endpoint;

/// What to break.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    None,
    /// Answer the k-th mutating call (1-based) with a non-retryable error, without forwarding it.
    Reject(usize),
    /// Reject the k-th mutating call and every one after it (so rollback fails too).
    RejectFrom(usize),
    /// Reject the first call of this operation (`service:Operation`), a write or a read.
    RejectOperation(&'static str),
    /// Reject the n-th call (1-based) of this operation, and only it.
    RejectNth(&'static str, usize),
    /// Answer the first n UpdateBot calls as Lex does while IAM has not propagated a new role.
    RoleNotYetUsable(usize),
    /// Answer every UpdateBot that names a role other than a service-linked one so: the
    /// dedicated mode's apply waits on IAM until stopped; a rollback to the bot's old role passes.
    NewRoleNeverUsable,
    /// Forward the k-th mutating call, then answer 500: the change happened, the client is told it did not.
    Lose(usize),
    /// Answer this share (0.0-1.0) of mutating calls with the service's throttling error.
    Throttle(f64),
    /// A service's rate limit: each service (iam, lex, logs, ...) admits this many calls per
    /// second from each account in each region (a token bucket holding one second's worth, per
    /// access key id, region and service of the SigV4 credential scope: one key is one account
    /// here), and answers the calls beyond it with its throttling error, as an account's API rate
    /// quota does.
    #[allow(dead_code)]
    RateLimit(f64),
}

/// One call that went through the proxy.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub service: String,
    pub operation: String,
    pub mutating: bool,
    /// "rejected", "lost", "throttled", or empty.
    pub injected: &'static str,
    /// When the request arrived and when its answer left, since the proxy started.
    pub started: Duration,
    pub ended: Duration,
    /// The request's path and body (form fields for IAM, JSON for Lex), to check the resources a
    /// call named.
    pub path: String,
    pub body: String,
}

/// The longest chain of calls that waited on each other: a call's level is one more than the
/// deepest call that had finished before it started.
pub fn sequential_round_trips(calls: &[Call]) -> usize {
    let mut sorted: Vec<&Call> = calls.iter().collect();
    sorted.sort_by_key(|c| c.started);
    let mut levels: Vec<(Duration, usize)> = Vec::new();
    for call in sorted {
        let level = 1 + levels
            .iter()
            .filter(|(ended, _)| *ended <= call.started)
            .map(|(_, l)| *l)
            .max()
            .unwrap_or(0);
        levels.push((call.ended, level));
    }
    levels.iter().map(|(_, l)| *l).max().unwrap_or(0)
}

#[derive(Debug)]
struct State {
    epoch: std::time::Instant,
    fault: Fault,
    delay: Duration,
    calls: Vec<Call>,
    mutating_seen: usize,
    throttle_budget: f64,
    /// `Fault::RateLimit`'s token buckets.
    buckets: rate::Buckets,
    holds: crate::proxy_hold::Holds,
}

/// A running proxy; stops when dropped.
pub struct FaultProxy {
    pub endpoint: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    pub async fn start(fault: Fault) -> FaultProxy {
        Self::start_with_delay(fault, Duration::ZERO).await
    }

    pub async fn start_with_delay(fault: Fault, delay: Duration) -> FaultProxy {
        Self::start_to(endpoint(), fault, delay).await
    }

    /// A proxy in front of `upstream`.
    pub async fn start_to(upstream: String, fault: Fault, delay: Duration) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy binds");
        let address = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            epoch: std::time::Instant::now(),
            fault,
            delay,
            calls: Vec::new(),
            mutating_seen: 0,
            throttle_budget: 0.0,
            buckets: Default::default(),
            holds: Default::default(),
        }));
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (state, client, upstream) = (shared.clone(), client.clone(), upstream.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        handle(req, state.clone(), client.clone(), upstream.clone())
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FaultProxy {
            endpoint: format!("http://{address}"),
            state,
            task,
        }
    }

    /// Holds the `nth` call of `operation` (`service:Operation`) until the test says.
    pub fn hold(&self, operation: &str, nth: usize) -> crate::proxy_hold::Held {
        self.state.lock().unwrap().holds.hold(operation, nth)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    /// How many calls the proxy answered with the service's throttling error.
    pub fn throttled(&self) -> usize {
        throttled(&self.calls())
    }

    /// The mutating calls, as `service:Operation`.
    pub fn mutating(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| c.mutating)
            .map(|c| format!("{}:{}", c.service, c.operation))
            .collect()
    }
}

async fn handle(
    req: Request<Incoming>,
    state: Arc<Mutex<State>>,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    upstream: String,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (index, response) = answer(req, state.clone(), client, upstream).await;
    let mut s = state.lock().unwrap();
    s.calls[index].ended = s.epoch.elapsed();
    Ok(response)
}

async fn answer(
    req: Request<Incoming>,
    state: Arc<Mutex<State>>,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    upstream: String,
) -> (usize, Response<Full<Bytes>>) {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let (service, operation) = classify(&parts, &body);
    let scope = rate::credential_scope(&parts);
    let mutating = is_mutating(&service, &operation);
    let index;
    let (decision, delay) = {
        let mut s = state.lock().unwrap();
        let mut decision = "";
        let same = |c: &&Call| c.service == service && c.operation == operation;
        let nth = s.calls.iter().filter(same).count() + 1;
        if mutating {
            s.mutating_seen += 1;
            match s.fault {
                Fault::Reject(k) if k == s.mutating_seen => decision = "rejected",
                Fault::RejectFrom(k) if s.mutating_seen >= k => decision = "rejected",
                Fault::RoleNotYetUsable(n)
                    if operation == "UpdateBot"
                        && s.calls.iter().filter(|c| c.injected == "not-yet").count() < n =>
                {
                    decision = "not-yet"
                }
                Fault::NewRoleNeverUsable
                    if operation == "UpdateBot"
                        && !String::from_utf8_lossy(&body).contains("aws-service-role/") =>
                {
                    decision = "not-yet"
                }
                Fault::RejectOperation(op)
                    if op == format!("{service}:{operation}")
                        && !s.calls.iter().any(|c| c.injected == "rejected") =>
                {
                    decision = "rejected"
                }
                Fault::RejectNth(op, n) if op == format!("{service}:{operation}") && n == nth => {
                    decision = "rejected"
                }
                Fault::Lose(k) if k == s.mutating_seen => decision = "lost",
                Fault::Throttle(share) => {
                    s.throttle_budget += share;
                    if s.throttle_budget >= 1.0 {
                        s.throttle_budget -= 1.0;
                        decision = "throttled";
                    }
                }
                _ => {}
            }
        } else if let Fault::RejectOperation(op) = s.fault {
            // A read refused (an account listing the credentials may not make).
            if op == format!("{service}:{operation}")
                && !s.calls.iter().any(|c| c.injected == "rejected")
            {
                decision = "rejected";
            }
        }
        if let Fault::RateLimit(per_second) = s.fault {
            let now = s.epoch.elapsed();
            if !s.buckets.take(&scope, per_second, now) {
                decision = "throttled";
            }
        }
        index = s.calls.len();
        let started = s.epoch.elapsed();
        s.calls.push(Call {
            started,
            ended: Duration::ZERO,
            service: service.clone(),
            operation: operation.clone(),
            mutating,
            injected: decision,
            path: parts.uri.path().to_string(),
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        (decision, s.delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let holds = state.lock().unwrap().holds.clone();
    let decision = holds
        .pass(&format!("{service}:{operation}"), decision)
        .await;
    state.lock().unwrap().calls[index].injected = decision;
    match decision {
        "rejected" => return (index, error_response(&service, false)),
        "throttled" => return (index, error_response(&service, true)),
        "not-yet" => {
            let body = r#"{"message":"Lex could not assume the role: check that the role exists and trusts lexv2.amazonaws.com"}"#;
            let response = Response::builder()
                .status(400)
                .header("content-type", "application/json")
                .header("x-amzn-errortype", "ValidationException")
                .header("x-amzn-requestid", "injected-iam-propagation")
                .body(Full::new(Bytes::from_static(body.as_bytes())))
                .unwrap();
            return (index, response);
        }
        _ => {}
    }
    let uri = format!(
        "{upstream}{}",
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let mut forward = Request::builder().method(parts.method.clone()).uri(uri);
    for (name, value) in &parts.headers {
        forward = forward.header(name, value);
    }
    let response = match client.request(forward.body(Full::new(body)).unwrap()).await {
        Ok(r) => r,
        Err(e) => {
            return (
                index,
                Response::builder()
                    .status(502)
                    .body(Full::new(Bytes::from(e.to_string())))
                    .unwrap(),
            )
        }
    };
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if decision == "lost" {
        return (
            index,
            Response::builder()
                .status(500)
                .header("content-type", "text/plain")
                .body(Full::new(Bytes::from_static(b"injected: lost response")))
                .unwrap(),
        );
    }
    (index, Response::from_parts(parts, Full::new(body)))
}

/// The service from the SigV4 credential scope, and the operation from the protocol's own marker.
fn classify(parts: &hyper::http::request::Parts, body: &Bytes) -> (String, String) {
    let auth = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let service = auth
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').nth(3))
        .unwrap_or("unknown")
        .to_string();
    // CloudWatch signs as `monitoring` and speaks RPC v2 (CBOR): the operation ends the path.
    let service = match service.as_str() {
        "monitoring" => "cloudwatch".to_string(),
        _ => service,
    };
    let operation = match service.as_str() {
        "cloudwatch" => parts
            .uri
            .path()
            .rsplit_once("/operation/")
            .map(|(_, op)| op.to_string())
            .unwrap_or_else(|| "Unknown".to_string()),
        "iam" | "sts" => String::from_utf8_lossy(body)
            .split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .unwrap_or("Unknown")
            .to_string(),
        "logs" | "kms" => parts
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("Unknown")
            .to_string(),
        "lex" => lex_ops::lex_operation(parts.method.as_str(), parts.uri.path()),
        "s3" => s3_operation(
            parts.method.as_str(),
            parts.uri.path(),
            parts.uri.query().unwrap_or_default(),
        ),
        _ => "Unknown".to_string(),
    };
    (service, operation)
}

fn s3_operation(method: &str, path: &str, query: &str) -> String {
    let has = |k: &str| {
        query
            .split('&')
            .any(|kv| kv == k || kv.starts_with(&format!("{k}=")))
    };
    let is_bucket = path.trim_matches('/').split('/').count() == 1;
    let op = match method {
        "HEAD" if is_bucket => "HeadBucket",
        "GET" if has("encryption") => "GetBucketEncryption",
        "GET" if has("location") => "GetBucketLocation",
        "GET" if has("policy") => "GetBucketPolicy",
        "PUT" if has("encryption") => "PutBucketEncryption",
        "PUT" if is_bucket => "CreateBucket",
        "PUT" => "PutObject",
        "GET" => "GetObject",
        "DELETE" => "Delete",
        _ => "Unknown",
    };
    op.to_string()
}

fn is_mutating(service: &str, operation: &str) -> bool {
    let reads = ["Get", "List", "Describe", "Head"];
    !(reads.iter().any(|r| operation.starts_with(r)) || operation == "Unknown" || service == "sts")
}

/// An error in the service's own wire format: AccessDenied (not retryable) or throttling.
fn error_response(service: &str, throttle: bool) -> Response<Full<Bytes>> {
    let request_id = "injected-0000-1111";
    let (status, content_type, headers, body): (u16, &str, Vec<(&str, String)>, String) = match (
        service, throttle,
    ) {
        ("iam" | "sts", false) => (
            403,
            "text/xml",
            vec![],
            query_error("AccessDenied", request_id),
        ),
        ("iam" | "sts", true) => (
            400,
            "text/xml",
            vec![],
            query_error("Throttling", request_id),
        ),
        ("logs" | "kms", t) => {
            let code = if t {
                "ThrottlingException"
            } else {
                "AccessDeniedException"
            };
            (
                400,
                "application/x-amz-json-1.1",
                vec![],
                format!(r#"{{"__type":"{code}","message":"injected by the test proxy"}}"#),
            )
        }
        ("s3", t) => {
            let (status, code) = if t {
                (503, "SlowDown")
            } else {
                (403, "AccessDenied")
            };
            (status, "application/xml", vec![], format!("<Error><Code>{code}</Code><Message>injected by the test proxy</Message><RequestId>{request_id}</RequestId></Error>"))
        }
        (_, t) => {
            let (status, code) = if t {
                (429, "ThrottlingException")
            } else {
                (403, "AccessDeniedException")
            };
            (
                status,
                "application/json",
                vec![("x-amzn-errortype", code.to_string())],
                r#"{"message":"injected by the test proxy"}"#.to_string(),
            )
        }
    };
    let mut response = Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("x-amzn-requestid", request_id)
        .header("x-amz-request-id", request_id);
    for (name, value) in headers {
        response = response.header(name, value);
    }
    response.body(Full::new(Bytes::from(body))).unwrap()
}

fn query_error(code: &str, request_id: &str) -> String {
    format!("<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>injected by the test proxy</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
}

#[cfg(test)]
#[path = "proxy/tests.rs"]
mod tests;
