//! PeerTube's labels for the ids a video carries: its default categories, its licences and the
//! English names of its languages. The REST API serves these tables
//! (`/api/v1/videos/categories`, …) and writes the labels next to the ids in the video JSON
//! (`{"id": 1, "label": "Music"}`); federation writes them too
//! (`{"identifier": "15", "name": "Science & Technology"}`); receivers read only the ids.

mod languages;

use languages::LANGUAGES;

/// PeerTube's default categories, by id.
const CATEGORIES: [&str; 18] = [
    "Music",
    "Films",
    "Vehicles",
    "Art",
    "Sports",
    "Travels",
    "Gaming",
    "People",
    "Comedy",
    "Entertainment",
    "News & Politics",
    "How To",
    "Education",
    "Activism",
    "Science & Technology",
    "Animals",
    "Kids",
    "Food",
];

/// PeerTube's licences, by id.
const LICENCES: [&str; 9] = [
    "Attribution",
    "Attribution - Share Alike",
    "Attribution - No Derivatives",
    "Attribution - Non Commercial",
    "Attribution - Non Commercial - Share Alike",
    "Attribution - Non Commercial - No Derivatives",
    "Public Domain Dedication",
    "Free of known copyright restrictions",
    "All Rights Reserved",
];

fn by_id(table: &'static [&'static str], id: i64) -> Option<&'static str> {
    let index = usize::try_from(id.checked_sub(1)?).ok()?;
    table.get(index).copied()
}

/// The label of PeerTube category `id`, if it is one of the defaults.
pub fn category_label(id: i64) -> Option<&'static str> {
    by_id(&CATEGORIES, id)
}

/// The label of PeerTube licence `id`, if it is one.
pub fn licence_label(id: i64) -> Option<&'static str> {
    by_id(&LICENCES, id)
}

/// The English name of language `code`, if PeerTube offers it.
pub fn language_label(code: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, name)| *name)
}

/// Every category as `(id, label)`, by id.
pub fn categories() -> impl Iterator<Item = (i64, &'static str)> {
    numbered(&CATEGORIES)
}

/// Every licence as `(id, label)`, by id.
pub fn licences() -> impl Iterator<Item = (i64, &'static str)> {
    numbered(&LICENCES)
}

/// Every language as `(code, English name)`, in PeerTube's order.
pub fn languages() -> impl Iterator<Item = (&'static str, &'static str)> {
    LANGUAGES.iter().copied()
}

fn numbered(table: &'static [&'static str]) -> impl Iterator<Item = (i64, &'static str)> {
    (1..).zip(table.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_peertube_ids() {
        assert_eq!(category_label(1), Some("Music"));
        assert_eq!(category_label(15), Some("Science & Technology"));
        assert_eq!(category_label(18), Some("Food"));
        assert_eq!(category_label(0), None);
        assert_eq!(category_label(19), None);
        assert_eq!(category_label(i64::MIN), None);
        assert_eq!(licence_label(1), Some("Attribution"));
        assert_eq!(licence_label(7), Some("Public Domain Dedication"));
        assert_eq!(licence_label(9), Some("All Rights Reserved"));
        assert_eq!(licence_label(10), None);
        assert_eq!(language_label("en"), Some("English"));
        assert_eq!(language_label("el"), Some("Greek"));
        assert_eq!(language_label("pt-PT"), Some("Portuguese (Portugal)"));
        assert_eq!(language_label("fsl"), Some("French Sign Language"));
        assert_eq!(language_label("xx"), None);
    }

    #[test]
    fn tables_list_every_entry_once() {
        assert_eq!(categories().count(), 18);
        assert_eq!(categories().last(), Some((18, "Food")));
        assert_eq!(licences().next(), Some((1, "Attribution")));
        let mut codes: Vec<_> = languages().map(|(code, _)| code).collect();
        let total = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), total, "a code listed twice");
    }
}
