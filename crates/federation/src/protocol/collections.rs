//! `OrderedCollection`s as PeerTube pages them: the collection itself names its size and its
//! first page (`?page=1`); each page holds [`PAGE_SIZE`] items with `partOf`, `next` and
//! `prev` links.

use serde_json::{Value, json};

use super::context::{ContextType, with_context};

/// Items on a collection page.
pub const PAGE_SIZE: i64 = 10;
/// The highest page number served (far past any real collection; keeps offsets small).
pub const MAX_PAGE: i64 = 100_000;

/// Which page of a collection a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The collection itself: its size and its first page.
    Summary,
    /// Page `n` (from 1).
    Number(i64),
}

impl Page {
    /// The page a `?page=` value asks for (`None`: no parameter). Anything but an integer from
    /// 1 to [`MAX_PAGE`] is refused.
    pub fn parse(value: Option<&str>) -> Option<Self> {
        let Some(value) = value else {
            return Some(Page::Summary);
        };
        if value.is_empty() || value.len() > 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number: i64 = value.parse().ok()?;
        (1..=MAX_PAGE)
            .contains(&number)
            .then_some(Page::Number(number))
    }

    /// The `(offset, count)` of the rows this page shows (one row for the summary, whose count
    /// is all it needs).
    pub fn window(self) -> (i64, i64) {
        match self {
            Page::Summary => (0, 1),
            Page::Number(number) => ((number - 1) * PAGE_SIZE, PAGE_SIZE),
        }
    }
}

/// The collection at `base_url` with `total` items: `items` are the rows of `page` (ignored for
/// the summary). With its `@context`.
pub fn collection(base_url: &str, page: Page, total: i64, items: Vec<Value>) -> Value {
    let document = match page {
        Page::Summary => {
            let mut document = json!({
                "id": base_url,
                "type": "OrderedCollection",
                "totalItems": total,
            });
            if total > 0 {
                document["first"] = json!(format!("{base_url}?page=1"));
            }
            document
        }
        Page::Number(number) => {
            let mut document = json!({
                "id": format!("{base_url}?page={number}"),
                "type": "OrderedCollectionPage",
                "partOf": base_url,
                "totalItems": total,
                "orderedItems": items,
            });
            if total > number * PAGE_SIZE {
                document["next"] = json!(format!("{base_url}?page={}", number + 1));
            }
            if number > 1 {
                document["prev"] = json!(format!("{base_url}?page={}", number - 1));
            }
            document
        }
    };
    with_context(document, ContextType::Collection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_numbers_from_one() {
        assert_eq!(Page::parse(None), Some(Page::Summary));
        assert_eq!(Page::parse(Some("1")), Some(Page::Number(1)));
        assert_eq!(Page::parse(Some("100000")), Some(Page::Number(100_000)));
        for bad in [
            "",
            "0",
            "-1",
            "1.5",
            "abc",
            "100001",
            "9999999999",
            "+1",
            " 1",
        ] {
            assert_eq!(Page::parse(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(Page::Number(3).window(), (20, 10));
        assert_eq!(Page::Summary.window(), (0, 1));
    }

    #[test]
    fn collections_link_their_pages() {
        let summary = collection("https://h/c", Page::Summary, 25, Vec::new());
        assert_eq!(summary["type"], "OrderedCollection");
        assert_eq!(summary["first"], "https://h/c?page=1");
        assert_eq!(summary["totalItems"], 25);
        assert!(
            collection("https://h/c", Page::Summary, 0, Vec::new())
                .get("first")
                .is_none()
        );
        let second = collection("https://h/c", Page::Number(2), 25, vec![json!("x")]);
        assert_eq!(second["id"], "https://h/c?page=2");
        assert_eq!(second["partOf"], "https://h/c");
        assert_eq!(second["next"], "https://h/c?page=3");
        assert_eq!(second["prev"], "https://h/c?page=1");
        assert_eq!(second["orderedItems"], json!(["x"]));
        let last = collection("https://h/c", Page::Number(3), 25, Vec::new());
        assert!(last.get("next").is_none());
        let first = collection("https://h/c", Page::Number(1), 5, Vec::new());
        assert!(first.get("prev").is_none() && first.get("next").is_none());
    }
}
