use super::*;

const GOOD_SRT: &str =
    include_str!("../../../../../shared/fixtures/peertube/captions/subtitle-good.srt");
const GOOD_VTT: &str =
    include_str!("../../../../../shared/fixtures/peertube/captions/subtitle-good1.vtt");

#[test]
fn webvtt_is_read_and_written_again() {
    let captions = parse_caption_file(GOOD_VTT.as_bytes()).unwrap();
    assert_eq!(captions.format, CaptionFormat::WebVtt);
    assert_eq!(captions.cues[0].start_ms, 1000);
    assert_eq!(captions.cues[0].text, ["Subtitle good 1."]);
    let vtt = captions.to_webvtt();
    assert!(vtt.starts_with("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nSubtitle good 1.\n"));
    // What we write reads back the same.
    assert_eq!(
        parse_caption_file(vtt.as_bytes()).unwrap().cues,
        captions.cues
    );
}

#[test]
fn srt_becomes_webvtt() {
    let captions = parse_caption_file(GOOD_SRT.as_bytes()).unwrap();
    assert_eq!(captions.format, CaptionFormat::Srt);
    let vtt = captions.to_webvtt();
    assert!(
        vtt.starts_with("WEBVTT\n\n1\n00:00:01.600 --> 00:00:04.200\nEnglish (US)\n"),
        "{vtt}"
    );
    let again = parse_caption_file(vtt.as_bytes()).unwrap();
    assert_eq!(again.format, CaptionFormat::WebVtt);
    assert_eq!(again.cues, captions.cues);
}

#[test]
fn crlf_bom_settings_and_notes() {
    let text = "\u{feff}WEBVTT - title\r\n\r\nNOTE a comment\r\n\r\nid-1\r\n00:01.000 --> 00:02.500 align:start line:0\r\n<v Bob>Hi</v>\r\n";
    let captions = parse_caption_file(text.as_bytes()).unwrap();
    assert_eq!(captions.cues.len(), 1);
    assert_eq!(captions.cues[0].identifier.as_deref(), Some("id-1"));
    assert_eq!(captions.cues[0].settings, "align:start line:0");
    assert_eq!(captions.cues[0].end_ms, 2500);
}

#[test]
fn bad_files_are_refused_with_their_reason() {
    assert_eq!(
        parse_caption_file(b"<!DOCTYPE html><html><body>x</body></html>"),
        Err(CaptionError::Html)
    );
    assert_eq!(parse_caption_file(b"  <html>"), Err(CaptionError::Html));
    assert_eq!(
        parse_caption_file(&[0x89, b'P', b'N', b'G', 0, 0]),
        Err(CaptionError::NotText)
    );
    assert_eq!(
        parse_caption_file(&[0xff, 0xfe, 0x41]),
        Err(CaptionError::NotText)
    );
    assert_eq!(parse_caption_file(b"WEBVTT\n\n"), Err(CaptionError::Empty));
    assert_eq!(
        parse_caption_file(&vec![b'a'; MAX_CAPTION_BYTES + 1]),
        Err(CaptionError::TooLarge)
    );
    let broken = "1\n00:00:01,600 --> 00:00:04,200\nok\n\n2\n00:00:05,9 --> 00:00:07,999\nbad\n";
    assert_eq!(
        parse_caption_file(broken.as_bytes())
            .unwrap_err()
            .to_string(),
        "line 6: malformed start timestamp in \"00:00:05,9 --> 00:00:07,999\""
    );
    for (text, line) in [
        ("1\n00:00:01,000 -> 00:00:02,000\nx\n", 2),
        ("1\n00:00:01,000 --> 00:61:02,000\nx\n", 2),
        ("1\n00:00:03,000 --> 00:00:02,000\nx\n", 2),
        ("hello world\n", 1),
        ("WEBVTT\n\n00:01.000 --> 00:02.000 evil:1\nx\n", 3),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nx\n00:03.000 --> 00:04.000\n",
            5,
        ),
    ] {
        match parse_caption_file(text.as_bytes()) {
            Err(CaptionError::Line { line: got, .. }) => assert_eq!(got, line, "{text:?}"),
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

#[test]
fn times_are_written_with_hours() {
    assert_eq!(vtt_time(0), "00:00:00.000");
    assert_eq!(vtt_time(3_723_004), "01:02:03.004");
}
