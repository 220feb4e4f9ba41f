//! The caption and chapter rows of the OpenAPI table (PeerTube's `Video Captions` and
//! `Video Chapters` operations).

use super::{Access, JSON, MULTIPART, RouteDoc};

/// The caption and chapter routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "get",
        "/api/v1/videos/{id}/captions",
        "Video Captions",
        "A video's caption tracks (language, WebVTT file and HLS playlist URLs)",
        OptionalToken
    ),
    route!(
        "put",
        "/api/v1/videos/{id}/captions/{captionLanguage}",
        "Video Captions",
        "Add or replace a caption: `captionfile` is WebVTT or SRT (turned into WebVTT), at most 20 MB; the video's owner or moderators",
        Token,
        MULTIPART
    ),
    route!(
        "delete",
        "/api/v1/videos/{id}/captions/{captionLanguage}",
        "Video Captions",
        "Delete a caption (the video's owner or moderators)",
        Token
    ),
    route!(
        "get",
        "/api/v1/videos/{id}/chapters",
        "Video Chapters",
        "A video's chapters: those set for it, else the timecodes of its description",
        OptionalToken
    ),
    route!(
        "put",
        "/api/v1/videos/{id}/chapters",
        "Video Chapters",
        "Replace a video's chapters (`{chapters: [{timecode, title}]}`; unique timecodes, titles of 1 to 100 characters); the video's owner or moderators",
        Token,
        JSON
    ),
];
