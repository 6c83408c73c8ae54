//! Error types that say what failed, on which resource, with the AWS error code, the request id
//! and what to do next; and the exit codes the binary maps them to.

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;

/// Process exit codes, documented in `--help` and the README.
pub mod exit_code {
    /// Success (for `plan --detailed-exitcode`: success and nothing to change).
    pub const SUCCESS: i32 = 0;
    /// Failure; nothing was changed, or every change was rolled back.
    pub const FAILURE: i32 = 1;
    /// `plan --detailed-exitcode` only: success, and there are changes to make.
    pub const CHANGES_PENDING: i32 = 2;
    /// Failure, and rolling back failed too: some changes are still in place (they are listed).
    pub const ROLLBACK_INCOMPLETE: i32 = 3;
    /// `verify` (and `apply --verify`): some alias's conversation log was not delivered (or, with
    /// `--static-only`, could not be), or the alias has no conversation log settings.
    pub const NOT_DELIVERED: i32 = 4;
    /// Bad command line or bad input values; nothing was changed.
    pub const USAGE: i32 = 64;
}

/// How this run calls AWS, set once when the configuration is loaded: what a failed call's
/// message names (the endpoint, the timeouts).
#[derive(Debug, Clone, Default)]
pub struct CallSettings {
    /// `--endpoint-url` / `AWS_ENDPOINT_URL`; `None`: AWS's own endpoints.
    pub endpoint: Option<String>,
    /// `--profile` / `AWS_PROFILE`; `None`: the default profile.
    pub profile: Option<String>,
    pub region: Option<String>,
    pub connect_timeout: Duration,
    /// Per attempt (`--call-timeout`).
    pub attempt_timeout: Duration,
    /// Per call, with its retries.
    pub call_timeout: Duration,
}

static CALL_SETTINGS: OnceLock<CallSettings> = OnceLock::new();

/// Records how this run calls AWS (the first call wins; a run loads its configuration once).
pub fn set_call_settings(settings: CallSettings) {
    let _ = CALL_SETTINGS.set(settings);
}

/// The endpoint an operation (`sts:GetCallerIdentity`) went to, as a person can find it.
fn endpoint_of(operation: &str) -> String {
    let service = operation.split(':').next().unwrap_or(operation);
    match CALL_SETTINGS.get() {
        Some(CallSettings {
            endpoint: Some(url),
            ..
        }) => format!("{url} ({service})"),
        Some(CallSettings {
            region: Some(region),
            ..
        }) => format!("the AWS {service} endpoint of {region}"),
        _ => format!("the AWS {service} endpoint"),
    }
}

fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// A failed AWS call, with everything a person needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The AWS operation, e.g. `iam:CreateRole`.
    pub operation: &'static str,
    /// The resource it was acting on, e.g. `role[LexLogs-OrderBot]`.
    pub resource: String,
    /// The AWS error code, e.g. `AccessDenied`; `Unknown` when the service gave none.
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// The HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// What to do next.
    pub hint: String,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        write!(f, "\n  next: {}", self.hint)
    }
}

/// Codes this tool gives failures that carry no AWS error code (AWS never sent one).
const NOT_AWS_CODES: &[&str] = &[
    "Unknown",
    "Timeout",
    "DispatchFailure",
    "NoCredentials",
    "CredentialsError",
];

impl AwsError {
    /// Builds an error from an SDK error, with a hint chosen from the error code.
    pub fn from_sdk<E>(
        operation: &'static str,
        resource: impl Into<String>,
        err: &SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if let Some(found) = credentials_error(err) {
            return found.at(operation, resource.into());
        }
        let (code, message) = match err {
            // No AWS error code: whatever answered is not speaking AWS's protocol.
            SdkError::ServiceError(service) if service.err().code().is_none() => {
                return not_an_aws_answer(operation, resource.into(), service.raw())
            }
            SdkError::ResponseError(response) => {
                return not_an_aws_answer(operation, resource.into(), response.raw())
            }
            SdkError::ServiceError(service) => (
                service.err().code().unwrap_or("Unknown").to_string(),
                service
                    .err()
                    .message()
                    .map(str::to_string)
                    .unwrap_or_else(|| service.err().to_string()),
            ),
            SdkError::TimeoutError(_) => {
                let limits = match CALL_SETTINGS.get() {
                    Some(s) => format!(
                        "; --call-timeout allows {} per attempt and {} per call with its retries",
                        seconds(s.attempt_timeout),
                        seconds(s.call_timeout)
                    ),
                    None => String::new(),
                };
                (
                    "Timeout".into(),
                    format!(
                        "no answer from {} in time ({}){limits}",
                        endpoint_of(operation),
                        source_chain(err)
                    ),
                )
            }
            SdkError::DispatchFailure(failure) if failure.is_timeout() => {
                let limit = match CALL_SETTINGS.get() {
                    Some(s) => format!(" within --connect-timeout {}", seconds(s.connect_timeout)),
                    None => String::new(),
                };
                (
                    "Timeout".into(),
                    format!(
                        "could not connect to {}{limit} ({})",
                        endpoint_of(operation),
                        source_chain(err)
                    ),
                )
            }
            SdkError::DispatchFailure(_) => (
                "DispatchFailure".into(),
                format!("could not send the request: {}", source_chain(err)),
            ),
            _ => ("Unknown".into(), DisplayErrorContext(err).to_string()),
        };
        let hint = hint_for(&code, operation);
        AwsError {
            operation,
            resource: resource.into(),
            code,
            message,
            request_id: err.request_id().map(str::to_string),
            status: err.raw_response().map(|r| r.status().as_u16()),
            hint,
        }
    }

    /// True when the call may have taken effect although it failed: a server error, a timeout,
    /// or a request that may have been sent before the connection broke.
    pub fn is_ambiguous(&self) -> bool {
        self.status.is_some_and(|s| s >= 500) || self.is(&["DispatchFailure", "Timeout"])
    }

    /// True when the error code is one of `codes`.
    pub fn is(&self, codes: &[&str]) -> bool {
        codes.contains(&self.code.as_str())
    }

    /// What failed, without the request id and the next step.
    pub fn summary(&self) -> String {
        format!(
            "{} on {} failed: {}: {}",
            self.operation, self.resource, self.code, self.message
        )
    }

    /// The error code AWS sent, if it sent one (not one this tool gave a failure without it).
    pub fn aws_code(&self) -> Option<&str> {
        let ours = self.is(NOT_AWS_CODES) || self.code.starts_with("HTTP ");
        (!ours).then_some(self.code.as_str())
    }

    /// What kind of failure this is, for `--output json`.
    fn kind(&self) -> &'static str {
        match self.code.as_str() {
            "NoCredentials" | "CredentialsError" => "credentials",
            "Timeout" => "timeout",
            "DispatchFailure" => "network",
            code if code.starts_with("HTTP ") => "not-aws",
            _ => "aws",
        }
    }
}

/// An error the credential chain raised instead of credentials, as a code, message and hint.
struct CredentialsFailure {
    code: &'static str,
    message: String,
    hint: String,
}

impl CredentialsFailure {
    fn at(self, operation: &'static str, resource: String) -> AwsError {
        AwsError {
            operation,
            resource,
            code: self.code.into(),
            message: self.message,
            request_id: None,
            status: None,
            hint: self.hint,
        }
    }
}

/// The credential chain's failure behind an SDK error (it surfaces as a dispatch failure), if
/// that is what it is.
fn credentials_error(err: &(dyn std::error::Error + 'static)) -> Option<CredentialsFailure> {
    use aws_credential_types::provider::error::CredentialsError;
    let mut source = err.source();
    let found = loop {
        let inner = source?;
        if let Some(found) = inner.downcast_ref::<CredentialsError>() {
            break found;
        }
        source = inner.source();
    };
    let chosen = CALL_SETTINGS.get().and_then(|s| s.profile.as_deref());
    let profile = match chosen {
        Some(name) => format!("profile {name:?}"),
        None => "the default profile".into(),
    };
    // What each source of the chain said, one per line, as the SDK lists them.
    let said = source_chain(found);
    Some(match found {
        CredentialsError::CredentialsNotLoaded(_) => CredentialsFailure {
            code: "NoCredentials",
            message: format!(
                "no AWS credentials found. The default credential chain tried: environment \
                 variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), {profile} of the shared \
                 config and credentials files (with SSO, credential_process and assume-role \
                 profiles), a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE), ECS/EKS container \
                 credentials and EC2 instance metadata (IMDS); {}",
                said.replace("\n", "\n   ")
            ),
            hint: match chosen {
                Some(name) => format!("check that profile {name:?} exists in ~/.aws/config or ~/.aws/credentials (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE) and has credentials (for SSO, run `aws sso login --profile {name}`), or pass another --profile"),
                None => "pass --profile NAME (or set AWS_PROFILE) for a profile in ~/.aws/config, after `aws sso login --profile NAME` for SSO; or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or run where an instance, task or pod role provides credentials".into(),
            },
        },
        _ => CredentialsFailure {
            code: "CredentialsError",
            message: format!(
                "could not load AWS credentials ({profile}): {}",
                said.replace("\n", "\n   ")
            ),
            hint: "refresh or fix the credentials (e.g. `aws sso login --profile NAME`), or choose others with --profile; off EC2, AWS_EC2_METADATA_DISABLED=true skips instance metadata".into(),
        },
    })
}

/// An answer without an AWS error code: an HTTP status from something that is not (or not only)
/// an AWS endpoint, a proxy or a web server. Names the status, the operation and what came back.
fn not_an_aws_answer(operation: &'static str, resource: String, raw: &HttpResponse) -> AwsError {
    let status = raw.status().as_u16();
    let body = raw.body().bytes().unwrap_or_default();
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let what = if text.is_empty() {
        "an empty body".to_string()
    } else if text.to_ascii_lowercase().contains("<html") || text.starts_with("<!") {
        "an HTML page".to_string()
    } else {
        let mut start: String = text.chars().take(120).collect();
        if start.len() < text.len() {
            start.push_str("...");
        }
        format!("{:?}", start.replace(['\n', '\r'], " "))
    };
    let endpoint = endpoint_of(operation);
    let overridden = CALL_SETTINGS.get().is_some_and(|s| s.endpoint.is_some());
    let service = operation.split(':').next().unwrap_or(operation);
    AwsError {
        operation,
        resource,
        code: format!("HTTP {status}"),
        message: format!(
            "{endpoint} answered {operation} with HTTP {status} and {what}, not an AWS error; it may not be an AWS endpoint (or not one that serves {service})"
        ),
        request_id: None,
        status: Some(status),
        hint: if overridden {
            format!("check --endpoint-url / AWS_ENDPOINT_URL: it must be an AWS endpoint, or an emulator that serves {service}; leave it unset for AWS itself")
        } else {
            "something between you and AWS answered (a proxy?): check HTTPS_PROXY, the network and --region".into()
        },
    }
}

/// The messages of an error's sources, outermost first, without Debug noise.
fn source_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = err.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = inner.source();
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}

fn hint_for(code: &str, operation: &str) -> String {
    match code {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => format!(
            "the caller lacks permission for {operation}; `lex-logs-setup policy` prints the policy an operator needs"
        ),
        "ExpiredToken" | "ExpiredTokenException" | "InvalidClientTokenId"
        | "UnrecognizedClientException" | "InvalidSignatureException" | "SignatureDoesNotMatch" => {
            "refresh your credentials (e.g. `aws sso login --profile ...`) and try again".into()
        }
        "Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" => {
            "AWS is throttling this account; wait a minute and run the command again".into()
        }
        "LimitExceeded" | "LimitExceededException" | "ServiceQuotaExceededException" => {
            "an AWS quota is exhausted; remove unused resources or ask for a higher quota".into()
        }
        "DispatchFailure" => {
            "check the network, the region and --endpoint-url, then run the command again".into()
        }
        "Timeout" => format!(
            "check that {} is reachable and answers (network, proxy, --region, --endpoint-url); if it is only slow, raise --call-timeout or --connect-timeout",
            endpoint_of(operation)
        ),
        "NoSuchEntity" | "ResourceNotFoundException" | "NotFoundException" | "NoSuchBucket" => {
            "the resource is gone or was never there; check the name and region, then run `plan` again".into()
        }
        "UnmodifiableEntity" | "UnmodifiableEntityException" => {
            "IAM does not let this account change the role (a protected service-linked role); use --role-name NAME, the dedicated-role mode, which makes a role of ours and switches the bot to it".into()
        }
        "PreconditionFailedException" | "ConflictException" | "ConcurrentModification"
        | "ResourceInUseException" => {
            "someone else is changing this resource; wait for them to finish and run the command again".into()
        }
        _ => "read the AWS message above; fix the cause and run `plan` again to see what is left".into(),
    }
}

/// Everything that can go wrong in a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input found before any change: a malformed name, a missing bot, a conflicting flag.
    #[error("{message}\n  next: {hint}")]
    Invalid { message: String, hint: String },
    /// An AWS call failed.
    #[error("{0}")]
    Aws(Box<AwsError>),
    /// The AWS configuration (region, profile, credentials) could not be loaded.
    #[error("{0}")]
    Config(String),
    /// The user declined, or there was no terminal to ask and no `--yes`.
    #[error("{0}")]
    NotConfirmed(String),
    /// Ctrl-C before any change.
    #[error("{0}")]
    Interrupted(String),
    /// A wait ran out of time.
    #[error("{0}")]
    Timeout(String),
}

impl Error {
    pub fn invalid(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// The exit code for this error when nothing was changed.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid { .. } => exit_code::USAGE,
            _ => exit_code::FAILURE,
        }
    }

    /// The error as `--output json` prints it on stdout:
    /// `{"error": {"kind", "message", "hint", "code", "requestId", "exitCode", ...}}`, where
    /// `code` is the AWS error code (null when AWS sent none) and `exitCode` the process's.
    pub fn to_json(&self) -> serde_json::Value {
        let (kind, message, hint) = match self {
            Error::Invalid { message, hint } => ("invalid-input", message.clone(), Some(hint)),
            Error::Aws(e) => (e.kind(), e.summary(), Some(&e.hint)),
            Error::Config(m) => ("config", m.clone(), None),
            Error::NotConfirmed(m) => ("not-confirmed", m.clone(), None),
            Error::Interrupted(m) => ("interrupted", m.clone(), None),
            Error::Timeout(m) => ("timeout", m.clone(), None),
        };
        let mut error = serde_json::json!({
            "kind": kind,
            "message": message,
            "hint": hint,
            "code": self.aws().and_then(AwsError::aws_code),
            "requestId": self.aws().and_then(|e| e.request_id.clone()),
            "exitCode": self.exit_code(),
        });
        if let Some(e) = self.aws() {
            error["operation"] = e.operation.into();
            error["resource"] = e.resource.clone().into();
            error["httpStatus"] = e.status.into();
        }
        serde_json::json!({ "error": error })
    }

    /// A command line clap refused, as `--output json` prints it (see `to_json`).
    pub fn usage_json(message: &str) -> serde_json::Value {
        serde_json::json!({"error": {
            "kind": "usage",
            "message": message,
            "hint": "see lex-logs-setup --help",
            "code": null,
            "requestId": null,
            "exitCode": exit_code::USAGE,
        }})
    }

    /// True when this is an AWS error with one of `codes`.
    pub fn has_code(&self, codes: &[&str]) -> bool {
        self.aws().is_some_and(|e| e.is(codes))
    }

    /// The AWS error, if this is one.
    pub fn aws(&self) -> Option<&AwsError> {
        match self {
            Error::Aws(e) => Some(e),
            _ => None,
        }
    }
}

impl From<AwsError> for Error {
    fn from(e: AwsError) -> Self {
        Error::Aws(Box::new(e))
    }
}

/// IAM's "not found" codes.
pub const NO_SUCH_ENTITY: &[&str] = &["NoSuchEntity", "NoSuchEntityException"];

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Extension for SDK results: attach the operation and resource to a failure.
pub trait Context<T> {
    fn context(self, operation: &'static str, resource: impl Into<String>) -> Result<T>;
}

impl<T, E> Context<T> for std::result::Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    fn context(self, operation: &'static str, resource: impl Into<String>) -> Result<T> {
        self.map_err(|e| AwsError::from_sdk(operation, resource, &e).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(code: &str) -> AwsError {
        AwsError {
            operation: "iam:CreateRole",
            resource: "role[LexLogs-OrderBot]".into(),
            code: code.into(),
            message: "User is not authorized".into(),
            request_id: Some("abc-123".into()),
            status: Some(403),
            hint: hint_for(code, "iam:CreateRole"),
        }
    }

    #[test]
    fn aws_error_names_operation_resource_code_request_id_and_next_step() {
        let text = sample("AccessDenied").to_string();
        assert!(text.contains("iam:CreateRole"), "{text}");
        assert!(text.contains("role[LexLogs-OrderBot]"), "{text}");
        assert!(text.contains("AccessDenied"), "{text}");
        assert!(text.contains("request id abc-123"), "{text}");
        assert!(
            text.contains("next: the caller lacks permission for iam:CreateRole"),
            "{text}"
        );
    }

    #[test]
    fn unknown_codes_still_get_a_next_step() {
        let text = sample("SomethingNew").to_string();
        assert!(text.contains("next: read the AWS message"), "{text}");
        assert!(sample("Throttling").hint.contains("throttling"));
    }

    #[test]
    fn server_errors_and_lost_connections_are_ambiguous() {
        assert!(!sample("AccessDenied").is_ambiguous());
        assert!(AwsError {
            status: Some(500),
            ..sample("InternalFailure")
        }
        .is_ambiguous());
        assert!(AwsError {
            status: None,
            ..sample("DispatchFailure")
        }
        .is_ambiguous());
    }

    fn answered(status: u16, body: &'static str) -> AwsError {
        let raw = HttpResponse::new(
            status.try_into().unwrap(),
            aws_smithy_types::body::SdkBody::from(body),
        );
        not_an_aws_answer("iam:GetRole", "role[R]".into(), &raw)
    }

    #[test]
    fn answers_without_an_aws_error_name_the_status_operation_and_body() {
        let text = answered(404, "<!DOCTYPE html><html><body>Not Found</body></html>").to_string();
        assert!(
            text.contains("iam:GetRole on role[R] failed: HTTP 404:")
                && text.contains("with HTTP 404 and an HTML page")
                && text.contains("may not be an AWS endpoint")
                && !text.contains("Unknown")
                && !text.contains("message above"),
            "{text}"
        );
        assert!(answered(404, "").message.contains("an empty body"));
        let long = answered(502, "upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111");
        assert!(
            long.message.contains("\"upstream connect error") && long.message.contains("...\""),
            "{}",
            long.message
        );
        assert!(long.is_ambiguous(), "a 5xx may have taken effect");
    }

    #[test]
    fn invalid_input_maps_to_the_usage_exit_code() {
        assert_eq!(Error::invalid("bad", "fix").exit_code(), exit_code::USAGE);
        assert_eq!(Error::Config("x".into()).exit_code(), exit_code::FAILURE);
    }
}
