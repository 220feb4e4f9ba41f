//! HTML (as Mastodon writes statuses, or a video description in `text/html`) turned into plain
//! text: tags dropped, links keep their text (so mentions stay `@name`), paragraphs and line
//! breaks become newlines, character references are decoded, `<script>` and `<style>` bodies
//! vanish. One pass, no recursion, no allocation beyond the output.

/// Longest tag (with its attributes) read as a tag; a longer `<…` is kept as text.
const MAX_TAG: usize = 4096;

/// Elements whose start or end separates paragraphs.
const BLOCKS: [&str; 14] = [
    "p",
    "div",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
];

/// Plain text of an HTML fragment.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut skipping: Option<&'static str> = None;
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let (before, after) = rest.split_at(start);
        if skipping.is_none() {
            push_decoded(&mut text, before);
        }
        let Some(tag) = read_tag(after) else {
            if skipping.is_none() {
                text.push('<');
            }
            rest = &after[1..];
            continue;
        };
        rest = &after[tag.length..];
        if let Some(skipped) = skipping {
            if tag.closing && tag.name == skipped {
                skipping = None;
            }
            continue;
        }
        match tag.name.as_str() {
            "script" if !tag.closing => skipping = Some("script"),
            "style" if !tag.closing => skipping = Some("style"),
            "br" => text.push('\n'),
            name if BLOCKS.contains(&name) => text.push_str("\n\n"),
            _ => {}
        }
    }
    if skipping.is_none() {
        push_decoded(&mut text, rest);
    }
    tidy(&text)
}

struct Tag {
    name: String,
    closing: bool,
    length: usize,
}

/// The tag at the start of `input` (which starts with `<`), if it is one: `<name …>`,
/// `</name>`, or a comment or declaration (`<!…>`, nameless).
fn read_tag(input: &str) -> Option<Tag> {
    let bytes = input.as_bytes();
    let second = *bytes.get(1)?;
    if !(second.is_ascii_alphabetic() || second == b'/' || second == b'!') {
        return None;
    }
    if input.starts_with("<!--") {
        let end = input.find("-->")?;
        return Some(Tag {
            name: String::new(),
            closing: false,
            length: end + 3,
        });
    }
    // Searched as bytes: `>` is ASCII, so the slices below fall on character boundaries.
    let end = bytes[..bytes.len().min(MAX_TAG)]
        .iter()
        .position(|&byte| byte == b'>')?;
    let inner = &input[1..end];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(inner) => (true, inner),
        None => (false, inner),
    };
    let name: String = inner
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    Some(Tag {
        name,
        closing,
        length: end + 1,
    })
}

fn push_decoded(text: &mut String, fragment: &str) {
    // Source line breaks are layout, not content, in HTML.
    let decoded = html_escape::decode_html_entities(fragment);
    for character in decoded.chars() {
        text.push(match character {
            '\n' | '\r' | '\t' => ' ',
            '\u{a0}' => ' ',
            other => other,
        });
    }
}

/// Trims each line, collapses runs of spaces and of blank lines.
fn tidy(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut blank = false;
    for line in text.split('\n') {
        let line = line
            .split(' ')
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if line.is_empty() {
            blank = !lines.is_empty();
            continue;
        }
        if blank {
            lines.push(String::new());
            blank = false;
        }
        lines.push(line);
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn mastodon_statuses_become_plain_text_with_their_mentions() {
        let html = "<p><span class=\"h-card\"><a href=\"http://localhost:9000/accounts/ronan\" class=\"u-url mention\">@<span>ronan</span></a></span> zerg</p>";
        assert_eq!(html_to_text(html), "@ronan zerg");
        assert_eq!(
            html_to_text("<p>one &amp; two</p><p>three<br>four<br/>five</p>"),
            "one & two\n\nthree\nfour\nfive"
        );
    }

    #[test]
    fn odd_input_is_text_or_dropped_never_executed() {
        assert_eq!(html_to_text("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2");
        assert_eq!(html_to_text("a<script>alert(1)</script>b"), "ab");
        assert_eq!(html_to_text("a<style>p{}</style>b"), "ab");
        assert_eq!(html_to_text("x<!-- hidden -->y"), "xy");
        assert_eq!(html_to_text("<b>unclosed"), "unclosed");
        assert_eq!(html_to_text("tail <a href"), "tail <a href");
        assert_eq!(html_to_text("&lt;b&gt; &#233;t&eacute;"), "<b> été");
        assert_eq!(
            html_to_text("plain markdown **text**"),
            "plain markdown **text**"
        );
        assert_eq!(html_to_text(""), "");
        let deep = "<div>".repeat(100_000);
        assert_eq!(html_to_text(&deep), "");
        let wide = format!("<a {}>é", "é".repeat(3000));
        assert!(html_to_text(&wide).ends_with('é'));
    }
}
