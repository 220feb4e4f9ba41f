//! [`Federation`]: what every part of the protocol shares — the database, the one outbound
//! client, this instance's URLs, the `[federation]` section, the instance actor and its signer,
//! the inbox's per-host limits and the delivery worker's wake-up bell.

use std::sync::Arc;

use kinora_app::MediaStorage;
use kinora_db::Db;
use tokio::sync::Notify;

use crate::FederationConfig;
use crate::http_client::{OutboundClient, OutboundConfig};
use crate::inbox::limits::InboxLimits;
use crate::signatures::{RequestSigner, VerifyPolicy};
use crate::urls::LocalUrls;

/// The federation layer of one instance (cheap to clone).
#[derive(Clone)]
pub struct Federation {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    storage: Arc<MediaStorage>,
    client: OutboundClient,
    urls: LocalUrls,
    config: FederationConfig,
    instance_actor_id: i64,
    instance_signer: Arc<RequestSigner>,
    wake: Arc<Notify>,
    inbox_limits: InboxLimits,
}

/// Why the federation layer could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The instance actor could not be made.
    #[error("instance actor: {0}")]
    InstanceActor(#[from] kinora_app::AppError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] kinora_db::DbError),
    /// The instance actor's key is unusable.
    #[error("instance actor key: {0}")]
    Key(#[from] crate::signatures::SignatureError),
    /// The outbound client could not be built.
    #[error("outbound client: {0}")]
    Client(#[from] crate::http_client::ClientError),
}

impl Federation {
    /// Prepares federation for the instance at `public_url`: the instance actor (made with its
    /// keys on the first start) and the outbound client.
    pub async fn start(
        db: Db,
        storage: Arc<MediaStorage>,
        config: FederationConfig,
        public_url: &str,
    ) -> Result<Self, StartError> {
        let urls = LocalUrls::new(public_url);
        let instance_actor_id = kinora_app::actors::ensure_instance_actor(&db).await?;
        let private_pem = kinora_db::actors::find_private_key(db.pool(), instance_actor_id)
            .await?
            .ok_or(kinora_app::AppError::NotFound("instance actor key"))?;
        let instance_signer = Arc::new(RequestSigner::from_pem(
            crate::urls::key_id(&urls.instance_actor()),
            &private_pem,
        )?);
        let mut outbound = OutboundConfig::for_federation(&config, urls.base());
        outbound.max_object_bytes = config.max_object_bytes;
        outbound.total_timeout = std::time::Duration::from_secs(config.request_timeout_secs);
        let client = OutboundClient::new(&outbound)?;
        let inbox_limits = InboxLimits::new(&config);
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                storage,
                client,
                urls,
                config,
                instance_actor_id,
                instance_signer,
                wake: Arc::new(Notify::new()),
                inbox_limits,
            }),
        })
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Where files are kept (mirrors are copied there).
    pub fn storage(&self) -> &Arc<MediaStorage> {
        &self.inner.storage
    }

    /// The one client every remote request goes through.
    pub fn client(&self) -> &OutboundClient {
        &self.inner.client
    }

    /// This instance's URLs.
    pub fn urls(&self) -> &LocalUrls {
        &self.inner.urls
    }

    /// The `[federation]` section.
    pub fn config(&self) -> &FederationConfig {
        &self.inner.config
    }

    /// The instance actor's id.
    pub fn instance_actor_id(&self) -> i64 {
        self.inner.instance_actor_id
    }

    /// Signs fetches (and deliveries of activities whose actor is gone) as the instance actor.
    pub fn instance_signer(&self) -> &RequestSigner {
        &self.inner.instance_signer
    }

    /// What a signed request to this instance must satisfy.
    pub fn verify_policy(&self) -> VerifyPolicy {
        VerifyPolicy {
            our_host: self.inner.urls.host().to_owned(),
            max_age: std::time::Duration::from_secs(self.inner.config.signature_max_age_secs),
            max_future: std::time::Duration::from_secs(self.inner.config.signature_max_future_secs),
        }
    }

    /// What one remote host may cost the inbox (activities, key fetches).
    pub fn inbox_limits(&self) -> &InboxLimits {
        &self.inner.inbox_limits
    }

    /// Wakes the delivery worker (new deliveries were queued).
    pub fn wake_delivery(&self) {
        self.inner.wake.notify_one();
    }

    /// The bell the delivery worker listens to.
    pub fn delivery_bell(&self) -> Arc<Notify> {
        self.inner.wake.clone()
    }

    /// The scheme remote instances are reached with: https, or http where private addresses
    /// are allowed (instances of a test on one machine).
    pub fn remote_scheme(&self) -> &'static str {
        if self.inner.config.allow_private_addresses {
            "http"
        } else {
            "https"
        }
    }
}
