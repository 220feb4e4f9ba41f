//! A real SMTP server for the tests: `tests/smtp/capture.py` (aiosmtpd, installed by
//! `scripts/install-clients`), keeping each message it accepts as JSON with its decoded parts.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// The Python with aiosmtpd (`$KINORA_SMTP_PYTHON`, else the one `scripts/install-clients`
/// installs).
pub fn python() -> PathBuf {
    super::installed_client(
        "KINORA_SMTP_PYTHON",
        "/var/tmp/kinora-clients/smtp/bin/python",
    )
}

/// A running capture server; stopped when dropped.
pub struct SmtpCapture {
    child: Option<Child>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: tempfile::TempDir,
}

impl SmtpCapture {
    /// Starts one on a free port.
    pub fn start() -> Self {
        Self::start_on(super::process::free_port())
    }

    /// Starts one on `port`, once it accepts connections.
    pub fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut capture = Self {
            child: None,
            port,
            dir,
        };
        capture.spawn();
        capture
    }

    fn spawn(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/smtp/capture.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP capture did not start");
        self.child = Some(child);
    }

    /// The SMTP server's `[smtp]` section for a Kinora config.
    pub fn config_section(&self) -> String {
        smtp_section(self.port)
    }

    /// How many messages arrived so far (without reading them).
    pub fn count(&self) -> usize {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter(|entry| {
                entry
                    .as_ref()
                    .is_ok_and(|entry| entry.path().extension().is_some_and(|ext| ext == "json"))
            })
            .count()
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|path| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
            .collect()
    }

    /// The messages to `to`, once there are at least `count` (within 30 s).
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<Value> {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let found: Vec<Value> = self
                .messages()
                .into_iter()
                .filter(|message| {
                    message["to"]
                        .as_array()
                        .is_some_and(|list| list.iter().any(|r| r == to))
                })
                .collect();
            if found.len() >= count {
                return found;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{count} message(s) to {to} did not arrive; got {:?}",
                self.messages()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for SmtpCapture {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An `[smtp]` section for a plain SMTP server on 127.0.0.1:`port`.
pub fn smtp_section(port: u16) -> String {
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\n\
         from_address = \"kinora@example.org\"\ntimeout_secs = 5\n"
    )
}

/// The first link in `text` that starts with `prefix`, whole (up to a space or line end).
pub fn link(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no link {prefix} in {text}"));
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .next()
        .unwrap()
        .to_owned()
}

/// The value of query parameter `name` in `url`.
pub fn query_value(url: &str, name: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    form_urlencoded_pairs(query)
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}
