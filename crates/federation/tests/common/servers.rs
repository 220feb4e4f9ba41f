//! Real local servers for the outbound client's tests: axum over plain http or over TLS with a
//! certificate authority made by the `openssl` command, plus scripted name lookups.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use kinora_federation::http_client::{HostLookup, LookupFuture, OutboundClient, OutboundConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Serves `router` over plain http on `address` (port 0 picks one); returns the bound address.
pub async fn serve(address: SocketAddr, router: Router) -> SocketAddr {
    let listener = TcpListener::bind(address).await.unwrap();
    let bound = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    bound
}

/// Serves `router` on 127.0.0.1 over plain http.
pub async fn serve_loopback(router: Router) -> SocketAddr {
    serve("127.0.0.1:0".parse().unwrap(), router).await
}

/// Serves `router` over TLS with `tls`'s server certificate.
pub async fn serve_tls(address: SocketAddr, router: Router, tls: &TestTls) -> SocketAddr {
    let listener = TcpListener::bind(address).await.unwrap();
    let bound = listener.local_addr().unwrap();
    let listener = TlsListener {
        tcp: listener,
        acceptor: tls.acceptor(),
    };
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    bound
}

/// A TCP listener that completes TLS handshakes for axum.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, address)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, address);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// A throw-away certificate authority and one server certificate it signed.
pub struct TestTls {
    /// The authority's certificate, for [`OutboundConfig::extra_root_certificates`].
    pub ca_pem: String,
    server_certificate_pem: String,
    server_key_pem: String,
}

impl TestTls {
    /// A CA and a server certificate for `names` (DNS names) and `addresses`.
    pub fn new(names: &[&str], addresses: &[IpAddr]) -> Self {
        let directory = tempfile::tempdir().unwrap();
        let dir = directory.path();
        let alt_names: Vec<String> = names
            .iter()
            .map(|name| format!("DNS:{name}"))
            .chain(addresses.iter().map(|address| format!("IP:{address}")))
            .collect();
        std::fs::write(
            dir.join("server.ext"),
            format!(
                "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName={}\n",
                alt_names.join(",")
            ),
        )
        .unwrap();
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=kinora test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign",
            ],
        );
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=kinora test server",
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "2",
                "-extfile",
                "server.ext",
            ],
        );
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        Self {
            ca_pem: read("ca.pem"),
            server_certificate_pem: read("server.pem"),
            server_key_pem: read("server.key"),
        }
    }

    fn acceptor(&self) -> TlsAcceptor {
        let certificates =
            vec![CertificateDer::from_pem_slice(self.server_certificate_pem.as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(self.server_key_pem.as_bytes()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .unwrap();
        TlsAcceptor::from(Arc::new(config))
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A client with the guard on (`allow_private_addresses` off) or off, short deadlines.
pub fn client_config(allow_private_addresses: bool) -> OutboundConfig {
    OutboundConfig {
        allow_private_addresses,
        connect_timeout: std::time::Duration::from_secs(2),
        total_timeout: std::time::Duration::from_secs(5),
        download_timeout: std::time::Duration::from_secs(5),
        ..OutboundConfig::default()
    }
}

/// [`client_config`] built with the system resolver.
pub fn client(allow_private_addresses: bool) -> OutboundClient {
    OutboundClient::new(&client_config(allow_private_addresses)).unwrap()
}

/// Counts requests a router served.
#[derive(Clone, Default)]
pub struct Hits(Arc<AtomicUsize>);

impl Hits {
    /// One more request.
    pub fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// Requests so far.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Answers every lookup of a name from a fixed table; counts lookups.
#[derive(Clone, Default)]
pub struct StaticLookup {
    table: Arc<HashMap<String, Vec<IpAddr>>>,
    /// How many lookups were made.
    pub lookups: Hits,
}

impl StaticLookup {
    /// A table of names and their addresses.
    pub fn new(entries: &[(&str, &[IpAddr])]) -> Arc<Self> {
        let table = entries
            .iter()
            .map(|(name, addresses)| ((*name).to_owned(), addresses.to_vec()))
            .collect();
        Arc::new(Self {
            table: Arc::new(table),
            lookups: Hits::default(),
        })
    }
}

impl HostLookup for StaticLookup {
    fn lookup(&self, host: &str) -> LookupFuture {
        self.lookups.hit();
        let answer = self.table.get(host).cloned();
        Box::pin(async move {
            answer.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "unknown test name"))
        })
    }
}

/// A DNS-rebinding attacker's name server: each lookup gets the next answer of the script
/// (the last one repeats).
pub struct RebindingLookup {
    answers: Vec<Vec<IpAddr>>,
    next: Mutex<usize>,
}

impl RebindingLookup {
    /// Answers `answers[0]`, then `answers[1]`, …
    pub fn new(answers: Vec<Vec<IpAddr>>) -> Arc<Self> {
        Arc::new(Self {
            answers,
            next: Mutex::new(0),
        })
    }

    /// How many lookups were made.
    pub fn lookups(&self) -> usize {
        *self.next.lock().unwrap()
    }
}

impl HostLookup for RebindingLookup {
    fn lookup(&self, _host: &str) -> LookupFuture {
        let mut next = self.next.lock().unwrap();
        let answer = self.answers[(*next).min(self.answers.len() - 1)].clone();
        *next += 1;
        Box::pin(async move { Ok(answer) })
    }
}

/// A plain TCP listener on 127.0.0.1 that only counts the connections it accepts: proof that
/// nothing connected.
pub async fn connection_counter() -> (SocketAddr, Hits) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let hits = Hits::default();
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted.hit();
            drop(stream);
        }
    });
    (address, hits)
}
