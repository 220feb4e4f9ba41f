//! The federation side of [`kinora_app::remote::RemoteActors`]: what the REST API's use cases
//! ask of other instances (following a remote channel, following an instance, importing a
//! channel or video searched for by handle or URL).

use kinora_app::AppError;
use kinora_app::remote::{BoxFuture, RemoteActors};
use kinora_db::actors::ActorRow;

use serde_json::Value;
use url::Url;

use crate::Federation;
use crate::http_client::ClientError;
use crate::inbox::ProcessError;
use crate::protocol::parse::video::parse_video;
use crate::resolve::{self, ResolveError};
use crate::urls::INSTANCE_ACTOR;

/// Resolves handles through WebFinger and the actors' origins.
pub struct RemoteLookup {
    federation: tokio::sync::OnceCell<Federation>,
    start: Option<LazyStart>,
}

/// What a lazily started federation layer is made of.
struct LazyStart {
    db: kinora_db::Db,
    storage: std::sync::Arc<kinora_app::MediaStorage>,
    config: crate::FederationConfig,
    public_url: String,
}

impl RemoteLookup {
    /// Lookups through `federation`.
    pub fn new(federation: Federation) -> Self {
        Self {
            federation: tokio::sync::OnceCell::new_with(Some(federation)),
            start: None,
        }
    }

    /// Lookups through a federation layer started on first use (for in-process tests, which
    /// build their state without a runtime at hand).
    pub fn lazy(
        db: kinora_db::Db,
        storage: std::sync::Arc<kinora_app::MediaStorage>,
        config: crate::FederationConfig,
        public_url: &str,
    ) -> Self {
        Self {
            federation: tokio::sync::OnceCell::new(),
            start: Some(LazyStart {
                db,
                storage,
                config,
                public_url: public_url.to_owned(),
            }),
        }
    }

    async fn federation(&self) -> Result<&Federation, AppError> {
        self.federation
            .get_or_try_init(|| async {
                let start = self
                    .start
                    .as_ref()
                    .ok_or_else(|| AppError::Internal("no federation layer".into()))?;
                Federation::start(
                    start.db.clone(),
                    start.storage.clone(),
                    start.config.clone(),
                    &start.public_url,
                )
                .await
                .map_err(|error| AppError::Internal(error.to_string()))
            })
            .await
    }
}

fn app_error(error: ResolveError) -> AppError {
    match error {
        ResolveError::Client(ClientError::Status(404 | 410)) => AppError::NotFound("Remote actor"),
        ResolveError::Ours(what) => AppError::Invalid {
            field: "uri",
            message: format!("{what} is on this instance"),
        },
        ResolveError::Db(error) => AppError::Db(error),
        // What a host name resolves to, or the network's own words, are not the client's to
        // learn (they map the server's network); the log keeps them.
        ResolveError::Client(
            error @ (ClientError::AddressRefused(_) | ClientError::Network(_)),
        ) => {
            tracing::info!(%error, "a remote actor could not be reached");
            AppError::Remote("the remote instance could not be reached".to_owned())
        }
        other => AppError::Remote(other.to_string()),
    }
}

/// A URL given by a user: parsed, or refused naming the field.
fn user_url(url: &str) -> Result<Url, AppError> {
    Url::parse(url).map_err(|error| AppError::Invalid {
        field: "search",
        message: format!("is not a valid URL: {error}"),
    })
}

fn process_error(error: ProcessError) -> AppError {
    match error {
        ProcessError::Resolve(error) => app_error(error),
        ProcessError::Db(error) => AppError::Db(error),
        ProcessError::Job(error) => AppError::Job(error),
        ProcessError::App(error) => error,
        ProcessError::Refused(reason) => AppError::Remote(reason),
    }
}

/// Fetches the video at `url` from its origin and stores it (with its channel, account and
/// earlier comments) as a federated video; a user asked for it, so no follow is required.
async fn import_video(federation: &Federation, url: &Url) -> Result<i64, ProcessError> {
    let fetched = resolve::fetch(federation, url).await?;
    if fetched.object.get("type").and_then(Value::as_str) != Some("Video") {
        return Err(ProcessError::Refused(format!("{url} is not a video")));
    }
    let parsed = parse_video(&fetched.object, Some(fetched.final_url.as_str()))
        .map_err(|error| ProcessError::Refused(error.to_string()))?;
    crate::inbox::store_with_comments(federation, &parsed, false).await
}

impl RemoteActors for RemoteLookup {
    fn probe_relay<'a>(
        &'a self,
        url: &'a str,
    ) -> BoxFuture<'a, Result<kinora_app::remote::RelayTarget, AppError>> {
        Box::pin(async move {
            let federation = self.federation().await?;
            crate::relays::probe(federation, url).await
        })
    }

    fn resolve_handle<'a>(
        &'a self,
        name: &'a str,
        host: &'a str,
    ) -> BoxFuture<'a, Result<ActorRow, AppError>> {
        Box::pin(async move {
            let federation = self.federation().await?;
            resolve::actor_by_handle(federation, name, host)
                .await
                .map_err(app_error)
        })
    }

    fn refresh_handle<'a>(
        &'a self,
        name: &'a str,
        host: &'a str,
    ) -> BoxFuture<'a, Result<ActorRow, AppError>> {
        Box::pin(async move {
            let federation = self.federation().await?;
            resolve::actor_by_handle_fresh(federation, name, host)
                .await
                .map_err(app_error)
        })
    }

    fn refresh_actor_url<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<ActorRow, AppError>> {
        Box::pin(async move {
            let url = user_url(url)?;
            let federation = self.federation().await?;
            resolve::actor(federation, &url, true)
                .await
                .map_err(app_error)
        })
    }

    fn resolve_instance<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<ActorRow, AppError>> {
        Box::pin(async move {
            let federation = self.federation().await?;
            resolve::actor_by_handle(federation, INSTANCE_ACTOR, host)
                .await
                .map_err(app_error)
        })
    }

    fn resolve_actor_url<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<ActorRow, AppError>> {
        Box::pin(async move {
            let url = user_url(url)?;
            let federation = self.federation().await?;
            resolve::actor(federation, &url, false)
                .await
                .map_err(app_error)
        })
    }

    fn resolve_video_url<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<i64, AppError>> {
        Box::pin(async move {
            let url = user_url(url)?;
            let federation = self.federation().await?;
            import_video(federation, &url).await.map_err(process_error)
        })
    }
}
