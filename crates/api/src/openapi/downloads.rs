//! The download rows of the OpenAPI table (`crate::downloads`): a rendition as a progressive
//! MP4 made on the fly, by file id or by resolution, and the stored fragmented MP4.

use super::{Access, RouteDoc};

/// The download routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "get",
        "/download/videos/generate/{id}",
        "Static files",
        "One rendition (`videoFileIds`, a file id of the video's JSON) as a progressive MP4 with \
         its audio, muxed from the HLS fragmented MP4 without transcoding; `{id}.mp4` answers \
         without Content-Disposition; 403 when the owner disallows downloads",
        OptionalToken,
        &[],
        &["videoFileIds"]
    ),
    route!(
        "get",
        "/download/videos/{file}",
        "Static files",
        "`<videoUUID>-<resolution>.mp4`: that rendition as a progressive MP4, as an attachment",
        OptionalToken
    ),
    route!(
        "get",
        "/download/streaming-playlists/hls/videos/{file}",
        "Static files",
        "`<videoUUID>-<resolution>-fragmented.mp4`: the rendition's HLS fragmented MP4 as stored \
         (each file's `fileDownloadUrl`), as an attachment, with Range",
        OptionalToken
    ),
];
