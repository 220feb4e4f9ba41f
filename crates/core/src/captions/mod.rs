//! Caption files, as PeerTube takes them (`PUT /api/v1/videos/{id}/captions/{lang}`): WebVTT,
//! or SubRip (SRT) turned into WebVTT. The parser is strict and bounded: the bytes must be
//! UTF-8 text (no NUL), not an HTML document, at most [`MAX_CAPTION_BYTES`], and every block
//! must be a cue with well-formed timings; the first fault is reported with its line number.
//! What comes out is always a fresh WebVTT document written from the parsed cues (header,
//! cues with their identifiers, settings and text), never the uploaded bytes. [`hls`] makes the
//! HLS subtitles rendition of a video's captions.

pub mod hls;

use std::fmt::Write as _;

/// Largest caption file accepted, bytes (PeerTube's `CAPTION_FILE.FILE_SIZE`).
pub const MAX_CAPTION_BYTES: usize = 20 * 1024 * 1024;
/// Most cues in one file.
const MAX_CUES: usize = 200_000;
/// Longest line, bytes.
const MAX_LINE: usize = 16 * 1024;
/// Latest cue time, milliseconds (100 hours).
const MAX_TIME_MS: u64 = 100 * 3600 * 1000;

/// Why a caption file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptionError {
    /// Larger than [`MAX_CAPTION_BYTES`].
    #[error("the caption file is larger than {} bytes", MAX_CAPTION_BYTES)]
    TooLarge,
    /// Not UTF-8 text.
    #[error("the caption file is not text (binary or not UTF-8)")]
    NotText,
    /// An HTML (or XML) document.
    #[error("the caption file is an HTML document, not WebVTT or SRT")]
    Html,
    /// No cue at all.
    #[error("the caption file has no cue")]
    Empty,
    /// A fault at a line (1-based).
    #[error("line {line}: {message}")]
    Line {
        /// Where.
        line: usize,
        /// What.
        message: String,
    },
}

/// The format a caption file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptionFormat {
    /// WebVTT (`WEBVTT` header).
    WebVtt,
    /// SubRip.
    Srt,
}

/// One cue: times in milliseconds, an optional identifier, settings and text lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// Identifier line (WebVTT) or index (SRT), when given.
    pub identifier: Option<String>,
    /// Start, milliseconds.
    pub start_ms: u64,
    /// End, milliseconds.
    pub end_ms: u64,
    /// WebVTT cue settings (`line:0 align:start`), empty when none.
    pub settings: String,
    /// The text lines.
    pub text: Vec<String>,
}

/// A checked caption file: its cues and the format it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captions {
    /// How it was read.
    pub format: CaptionFormat,
    /// Its cues, in file order.
    pub cues: Vec<Cue>,
}

impl Captions {
    /// The WebVTT document of these cues.
    pub fn to_webvtt(&self) -> String {
        let mut out = String::from("WEBVTT\n");
        for cue in &self.cues {
            out.push('\n');
            if let Some(identifier) = &cue.identifier {
                out.push_str(identifier);
                out.push('\n');
            }
            let _ = write!(
                out,
                "{} --> {}",
                vtt_time(cue.start_ms),
                vtt_time(cue.end_ms)
            );
            if !cue.settings.is_empty() {
                out.push(' ');
                out.push_str(&cue.settings);
            }
            out.push('\n');
            for line in &cue.text {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// The end of the last cue, milliseconds.
    pub fn end_ms(&self) -> u64 {
        self.cues.iter().map(|c| c.end_ms).max().unwrap_or(0)
    }
}

/// Reads an uploaded caption file (WebVTT or SRT, told apart by the `WEBVTT` header).
pub fn parse_caption_file(bytes: &[u8]) -> Result<Captions, CaptionError> {
    if bytes.len() > MAX_CAPTION_BYTES {
        return Err(CaptionError::TooLarge);
    }
    if bytes.contains(&0) {
        return Err(CaptionError::NotText);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| CaptionError::NotText)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(CaptionError::NotText);
    }
    let start = text.trim_start();
    if start.starts_with('<') {
        return Err(CaptionError::Html);
    }
    let lines = split_lines(text)?;
    let captions = if is_webvtt_header(lines.first().copied().unwrap_or("")) {
        Captions {
            format: CaptionFormat::WebVtt,
            cues: parse_webvtt(&lines)?,
        }
    } else {
        Captions {
            format: CaptionFormat::Srt,
            cues: parse_srt(&lines)?,
        }
    };
    if captions.cues.is_empty() {
        return Err(CaptionError::Empty);
    }
    Ok(captions)
}

fn line_error(line: usize, message: impl Into<String>) -> CaptionError {
    CaptionError::Line {
        line,
        message: message.into(),
    }
}

/// Lines split on LF, CRLF or CR, each at most [`MAX_LINE`] bytes.
fn split_lines(text: &str) -> Result<Vec<&str>, CaptionError> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        if line.len() > MAX_LINE {
            return Err(line_error(lines.len() + 1, "the line is too long"));
        }
        lines.push(line);
        rest = &rest[end..];
        if let Some(after) = rest.strip_prefix("\r\n") {
            rest = after;
        } else if !rest.is_empty() {
            rest = &rest[1..];
        }
    }
    Ok(lines)
}

fn is_webvtt_header(line: &str) -> bool {
    line == "WEBVTT" || line.starts_with("WEBVTT ") || line.starts_with("WEBVTT\t")
}

/// `hh:mm:ss.ttt` (hours optional in WebVTT) or `hh:mm:ss,ttt` (SRT) into milliseconds.
fn parse_time(text: &str, srt: bool) -> Option<u64> {
    let (clock, fraction) = if srt {
        text.split_once([',', '.'])?
    } else {
        text.split_once('.')?
    };
    let digits = |part: &str, min: usize, max: usize| -> Option<u64> {
        (part.len() >= min && part.len() <= max && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let fraction = digits(fraction, 3, 3)?;
    let parts: Vec<&str> = clock.split(':').collect();
    let (hours, minutes, seconds) = match parts.as_slice() {
        [h, m, s] => (digits(h, 1, 3)?, digits(m, 2, 2)?, digits(s, 2, 2)?),
        [m, s] if !srt => (0, digits(m, 2, 2)?, digits(s, 2, 2)?),
        _ => return None,
    };
    if minutes >= 60 || seconds >= 60 {
        return None;
    }
    let ms = ((hours * 60 + minutes) * 60 + seconds) * 1000 + fraction;
    (ms <= MAX_TIME_MS).then_some(ms)
}

/// A timing line: `start --> end[ settings]`.
fn parse_timing(line: &str, number: usize, srt: bool) -> Result<(u64, u64, String), CaptionError> {
    let Some((start, rest)) = line.split_once("-->") else {
        return Err(line_error(number, "expected a cue timing (start --> end)"));
    };
    let rest = rest.trim_start();
    let (end, settings) = rest
        .split_once([' ', '\t'])
        .map_or((rest, ""), |(end, settings)| (end, settings.trim()));
    let bad = |which: &str| line_error(number, format!("malformed {which} timestamp in {line:?}"));
    let start_ms = parse_time(start.trim(), srt).ok_or_else(|| bad("start"))?;
    let end_ms = parse_time(end.trim(), srt).ok_or_else(|| bad("end"))?;
    if end_ms < start_ms {
        return Err(line_error(number, "the cue ends before it starts"));
    }
    // SRT has no settings (some writers add `X1:… Y1:…` coordinates): dropped.
    let settings = if srt {
        String::new()
    } else {
        check_settings(settings, number)?
    };
    Ok((start_ms, end_ms, settings))
}

/// WebVTT cue settings: `name:value` pairs of plain characters.
fn check_settings(settings: &str, number: usize) -> Result<String, CaptionError> {
    let mut kept = Vec::new();
    for setting in settings.split_whitespace() {
        let valid = setting.split_once(':').is_some_and(|(name, value)| {
            matches!(
                name,
                "vertical" | "line" | "position" | "size" | "align" | "region"
            ) && !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"%.,-_".contains(&b))
        });
        if !valid {
            return Err(line_error(
                number,
                format!("unknown cue setting {setting:?}"),
            ));
        }
        kept.push(setting);
    }
    Ok(kept.join(" "))
}

/// The text lines of a cue from `index` to the next blank line; none may hold `-->`.
fn cue_text(lines: &[&str], index: &mut usize) -> Result<Vec<String>, CaptionError> {
    let mut text = Vec::new();
    while let Some(line) = lines.get(*index) {
        if line.trim().is_empty() {
            break;
        }
        if line.contains("-->") {
            return Err(line_error(
                *index + 1,
                "a cue's text holds \"-->\" (a missing blank line?)",
            ));
        }
        text.push((*line).to_owned());
        *index += 1;
    }
    Ok(text)
}

fn push_cue(cues: &mut Vec<Cue>, cue: Cue, line: usize) -> Result<(), CaptionError> {
    if cues.len() >= MAX_CUES {
        return Err(line_error(line, format!("more than {MAX_CUES} cues")));
    }
    cues.push(cue);
    Ok(())
}

fn parse_webvtt(lines: &[&str]) -> Result<Vec<Cue>, CaptionError> {
    let mut cues = Vec::new();
    // The header block: the WEBVTT line and any header lines up to the first blank line.
    let mut index = 1;
    while lines.get(index).is_some_and(|line| !line.trim().is_empty()) {
        if lines[index].contains("-->") {
            return Err(line_error(index + 1, "a blank line must follow the header"));
        }
        index += 1;
    }
    loop {
        while lines.get(index).is_some_and(|line| line.trim().is_empty()) {
            index += 1;
        }
        let Some(first) = lines.get(index) else { break };
        let keyword = first.split([' ', '\t']).next().unwrap_or("");
        if matches!(keyword, "NOTE" | "STYLE" | "REGION") && !first.contains("-->") {
            // Comments, style sheets and regions are not kept.
            while lines.get(index).is_some_and(|line| !line.trim().is_empty()) {
                index += 1;
            }
            continue;
        }
        let identifier = if first.contains("-->") {
            None
        } else {
            index += 1;
            Some(first.trim().to_owned())
        };
        read_cue(lines, &mut index, identifier, false, &mut cues)?;
    }
    Ok(cues)
}

fn parse_srt(lines: &[&str]) -> Result<Vec<Cue>, CaptionError> {
    let mut cues = Vec::new();
    let mut index = 0;
    loop {
        while lines.get(index).is_some_and(|line| line.trim().is_empty()) {
            index += 1;
        }
        let Some(first) = lines.get(index) else { break };
        let first = first.trim();
        let identifier = if first.contains("-->") {
            None
        } else if !first.is_empty()
            && first.len() <= 12
            && first.bytes().all(|b| b.is_ascii_digit())
        {
            index += 1;
            Some(first.to_owned())
        } else {
            return Err(line_error(
                index + 1,
                format!("expected a cue number or timing, found {first:?}"),
            ));
        };
        read_cue(lines, &mut index, identifier, true, &mut cues)?;
    }
    Ok(cues)
}

/// Reads the timing line at `index` and the text after it into a cue (SRT's comma timings
/// when `srt`), moving `index` past them.
fn read_cue(
    lines: &[&str],
    index: &mut usize,
    identifier: Option<String>,
    srt: bool,
    cues: &mut Vec<Cue>,
) -> Result<(), CaptionError> {
    let Some(timing) = lines.get(*index) else {
        let what = if srt {
            "a cue number"
        } else {
            "a cue identifier"
        };
        return Err(line_error(*index, format!("{what} without timing")));
    };
    let line = *index + 1;
    let (start_ms, end_ms, settings) = parse_timing(timing, line, srt)?;
    *index += 1;
    let text = cue_text(lines, index)?;
    push_cue(
        cues,
        Cue {
            identifier,
            start_ms,
            end_ms,
            settings,
            text,
        },
        line,
    )
}

/// `hh:mm:ss.ttt`.
fn vtt_time(ms: u64) -> String {
    let (hours, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (minutes, rest) = (rest / 60_000, rest % 60_000);
    format!(
        "{hours:02}:{minutes:02}:{:02}.{:03}",
        rest / 1000,
        rest % 1000
    )
}

#[cfg(test)]
mod tests;
