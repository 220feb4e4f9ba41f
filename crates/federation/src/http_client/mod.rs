//! The one outbound HTTP client (DESIGN.md §5.1): every request to a remote host goes through
//! [`OutboundClient`], which
//! - connects only to public addresses (unless `allow_private_addresses`): names are checked
//!   on the very addresses the connector uses ([`resolver`]), IP literals before the request;
//! - speaks https only (http too when `allow_private_addresses`);
//! - follows redirects itself, re-checking scheme and address on every hop, at most
//!   `max_redirects` of them;
//! - streams bodies under a cap counted after decompression ([`body`]) and a total deadline;
//! - checks the Content-Type of ActivityPub objects and that their id is on the host they
//!   came from.
//!
//! Start reading at [`OutboundClient::fetch_object`]; deliveries are in [`delivery`].

mod address;
mod body;
pub mod delivery;
mod fetch;
mod resolver;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, Method};
use reqwest::header::LOCATION;
use url::{Host, Url};

use crate::FederationConfig;
use crate::json::JsonError;
use crate::signatures::{RequestSigner, SignatureError, sign_request};

pub use address::{is_public_address, refusal_reason};
pub use delivery::{
    ACTIVITY_CONTENT_TYPE, DeliveryOutcome, classify_delivery_status, parse_retry_after,
};
pub use fetch::{ACTIVITY_ACCEPT, Fetched, is_activity_content_type};
pub use resolver::{AddressRefusedError, HostLookup, LookupFuture, SystemLookup};

/// How the outbound client behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundConfig {
    /// Allow private, loopback and link-local addresses and plain http (tests on one machine).
    pub allow_private_addresses: bool,
    /// The `User-Agent` of every request.
    pub user_agent: String,
    /// Longest wait for a TCP connection.
    pub connect_timeout: Duration,
    /// Deadline of a whole [`OutboundClient::fetch_object`] or
    /// [`OutboundClient::post_activity`], every redirect hop and the body included.
    pub total_timeout: Duration,
    /// Deadline of a whole [`OutboundClient::download`].
    pub download_timeout: Duration,
    /// Largest ActivityPub object, counted after decompression.
    pub max_object_bytes: u64,
    /// Most redirects followed by one fetch or download (SSRF-03); deliveries follow none.
    pub max_redirects: usize,
    /// PEM certificates of extra certificate authorities to trust besides the web's roots.
    pub extra_root_certificates: Vec<String>,
}

impl Default for OutboundConfig {
    /// Guard on, 5 s to connect, 30 s per fetch or delivery, 30 min per download, 3 MiB
    /// objects (PeerTube's inbox limit), one redirect.
    fn default() -> Self {
        Self {
            allow_private_addresses: false,
            user_agent: format!("kinora/{}", env!("CARGO_PKG_VERSION")),
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(30),
            download_timeout: Duration::from_secs(30 * 60),
            max_object_bytes: 3 * 1024 * 1024,
            max_redirects: 1,
            extra_root_certificates: Vec::new(),
        }
    }
}

impl OutboundConfig {
    /// The defaults with the `[federation]` section's switches and a User-Agent naming the
    /// instance (`kinora/<version> (+<public_url>)`, as PeerTube and Mastodon do).
    pub fn for_federation(federation: &FederationConfig, public_url: &str) -> Self {
        Self {
            allow_private_addresses: federation.allow_private_addresses,
            user_agent: format!("kinora/{} (+{public_url})", env!("CARGO_PKG_VERSION")),
            ..Self::default()
        }
    }
}

/// Why an outbound request failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The address is not one we may connect to (SSRF-01/02).
    #[error("address refused: {0}")]
    AddressRefused(String),
    /// Only https (and http when private addresses are allowed) may be fetched.
    #[error("only https URLs may be fetched")]
    SchemeRefused,
    /// The URL cannot be requested (no host, credentials in it, a bad redirect target).
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// The body passed the cap.
    #[error("the response is larger than allowed")]
    TooLarge,
    /// The response's Content-Type is not one asked for (ID-03).
    #[error("unexpected content type {0:?}")]
    BadContentType(String),
    /// The response's Content-Encoding is neither gzip nor identity.
    #[error("unsupported content encoding {0:?}")]
    BadContentEncoding(String),
    /// More redirects than `max_redirects`.
    #[error("too many redirects")]
    TooManyRedirects,
    /// The deadline passed.
    #[error("the request timed out")]
    Timeout,
    /// The remote answered with an unexpected status.
    #[error("the remote answered HTTP {0}")]
    Status(u16),
    /// Connecting, sending or receiving failed.
    #[error("network error: {0}")]
    Network(String),
    /// The body is not bounded, valid JSON.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// The object is not a JSON object.
    #[error("the response is not a JSON object")]
    NotAnObject,
    /// The object's id is not on the host it was fetched from (ID-01).
    #[error("the object's id {id:?} is not on the host of {final_url}")]
    ForeignId {
        /// The id the object claims.
        id: String,
        /// Where it was actually fetched from.
        final_url: Url,
    },
    /// The request could not be signed.
    #[error("signing: {0}")]
    Signing(#[from] SignatureError),
    /// Writing a download to its sink failed.
    #[error("writing the download: {0}")]
    Sink(std::io::Error),
    /// The client could not be built (a bad extra certificate).
    #[error("building the client: {0}")]
    Setup(String),
}

impl ClientError {
    /// Whether trying again later may succeed: timeouts, network errors, 408, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Network(_) => true,
            Self::Status(status) => matches!(status, 408 | 429 | 500..=599),
            _ => false,
        }
    }
}

/// The only way to reach a remote host (see the module header). Cheap to clone.
#[derive(Clone)]
pub struct OutboundClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: OutboundConfig,
}

impl std::fmt::Debug for OutboundClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OutboundClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl OutboundClient {
    /// A client resolving names with the operating system.
    pub fn new(config: &OutboundConfig) -> Result<Self, ClientError> {
        Self::with_lookup(config, Arc::new(SystemLookup))
    }

    /// A client resolving names with `lookup`; its answers still pass the address rules.
    pub fn with_lookup(
        config: &OutboundConfig,
        lookup: Arc<dyn HostLookup>,
    ) -> Result<Self, ClientError> {
        let resolver = resolver::GuardedResolver {
            lookup,
            allow_private_addresses: config.allow_private_addresses,
        };
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .no_zstd()
            .dns_resolver(Arc::new(resolver));
        for pem in &config.extra_root_certificates {
            let certificate = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|error| ClientError::Setup(describe(&error)))?;
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder
            .build()
            .map_err(|error| ClientError::Setup(describe(&error)))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config: config.clone(),
            }),
        })
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &OutboundConfig {
        &self.inner.config
    }

    /// Checks a URL before any request: the scheme, credentials, and IP-literal hosts (names
    /// are checked by the resolver on the addresses actually connected to).
    pub fn check_url(&self, url: &Url) -> Result<(), ClientError> {
        let allow_private = self.inner.config.allow_private_addresses;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            _ => return Err(ClientError::SchemeRefused),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ClientError::InvalidUrl(
                "credentials in the URL are refused".into(),
            ));
        }
        let address = match url.host() {
            None => return Err(ClientError::InvalidUrl("the URL has no host".into())),
            Some(Host::Domain(_)) => return Ok(()),
            Some(Host::Ipv4(v4)) => v4.into(),
            Some(Host::Ipv6(v6)) => v6.into(),
        };
        match refusal_reason(address, allow_private) {
            None => Ok(()),
            Some(reason) => Err(ClientError::AddressRefused(format!(
                "{address} is {reason}"
            ))),
        }
    }

    /// Sends one request, signed per hop when `signer` is given, following at most
    /// `redirects` redirects (`None`: a redirect is returned as the response). Returns the
    /// response and the URL it came from.
    async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: &HeaderMap,
        body: Option<Bytes>,
        signer: Option<&RequestSigner>,
        redirects: Option<usize>,
    ) -> Result<(reqwest::Response, Url), ClientError> {
        let mut current = url.clone();
        let mut hops = 0;
        loop {
            self.check_url(&current)?;
            let mut hop_headers = headers.clone();
            if let Some(signer) = signer {
                sign_request(
                    signer,
                    &method,
                    &current,
                    &mut hop_headers,
                    body.as_deref(),
                    SystemTime::now(),
                )?;
            }
            let mut request = self
                .inner
                .http
                .request(method.clone(), current.clone())
                .headers(hop_headers);
            if let Some(body) = &body {
                request = request.body(body.clone());
            }
            let response = request.send().await.map_err(|error| classify(&error))?;
            let is_redirect = matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308);
            let Some(max_redirects) = redirects.filter(|_| is_redirect) else {
                return Ok((response, current));
            };
            hops += 1;
            if hops > max_redirects {
                return Err(ClientError::TooManyRedirects);
            }
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .ok_or(ClientError::Status(response.status().as_u16()))?;
            current = current
                .join(location)
                .map_err(|error| ClientError::InvalidUrl(format!("redirect target: {error}")))?;
        }
    }
}

/// Runs `work` under `deadline`: past it, [`ClientError::Timeout`].
async fn within<T>(
    deadline: Duration,
    work: impl std::future::Future<Output = Result<T, ClientError>>,
) -> Result<T, ClientError> {
    tokio::time::timeout(deadline, work)
        .await
        .unwrap_or(Err(ClientError::Timeout))
}

/// Maps a reqwest error, finding a refusal of our resolver in its causes.
fn classify(error: &reqwest::Error) -> ClientError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(refused) = current.downcast_ref::<AddressRefusedError>() {
            return ClientError::AddressRefused(refused.to_string());
        }
        cause = current.source();
    }
    if error.is_timeout() {
        ClientError::Timeout
    } else {
        ClientError::Network(describe(error))
    }
}

/// An error and its causes on one line.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(current) = cause {
        text.push_str(": ");
        text.push_str(&current.to_string());
        cause = current.source();
    }
    text
}
