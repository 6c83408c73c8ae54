//! Failures that carry no AWS error code: the credential chain's (no or broken credentials), and
//! answers from something that is not an AWS endpoint (a proxy, a web server).

use aws_smithy_runtime_api::http::Response as HttpResponse;

use super::{endpoint_of, AwsError, CALL_SETTINGS};

/// An error the credential chain raised instead of credentials, as a code, message and hint.
pub(super) struct CredentialsFailure {
    code: &'static str,
    message: String,
    hint: String,
}

impl CredentialsFailure {
    pub(super) fn at(self, operation: &'static str, resource: String) -> AwsError {
        AwsError {
            place: None,
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
pub(super) fn credentials_error(
    err: &(dyn std::error::Error + 'static),
) -> Option<CredentialsFailure> {
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
pub(super) fn not_an_aws_answer(
    operation: &'static str,
    resource: String,
    raw: &HttpResponse,
) -> AwsError {
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
        place: None,
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
pub(super) fn source_chain(err: &(dyn std::error::Error + 'static)) -> String {
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
