//! `/api/v1/videos/{id}/comments/{commentId}`: replying to, deleting and approving a comment;
//! and what every comment endpoint shares (the body, the authors, the `{comment}` answer).

pub mod approve;
pub mod delete;
pub mod reply;

use std::collections::HashMap;

use axum::Json;
use kinora_db::accounts::AccountRow;
use kinora_db::comments::CommentRow;
use kinora_db::videos::VideoRow;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::json::comments::{CommentContext, comment};
use crate::{ApiError, ApiState};

/// The body of a new comment.
#[derive(Debug, Deserialize)]
pub struct CommentBody {
    /// Plain text, 1 to 10,000 characters.
    pub text: String,
}

/// The authors of `rows` as `Account` JSON, by account id (deleted comments have none).
pub(crate) async fn load_accounts(
    state: &ApiState,
    rows: &[&CommentRow],
) -> Result<HashMap<i64, Value>, ApiError> {
    let ids: Vec<i64> = rows.iter().filter_map(|row| row.account_id).collect();
    let mut accounts: HashMap<i64, AccountRow> = HashMap::new();
    for id in ids {
        if accounts.contains_key(&id) {
            continue;
        }
        if let Some(account) = kinora_db::accounts::find_by_id(state.db.pool(), id).await? {
            accounts.insert(id, account);
        }
    }
    let rows: Vec<&AccountRow> = accounts.values().collect();
    let counts = crate::json::follower_counts(state, &rows, &[]).await?;
    Ok(accounts
        .iter()
        .map(|(id, row)| (*id, crate::json::account_with(state, row, &counts)))
        .collect())
}

/// Answers `{comment}` for a comment just written.
pub(crate) async fn answer_comment(
    state: &ApiState,
    video: &VideoRow,
    row: &CommentRow,
) -> Result<Json<Value>, ApiError> {
    let accounts = load_accounts(state, &[row]).await?;
    let context = CommentContext {
        state,
        video,
        accounts: &accounts,
    };
    Ok(Json(json!({ "comment": comment(&context, row, (0, 0)) })))
}
