//! The ActivityPub documents of a user archive (`activity-pub/actor.json` and the `Create`
//! activities of `activity-pub/outbox.json`), for [`kinora_app::user_exports`]: the same
//! documents this instance serves and sends.

use futures_util::future::BoxFuture;
use kinora_app::user_exports::ArchiveActivityPub;
use kinora_app::{AppError, AppResult};
use kinora_db::videos::VideoRow;
use serde_json::Value;

use crate::Federation;
use crate::protocol::activities;
use crate::protocol::audience::Audience;
use crate::protocol::context::ContextType;
use crate::protocol::loader;

fn app_error(error: crate::FederationError) -> AppError {
    match error {
        crate::FederationError::App(error) => error,
        crate::FederationError::Db(error) => AppError::Db(error),
        other => AppError::Internal(other.to_string()),
    }
}

impl ArchiveActivityPub for Federation {
    fn actor(&self, actor_id: i64) -> BoxFuture<'_, AppResult<Option<Value>>> {
        Box::pin(async move {
            let Some(actor) = kinora_db::actors::find_by_id(self.db().pool(), actor_id).await?
            else {
                return Ok(None);
            };
            loader::actor_object_of(self.db(), self.urls(), &actor)
                .await
                .map_err(app_error)
        })
    }

    fn video_create<'a>(&'a self, video: &'a VideoRow) -> BoxFuture<'a, AppResult<Option<Value>>> {
        Box::pin(async move {
            let pool = self.db().pool();
            let Some(channel) = kinora_db::channels::find_by_id(pool, video.channel_id).await?
            else {
                return Ok(None);
            };
            let Some(account) = kinora_db::accounts::find_by_id(pool, channel.account_id).await?
            else {
                return Ok(None);
            };
            let Some(actor) = kinora_db::actors::find_by_id(pool, account.actor_id).await? else {
                return Ok(None);
            };
            let hashes = loader::video_infohashes(self.db(), video)
                .await
                .map_err(app_error)?;
            let object =
                loader::video_object_of(self.db(), self.urls(), self.storage(), video, &hashes)
                    .await
                    .map_err(app_error)?;
            let Some(object) = object else {
                return Ok(None);
            };
            let account_url = self.urls().actor(&actor);
            let followers = crate::protocol::actors::followers_url(&account_url);
            let audience = Audience::of_video(video.privacy, &followers).unwrap_or_default();
            Ok(Some(activities::create(
                &object,
                &account_url,
                &audience,
                ContextType::Video,
            )))
        })
    }
}
