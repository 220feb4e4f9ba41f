//! Actor keys: every local account and channel signs its federation requests with its own
//! RSA-2048 key pair, generated in the background (the `generate-actor-keys` job).

use kinora_db::{Db, now_millis};
use rsa::RsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

use crate::{AppError, AppResult};

/// Size of actor keys, as PeerTube and Mastodon use.
pub const ACTOR_KEY_BITS: usize = 2048;

/// Generates and stores a key pair for `actor_id` unless it has one already (the job may run
/// twice). Returns true when keys were generated.
pub async fn generate_actor_keys(db: &Db, actor_id: i64) -> AppResult<bool> {
    if kinora_db::actors::find_public_key(db.pool(), actor_id)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let (public_pem, private_pem) = tokio::task::spawn_blocking(generate_pem_pair)
        .await
        .map_err(|error| AppError::Internal(format!("key generation task: {error}")))??;
    let mut connection = db
        .pool()
        .acquire()
        .await
        .map_err(kinora_db::DbError::from)?;
    let stored = kinora_db::actors::set_keys(
        &mut connection,
        actor_id,
        &public_pem,
        &private_pem,
        now_millis(),
    )
    .await?;
    if !stored {
        return Err(AppError::NotFound("actor"));
    }
    Ok(true)
}

/// A fresh RSA-2048 key pair as (SPKI public PEM, PKCS#8 private PEM).
fn generate_pem_pair() -> AppResult<(String, String)> {
    let mut rng = rsa::rand_core::OsRng;
    let private = RsaPrivateKey::new(&mut rng, ACTOR_KEY_BITS)
        .map_err(|error| AppError::Internal(format!("RSA generation: {error}")))?;
    let private_pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|error| AppError::Internal(format!("PEM encoding: {error}")))?
        .to_string();
    let public_pem = private
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|error| AppError::Internal(format!("PEM encoding: {error}")))?;
    Ok((public_pem, private_pem))
}

/// The name of the instance actor (PeerTube's `Application` actor at `/accounts/peertube`).
pub const INSTANCE_ACTOR_NAME: &str = "peertube";

/// Makes sure the instance actor exists with its keys (created on the first start; its keys
/// are made at once, since every signed fetch needs them). Also queues key jobs for local actors
/// left without keys. Returns the instance actor's id.
pub async fn ensure_instance_actor(db: &Db) -> AppResult<i64> {
    let existing = kinora_db::actors::find_local_by_name(db.pool(), INSTANCE_ACTOR_NAME).await?;
    let id = match existing {
        Some(actor) => actor.id,
        None => {
            let mut tx = db.begin().await?;
            let id = kinora_db::actors::insert_local_actor(
                &mut tx,
                "Application",
                INSTANCE_ACTOR_NAME,
                now_millis(),
            )
            .await?;
            tx.commit().await?;
            id
        }
    };
    generate_actor_keys(db, id).await?;
    let without_keys = kinora_db::actors::list_local_without_keys(db.pool()).await?;
    if !without_keys.is_empty() {
        let mut tx = db.begin().await?;
        for actor_id in without_keys {
            kinora_jobs::enqueue(&mut tx, &kinora_jobs::Job::GenerateActorKeys { actor_id })
                .await?;
        }
        tx.commit().await?;
    }
    Ok(id)
}
