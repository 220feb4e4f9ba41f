//! Chapters from a video's description, as PeerTube finds them: lines that start with a
//! timecode (`0:00 Intro`, `01:02:03 Outro`). There must be at least two, the first at zero,
//! in increasing order; otherwise the description has no chapters.

/// One chapter: where it starts (seconds) and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// Start, seconds.
    pub timecode: i64,
    /// Title (at most 100 characters).
    pub title: String,
}

/// Longest chapter title kept, characters.
const TITLE_MAX: usize = 100;
/// Most chapters read from one description.
const CHAPTERS_MAX: usize = 500;

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
