//! Prometheus's text exposition format, parsed strictly for the metrics tests.

use std::collections::BTreeMap;

/// One sample of the exposition: its name and labels (sorted), and its value.
pub type Samples = BTreeMap<(String, Vec<(String, String)>), f64>;

/// Parses Prometheus's text format strictly: `# HELP` / `# TYPE` comments, and samples
/// `name{label="value",…} number` whose names and labels are well-formed; any other line fails
/// the test. A sample seen twice fails it too.
pub fn parse_exposition(text: &str) -> Samples {
    let mut samples = Samples::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.split(' ');
            let (kind, name) = (words.next().unwrap(), words.next().unwrap_or(""));
            assert!(matches!(kind, "HELP" | "TYPE"), "comment: {line}");
            assert!(is_name(name), "comment's metric name: {line}");
            if kind == "TYPE" {
                let types = ["counter", "gauge", "histogram", "summary", "untyped"];
                assert!(types.contains(&words.next().unwrap_or("")), "type: {line}");
            }
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("sample: {line}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            number => number.parse().unwrap_or_else(|_| panic!("value: {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => (
                name,
                parse_labels(
                    rest.strip_suffix('}')
                        .unwrap_or_else(|| panic!("labels: {line}")),
                    line,
                ),
            ),
            None => (series, Vec::new()),
        };
        assert!(is_name(name), "metric name: {line}");
        let previous = samples.insert((name.to_owned(), labels), value);
        assert!(previous.is_none(), "sample twice: {line}");
    }
    samples
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `a="x",b="y"` (values with `\\`, `\"` and `\n` escapes), sorted by name.
fn parse_labels(mut text: &str, line: &str) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    while !text.is_empty() {
        let (name, rest) = text
            .split_once("=\"")
            .unwrap_or_else(|| panic!("label: {line}"));
        assert!(is_name(name), "label name: {line}");
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars
                .next()
                .unwrap_or_else(|| panic!("label value: {line}"))
            {
                (at, '"') => break at,
                (_, '\\') => match chars.next().map(|(_, c)| c) {
                    Some('\\') => value.push('\\'),
                    Some('"') => value.push('"'),
                    Some('n') => value.push('\n'),
                    _ => panic!("escape: {line}"),
                },
                (_, c) => value.push(c),
            }
        };
        labels.push((name.to_owned(), value));
        text = &rest[end + 1..];
        text = text.strip_prefix(',').unwrap_or(text);
    }
    labels.sort();
    labels
}

/// The value of `name` with exactly `labels` (0 when absent).
pub fn value(samples: &Samples, name: &str, labels: &[(&str, &str)]) -> f64 {
    let mut labels: Vec<(String, String)> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    labels.sort();
    samples
        .get(&(name.to_owned(), labels))
        .copied()
        .unwrap_or(0.0)
}
