//! The texts of Kinora's e-mails: one layout with a plain-text and an HTML part, every value
//! escaped in the HTML, a link to act on and, for notifications, one to stop them.

use html_escape::{encode_double_quoted_attribute, encode_text};
use kinora_core::email::{OutgoingEmail, subject_line};

use super::EmailContext;

/// The parts of one message.
pub(super) struct Draft<'a> {
    /// The subject, without the instance's prefix.
    pub subject: String,
    /// The paragraphs, plain text.
    pub paragraphs: Vec<String>,
    /// A quoted text (a comment, a report's message), plain text.
    pub quote: Option<String>,
    /// The link to act on: its label and URL.
    pub action: Option<(&'a str, String)>,
    /// Why the recipient gets this, plain text.
    pub reason: &'a str,
}

/// Longest quote kept, in characters.
const QUOTE_MAX: usize = 600;

fn shorten(text: &str) -> String {
    match text.char_indices().nth(QUOTE_MAX) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

/// The message `draft` to `to`, with a one-click unsubscribe link when given.
pub(super) fn render(
    context: &EmailContext,
    to: &str,
    draft: Draft<'_>,
    unsubscribe_url: Option<String>,
) -> OutgoingEmail {
    let subject = subject_line(&format!("[{}] {}", context.instance_name, draft.subject));
    let mut text = String::new();
    let mut html = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family: sans-serif; line-height: 1.5; max-width: 40em\">\n",
    );
    for paragraph in &draft.paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
        html.push_str(&format!("<p>{}</p>\n", encode_text(paragraph)));
    }
    if let Some(quote) = &draft.quote {
        let quote = shorten(quote);
        for line in quote.lines() {
            text.push_str("> ");
            text.push_str(line);
            text.push('\n');
        }
        text.push('\n');
        html.push_str(&format!(
            "<blockquote style=\"border-left: 3px solid #ccc; margin: 0; padding-left: 1em; \
             white-space: pre-wrap\">{}</blockquote>\n",
            encode_text(&quote)
        ));
    }
    if let Some((label, url)) = &draft.action {
        text.push_str(&format!("{label}: {url}\n\n"));
        html.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>\n",
            encode_double_quoted_attribute(url),
            encode_text(label)
        ));
    }
    let signature = format!("{} — {}", context.instance_name, context.public_url);
    text.push_str(&format!("-- \n{signature}\n{}\n", draft.reason));
    html.push_str(&format!(
        "<hr>\n<p style=\"color: #666; font-size: smaller\">{}<br>{}",
        encode_text(&signature),
        encode_text(draft.reason)
    ));
    if let Some(url) = &unsubscribe_url {
        text.push_str(&format!("Stop these e-mails: {url}\n"));
        html.push_str(&format!(
            "<br><a href=\"{}\">Stop these e-mails</a>",
            encode_double_quoted_attribute(url)
        ));
    }
    html.push_str("</p>\n</body></html>\n");
    OutgoingEmail {
        to: to.to_owned(),
        subject,
        text,
        html,
        unsubscribe_url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> EmailContext {
        EmailContext {
            public_url: "https://video.example".into(),
            instance_name: "Example <Videos>".into(),
            enabled: true,
        }
    }

    #[test]
    fn values_are_escaped_in_the_html_part_and_kept_in_the_text() {
        let email = render(
            &context(),
            "ana@example.org",
            Draft {
                subject: "New comment on <b>My</b> video".into(),
                paragraphs: vec!["Eve <script>alert(1)</script> commented:".into()],
                quote: Some("\"quoted\" & <i>text</i>".into()),
                action: Some(("See it", "https://video.example/w/x?a=1&b=\"2\"".into())),
                reason: "You get this because you asked.",
            },
            Some("https://video.example/unsubscribe?token=t&setting=s".into()),
        );
        assert_eq!(
            email.subject,
            "[Example <Videos>] New comment on <b>My</b> video"
        );
        assert!(
            email
                .text
                .contains("Eve <script>alert(1)</script> commented:")
        );
        assert!(email.text.contains("> \"quoted\" & <i>text</i>"));
        assert!(
            email
                .text
                .contains("See it: https://video.example/w/x?a=1&b=\"2\"")
        );
        assert!(
            email
                .text
                .contains("Stop these e-mails: https://video.example/unsubscribe")
        );
        assert!(!email.html.contains("<script>"), "{}", email.html);
        assert!(email.html.contains("&lt;script&gt;"));
        assert!(email.html.contains("&lt;i&gt;text&lt;/i&gt;"));
        assert!(
            email
                .html
                .contains("href=\"https://video.example/w/x?a=1&amp;b=&quot;2&quot;\"")
        );
        assert!(email.html.contains("Example &lt;Videos&gt;"));
    }

    #[test]
    fn long_quotes_are_cut() {
        let email = render(
            &context(),
            "ana@example.org",
            Draft {
                subject: "s".into(),
                paragraphs: vec![],
                quote: Some("word ".repeat(1000)),
                action: None,
                reason: "r",
            },
            None,
        );
        let quoted: String = email
            .text
            .lines()
            .filter(|line| line.starts_with("> "))
            .collect();
        assert!(quoted.chars().count() < QUOTE_MAX + 10);
        assert!(quoted.ends_with('…'));
        assert!(!email.text.contains("Stop these e-mails"));
    }
}
