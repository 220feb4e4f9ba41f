//! PeerTube's `ActorImage`: one stored size of an avatar or banner.

use kinora_app::actor_images::ActorImageKind;
use kinora_db::actor_images::ActorImageRow;
use serde_json::{Value, json};

use super::iso_date;
use crate::ApiState;

/// The rows of `kind` among `rows`, as `ActorImage`s (widest first, as stored).
pub fn images(state: &ApiState, rows: &[ActorImageRow], kind: ActorImageKind) -> Vec<Value> {
    rows.iter()
        .filter(|row| row.kind == kind.db_kind())
        .map(|row| {
            let path = kind.path(&row.file_name);
            json!({
                "height": row.height,
                "width": row.width,
                "fileUrl": format!("{}{path}", state.public_url),
                "path": path,
                "createdAt": iso_date(row.created_at),
                "updatedAt": iso_date(row.updated_at),
            })
        })
        .collect()
}
