//! A tiny HTTP/1.1 file server on 127.0.0.1 with Range support and keep-alive, standing in for
//! the instance's static file route as the torrent's web seed.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running server; it lives as long as the test process.
pub struct WebSeed {
    /// The URL the file is served at.
    pub url: String,
    /// How many `206 Partial Content` answers were sent.
    pub partial_answers: Arc<AtomicUsize>,
}

impl WebSeed {
    /// Serves `data` at `/static/web-videos/<file_name>`.
    pub fn start(file_name: &str, data: Vec<u8>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/static/web-videos/{file_name}",
            listener.local_addr().unwrap()
        );
        let path = format!("/static/web-videos/{file_name}");
        let partial_answers = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&partial_answers);
        let data = Arc::new(data);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (data, path, counter) = (Arc::clone(&data), path.clone(), Arc::clone(&counter));
                std::thread::spawn(move || {
                    let _ = serve_connection(stream, &data, &path, &counter);
                });
            }
        });
        Self {
            url,
            partial_answers,
        }
    }
}

/// Answers requests on one connection until the client closes it.
fn serve_connection(
    stream: TcpStream,
    data: &[u8],
    path: &str,
    partial_answers: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut range = None;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header)?;
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("range")
            {
                range = Some(value.trim().to_string());
            }
        }
        let mut parts = request_line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if target != path || !(method == "GET" || method == "HEAD") {
            writer.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?;
            continue;
        }
        let total = data.len();
        let (status, start, end) = match range.as_deref().and_then(|r| parse_range(r, total)) {
            Some((start, end)) => {
                partial_answers.fetch_add(1, Ordering::SeqCst);
                ("206 Partial Content", start, end)
            }
            None => ("200 OK", 0, total - 1),
        };
        let mut head = format!(
            "HTTP/1.1 {status}\r\nAccept-Ranges: bytes\r\nContent-Type: video/mp4\r\n\
             Content-Length: {}\r\n",
            end + 1 - start
        );
        if status.starts_with("206") {
            head.push_str(&format!("Content-Range: bytes {start}-{end}/{total}\r\n"));
        }
        head.push_str("\r\n");
        writer.write_all(head.as_bytes())?;
        if method == "GET" {
            writer.write_all(&data[start..=end])?;
        }
        writer.flush()?;
    }
}

/// `bytes=a-b` or `bytes=a-` within a body of `total` bytes, as an inclusive pair.
fn parse_range(value: &str, total: usize) -> Option<(usize, usize)> {
    let (start, end) = value.strip_prefix("bytes=")?.split_once('-')?;
    let start: usize = start.parse().ok()?;
    let end = if end.is_empty() {
        total - 1
    } else {
        end.parse::<usize>().ok()?.min(total - 1)
    };
    (start <= end).then_some((start, end))
}
