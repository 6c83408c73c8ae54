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

mod no_aws_code;
use no_aws_code::{credentials_error, not_an_aws_answer, source_chain};

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
    /// `--static-only`, could not be), or the alias has no conversation log settings; also
    /// `apply --verify` interrupted during verify: the apply is complete, delivery not confirmed.
    pub const NOT_DELIVERED: i32 = 4;
    /// `status --fail-on SEVERITY`: a posture finding of that severity or higher was found.
    pub const FINDINGS: i32 = 5;
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

/// How the HTTP client names an attempt that got no answer in time (the read timeout).
const READ_TIMEOUT: &str = "HTTP read timeout";

/// The code and message of a call that got no answer in time, with the limits it had.
fn no_answer<E>(operation: &str, err: &SdkError<E, HttpResponse>) -> (String, String)
where
    E: std::error::Error + Send + Sync + 'static,
{
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

/// The endpoint an operation (`sts:GetCallerIdentity`) went to, as a person can find it.
fn endpoint_of(operation: &str) -> String {
    let service = operation.split(':').next().unwrap_or(operation);
    match CALL_SETTINGS.get() {
        Some(CallSettings {
            endpoint: Some(url),
            ..
        }) => format!("{url} ({service})"),
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
    /// Where the call was made (the connection's account and region, and the role assumed),
    /// set where the error leaves the work of one place ([`Error::placed`]).
    pub place: Option<crate::provider::Provider>,
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
            // The call's time ran out, or (the read timeout) an attempt's answer did not come.
            SdkError::TimeoutError(_) => no_answer(operation, err),
            SdkError::DispatchFailure(failure)
                if failure.is_timeout() && source_chain(err).contains(READ_TIMEOUT) =>
            {
                no_answer(operation, err)
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
            place: None,
        }
    }

    /// True when the call may have taken effect although it failed: a server error, a timeout,
    /// or a request that may have been sent before the connection broke.
    pub fn is_ambiguous(&self) -> bool {
        self.status.is_some_and(|s| s >= 500) || self.is(&["DispatchFailure", "Timeout"])
    }

    /// True when AWS says the resource the call names does not exist.
    pub fn is_not_found(&self) -> bool {
        self.is(NOT_FOUND_CODES)
    }

    /// True when the error code is one of `codes`.
    pub fn is(&self, codes: &[&str]) -> bool {
        codes.contains(&self.code.as_str())
    }

    /// What failed, without the request id and the next step.
    pub fn summary(&self) -> String {
        let place = match &self.place {
            Some(place) => format!(" in {place}"),
            None => String::new(),
        };
        format!(
            "{} on {}{place} failed: {}: {}",
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
    /// A field a change owns moved since the plan read it (a deployment, another team): the
    /// change was refused, and the run rolls back.
    #[error("{message}\n  next: {hint}")]
    Stale { message: String, hint: String },
    /// A saved plan (`apply FILE`) whose world has moved since it was made: refused before any
    /// change; `moved` lists what moved, one line each.
    #[error("{message}\n  next: make a new plan (`lex-logs-setup plan --out FILE`), review it, and apply that")]
    StalePlan { message: String, moved: Vec<String> },
    /// A defect of lex-logs-setup itself (a plan it cannot run as made): never the user's input.
    #[error("internal error: {0}; please report it")]
    Internal(String),
    /// An undo found that someone else changed the resource after this run wrote it: what they
    /// set was left as it is (not a failure of the rollback).
    #[error("{0}")]
    ChangedElsewhere(String),
}

impl Error {
    pub fn invalid(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn stale(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Stale {
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
            Error::Stale { message, hint } => ("stale", message.clone(), Some(hint)),
            Error::StalePlan { message, .. } => ("stale-plan", message.clone(), None),
            Error::ChangedElsewhere(m) => ("changed-elsewhere", m.clone(), None),
            Error::Internal(m) => ("internal", m.clone(), None),
        };
        let mut error = serde_json::json!({
            "kind": kind,
            "message": message,
            "hint": hint,
            "code": self.aws().and_then(AwsError::aws_code),
            "requestId": self.aws().and_then(|e| e.request_id.clone()),
            "exitCode": self.exit_code(),
        });
        if let Error::StalePlan { moved, .. } = self {
            error["moved"] = moved.clone().into();
        }
        if let Some(e) = self.aws() {
            error["operation"] = e.operation.into();
            error["resource"] = e.resource.clone().into();
            error["httpStatus"] = e.status.into();
            if let Some(place) = &e.place {
                error["account"] = place.account.clone().into();
                error["region"] = place.region.clone().into();
            }
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

    /// True when this is an AWS error saying the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.aws().is_some_and(AwsError::is_not_found)
    }

    /// The error, saying that its call was made by `provider` (the first place set stays: it
    /// is the innermost, where the call was made).
    pub fn placed(self, provider: &crate::provider::Provider) -> Error {
        match self {
            Error::Aws(mut e) if e.place.is_none() => {
                e.place = Some(provider.clone());
                Error::Aws(e)
            }
            other => other,
        }
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

/// The codes AWS services answer with when the resource a call names does not exist (IAM,
/// CloudWatch Logs and Lex, API Gateway-style services and KMS, S3).
const NOT_FOUND_CODES: &[&str] = &[
    "NoSuchEntity",
    "NoSuchEntityException",
    "ResourceNotFoundException",
    "NotFoundException",
    "NoSuchBucket",
];

/// Turns "not found" into `None`: for reads of something that may not exist, and deletes that
/// treat "already gone" as done.
pub trait Optional<T> {
    /// `Ok(Some(value))`, `Ok(None)` when the error says the resource does not exist, or the error.
    fn optional(self) -> Result<Option<T>>;
}

impl<T> Optional<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

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
mod tests;
