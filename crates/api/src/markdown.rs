//! Markdown (descriptions, and later comments) to safe HTML for whatever we hand to other
//! programs as HTML (feeds), by the rules of the web front end's `web/src/markdown.ts`: raw
//! HTML in the source is shown as text, images become their text, and only a short list of
//! tags is ever written: `a p br strong em s code pre blockquote ul ol li`. Links keep only
//! `http:`, `https:`, `mailto:`, root-relative and fragment targets (anything else, e.g.
//! `javascript:`, leaves the text without a link) and open without referrer or opener.
//!
//! The HTML is written here from the parser's events, not by a general renderer followed by a
//! sanitiser: no tag or attribute can appear that this file does not write itself.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Renders `source` as safe HTML.
pub fn to_safe_html(source: &str) -> String {
    let mut html = String::with_capacity(source.len() + source.len() / 4);
    // Whether each open link was written as `<a>` (its target was allowed).
    let mut links: Vec<bool> = Vec::new();
    let parser = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH);
    for event in parser {
        match event {
            Event::Start(tag) => open(&mut html, &tag, &mut links),
            Event::End(tag) => close(&mut html, tag, &mut links),
            // Raw HTML is text, as markdown-it with `html: false` shows it.
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                html.push_str(&html_escape::encode_text(&text));
            }
            Event::Code(text) => {
                html.push_str("<code>");
                html.push_str(&html_escape::encode_text(&text));
                html.push_str("</code>");
            }
            // `breaks: true`: a line break in the source is one on the page.
            Event::SoftBreak | Event::HardBreak => html.push_str("<br>"),
            // Rules, footnotes, maths and task boxes are not enabled; their text is kept.
            Event::Rule => html.push_str("<p>---</p>"),
            Event::InlineMath(text) | Event::DisplayMath(text) | Event::FootnoteReference(text) => {
                html.push_str(&html_escape::encode_text(&text));
            }
            Event::TaskListMarker(done) => html.push_str(if done { "[x] " } else { "[ ] " }),
        }
    }
    html
}

/// Writes the opening of `tag`, if it is one we write.
fn open(html: &mut String, tag: &Tag<'_>, links: &mut Vec<bool>) {
    match tag {
        // Headings are disabled on the web page: their text is a paragraph.
        Tag::Paragraph | Tag::Heading { .. } => html.push_str("<p>"),
        Tag::BlockQuote(_) => html.push_str("<blockquote>"),
        Tag::CodeBlock(_) => html.push_str("<pre><code>"),
        Tag::List(Some(_)) => html.push_str("<ol>"),
        Tag::List(None) => html.push_str("<ul>"),
        Tag::Item => html.push_str("<li>"),
        Tag::Emphasis => html.push_str("<em>"),
        Tag::Strong => html.push_str("<strong>"),
        Tag::Strikethrough => html.push_str("<s>"),
        Tag::Link { dest_url, .. } => {
            let allowed = allowed_target(dest_url);
            if allowed {
                html.push_str("<a href=\"");
                html.push_str(&html_escape::encode_double_quoted_attribute(dest_url));
                html.push_str("\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">");
            }
            links.push(allowed);
        }
        // Images are disabled on the web page: their text stays.
        _ => {}
    }
}

/// Writes the closing of `tag`, if it is one we write.
fn close(html: &mut String, tag: TagEnd, links: &mut Vec<bool>) {
    match tag {
        TagEnd::Paragraph | TagEnd::Heading(_) => html.push_str("</p>"),
        TagEnd::BlockQuote(_) => html.push_str("</blockquote>"),
        TagEnd::CodeBlock => html.push_str("</code></pre>"),
        TagEnd::List(true) => html.push_str("</ol>"),
        TagEnd::List(false) => html.push_str("</ul>"),
        TagEnd::Item => html.push_str("</li>"),
        TagEnd::Emphasis => html.push_str("</em>"),
        TagEnd::Strong => html.push_str("</strong>"),
        TagEnd::Strikethrough => html.push_str("</s>"),
        // Closed only if it was opened as `<a>`.
        TagEnd::Link => html.push_str(if links.pop().unwrap_or(false) {
            "</a>"
        } else {
            ""
        }),
        _ => {}
    }
}

/// The link targets the web page keeps (`^(https?:|mailto:|/|#)`, case-insensitive).
fn allowed_target(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    ["http:", "https:", "mailto:", "/", "#"]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_the_source_is_text() {
        let html = to_safe_html("\"><script>alert(1)</script> <img src=x onerror=alert(2)>");
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn only_safe_links_are_links() {
        let html =
            to_safe_html("[a](javascript:alert(1)) [b](https://e.example/x?a=1&b=\"2\") [c](/w/x)");
        assert!(!html.contains("javascript:alert(1)\""), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(
            html.contains("href=\"https://e.example/x?a=1&amp;b=&quot;2&quot;\""),
            "{html}"
        );
        assert!(html.contains("href=\"/w/x\""), "{html}");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }

    #[test]
    fn markdown_is_rendered() {
        assert_eq!(
            to_safe_html("**bold** _em_\nnext\n\n- one\n- two"),
            "<p><strong>bold</strong> <em>em</em><br>next</p><ul><li>one</li><li>two</li></ul>"
        );
        assert_eq!(to_safe_html("![alt](http://x/i.png)"), "<p>alt</p>");
    }
}
