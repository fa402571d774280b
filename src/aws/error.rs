//! AWS errors, classified into what a person can act on.

use std::error::Error as StdError;
use std::fmt;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsErrorKind {
    AccessDenied,
    /// An opt-in region that this account has not enabled.
    RegionNotEnabled,
    Throttled,
    Timeout,
    Unreachable,
    /// The service has no endpoint in this region.
    NotOffered,
    /// No usable credentials.
    Credentials,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub kind: AwsErrorKind,
    /// IAM action name, e.g. `guardduty:ListDetectors`.
    pub action: String,
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = &self.action;
        match self.kind {
            AwsErrorKind::AccessDenied => write!(f, "AccessDenied: {action}"),
            AwsErrorKind::RegionNotEnabled => write!(f, "region not enabled (opt-in) for {action}"),
            AwsErrorKind::Throttled => write!(f, "throttled: {action} (retries exhausted)"),
            AwsErrorKind::Timeout => write!(f, "timeout: {action}"),
            AwsErrorKind::Unreachable => write!(f, "endpoint unreachable: {action}"),
            AwsErrorKind::NotOffered => {
                let service = action.split(':').next().unwrap_or(action);
                write!(f, "{service} is not offered in this region")
            }
            AwsErrorKind::Credentials => write!(f, "no usable AWS credentials for {action}"),
            AwsErrorKind::Other => {
                write!(f, "{}", self.code.as_deref().unwrap_or("error"))?;
                if let Some(msg) = &self.message {
                    write!(f, ": {msg}")?;
                }
                write!(f, " ({action}")?;
                if let Some(id) = &self.request_id {
                    write!(f, ", request id {id}")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl StdError for AwsError {}

const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
    "Forbidden",
];
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
];
/// What an opt-in region that is not enabled answers with.
const REGION_DISABLED: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "OptInRequired",
];
const CREDENTIALS: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
];

impl AwsError {
    /// A failure found by awsmon itself around a call (not an SDK error).
    pub fn other(action: &str, message: impl std::fmt::Display) -> AwsError {
        AwsError {
            kind: AwsErrorKind::Other,
            action: action.to_string(),
            code: None,
            message: Some(message.to_string()),
            request_id: None,
        }
    }

    pub fn classify<E>(action: &str, err: &SdkError<E, HttpResponse>) -> AwsError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let mut out = AwsError {
            kind: AwsErrorKind::Other,
            action: action.to_string(),
            code: err.code().map(str::to_string),
            message: err.message().map(str::to_string),
            request_id: err.request_id().map(str::to_string),
        };
        out.kind = match err {
            SdkError::TimeoutError(_) => AwsErrorKind::Timeout,
            SdkError::DispatchFailure(d) if d.is_timeout() => AwsErrorKind::Timeout,
            SdkError::DispatchFailure(d) if d.is_io() => {
                // A name that does not resolve means the service has no endpoint there.
                let text = DisplayErrorContext(err).to_string().to_ascii_lowercase();
                if text.contains("dns error")
                    || text.contains("failed to lookup address")
                    || text.contains("name or service not known")
                {
                    AwsErrorKind::NotOffered
                } else {
                    AwsErrorKind::Unreachable
                }
            }
            SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) => {
                let text = DisplayErrorContext(err).to_string();
                out.message.get_or_insert_with(|| first_line(&text));
                if text.to_ascii_lowercase().contains("credential") || text.contains("identity") {
                    AwsErrorKind::Credentials
                } else {
                    AwsErrorKind::Other
                }
            }
            SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
                let status = err.raw_response().map(|r| r.status().as_u16());
                match out.code.as_deref() {
                    Some(c) if ACCESS_DENIED.contains(&c) => AwsErrorKind::AccessDenied,
                    Some(c) if THROTTLED.contains(&c) => AwsErrorKind::Throttled,
                    Some(c) if REGION_DISABLED.contains(&c) => AwsErrorKind::RegionNotEnabled,
                    Some(c) if CREDENTIALS.contains(&c) => AwsErrorKind::Credentials,
                    _ if status == Some(403) => AwsErrorKind::AccessDenied,
                    _ if status == Some(429) => AwsErrorKind::Throttled,
                    _ => {
                        if out.code.is_none() {
                            // Not an AWS error body at all (an HTML page from a proxy or an
                            // emulator that lacks the operation).
                            out.message = Some(format!(
                                "unexpected response{}",
                                status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
                            ));
                        }
                        AwsErrorKind::Other
                    }
                }
            }
            _ => AwsErrorKind::Other,
        };
        if out.kind == AwsErrorKind::Other && out.code.is_none() && out.message.is_none() {
            out.message = Some(first_line(&DisplayErrorContext(err).to_string()));
        }
        out
    }

    /// A short form for table cells.
    pub fn short(&self) -> String {
        self.to_string()
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    let mut out: String = line.chars().take(200).collect();
    if line.chars().count() > 200 {
        out.push('…');
    }
    out
}
