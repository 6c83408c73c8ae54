//! Error types that say what failed, on which resource, with the AWS error code, the request id
//! and what to do next; and the exit codes the binary maps them to.

use std::fmt;

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
        write!(
            f,
            "{} on {} failed: {}: {}",
            self.operation, self.resource, self.code, self.message
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        write!(f, "\n  next: {}", self.hint)
    }
}

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
        let (code, message) = match err {
            SdkError::ServiceError(service) => (
                service.err().code().unwrap_or("Unknown").to_string(),
                service
                    .err()
                    .message()
                    .map(str::to_string)
                    .unwrap_or_else(|| service.err().to_string()),
            ),
            SdkError::TimeoutError(_) => ("Timeout".into(), "the request timed out".into()),
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
        "DispatchFailure" | "Timeout" => {
            "check the network, the region and --endpoint-url, then run the command again".into()
        }
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

    #[test]
    fn invalid_input_maps_to_the_usage_exit_code() {
        assert_eq!(Error::invalid("bad", "fix").exit_code(), exit_code::USAGE);
        assert_eq!(Error::Config("x".into()).exit_code(), exit_code::FAILURE);
    }
}
