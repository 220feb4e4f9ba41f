//! Kinora's e-mail: the `[smtp]` configuration ([`SmtpConfig`]) and the [`Mailer`] that sends a
//! composed [`OutgoingEmail`] (plain-text and HTML parts, RFC 8058 one-click unsubscribe
//! headers) through an SMTP server with `lettre`.
//!
//! Depends on `kinora-core` only; what a message says is composed elsewhere
//! (`kinora_app::emails`), and the server sends queued messages as jobs. Start reading at
//! [`Mailer::send`].

use std::time::Duration;

use kinora_core::email::OutgoingEmail;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// A plain connection upgraded with STARTTLS, which must succeed (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a server on the same machine or network.
    None,
}

/// The `[smtp]` section: where e-mail goes out. With an empty `host` Kinora sends no e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// The SMTP server's host name; empty: e-mail is off.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is protected.
    pub tls: SmtpTls,
    /// The login, when the server wants one (empty: none).
    pub username: String,
    /// The password of `username`.
    pub password: String,
    /// The sender's address.
    pub from_address: String,
    /// The sender's name (empty: the instance's name).
    pub from_name: String,
    /// Seconds one SMTP conversation may take.
    pub timeout_secs: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 587,
            tls: SmtpTls::Starttls,
            username: String::new(),
            password: String::new(),
            from_address: "no-reply@localhost.localdomain".to_owned(),
            from_name: String::new(),
            timeout_secs: 30,
        }
    }
}

impl SmtpConfig {
    /// Whether e-mail is on (a host is configured).
    pub fn enabled(&self) -> bool {
        !self.host.trim().is_empty()
    }
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The configuration cannot work (a bad sender address, TLS settings).
    #[error("SMTP configuration: {0}")]
    Config(String),
    /// The message or its recipient was refused for good (a bad address, a permanent SMTP
    /// answer): sending it again would fail again.
    #[error("refused: {0}")]
    Refused(String),
    /// The server could not be reached or answered "try later".
    #[error("SMTP server unavailable: {0}")]
    Unavailable(String),
}

impl MailError {
    /// Whether sending the same message later may work.
    pub fn is_transient(&self) -> bool {
        matches!(self, MailError::Unavailable(_))
    }
}

/// RFC 2369's `List-Unsubscribe`.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(text.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// RFC 8058's `List-Unsubscribe-Post`: the link works with one POST.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// Sends messages through the configured SMTP server (a pool of connections, reused). Made and
/// dropped inside a Tokio runtime.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `config`, sending as `from_name` (or `default_name`, the instance's name)
    /// `<from_address>`; `None` when e-mail is off. Nothing is connected yet.
    pub fn from_config(config: &SmtpConfig, default_name: &str) -> Result<Option<Self>, MailError> {
        if !config.enabled() {
            return Ok(None);
        }
        let name = if config.from_name.trim().is_empty() {
            default_name
        } else {
            config.from_name.trim()
        };
        let address = config
            .from_address
            .parse()
            .map_err(|error| MailError::Config(format!("smtp.from_address: {error}")))?;
        let from = Mailbox::new(Some(name.to_owned()), address);
        let host = config.host.trim();
        let builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|error| MailError::Config(format!("smtp.tls: {error}")))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|error| MailError::Config(format!("smtp.tls: {error}")))?,
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(Duration::from_secs(config.timeout_secs.max(1))));
        if !config.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                config.username.clone(),
                config.password.clone(),
            ));
        }
        Ok(Some(Self {
            transport: builder.build(),
            from,
        }))
    }

    /// The message `email` as it is sent (headers and both parts), without sending it.
    pub fn compose(&self, email: &OutgoingEmail) -> Result<Message, MailError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|error| MailError::Refused(format!("recipient {:?}: {error}", email.to)))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(kinora_core::email::subject_line(&email.subject));
        if let Some(url) = &email.unsubscribe_url {
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|error| MailError::Refused(format!("message: {error}")))
    }

    /// Sends `email`. A refused recipient or message is [`MailError::Refused`]; a server that
    /// cannot be reached or answers "later" is [`MailError::Unavailable`].
    pub async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = self.compose(email)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => Err(MailError::Refused(error.to_string())),
            Err(error) => Err(MailError::Unavailable(error.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailer() -> Mailer {
        let config = SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: SmtpTls::None,
            from_address: "kinora@example.org".into(),
            ..SmtpConfig::default()
        };
        Mailer::from_config(&config, "My Instance")
            .unwrap()
            .unwrap()
    }

    fn email(unsubscribe: Option<&str>) -> OutgoingEmail {
        OutgoingEmail {
            to: "ana@example.org".into(),
            subject: "New video\r\nBcc: eve@example.org".into(),
            text: "Hello".into(),
            html: "<p>Hello</p>".into(),
            unsubscribe_url: unsubscribe.map(str::to_owned),
        }
    }

    // A mailer holds a connection pool, which must be dropped inside a Tokio runtime.
    #[tokio::test]
    async fn no_host_means_no_mail() {
        assert!(
            Mailer::from_config(&SmtpConfig::default(), "x")
                .unwrap()
                .is_none()
        );
        let bad = SmtpConfig {
            host: "localhost".into(),
            from_address: "not an address".into(),
            ..SmtpConfig::default()
        };
        assert!(matches!(
            Mailer::from_config(&bad, "x"),
            Err(MailError::Config(_))
        ));
    }

    #[tokio::test]
    async fn messages_have_both_parts_one_subject_line_and_unsubscribe_headers() {
        let bytes = mailer()
            .compose(&email(Some("https://v.example/unsubscribe?t=1")))
            .unwrap()
            .formatted();
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.contains("From: \"My Instance\" <kinora@example.org>"),
            "{text}"
        );
        assert!(text.contains("To: ana@example.org"));
        // The CR LF in the subject did not become a header of its own.
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert!(text.contains("List-Unsubscribe: <https://v.example/unsubscribe?t=1>"));
        assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(text.contains("multipart/alternative"));
        assert!(text.contains("text/plain"));
        assert!(text.contains("text/html"));
        let plain = String::from_utf8(mailer().compose(&email(None)).unwrap().formatted()).unwrap();
        assert!(!plain.contains("List-Unsubscribe"));
    }

    #[tokio::test]
    async fn bad_recipients_are_refused_for_good() {
        let mut bad = email(None);
        bad.to = "ana@example.org>, eve@example.org".into();
        let error = mailer().compose(&bad).unwrap_err();
        assert!(!error.is_transient(), "{error}");
    }

    #[tokio::test]
    async fn an_unreachable_server_is_transient() {
        // Nothing listens on port 1 of this machine.
        let config = SmtpConfig {
            host: "127.0.0.1".into(),
            port: 1,
            tls: SmtpTls::None,
            timeout_secs: 5,
            ..SmtpConfig::default()
        };
        let mailer = Mailer::from_config(&config, "x").unwrap().unwrap();
        let error = mailer.send(&email(None)).await.unwrap_err();
        assert!(error.is_transient(), "{error}");
    }
}
