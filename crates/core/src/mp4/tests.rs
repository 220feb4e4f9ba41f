//! Bad input: every malformed file is an error, never a panic or a huge allocation.

use super::*;

/// Drives an indexer over bytes held in memory.
fn index(file: &[u8]) -> Result<Progressive, Mp4Error> {
    let mut indexer = Indexer::new(file.len() as u64, Limits::default());
    let mut steps = 0;
    while let Some((offset, len)) = indexer.next_read() {
        steps += 1;
        assert!(steps < 10_000, "the indexer does not advance");
        let end = (offset + len) as usize;
        indexer.feed(&file[offset as usize..end])?;
    }
    indexer.finish()
}

fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut out = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(payload);
    out
}

#[test]
fn an_empty_file_has_no_moov() {
    assert_eq!(index(&[]).unwrap_err(), Mp4Error::Missing("moov"));
}

#[test]
fn garbage_is_refused() {
    assert!(index(b"this is not an mp4 file at all").is_err());
    // A box claiming to be smaller than its header.
    assert!(index(&[0, 0, 0, 4, b'f', b'r', b'e', b'e']).is_err());
}

#[test]
fn a_box_past_the_end_is_refused() {
    let mut file = boxed(b"free", b"");
    file[3] = 200;
    assert_eq!(
        index(&file).unwrap_err(),
        Mp4Error::Malformed("a box past the end of the file")
    );
}

#[test]
fn a_moof_before_the_moov_is_refused() {
    let file = boxed(b"moof", &boxed(b"mfhd", &[0; 8]));
    assert_eq!(
        index(&file).unwrap_err(),
        Mp4Error::Malformed("a moof before the moov")
    );
}

#[test]
fn an_oversized_moov_is_refused_before_reading_it() {
    let mut file = boxed(b"moov", &[0; 64]);
    let claimed = 17u32 * 1024 * 1024;
    file[..4].copy_from_slice(&claimed.to_be_bytes());
    file.resize(claimed as usize, 0);
    assert_eq!(
        index(&file).unwrap_err(),
        Mp4Error::TooLarge("a moov or moof box")
    );
}

#[test]
fn a_moov_without_tracks_is_refused() {
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
    let file = boxed(b"moov", &boxed(b"mvhd", &mvhd));
    assert_eq!(index(&file).unwrap_err(), Mp4Error::Missing("trak"));
}

#[test]
fn a_truncated_child_box_is_refused() {
    let mut inner = boxed(b"mvhd", &[0; 20]);
    inner[3] = 100;
    let file = boxed(b"moov", &inner);
    assert!(matches!(index(&file), Err(Mp4Error::Malformed(_))));
}
