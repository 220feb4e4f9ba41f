//! The responder's tests: ranges, validators, the cached path and its fallback.

use super::*;

#[test]
fn ranges_resolve_within_the_file() {
    let span = |first, last| ByteRange::Span { first, last };
    assert_eq!(resolve(span(0, 99), 1000), Some((0, 99)));
    assert_eq!(resolve(span(900, 5000), 1000), Some((900, 999)));
    assert_eq!(resolve(span(1000, 1001), 1000), None);
    assert_eq!(resolve(ByteRange::From(999), 1000), Some((999, 999)));
    assert_eq!(resolve(ByteRange::From(1000), 1000), None);
    assert_eq!(resolve(ByteRange::Suffix(10), 1000), Some((990, 999)));
    assert_eq!(resolve(ByteRange::Suffix(5000), 1000), Some((0, 999)));
    assert_eq!(resolve(ByteRange::From(0), 0), None);
}

fn conditions(headers: &[(&'static str, &str)]) -> Conditions {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    Conditions::read(&Method::GET, &map)
}

#[test]
fn validators_answer_conditional_requests() {
    let modified = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let validators = Validators {
        etag: "\"10-abc\"".to_owned(),
        modified,
    };
    let date = httpdate::fmt_http_date(modified);
    let earlier = httpdate::fmt_http_date(modified - Duration::from_secs(1));
    assert!(validators.not_modified(&conditions(&[("if-none-match", "\"x\", \"10-abc\"")])));
    assert!(validators.not_modified(&conditions(&[("if-none-match", "*")])));
    assert!(!validators.not_modified(&conditions(&[("if-none-match", "\"x\"")])));
    assert!(validators.not_modified(&conditions(&[("if-modified-since", &date)])));
    assert!(!validators.not_modified(&conditions(&[("if-modified-since", &earlier)])));
    // An ETag that does not match wins over a date that would.
    assert!(!validators.not_modified(&conditions(&[
        ("if-none-match", "\"x\""),
        ("if-modified-since", &date)
    ])));
    assert!(validators.range_applies(&conditions(&[])));
    assert!(validators.range_applies(&conditions(&[("if-range", "\"10-abc\"")])));
    assert!(!validators.range_applies(&conditions(&[("if-range", "\"other\"")])));
    assert!(validators.range_applies(&conditions(&[("if-range", &date)])));
    assert!(!validators.range_applies(&conditions(&[("if-range", &earlier)])));
}

fn body_of(found: Option<Found>) -> Option<Bytes> {
    match found {
        Some(Found::Content {
            body: Content::Read(bytes),
            ..
        }) => Some(bytes),
        Some(_) => panic!("not a read answer"),
        None => None,
    }
}

#[test]
fn a_cached_range_is_read_in_place_and_an_evicted_one_left_to_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("segment.mp4");
    let content: Vec<u8> = (0..300_000).map(|i| (i * 7 % 253) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(header::RANGE, HeaderValue::from_static("bytes=1000-263143"));
    let conditions = Conditions::read(&Method::GET, &headers);
    // Just written: in the page cache, answered without the pool.
    let cached = body_of(answer_cached(&path, &conditions)).expect("read from the cache");
    assert_eq!(&cached[..], &content[1000..263_144]);
    // Dropped from the page cache (written back first): the cached-only read declines, and
    // the pool's read gives the same bytes.
    let file = File::open(&path).unwrap();
    file.sync_all().unwrap();
    rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed).unwrap();
    assert!(
        answer_cached(&path, &conditions).is_none(),
        "evicted pages are not read on the runtime's thread"
    );
    let Found::Content {
        body: Content::Read(read),
        ..
    } = open_and_read(path.clone(), conditions.clone()).unwrap()
    else {
        panic!("not a read answer");
    };
    assert_eq!(read, cached);
}

#[tokio::test]
async fn answers_ranges_whole_files_heads_and_streams() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.mp4");
    let content: Vec<u8> = (0..(ONE_READ as usize * 2 + 7))
        .map(|i| (i * 31 % 251) as u8)
        .collect();
    std::fs::write(&path, &content).unwrap();
    let ask = |method: Method, headers: &[(&'static str, &str)]| {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        let path = path.clone();
        async move {
            let response = serve_local(path, "video/mp4", &method, &map).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, headers, body)
        }
    };
    let (status, headers, body) = ask(Method::GET, &[("range", "bytes=10-19")]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&body[..], &content[10..20]);
    let total = content.len();
    assert_eq!(
        headers[header::CONTENT_RANGE],
        format!("bytes 10-19/{total}")
    );
    assert_eq!(headers[header::CONTENT_LENGTH], "10");
    assert_eq!(headers[header::CONTENT_TYPE], "video/mp4");
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();

    // Longer than one read: streamed, every byte in place.
    let (status, headers, body) = ask(Method::GET, &[("range", "bytes=5-")]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&body[..], &content[5..]);
    assert_eq!(headers[header::CONTENT_LENGTH], (total - 5).to_string());
    let (status, _, body) = ask(Method::GET, &[]).await;
    assert_eq!((status, &body[..]), (StatusCode::OK, &content[..]));
    let (status, _, body) = ask(Method::GET, &[("range", "bytes=-3")]).await;
    assert_eq!(
        (status, &body[..]),
        (StatusCode::PARTIAL_CONTENT, &content[total - 3..])
    );

    // Past the end: 416 naming the length. Several ranges: the whole file.
    let (status, headers, _) = ask(Method::GET, &[("range", &format!("bytes={total}-"))]).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(headers[header::CONTENT_RANGE], format!("bytes */{total}"));
    let (status, _, body) = ask(Method::GET, &[("range", "bytes=0-1,5-6")]).await;
    assert_eq!((status, body.len()), (StatusCode::OK, total));

    // HEAD: the headers of a GET, no body.
    let (status, headers, body) = ask(Method::HEAD, &[("range", "bytes=0-99")]).await;
    assert_eq!((status, body.len()), (StatusCode::PARTIAL_CONTENT, 0));
    assert_eq!(headers[header::CONTENT_LENGTH], "100");

    // Conditional: the ETag held is a 304; an If-Range of another version is the whole file.
    let (status, _, body) = ask(Method::GET, &[("if-none-match", &etag)]).await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));
    let (status, _, body) = ask(
        Method::GET,
        &[("range", "bytes=0-9"), ("if-range", "\"old\"")],
    )
    .await;
    assert_eq!((status, body.len()), (StatusCode::OK, total));
    let (status, _, body) = ask(Method::GET, &[("range", "bytes=0-9"), ("if-range", &etag)]).await;
    assert_eq!((status, body.len()), (StatusCode::PARTIAL_CONTENT, 10));

    // A directory or a missing file is a 404.
    let missing = serve_local(
        dir.path().join("nope"),
        "video/mp4",
        &Method::GET,
        &HeaderMap::new(),
    )
    .await;
    assert!(missing.is_err());
    let directory = serve_local(
        dir.path().to_path_buf(),
        "video/mp4",
        &Method::GET,
        &HeaderMap::new(),
    )
    .await;
    assert!(directory.is_err());
}
