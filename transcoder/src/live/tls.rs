//! RTMPS: the ingest's TLS, on when `[live] rtmps_certificate` and `rtmps_private_key` are
//! set. The certificate chain and key are read once, at start; a broadcaster's TLS handshake
//! has the RTMP handshake's time limit.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use kinora_core::live::LiveConfig;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The acceptor for RTMPS connections, or `None` when RTMPS is off.
pub(crate) fn acceptor(config: &LiveConfig) -> anyhow::Result<Option<TlsAcceptor>> {
    let (Some(certificate), Some(key)) = (&config.rtmps_certificate, &config.rtmps_private_key)
    else {
        return Ok(None);
    };
    let chain = read_chain(certificate)?;
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("reading live.rtmps_private_key {}", key.display()))?;
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("TLS protocol versions")?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .context("live.rtmps_certificate does not go with live.rtmps_private_key")?;
    Ok(Some(TlsAcceptor::from(Arc::new(server))))
}

fn read_chain(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_file_iter(path)
        .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("reading live.rtmps_certificate {}", path.display()))?;
    anyhow::ensure!(
        !chain.is_empty(),
        "live.rtmps_certificate {} holds no certificate",
        path.display()
    );
    Ok(chain)
}
