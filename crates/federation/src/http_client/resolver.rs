//! The DNS resolver of the outbound client: every answer passes the address rules before the
//! connector sees it, so the addresses checked are exactly the ones connected to and DNS
//! rebinding (a public answer for a check, a private one for the connection: SSRF-02) has no
//! second lookup to exploit.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::address::refusal_reason;

/// The future a [`HostLookup`] returns.
pub type LookupFuture = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

/// Turns a host name into addresses. [`SystemLookup`] asks the operating system; tests and
/// special setups may give [`super::OutboundClient::with_lookup`] another one. Whatever it
/// answers still passes the address rules.
pub trait HostLookup: Send + Sync {
    /// The addresses of `host` (a name, never an IP literal).
    fn lookup(&self, host: &str) -> LookupFuture;
}

/// The operating system's resolver (`getaddrinfo`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemLookup;

impl HostLookup for SystemLookup {
    fn lookup(&self, host: &str) -> LookupFuture {
        let host = host.to_owned();
        Box::pin(async move {
            let addresses = tokio::net::lookup_host((host.as_str(), 0)).await?;
            Ok(addresses.map(|address| address.ip()).collect())
        })
    }
}

/// Every address a host resolved to was refused.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to refused addresses: {detail}")]
pub struct AddressRefusedError {
    /// The host name.
    pub host: String,
    /// The first refused address and why.
    pub detail: String,
}

/// The resolver given to reqwest: looks up, then drops every refused address.
pub(super) struct GuardedResolver {
    pub(super) lookup: Arc<dyn HostLookup>,
    pub(super) allow_private_addresses: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let lookup = Arc::clone(&self.lookup);
        let allow_private = self.allow_private_addresses;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses = lookup.lookup(&host).await?;
            let mut refused = None;
            let mut allowed = Vec::with_capacity(addresses.len());
            for address in addresses {
                match refusal_reason(address, allow_private) {
                    None => allowed.push(SocketAddr::new(address, 0)),
                    Some(reason) => {
                        refused.get_or_insert_with(|| format!("{address} is {reason}"));
                    }
                }
            }
            if allowed.is_empty() {
                let error: Box<dyn std::error::Error + Send + Sync> = match refused {
                    Some(detail) => Box::new(AddressRefusedError { host, detail }),
                    None => Box::new(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("{host} has no address"),
                    )),
                };
                return Err(error);
            }
            let addresses: Addrs = Box::new(allowed.into_iter());
            Ok(addresses)
        })
    }
}
