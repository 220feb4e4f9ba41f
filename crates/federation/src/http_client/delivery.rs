//! Delivering a signed activity to an inbox and saying what the delivery worker should do next.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Method};
use url::Url;

use super::fetch::ACTIVITY_ACCEPT;
use super::{ClientError, OutboundClient, within};
use crate::signatures::RequestSigner;

/// The Content-Type of delivered activities.
pub const ACTIVITY_CONTENT_TYPE: &str = "application/activity+json";

/// How a delivery ended, from the delivery worker's point of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// 2xx: delivered.
    Delivered,
    /// 3xx (deliveries follow no redirects) and 4xx other than 408 and 429: never retry.
    Permanent {
        /// The status answered.
        status: u16,
    },
    /// 429, or 503 with a Retry-After: retry, not before `retry_after` when it is given.
    RateLimited {
        /// The parsed Retry-After (seconds or an HTTP date), as sent.
        retry_after: Option<Duration>,
    },
    /// 5xx, 408, timeouts and connection errors: retry with backoff.
    Transient {
        /// What went wrong, for the logs.
        reason: String,
    },
}

impl OutboundClient {
    /// POSTs `body` (an activity) to `inbox`, signed by `signer` (`Digest` and `Signature`,
    /// Content-Type [`ACTIVITY_CONTENT_TYPE`]), within `total_timeout`. Timeouts and network
    /// errors are `Ok(Transient)`; an `Err` means the request may never be sent (a refused
    /// address or scheme, an invalid URL, a key that cannot sign): do not retry it.
    pub async fn post_activity(
        &self,
        inbox: &Url,
        body: Bytes,
        signer: &RequestSigner,
    ) -> Result<DeliveryOutcome, ClientError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(ACTIVITY_CONTENT_TYPE),
        );
        headers.insert(ACCEPT, HeaderValue::from_static(ACTIVITY_ACCEPT));
        let send = self.send(
            Method::POST,
            inbox,
            &headers,
            Some(body),
            Some(signer),
            None,
        );
        let sent = within(self.inner.config.total_timeout, send).await;
        match sent {
            Ok((response, _)) => {
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|value| value.to_str().ok());
                Ok(classify_delivery_status(
                    response.status().as_u16(),
                    retry_after,
                    SystemTime::now(),
                ))
            }
            Err(ClientError::Timeout) => Ok(DeliveryOutcome::Transient {
                reason: "timed out".into(),
            }),
            Err(ClientError::Network(reason)) => Ok(DeliveryOutcome::Transient { reason }),
            Err(other) => Err(other),
        }
    }
}

/// What an inbox's answer means for the delivery (see [`DeliveryOutcome`]); `retry_after` is
/// the Retry-After header, read relative to `now`.
pub fn classify_delivery_status(
    status: u16,
    retry_after: Option<&str>,
    now: SystemTime,
) -> DeliveryOutcome {
    let retry_after = retry_after.and_then(|value| parse_retry_after(value, now));
    match status {
        200..=299 => DeliveryOutcome::Delivered,
        429 => DeliveryOutcome::RateLimited { retry_after },
        503 if retry_after.is_some() => DeliveryOutcome::RateLimited { retry_after },
        408 | 500..=599 => DeliveryOutcome::Transient {
            reason: format!("HTTP {status}"),
        },
        300..=499 => DeliveryOutcome::Permanent { status },
        _ => DeliveryOutcome::Transient {
            reason: format!("unexpected HTTP {status}"),
        },
    }
}

/// A Retry-After value: delay seconds (`120`) or an HTTP date, as a delay from `now` (a date
/// in the past is zero). `None` when it is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        return value.parse().ok().map(Duration::from_secs);
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}
