//! Reading a response body under a cap that counts decompressed bytes (DOS-01): the body is
//! streamed, gunzipped when it says `Content-Encoding: gzip`, and cut as soon as it passes
//! the cap, so neither a gzip bomb nor an endless body is ever held in memory.

use async_compression::tokio::bufread::GzipDecoder;
use futures_util::TryStreamExt;
use reqwest::header::{CONTENT_ENCODING, HeaderMap};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::io::StreamReader;

use super::ClientError;

/// Bytes read from the network (or the decoder) at a time.
const CHUNK_BYTES: usize = 16 * 1024;

/// Copies the (decoded) body of `response` into `sink`, failing with
/// [`ClientError::TooLarge`] once more than `cap` bytes came out. Returns the bytes written.
/// On an error `sink` may hold a partial body: the caller discards it.
pub(super) async fn read_capped(
    response: reqwest::Response,
    cap: u64,
    sink: &mut (impl AsyncWrite + Unpin),
) -> Result<u64, ClientError> {
    let gzipped = is_gzipped(response.headers())?;
    if !gzipped && response.content_length().is_some_and(|length| length > cap) {
        return Err(ClientError::TooLarge);
    }
    let stream = response
        .bytes_stream()
        .map_err(|error| std::io::Error::other(super::describe(&error)));
    let raw = StreamReader::new(stream);
    let mut reader: Box<dyn AsyncRead + Unpin + Send> = if gzipped {
        Box::new(GzipDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let mut buffer = vec![0; CHUNK_BYTES];
    let mut total: u64 = 0;
    loop {
        let read = reader
            .read(&mut buffer)
            .await
            .map_err(|error| ClientError::Network(error.to_string()))?;
        if read == 0 {
            break;
        }
        total += read as u64;
        if total > cap {
            return Err(ClientError::TooLarge);
        }
        sink.write_all(&buffer[..read])
            .await
            .map_err(ClientError::Sink)?;
    }
    sink.flush().await.map_err(ClientError::Sink)?;
    Ok(total)
}

/// Whether the body is gzip-encoded; encodings other than gzip and identity are refused.
fn is_gzipped(headers: &HeaderMap) -> Result<bool, ClientError> {
    let mut gzipped = false;
    for value in headers.get_all(CONTENT_ENCODING) {
        let text = value
            .to_str()
            .map_err(|_| ClientError::BadContentEncoding("not ASCII".into()))?;
        for coding in text
            .split(',')
            .map(str::trim)
            .filter(|coding| !coding.is_empty())
        {
            match coding.to_ascii_lowercase().as_str() {
                "identity" => {}
                "gzip" | "x-gzip" if !gzipped => gzipped = true,
                _ => return Err(ClientError::BadContentEncoding(coding.to_owned())),
            }
        }
    }
    Ok(gzipped)
}
