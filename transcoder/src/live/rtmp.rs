//! One RTMP connection: the handshake, then `rml_rtmp`'s server session. Only the `live`
//! application is accepted, and only a publish whose stream key names a live that waits for
//! its broadcaster ([`kinora_db::video_lives::begin_broadcast`]); anything else is refused and
//! the connection closed. An admitted broadcast's audio and video go, as FLV, into a
//! `live-process` child ([`super::broadcast`]); the broadcast ends when the broadcaster
//! unpublishes or leaves, sends nothing for `stall_timeout_secs`, runs past
//! `max_duration_secs`, or the child stops.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rml_rtmp::handshake::{Handshake, HandshakeProcessResult, PeerType};
use rml_rtmp::sessions::{
    ServerSession, ServerSessionConfig, ServerSessionEvent, ServerSessionResult,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::Ingest;
use super::broadcast::{EndReason, OnAir};
use super::flv::TagKind;

/// How long a client has to complete the RTMP handshake and ask to publish (and, over RTMPS,
/// the TLS handshake before).
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A broadcaster's connection: TCP (RTMP), or TLS over TCP (RTMPS).
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Stream for S {}

/// Serves one connection from `peer` until it ends; errors are logged, never raised.
pub(crate) async fn handle(
    stream: impl Stream,
    peer: Option<std::net::SocketAddr>,
    ingest: Arc<Ingest>,
) {
    let mut connection = Connection {
        ingest,
        on_air: None,
        end: None,
    };
    let outcome = connection.run(stream).await;
    if let Err(error) = &outcome {
        tracing::info!(?peer, error = %format!("{error:#}"), "RTMP connection closed");
    }
    if let Some(on_air) = connection.on_air.take() {
        let reason = connection.end.take().unwrap_or(if outcome.is_ok() {
            EndReason::Finished
        } else {
            EndReason::Stalled
        });
        on_air.end(reason).await;
    }
}

struct Connection {
    ingest: Arc<Ingest>,
    on_air: Option<OnAir>,
    /// Why the broadcast ends, when something other than the broadcaster ended it.
    end: Option<EndReason>,
}

impl Connection {
    async fn run(&mut self, mut stream: impl Stream) -> anyhow::Result<()> {
        let remaining = handshake(&mut stream).await?;
        let (mut session, results) =
            ServerSession::new(ServerSessionConfig::new()).context("starting the session")?;
        let mut pending: VecDeque<ServerSessionResult> = results.into();
        pending.extend(session.handle_input(&remaining).context("reading RTMP")?);
        let started = Instant::now();
        let stall = Duration::from_secs(self.ingest.config.stall_timeout_secs.max(1));
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            if self
                .process(&mut session, &mut stream, &mut pending)
                .await?
            {
                return Ok(());
            }
            if self.on_air.is_none() && started.elapsed() > HANDSHAKE_TIMEOUT {
                bail!("no publish within {HANDSHAKE_TIMEOUT:?}");
            }
            let wait = match &self.on_air {
                Some(on_air) => match on_air.time_left() {
                    Some(left) if left.is_zero() => {
                        self.end = Some(EndReason::DurationExceeded);
                        return Ok(());
                    }
                    Some(left) => left.min(stall),
                    None => stall,
                },
                None => HANDSHAKE_TIMEOUT,
            };
            let read = tokio::select! {
                read = tokio::time::timeout(wait, stream.read(&mut buffer)) => read,
                reason = wait_for_child(self.on_air.as_mut()) => {
                    self.end = Some(reason);
                    return Ok(());
                }
            };
            let read = match read {
                Ok(read) => read.context("reading from the broadcaster")?,
                // The wait was cut short by the longest broadcast: the loop's top ends it.
                Err(_)
                    if self
                        .on_air
                        .as_ref()
                        .and_then(OnAir::time_left)
                        .is_some_and(|left| left.is_zero()) =>
                {
                    continue;
                }
                Err(_) => {
                    self.end = Some(EndReason::Stalled);
                    bail!("nothing received for {wait:?}");
                }
            };
            if read == 0 {
                return Ok(());
            }
            pending.extend(
                session
                    .handle_input(&buffer[..read])
                    .context("reading RTMP")?,
            );
        }
    }

    /// Sends what the session answers and acts on what it raised; answers whether the
    /// connection is done.
    async fn process(
        &mut self,
        session: &mut ServerSession,
        stream: &mut impl Stream,
        pending: &mut VecDeque<ServerSessionResult>,
    ) -> anyhow::Result<bool> {
        while let Some(result) = pending.pop_front() {
            match result {
                ServerSessionResult::OutboundResponse(packet) => {
                    stream
                        .write_all(&packet.bytes)
                        .await
                        .context("answering the broadcaster")?;
                    // Over TLS, written is not yet sent.
                    stream.flush().await.context("answering the broadcaster")?;
                }
                ServerSessionResult::RaisedEvent(event) => {
                    if self.on_event(session, stream, pending, event).await? {
                        return Ok(true);
                    }
                }
                ServerSessionResult::UnhandleableMessageReceived(_) => {}
            }
        }
        Ok(false)
    }

    async fn on_event(
        &mut self,
        session: &mut ServerSession,
        stream: &mut impl Stream,
        pending: &mut VecDeque<ServerSessionResult>,
        event: ServerSessionEvent,
    ) -> anyhow::Result<bool> {
        match event {
            ServerSessionEvent::ConnectionRequested {
                request_id,
                app_name,
            } => {
                if app_name != kinora_core::live::RTMP_APP {
                    refuse(session, stream, request_id, "unknown application").await?;
                    bail!("connection to application {app_name:?} refused");
                }
                pending.extend(session.accept_request(request_id)?);
            }
            ServerSessionEvent::PublishStreamRequested {
                request_id,
                stream_key,
                ..
            } => {
                if self.on_air.is_some() {
                    refuse(session, stream, request_id, "already publishing").await?;
                    bail!("a second publish on one connection refused");
                }
                match super::broadcast::start(&self.ingest, &stream_key).await? {
                    Some(on_air) => {
                        self.on_air = Some(on_air);
                        pending.extend(session.accept_request(request_id)?);
                    }
                    None => {
                        refuse(session, stream, request_id, "unknown or busy stream key").await?;
                        bail!("publish refused: no live waits for this stream key");
                    }
                }
            }
            ServerSessionEvent::VideoDataReceived {
                data, timestamp, ..
            } => self.forward(TagKind::Video, timestamp.value, &data).await?,
            ServerSessionEvent::AudioDataReceived {
                data, timestamp, ..
            } => self.forward(TagKind::Audio, timestamp.value, &data).await?,
            ServerSessionEvent::PublishStreamFinished { .. } => return Ok(true),
            ServerSessionEvent::PlayStreamRequested { request_id, .. } => {
                refuse(session, stream, request_id, "playing is not offered here").await?;
                bail!("play refused");
            }
            _ => {}
        }
        Ok(false)
    }

    async fn forward(&mut self, kind: TagKind, timestamp: u32, data: &[u8]) -> anyhow::Result<()> {
        let Some(on_air) = self.on_air.as_mut() else {
            bail!("media before a publish");
        };
        if let Err(reason) = on_air.write(kind, timestamp, data).await {
            self.end = Some(reason);
            bail!("the live remux stopped taking the stream");
        }
        Ok(())
    }
}

async fn handshake(stream: &mut impl Stream) -> anyhow::Result<Vec<u8>> {
    let mut handshake = Handshake::new(PeerType::Server);
    let mut buffer = vec![0u8; 8 * 1024];
    let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let read = tokio::time::timeout(left, stream.read(&mut buffer))
            .await
            .context("the RTMP handshake timed out")??;
        if read == 0 {
            bail!("closed during the RTMP handshake");
        }
        match handshake
            .process_bytes(&buffer[..read])
            .context("RTMP handshake")?
        {
            HandshakeProcessResult::InProgress { response_bytes } => {
                stream.write_all(&response_bytes).await?;
                stream.flush().await?;
            }
            HandshakeProcessResult::Completed {
                response_bytes,
                remaining_bytes,
            } => {
                stream.write_all(&response_bytes).await?;
                stream.flush().await?;
                return Ok(remaining_bytes);
            }
        }
    }
}

async fn refuse(
    session: &mut ServerSession,
    stream: &mut impl Stream,
    request_id: u32,
    why: &str,
) -> anyhow::Result<()> {
    for result in session.reject_request(request_id, "NetStream.Publish.BadName", why)? {
        if let ServerSessionResult::OutboundResponse(packet) = result {
            stream.write_all(&packet.bytes).await?;
        }
    }
    stream.flush().await?;
    Ok(())
}

/// Resolves when the broadcast's child stopped by itself (never without a broadcast).
async fn wait_for_child(on_air: Option<&mut OnAir>) -> EndReason {
    match on_air {
        Some(on_air) => on_air.stopped().await,
        None => std::future::pending().await,
    }
}
