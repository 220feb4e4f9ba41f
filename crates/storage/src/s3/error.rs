//! Turns the SDK's errors into [`StorageError`]s that say what to fix, and never carry a secret.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::StorageError;

/// The codes S3 servers answer when the credentials are wrong or lack a permission.
const REFUSAL_CODES: &[&str] = &[
    "AccessDenied",
    "AllAccessDisabled",
    "AuthorizationHeaderMalformed",
    "ExpiredToken",
    "InvalidAccessKeyId",
    "InvalidToken",
    "NotSignedUp",
    "SignatureDoesNotMatch",
    "TokenRefreshRequired",
];

/// What an operation was doing when it failed, to name it in the error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub operation: &'static str,
    pub bucket: &'a str,
    pub endpoint: &'a str,
    pub key: &'a str,
}

/// The HTTP status of a failed request, when the server answered.
pub(crate) fn status_of<E>(error: &SdkError<E, HttpResponse>) -> Option<u16> {
    error
        .raw_response()
        .map(|response| response.status().as_u16())
}

/// Classifies an SDK error: unreachable server, missing bucket, refused credentials, missing
/// object, unsatisfiable range, or anything else with the SDK's full explanation.
pub(crate) fn classify<E>(context: Context<'_>, error: SdkError<E, HttpResponse>) -> StorageError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = error.code().map(str::to_owned);
    let status = status_of(&error);
    // A failure of our own request body (a source file that changed under the upload) is
    // not the server's fault.
    let own_body_failed = matches!(&error, SdkError::DispatchFailure(failure) if failure.is_user());
    if own_body_failed {
        return StorageError::S3 {
            operation: context.operation,
            key: context.key.to_owned(),
            detail: DisplayErrorContext(&error).to_string(),
        };
    }
    if matches!(
        error,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
    ) {
        return StorageError::S3Unreachable {
            operation: context.operation,
            endpoint: context.endpoint.to_owned(),
            detail: DisplayErrorContext(&error).to_string(),
        };
    }
    let code_label = code
        .clone()
        .or_else(|| status.map(|status| format!("HTTP {status}")))
        .unwrap_or_else(|| "no answer".to_owned());
    match (code.as_deref(), status) {
        (Some("NoSuchBucket"), _) => StorageError::S3BucketMissing {
            bucket: context.bucket.to_owned(),
            endpoint: context.endpoint.to_owned(),
        },
        (Some(code), _) if REFUSAL_CODES.contains(&code) => StorageError::S3Refused {
            operation: context.operation,
            bucket: context.bucket.to_owned(),
            code: code_label,
        },
        (code, Some(401 | 403)) if code != Some("RequestTimeTooSkewed") => {
            StorageError::S3Refused {
                operation: context.operation,
                bucket: context.bucket.to_owned(),
                code: code_label,
            }
        }
        (Some("NoSuchKey" | "NotFound"), _) | (None, Some(404)) => StorageError::NotFound {
            key: context.key.to_owned(),
        },
        (Some("InvalidRange"), _) | (_, Some(416)) => StorageError::RangeNotSatisfiable {
            key: context.key.to_owned(),
        },
        _ => StorageError::S3 {
            operation: context.operation,
            key: context.key.to_owned(),
            detail: match (&error, error.message()) {
                (SdkError::ServiceError(_), Some(message)) => format!("{code_label}: {message}"),
                _ => format!("{code_label}: {}", DisplayErrorContext(&error)),
            },
        },
    }
}
