//! `/unsubscribe?token=…&setting=…`: the link at the bottom of every notification e-mail.
//! `GET` shows a page with one button (mail scanners open links; opening one changes nothing);
//! `POST` — the button, or a mail client's one-click unsubscribe (RFC 8058) — turns that kind
//! of e-mail off for the link's user, without logging in. Plain server-rendered HTML, no script.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute, encode_text};
use serde::Deserialize;

use crate::security_headers::PageKind;
use crate::{ApiState, pages};

/// The link's query.
#[derive(Debug, Deserialize)]
pub struct UnsubscribeQuery {
    #[serde(default)]
    token: String,
    #[serde(default)]
    setting: String,
}

fn page(state: &ApiState, status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{}\n\
         <meta name=\"robots\" content=\"noindex\"></head>\
         <body><main><h1>{}</h1>{body}<p><a href=\"/\">{}</a></p></main></body></html>",
        pages::plain_head(state, Some(title)),
        encode_text(title),
        encode_text(&state.instance.current().name),
    );
    let mut response = (status, Html(html)).into_response();
    crate::security_headers::page(response.headers_mut(), &state.public_url, PageKind::App);
    response
}

fn invalid(state: &ApiState) -> Response {
    page(
        state,
        StatusCode::NOT_FOUND,
        "Unknown link",
        "<p>This unsubscribe link is not valid (it may be cut, or its account deleted). Log in \
         and change your notification settings instead.</p>",
    )
}

/// `GET`: the confirmation page.
pub async fn show(
    State(state): State<ApiState>,
    Query(query): Query<UnsubscribeQuery>,
) -> Response {
    let known = kinora_app::emails::unsubscribe_setting_name(&query.setting).is_some()
        && kinora_db::user_emails::user_of_unsubscribe_token(state.db.pool(), &query.token)
            .await
            .ok()
            .flatten()
            .is_some();
    if !known {
        return invalid(&state);
    }
    let action = format!(
        "/unsubscribe?token={}&setting={}",
        query.token, query.setting
    );
    page(
        &state,
        StatusCode::OK,
        "Stop these e-mails",
        &format!(
            "<p>You will no longer get e-mails of this kind (<code>{}</code>); the \
             notifications stay on the web.</p>\
             <form method=\"post\" action=\"{}\"><button type=\"submit\">Unsubscribe</button></form>",
            encode_text(&query.setting),
            encode_double_quoted_attribute(&action)
        ),
    )
}

/// `POST`: turns the setting's e-mail off.
pub async fn confirm(
    State(state): State<ApiState>,
    Query(query): Query<UnsubscribeQuery>,
) -> Response {
    match kinora_app::emails::unsubscribe(&state.db, &query.token, &query.setting).await {
        Ok(setting) => page(
            &state,
            StatusCode::OK,
            "Unsubscribed",
            &format!(
                "<p>Done: no more e-mails of this kind (<code>{}</code>). You can turn them on \
                 again in your notification settings.</p>",
                encode_text(setting)
            ),
        ),
        Err(kinora_app::AppError::NotFound(_) | kinora_app::AppError::Invalid { .. }) => {
            invalid(&state)
        }
        Err(error) => {
            tracing::warn!(%error, "unsubscribe failed");
            page(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "<p>Please try again later.</p>",
            )
        }
    }
}
