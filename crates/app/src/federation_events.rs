//! Queuing what other instances must be told: a use case that changes federated state calls
//! [`queue`] inside its own transaction, so the change and the event exist together or not at
//! all (the federation layer turns events into activities and deliveries later).

use kinora_core::federation::FederationEvent;
use kinora_db::Connection;
use kinora_jobs::{Job, enqueue};

use crate::AppResult;

/// Queues `event` on the caller's transaction.
pub async fn queue(connection: &mut Connection, event: FederationEvent) -> AppResult<()> {
    enqueue(connection, &Job::Federate { event }).await?;
    Ok(())
}
