//! Live ingest (issue 20): `kinora-transcoder live` listens for RTMP broadcasters on
//! `[live] rtmp_listen` (started by `kinora serve` when `[live] enabled`), and over TLS on
//! `rtmps_listen` when a certificate is configured ([`tls`]), admits one per
//! waiting live by its stream key, and pipes each broadcast into a `kinora-transcoder
//! live-process` child that remuxes it to PeerTube's live HLS in
//! `streaming-playlists/live/<videoUUID>/` of local storage, with `segments-sha256.json`
//! kept current. Start reading at [`rtmp::handle`].

mod broadcast;
pub mod child;
pub mod flv;
mod recording;
mod rtmp;
pub mod segments;
mod tls;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use kinora_core::live::LiveConfig;
use kinora_db::Db;
use kinora_storage::MediaStorage;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Connections served at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 64;

/// What every connection shares.
pub(crate) struct Ingest {
    pub(crate) db: Db,
    pub(crate) storage: MediaStorage,
    pub(crate) config: LiveConfig,
    /// This executable, which runs each broadcast's `live-process`.
    pub(crate) executable: PathBuf,
    /// The settings a `live-process` child is given (JSON, as `kinora serve` gives ours).
    pub(crate) settings: String,
}

/// The next RTMPS connection; never, when RTMPS is off.
async fn accept_rtmps(
    rtmps: Option<&(TcpListener, tokio_rustls::TlsAcceptor)>,
) -> std::io::Result<(tokio::net::TcpStream, std::net::SocketAddr)> {
    match rtmps {
        Some((listener, _)) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// Serves broadcasters until `shutdown`. Broadcasts a stopped ingest left open are ended first
/// (their broadcasters are gone with it).
pub async fn serve(
    db: Db,
    storage: MediaStorage,
    config: LiveConfig,
    settings: String,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    for broadcast in kinora_db::video_lives::open_broadcasts(&db).await? {
        tracing::warn!(video = %broadcast.video_uuid, "ending a broadcast a stopped ingest left open");
        broadcast::finish(&db, &broadcast, Some(1), config.ending_delay_ms()).await?;
    }
    let listener = TcpListener::bind(config.rtmp_listen)
        .await
        .with_context(|| format!("listening for RTMP on {}", config.rtmp_listen))?;
    let rtmps = match tls::acceptor(&config)? {
        Some(acceptor) => {
            let listener = TcpListener::bind(config.rtmps_listen)
                .await
                .with_context(|| format!("listening for RTMPS on {}", config.rtmps_listen))?;
            tracing::info!(address = %listener.local_addr()?, "RTMPS ingest ready");
            Some((listener, acceptor))
        }
        None => None,
    };
    tracing::info!(address = %listener.local_addr()?, "live ingest ready");
    let ingest = Arc::new(Ingest {
        db,
        storage,
        config,
        executable: std::env::current_exe()?,
        settings,
    });
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit?,
            () = shutdown.cancelled() => break,
        };
        let (accepted, secure) = tokio::select! {
            accepted = listener.accept() => (accepted, false),
            accepted = accept_rtmps(rtmps.as_ref()) => (accepted, true),
            () = shutdown.cancelled() => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, secure, "accepting a broadcaster's connection failed");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let ingest = ingest.clone();
        let acceptor = rtmps
            .as_ref()
            .filter(|_| secure)
            .map(|(_, acceptor)| acceptor.clone());
        connections.spawn(async move {
            match acceptor {
                None => rtmp::handle(stream, Some(peer), ingest).await,
                Some(acceptor) => {
                    match tokio::time::timeout(rtmp::HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(tls)) => rtmp::handle(tls, Some(peer), ingest).await,
                        Ok(Err(error)) => {
                            tracing::info!(%peer, %error, "RTMPS handshake failed");
                        }
                        Err(_) => tracing::info!(%peer, "RTMPS handshake timed out"),
                    }
                }
            }
            drop(permit);
        });
        while connections.try_join_next().is_some() {}
    }
    // Stopping: every broadcast is ended as if its broadcaster had left.
    connections.abort_all();
    while connections.join_next().await.is_some() {}
    for broadcast in kinora_db::video_lives::open_broadcasts(&ingest.db).await? {
        broadcast::finish(
            &ingest.db,
            &broadcast,
            None,
            ingest.config.ending_delay_ms(),
        )
        .await?;
    }
    Ok(())
}
