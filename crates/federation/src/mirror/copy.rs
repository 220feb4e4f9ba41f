//! Copying a remote video's HLS files into a private working directory through the one
//! outbound client: the master playlist, each media playlist it names, each fragmented MP4 and
//! the `segments-sha256` JSON, within a byte budget, every segment checked against its hash.
//!
//! Every file must sit in the master playlist's directory on the origin and keep the origin's
//! name (a player falling back to the mirror swaps only the base URL); names must have the
//! shape of generated names ([`GeneratedName`]), so nothing the origin says becomes a path.

use std::path::{Path, PathBuf};

use kinora_app::GeneratedName;
use url::Url;

use super::playlists::{
    ByteRangeSegment, InvalidMedia, MirrorCheckError, byte_range_segments, parse_segment_hashes,
    referenced_uris, verify_segments,
};
use crate::http_client::{ClientError, OutboundClient};

/// Largest playlist or hashes file copied.
const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;

/// Content-Types accepted for playlists.
const PLAYLIST_TYPES: &[&str] = &[
    "application/vnd.apple.mpegurl",
    "application/x-mpegurl",
    "audio/mpegurl",
    "audio/x-mpegurl",
];

/// Content-Types accepted for fragmented MP4s (object storage often says octet-stream).
const MEDIA_TYPES: &[&str] = &["video/mp4", "audio/mp4", "application/octet-stream"];

/// Content-Types accepted for the segment hashes.
const HASHES_TYPES: &[&str] = &["application/json"];

/// Why a copy failed.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// Fetching from the origin failed.
    #[error("fetching {url}: {source}")]
    Fetch {
        /// What was fetched.
        url: Box<Url>,
        /// Why it failed.
        source: Box<ClientError>,
    },
    /// The origin's files are not a mirror we can keep.
    #[error(transparent)]
    Invalid(#[from] InvalidMedia),
    /// Writing or reading our copy failed.
    #[error("writing the copy: {0}")]
    Io(#[from] std::io::Error),
    /// The copy needs more bytes than `mirror_max_video_bytes`.
    #[error("the video's files are larger than {0} bytes")]
    TooLarge(u64),
}

impl CopyError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            CopyError::Fetch { source, .. } => source.is_retryable(),
            CopyError::Io(_) => true,
            CopyError::Invalid(_) | CopyError::TooLarge(_) => false,
        }
    }
}

impl From<MirrorCheckError> for CopyError {
    fn from(error: MirrorCheckError) -> Self {
        match error {
            MirrorCheckError::Invalid(invalid) => CopyError::Invalid(invalid),
            MirrorCheckError::Io(io) => CopyError::Io(io),
        }
    }
}

/// What a copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Bytes written.
    pub size: u64,
    /// The names of the files, master first.
    pub names: Vec<String>,
}

/// One copy in progress: where it goes, what it may still spend, what it holds.
struct Copy<'a> {
    client: &'a OutboundClient,
    directory: &'a Path,
    base: Url,
    budget: u64,
    max_bytes: u64,
    names: Vec<String>,
}

/// Copies the HLS files of the master playlist at `master` (and the hashes at `hashes`) into
/// `directory`, at most `max_bytes` in all. After an error `directory` holds part of the
/// files and must be discarded.
pub async fn copy_hls(
    client: &OutboundClient,
    master: &Url,
    hashes: &Url,
    directory: &Path,
    max_bytes: u64,
) -> Result<Copied, CopyError> {
    let base = master
        .join(".")
        .map_err(|_| InvalidMedia(format!("no directory for {master}")))?;
    let mut copy = Copy {
        client,
        directory,
        base,
        budget: max_bytes,
        max_bytes,
        names: Vec::new(),
    };
    let master_text = copy.text(master, PLAYLIST_TYPES).await?;
    let mut renditions: Vec<(String, Vec<ByteRangeSegment>)> = Vec::new();
    for uri in referenced_uris(&master_text) {
        let url = resolve(master, &uri)?;
        let playlist = copy.text(&url, PLAYLIST_TYPES).await?;
        let files = referenced_uris(&playlist);
        let [file] = files.as_slice() else {
            return Err(InvalidMedia(format!("{url} must name exactly one media file")).into());
        };
        let segments = byte_range_segments(&playlist)?;
        let file_url = resolve(&url, file)?;
        let name = copy.file(&file_url, MEDIA_TYPES).await?;
        renditions.push((name, segments));
    }
    if renditions.is_empty() {
        return Err(InvalidMedia(format!("{master} lists no renditions")).into());
    }
    let hashes_text = copy.text(hashes, HASHES_TYPES).await?;
    let hashes = parse_segment_hashes(hashes_text.as_bytes())?;
    let directory: PathBuf = directory.to_owned();
    tokio::task::spawn_blocking(move || {
        for (name, segments) in &renditions {
            verify_segments(&directory.join(name), name, segments, &hashes)?;
        }
        Ok::<_, MirrorCheckError>(())
    })
    .await
    .map_err(|e| std::io::Error::other(e.to_string()))??;
    Ok(Copied {
        size: max_bytes - copy.budget,
        names: copy.names,
    })
}

fn resolve(base: &Url, uri: &str) -> Result<Url, InvalidMedia> {
    base.join(uri)
        .map_err(|_| InvalidMedia(format!("bad URI {uri:?} in {base}")))
}

impl Copy<'_> {
    /// The file name `url` is copied under: a generated-looking name directly in the master
    /// playlist's directory, without query or fragment.
    fn name_of(&self, url: &Url) -> Result<GeneratedName, InvalidMedia> {
        let outside = || InvalidMedia(format!("{url} is not beside the master playlist"));
        if url.query().is_some() || url.fragment().is_some() {
            return Err(outside());
        }
        let rest = url
            .as_str()
            .strip_prefix(self.base.as_str())
            .ok_or_else(outside)?;
        GeneratedName::parse(rest).map_err(|_| outside())
    }

    /// Copies a playlist or the hashes (small text) and answers its text.
    async fn text(&mut self, url: &Url, accept: &[&str]) -> Result<String, CopyError> {
        let name = self.name_of(url)?;
        let mut bytes = Vec::new();
        let limit = self.budget.min(MAX_TEXT_BYTES);
        let read = self.download(url, accept, limit, &mut bytes).await?;
        self.spend(read)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| InvalidMedia(format!("{url} is not UTF-8 text")))?;
        tokio::fs::write(self.directory.join(name.as_str()), text.as_bytes()).await?;
        self.remember(name);
        Ok(text)
    }

    /// Copies a media file (once, however many playlists name it); answers its name.
    async fn file(&mut self, url: &Url, accept: &[&str]) -> Result<String, CopyError> {
        let name = self.name_of(url)?;
        if self.names.iter().any(|n| n == name.as_str()) {
            return Ok(name.as_str().to_owned());
        }
        let path = self.directory.join(name.as_str());
        let mut file = tokio::fs::File::create(&path).await?;
        let read = self.download(url, accept, self.budget, &mut file).await?;
        file.sync_all().await?;
        self.spend(read)?;
        self.remember(name.clone());
        Ok(name.as_str().to_owned())
    }

    async fn download(
        &self,
        url: &Url,
        accept: &[&str],
        limit: u64,
        sink: &mut (impl tokio::io::AsyncWrite + Unpin),
    ) -> Result<u64, CopyError> {
        match self.client.download(url, limit, accept, sink).await {
            Ok(read) => Ok(read),
            Err(ClientError::TooLarge) => Err(CopyError::TooLarge(self.max_bytes)),
            Err(source) => Err(CopyError::Fetch {
                url: Box::new(url.clone()),
                source: Box::new(source),
            }),
        }
    }

    fn spend(&mut self, bytes: u64) -> Result<(), CopyError> {
        self.budget = self
            .budget
            .checked_sub(bytes)
            .ok_or(CopyError::TooLarge(self.max_bytes))?;
        Ok(())
    }

    fn remember(&mut self, name: GeneratedName) {
        if !self.names.iter().any(|n| n == name.as_str()) {
            self.names.push(name.as_str().to_owned());
        }
    }
}
