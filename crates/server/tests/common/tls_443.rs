//! socat terminating TLS on 127.0.0.1:443 in front of an instance, for clients that only speak
//! `https://HOST/` without a port (yt-dlp's PeerTube extractor). Port 443 is one for the whole
//! machine: a proxy waits until no other test holds it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// socat on 127.0.0.1:443 for `port`; killed when dropped.
pub struct TlsProxy(Child);

fn port_443_taken() -> bool {
    std::net::TcpStream::connect("127.0.0.1:443").is_ok()
}

impl TlsProxy {
    /// Makes a throw-away certificate for `localhost` in `dir` and starts socat.
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
        let waited = Instant::now();
        while port_443_taken() {
            assert!(
                waited.elapsed() < Duration::from_secs(300),
                "127.0.0.1:443 stayed taken (another test's proxy?)"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let mut child = Command::new("socat")
            .arg(format!(
                "OPENSSL-LISTEN:443,bind=127.0.0.1,reuseaddr,fork,cert={},verify=0",
                both.display()
            ))
            .arg(format!("TCP:127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("socat (scripts/install-deps --test)");
        let started = Instant::now();
        while !port_443_taken() {
            assert!(
                child.try_wait().unwrap().is_none(),
                "socat stopped (is 127.0.0.1:443 taken?)"
            );
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "socat did not listen on 127.0.0.1:443"
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
