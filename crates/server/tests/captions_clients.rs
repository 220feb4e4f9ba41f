//! yt-dlp (`--write-subs`) downloads a video's captions from a real instance: a WebVTT and an
//! SRT caption (served as WebVTT) are written next to the video's name, with the cues
//! uploaded. yt-dlp's PeerTube extractor only speaks `https://HOST/` without a port, so socat
//! terminates TLS on 127.0.0.1:443 (`common::tls_443`). yt-dlp comes from
//! `scripts/install-clients` (or `KINORA_YTDLP`).

use crate::common;

use std::time::Duration;

use common::instance::{publish_with_torrents, start};
use common::tls_443::TlsProxy;

const GOOD_VTT: &str =
    include_str!("../../../../shared/fixtures/peertube/captions/subtitle-good1.vtt");
const GOOD_SRT: &str =
    include_str!("../../../../shared/fixtures/peertube/captions/subtitle-good.srt");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yt_dlp_writes_a_videos_captions() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let instance = start(dir.path(), &database, 1, "").await;
    let video = publish_with_torrents(&instance, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    for (language, name, text) in [("en", "en.vtt", GOOD_VTT), ("fr", "fr.srt", GOOD_SRT)] {
        common::instance::put_caption(&instance, &uuid, language, name, text).await;
    }

    let _proxy = TlsProxy::start(dir.path(), instance.port);
    let output = dir.path().join("video");
    let log = common::yt_dlp::run(
        vec![
            "--skip-download".into(),
            "--write-subs".into(),
            "--sub-langs".into(),
            "all".into(),
            "-o".into(),
            output.into(),
            format!("peertube:localhost:{uuid}").into(),
        ],
        Duration::from_secs(180),
    )
    .await;
    let english = std::fs::read_to_string(dir.path().join("video.en.vtt"))
        .unwrap_or_else(|_| panic!("no video.en.vtt:\n{log}"));
    assert!(
        english.starts_with("WEBVTT") && english.contains("Subtitle good 1."),
        "{english}"
    );
    let french = std::fs::read_to_string(dir.path().join("video.fr.vtt"))
        .unwrap_or_else(|_| panic!("no video.fr.vtt:\n{log}"));
    assert!(
        french.starts_with("WEBVTT") && french.contains("00:00:01.600 --> 00:00:04.200"),
        "{french}"
    );
    instance.server.terminate();
}
