//! A running `kinora serve` with its transcoder pool, logged in as root, and PeerTube's two
//! upload protocols.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::process::{KINORA, Server, free_port, root_session, write_config};

/// PeerTube's test media.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/peertube/media")
}

/// A running instance with its transcoder pool, logged in as root.
pub struct Instance {
    pub server: Server,
    pub port: u16,
    pub base: String,
    pub token: String,
    pub channel: i64,
    pub http: reqwest::Client,
}

/// Starts `kinora serve` with `workers` transcoders; `extra` is appended to the config file.
pub async fn start(dir: &Path, database_url: &str, workers: u32, extra: &str) -> Instance {
    let transcoder = Path::new(KINORA).with_file_name("kinora-transcoder");
    assert!(
        transcoder.is_file(),
        "build kinora-transcoder first (cargo build --workspace --bins)"
    );
    let port = free_port();
    let config = write_config(
        dir,
        port,
        database_url,
        &format!("[transcoding]\nworkers = {workers}\nlease_secs = 10\n{extra}"),
    );
    let server = Server::start(&config);
    let password = server.password.clone().expect("first start");
    let (http, token, me) = root_session(port, &password).await;
    Instance {
        server,
        port,
        base: format!("http://localhost:{port}"),
        token,
        channel: me["videoChannels"][0]["id"].as_i64().unwrap(),
        http,
    }
}

impl Instance {
    /// Stops the server with SIGTERM (it must exit cleanly) and starts it again with the same
    /// config file in `dir`; the login stays valid.
    pub fn restart(self, dir: &Path) -> Instance {
        self.stop().start(dir)
    }

    /// Stops the server with SIGTERM (it must exit cleanly); its port and login are kept for
    /// [`Stopped::start`].
    pub fn stop(self) -> Stopped {
        let Instance {
            server,
            port,
            base,
            token,
            channel,
            http,
        } = self;
        server.terminate();
        Stopped {
            port,
            base,
            token,
            channel,
            http,
        }
    }
}

/// An instance stopped by [`Instance::stop`].
pub struct Stopped {
    pub port: u16,
    pub base: String,
    token: String,
    channel: i64,
    http: reqwest::Client,
}

impl Stopped {
    /// Starts it again with the same config file in `dir`, on the same port.
    pub fn start(self, dir: &Path) -> Instance {
        let Stopped {
            port,
            base,
            token,
            channel,
            http,
        } = self;
        Instance {
            server: Server::start(&dir.join("kinora.toml")),
            port,
            base,
            token,
            channel,
            http,
        }
    }
}

/// Uploads a file with PeerTube's multipart upload, with a privacy (1 public … 3 private).
pub async fn upload_multipart(instance: &Instance, path: &Path, privacy: i64) -> Value {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let bytes = std::fs::read(path).unwrap();
    let title = format!("Fixture {name}");
    let response = send_multipart(instance, &title, &name, None, bytes, privacy).await;
    assert_eq!(response.status(), 200, "{}", path.display());
    response.json().await.unwrap()
}

/// Sends `bytes` as the file `file_name` (declared as `mime`, if given) of a multipart upload
/// titled `title`; answers the server's response, whatever it is.
pub async fn send_multipart(
    instance: &Instance,
    title: &str,
    file_name: &str,
    mime: Option<&str>,
    bytes: Vec<u8>,
    privacy: i64,
) -> reqwest::Response {
    let mut file = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
    if let Some(mime) = mime {
        file = file.mime_str(mime).unwrap();
    }
    let form = reqwest::multipart::Form::new()
        .text("name", title.to_owned())
        .text("channelId", instance.channel.to_string())
        .text("privacy", privacy.to_string())
        .part("videofile", file);
    instance
        .http
        .post(format!("{}/api/v1/videos/upload", instance.base))
        .bearer_auth(&instance.token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Uploads a file with PeerTube's resumable upload, in 64 KiB chunks.
pub async fn upload_resumable(instance: &Instance, path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap();
    let total = bytes.len();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let response = instance.http.post(format!("{}/api/v1/videos/upload-resumable", instance.base))
        .bearer_auth(&instance.token)
        .header("x-upload-content-length", total.to_string())
        .header("x-upload-content-type", "video/mp4")
        .json(&serde_json::json!({"name": format!("Fixture {name}"), "channelId": instance.channel, "filename": name}))
        .send().await.unwrap();
    assert_eq!(response.status(), 201);
    let location = format!(
        "{}{}",
        instance.base,
        response.headers()["location"].to_str().unwrap()
    );
    let chunk = 64 * 1024;
    let mut start = 0;
    loop {
        let end = (start + chunk).min(total) - 1;
        let response = instance
            .http
            .put(&location)
            .bearer_auth(&instance.token)
            .header("content-range", format!("bytes {start}-{end}/{total}"))
            .body(bytes[start..=end].to_vec())
            .send()
            .await
            .unwrap();
        if end + 1 == total {
            assert_eq!(response.status(), 200, "{}", path.display());
            return response.json().await.unwrap();
        }
        assert_eq!(response.status(), 308);
        start = end + 1;
    }
}

/// The video's JSON as root sees it.
pub async fn video(instance: &Instance, uuid: &str) -> Value {
    instance
        .http
        .get(format!("{}/api/v1/videos/{uuid}/", instance.base))
        .bearer_auth(&instance.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits (at most `limit`) until the video is published; panics with its last JSON otherwise.
pub async fn wait_published(instance: &Instance, uuid: &str, limit: std::time::Duration) -> Value {
    let started = std::time::Instant::now();
    loop {
        let json = video(instance, uuid).await;
        if json["state"]["id"] == 1 {
            return json;
        }
        assert!(
            started.elapsed() < limit && json["state"]["id"] != 7,
            "not published in {limit:?}: {json}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

/// Uploads a fixture publicly and waits until it is published and every rendition has its
/// torrent (made by the server right after publication); answers the video's JSON.
pub async fn publish_with_torrents(instance: &Instance, fixture: &str) -> Value {
    publish_file_with_torrents(instance, &fixtures().join(fixture)).await
}

/// [`publish_with_torrents`] for any file.
pub async fn publish_file_with_torrents(instance: &Instance, path: &Path) -> Value {
    let uploaded = upload_multipart(instance, path, 1).await;
    let uuid = uploaded["video"]["uuid"].as_str().unwrap().to_owned();
    wait_published(instance, &uuid, std::time::Duration::from_secs(180)).await;
    let started = std::time::Instant::now();
    loop {
        let json = video(instance, &uuid).await;
        let files = json["streamingPlaylists"][0]["files"].as_array().unwrap();
        if !files.is_empty() && files.iter().all(|f| f["torrentUrl"].is_string()) {
            return json;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no torrents: {json}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Sends an API request with the instance's admin token and an optional JSON body: the status
/// and the JSON answer (`Null` when the answer is not JSON).
pub async fn api_request(
    instance: &Instance,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = instance
        .http
        .request(method, format!("{}{path}", instance.base))
        .bearer_auth(&instance.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// An ActivityPub document of `instance` at `path` (`Null` when the answer is not JSON).
pub async fn ap_document(instance: &Instance, path: &str) -> Value {
    instance
        .http
        .get(format!("{}{path}", instance.base))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or(Value::Null)
}

/// How many accepted followers `instance`'s `root_channel` has, as its ActivityPub `followers`
/// collection says (0 when it cannot be read).
pub async fn channel_followers(instance: &Instance) -> i64 {
    ap_document(instance, "/video-channels/root_channel/followers").await["totalItems"]
        .as_i64()
        .unwrap_or(0)
}

/// `follower`'s root subscribes to `origin`'s `root_channel` by handle; waits (30 s) until
/// `origin` counts the follower.
pub async fn subscribe_to_root_channel(follower: &Instance, origin: &Instance) {
    let before = channel_followers(origin).await;
    let (status, body) = api_request(
        follower,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(serde_json::json!({ "uri": format!("root_channel@localhost:{}", origin.port) })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    super::eventually(
        std::time::Duration::from_secs(30),
        "the origin counts the new follower",
        || async { (channel_followers(origin).await > before).then_some(()) },
    )
    .await;
}

/// Root adds the caption `text` (a file named `name`) in `language` to the video; it must be
/// taken (204).
pub async fn put_caption(instance: &Instance, uuid: &str, language: &str, name: &str, text: &str) {
    let form = reqwest::multipart::Form::new().part(
        "captionfile",
        reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name(name.to_owned()),
    );
    let response = instance
        .http
        .put(format!(
            "{}/api/v1/videos/{uuid}/captions/{language}",
            instance.base
        ))
        .bearer_auth(&instance.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

/// Root's avatar (a 200×200 PNG), through the API.
pub async fn set_root_avatar(instance: &Instance) {
    let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        200,
        200,
        image::Rgb([9, 99, 199]),
    ));
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let part = reqwest::multipart::Part::bytes(png)
        .file_name("me.png")
        .mime_str("image/png")
        .unwrap();
    let response = instance
        .http
        .post(format!("{}/api/v1/users/me/avatar/pick", instance.base))
        .bearer_auth(&instance.token)
        .multipart(reqwest::multipart::Form::new().part("avatarfile", part))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
