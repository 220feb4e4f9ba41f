//! PeerTube's labels for the ids a video carries: its default categories and licences, and the
//! English names of common languages. Federation writes them next to the ids
//! (`{"identifier": "15", "name": "Science & Technology"}`); receivers read only the ids.

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
const LICENCES: [&str; 7] = [
    "Attribution",
    "Attribution - Share Alike",
    "Attribution - No Derivatives",
    "Attribution - Non Commercial",
    "Attribution - Non Commercial - Share Alike",
    "Attribution - Non Commercial - No Derivatives",
    "Public Domain Dedication",
];

/// Common language codes with their English names.
const LANGUAGES: [(&str, &str); 30] = [
    ("ar", "Arabic"),
    ("ca", "Catalan"),
    ("cs", "Czech"),
    ("da", "Danish"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("eo", "Esperanto"),
    ("es", "Spanish"),
    ("eu", "Basque"),
    ("fa", "Persian"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("gl", "Galician"),
    ("he", "Hebrew"),
    ("hi", "Hindi"),
    ("hu", "Hungarian"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("nl", "Dutch"),
    ("no", "Norwegian"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ru", "Russian"),
    ("sv", "Swedish"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
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

/// The English name of language `code`, if it is a common one.
pub fn language_label(code: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, name)| *name)
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
        assert_eq!(licence_label(8), None);
        assert_eq!(language_label("en"), Some("English"));
        assert_eq!(language_label("xx"), None);
    }
}
