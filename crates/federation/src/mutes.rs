//! The instance's mutes as federation applies them: the inbox refuses activities signed by, or
//! speaking for, a muted server or account (403, before any fetch on their behalf); nothing is
//! fetched from a muted server nor taken from a muted actor through a third party (an
//! `Announce`, a reply chain, a forwarded activity); the delivery worker sends a muted server
//! nothing. Each check is one indexed lookup (`kinora_db::blocklists::instance_mutes_actor`).

use url::Url;

use crate::Federation;
use crate::urls::host_and_port;

/// Whether the instance mutes the server of `url`, or the account (or the channel's account)
/// whose actor is `url`.
pub async fn is_muted(federation: &Federation, url: &Url) -> Result<bool, kinora_db::DbError> {
    let Some(host) = host_and_port(url) else {
        return Ok(false);
    };
    kinora_db::blocklists::instance_mutes_actor(federation.db().pool(), url.as_str(), &host).await
}

/// Whether the instance mutes `host` (a delivery target).
pub async fn is_host_muted(
    federation_db: &kinora_db::Db,
    host: &str,
) -> Result<bool, kinora_db::DbError> {
    kinora_db::blocklists::mutes_server(
        federation_db.pool(),
        kinora_db::blocklists::MuteOwner::Instance,
        host,
    )
    .await
}
