//! Chapters from a video's description, as PeerTube finds them: lines that start with a
//! timecode (`0:00 Intro`, `01:02:03 Outro`). There must be at least two, the first at zero,
//! in increasing order; otherwise the description has no chapters. Chapters set through the
//! API (`PUT /api/v1/videos/{id}/chapters`) obey [`check_chapters`] and win over the description.

/// One chapter: where it starts (seconds) and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// Start, seconds.
    pub timecode: i64,
    /// Title (at most 100 characters).
    pub title: String,
}

/// Longest chapter title, characters (PeerTube's `VIDEO_CHAPTERS.TITLE`).
pub const TITLE_MAX: usize = 100;
/// Most chapters of one video.
pub const CHAPTERS_MAX: usize = 500;
/// Latest timecode, seconds (100 hours).
const TIMECODE_MAX: i64 = 100 * 3600;

/// Why a list of chapters was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChapterError {
    /// A title empty or longer than [`TITLE_MAX`].
    #[error("chapter {index}: the title must be 1 to {} characters", TITLE_MAX)]
    Title {
        /// Position in the list (0-based).
        index: usize,
    },
    /// A negative or absurd timecode.
    #[error("chapter {index}: the timecode must be a whole number of seconds from 0")]
    Timecode {
        /// Position in the list (0-based).
        index: usize,
    },
    /// Two chapters at the same time.
    #[error("two chapters start at {timecode} s; timecodes must be unique")]
    Duplicate {
        /// The timecode, seconds.
        timecode: i64,
    },
    /// More than [`CHAPTERS_MAX`].
    #[error("a video has at most {} chapters", CHAPTERS_MAX)]
    TooMany,
}

/// Checks chapters given by their owner (titles trimmed, 1 to 100 characters; unique
/// timecodes from 0) and gives them back sorted by timecode.
pub fn check_chapters(chapters: Vec<Chapter>) -> Result<Vec<Chapter>, ChapterError> {
    if chapters.len() > CHAPTERS_MAX {
        return Err(ChapterError::TooMany);
    }
    let mut checked = Vec::with_capacity(chapters.len());
    for (index, chapter) in chapters.into_iter().enumerate() {
        let title = chapter.title.trim().to_owned();
        let length = title.chars().count();
        if length == 0 || length > TITLE_MAX || title.chars().any(char::is_control) {
            return Err(ChapterError::Title { index });
        }
        if !(0..=TIMECODE_MAX).contains(&chapter.timecode) {
            return Err(ChapterError::Timecode { index });
        }
        checked.push(Chapter {
            timecode: chapter.timecode,
            title,
        });
    }
    checked.sort_by_key(|c| c.timecode);
    if let Some(pair) = checked.windows(2).find(|w| w[0].timecode == w[1].timecode) {
        return Err(ChapterError::Duplicate {
            timecode: pair[0].timecode,
        });
    }
    Ok(checked)
}

/// Reads `m:ss`, `mm:ss` or `h:mm:ss` into seconds.
fn parse_timecode(text: &str) -> Option<i64> {
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut seconds: i64 = 0;
    for (index, part) in parts.iter().enumerate() {
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let value: i64 = part.parse().ok()?;
        if index > 0 && value >= 60 {
            return None;
        }
        seconds = seconds * 60 + value;
    }
    Some(seconds)
}

/// The chapters a description lists, or none.
pub fn chapters_from_description(description: &str) -> Vec<Chapter> {
    let mut chapters: Vec<Chapter> = Vec::new();
    for line in description.lines() {
        let line = line.trim();
        let Some((first, rest)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let Some(timecode) = parse_timecode(first) else {
            continue;
        };
        let title: String = rest.trim().chars().take(TITLE_MAX).collect();
        if title.is_empty() {
            continue;
        }
        if chapters
            .last()
            .is_some_and(|last| last.timecode >= timecode)
        {
            return Vec::new();
        }
        chapters.push(Chapter { timecode, title });
        if chapters.len() > CHAPTERS_MAX {
            return Vec::new();
        }
    }
    if chapters.len() < 2 || chapters[0].timecode != 0 {
        return Vec::new();
    }
    chapters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timecoded_lines_become_chapters() {
        let chapters =
            chapters_from_description("My video\n\n0:00 Intro\n1:30 Middle part\n1:02:03 End\n");
        assert_eq!(
            chapters,
            vec![
                Chapter {
                    timecode: 0,
                    title: "Intro".into()
                },
                Chapter {
                    timecode: 90,
                    title: "Middle part".into()
                },
                Chapter {
                    timecode: 3723,
                    title: "End".into()
                },
            ]
        );
    }

    #[test]
    fn given_chapters_are_checked_and_sorted() {
        let chapter = |timecode, title: &str| Chapter {
            timecode,
            title: title.into(),
        };
        let sorted = check_chapters(vec![chapter(30, " B "), chapter(0, "A")]).unwrap();
        assert_eq!(sorted, vec![chapter(0, "A"), chapter(30, "B")]);
        assert_eq!(check_chapters(vec![]), Ok(vec![]));
        assert_eq!(
            check_chapters(vec![chapter(0, "A"), chapter(0, "B")]),
            Err(ChapterError::Duplicate { timecode: 0 })
        );
        assert_eq!(
            check_chapters(vec![chapter(0, "")]),
            Err(ChapterError::Title { index: 0 })
        );
        assert_eq!(
            check_chapters(vec![chapter(0, "A"), chapter(5, &"x".repeat(101))]),
            Err(ChapterError::Title { index: 1 })
        );
        assert_eq!(
            check_chapters(vec![chapter(-1, "A")]),
            Err(ChapterError::Timecode { index: 0 })
        );
        let many = (0..=CHAPTERS_MAX as i64).map(|t| chapter(t, "c")).collect();
        assert_eq!(check_chapters(many), Err(ChapterError::TooMany));
    }

    #[test]
    fn anything_else_has_no_chapters() {
        for text in [
            "",
            "0:00 Only one",
            "0:10 Not at zero\n0:20 Second",
            "0:00 A\n0:30 B\n0:20 Back in time",
            "0:00 A\n0:75 Bad seconds",
            "12:345 nope\n0:00 A",
        ] {
            assert!(chapters_from_description(text).is_empty(), "{text:?}");
        }
    }
}
