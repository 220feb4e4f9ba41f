//! socat terminating TLS on 127.0.0.1:443 (a throw-away self-signed certificate for
//! `localhost`) in front of an instance, for clients such as yt-dlp that speak only
//! `https://HOST/…` without a port (research/interop.md §1).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// socat terminating TLS on 127.0.0.1:443 for `port`; killed when dropped.
pub struct TlsProxy(Child);

impl TlsProxy {
    pub fn start(dir: &Path, port: u16) -> Self {
        let key = dir.join("key.pem");
        let cert = dir.join("cert.pem");
        let status = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args([
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl (scripts/install-deps --test)");
        assert!(status.success());
        let both = dir.join("both.pem");
        let mut pem = std::fs::read(&cert).unwrap();
        pem.extend(std::fs::read(&key).unwrap());
        std::fs::write(&both, pem).unwrap();
        let child = Command::new("socat")
            .arg(format!(
                "OPENSSL-LISTEN:443,bind=127.0.0.1,reuseaddr,fork,cert={},verify=0",
                both.display()
            ))
            .arg(format!("TCP:127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("socat (scripts/install-deps --test)");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect("127.0.0.1:443").is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "socat did not listen on 127.0.0.1:443 (is the port taken?)"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self(child)
    }
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
