//! `/api/v1`: one module per URL path.

mod abuses;
mod accounts;
mod actor_moves;
mod blocklist;
mod bulk;
mod config;
mod oauth_clients;
mod pagination;
mod search;
mod server;
mod users;
pub(crate) use users::exports::download_export;
mod video_channels;
mod video_playlists;
mod videos;

use axum::Router;
use axum::handler::Handler;
use axum::routing::{delete, get, post, put};

use crate::ApiState;

pub(crate) use videos::get::find_visible as find_visible_video;

/// Every `/api/v1` route.
pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/config", get(config::get_config))
        .route("/openapi.json", get(crate::openapi::get_openapi))
        .route(
            "/oauth-clients/local",
            get(oauth_clients::local::get_local_client),
        )
        .route(
            "/server/following",
            get(server::following::list_following).post(server::following::follow),
        )
        .route(
            "/server/following/{target}",
            axum::routing::delete(server::following::unfollow),
        )
        .route("/server/followers", get(server::followers::list_followers))
        .route(
            "/server/followers/{handle}",
            axum::routing::delete(server::followers::remove_follower),
        )
        .route(
            "/server/redundancy/{host}",
            put(server::redundancy::set_redundancy),
        )
        .route(
            "/users",
            post(users::create::create_user).get(users::list::list_users),
        )
        .route("/users/token", post(users::token::issue_token))
        .route(
            "/users/revoke-token",
            post(users::revoke_token::revoke_token),
        )
        .route(
            "/users/me",
            get(users::me::get_me)
                .put(users::me::update_me)
                .delete(users::me::delete_me),
        )
        .route(
            "/users/me/notifications",
            get(users::me::notifications::list_notifications),
        )
        .route(
            "/users/me/notifications/read",
            post(users::me::notifications::read_notifications),
        )
        .route(
            "/users/me/notifications/read-all",
            post(users::me::notifications::read_all_notifications),
        )
        .route(
            "/users/me/notification-settings",
            put(users::me::notifications::update_notification_settings),
        )
        .route(
            "/users/me/history/videos",
            get(users::me::history::list_history),
        )
        .route(
            "/users/me/history/videos/remove",
            post(users::me::history::clear_history),
        )
        .route(
            "/users/me/history/videos/{video_id}",
            axum::routing::delete(users::me::history::remove_history_video),
        )
        .route("/users/me/videos", get(users::my_videos::list_my_videos))
        .route(
            "/users/me/video-quota-used",
            get(users::me::video_quota_used::get_video_quota_used),
        )
        .route("/search/videos", get(search::videos::search_videos))
        .route(
            "/search/video-channels",
            get(search::video_channels::search_channels),
        )
        .route(
            "/accounts/{name}/videos",
            get(accounts::videos::list_account_videos),
        )
        .route(
            "/video-channels/{name}/videos",
            get(video_channels::videos::list_channel_videos),
        )
        .route(
            "/users/me/videos/{id}/rating",
            get(users::me::video_rating::get_video_rating),
        )
        .route(
            "/users/me/subscriptions",
            get(users::me::subscriptions::list::list_subscriptions)
                .post(users::me::subscriptions::create::subscribe),
        )
        .route(
            "/users/me/subscriptions/exist",
            get(users::me::subscriptions::exist::subscriptions_exist),
        )
        .route(
            "/users/me/subscriptions/videos",
            get(users::me::subscriptions::videos::list_subscription_videos),
        )
        .route(
            "/users/me/subscriptions/{uri}",
            get(users::me::subscriptions::get::get_subscription)
                .delete(users::me::subscriptions::delete::unsubscribe),
        )
        .route("/users/register", post(users::register::register))
        .route(
            "/users/ask-reset-password",
            post(users::ask_reset_password::ask_reset_password),
        )
        .route(
            "/users/ask-send-verify-email",
            post(users::ask_send_verify_email::ask_send_verify_email),
        )
        .route(
            "/users/registrations/ask-send-verify-email",
            post(users::ask_send_verify_email::ask_send_verify_email),
        )
        .route(
            "/users/registrations/{id}/verify-email",
            post(users::verify_email::verify_email),
        )
        .route(
            "/users/registrations",
            get(users::registrations::list::list_registrations),
        )
        .route(
            "/users/registrations/request",
            post(users::registrations::request::request_registration),
        )
        .route(
            "/users/registrations/{id}/accept",
            post(users::registrations::accept::accept_registration),
        )
        .route(
            "/users/registrations/{id}/reject",
            post(users::registrations::reject::reject_registration),
        )
        .route(
            "/users/registrations/{id}",
            delete(users::registrations::delete::delete_registration),
        )
        .route("/accounts/{name}", get(accounts::get::get_account))
        .route(
            "/accounts/{name}/video-channels",
            get(accounts::video_channels::list_account_channels),
        )
        .route(
            "/video-channels",
            post(video_channels::create::create_channel),
        )
        .route("/videos", get(videos::list::list_videos))
        .route("/videos/categories", get(videos::tables::list_categories))
        .route("/videos/licences", get(videos::tables::list_licences))
        .route("/videos/languages", get(videos::tables::list_languages))
        .route("/videos/privacies", get(videos::tables::list_privacies))
        .route(
            "/videos/{id}",
            get(videos::get::get_video)
                .put(
                    videos::update::update_video.layer(axum::extract::DefaultBodyLimit::max(
                        videos::update::BODY_LIMIT,
                    )),
                )
                .delete(videos::delete::delete_video),
        )
        .route(
            "/videos/{id}/description",
            get(videos::details::get_description),
        )
        .route(
            "/videos/{id}/captions",
            get(videos::captions::list_captions),
        )
        .route(
            "/videos/{id}/captions/{language}",
            put(
                videos::captions::put_caption.layer(axum::extract::DefaultBodyLimit::max(
                    videos::captions::BODY_LIMIT,
                )),
            )
            .delete(videos::captions::delete_caption),
        )
        .route(
            "/videos/{id}/chapters",
            get(videos::chapters::list_chapters).put(videos::chapters::replace_chapters),
        )
        .route(
            "/videos/{id}/storyboards",
            get(videos::get::get_storyboards),
        )
        .route(
            "/videos/{id}/comment-threads",
            get(videos::comment_threads::list::list_threads)
                .post(videos::comment_threads::create::create_thread),
        )
        .route(
            "/videos/{id}/comment-threads/{thread_id}",
            get(videos::comment_threads::get::get_thread),
        )
        .route(
            "/videos/{id}/comments/{comment_id}",
            post(videos::comments::reply::reply_to_comment)
                .delete(videos::comments::delete::delete_comment),
        )
        .route("/videos/{id}/rate", put(videos::rate::rate_video))
        .route(
            "/videos/live/{id}",
            get(videos::live::get_live).put(videos::live::update_live),
        )
        .route(
            "/videos/live/{id}/sessions",
            get(videos::live::list_sessions),
        )
        .route(
            "/videos/{id}/live-session",
            get(videos::live::get_replay_session),
        )
        .route("/videos/{id}/views", post(videos::views::add_view))
        .route("/videos/{id}/watching", put(videos::views::set_watching))
        .route(
            "/video-channels/{name}",
            get(video_channels::get::get_channel)
                .put(video_channels::update::update_channel)
                .delete(video_channels::delete::delete_channel),
        )
        .route(
            "/videos/{id}/comments/{comment_id}/approve",
            post(videos::comments::approve::approve_comment),
        )
        .route(
            "/users/me/videos/comments",
            get(users::me::videos_comments::list_my_videos_comments),
        )
        .route(
            "/bulk/remove-comments-of",
            post(bulk::remove_comments_of::remove_comments_of),
        )
        .route(
            "/abuses",
            get(abuses::list::list_abuses).post(abuses::create::create_abuse),
        )
        .route(
            "/abuses/{id}",
            put(abuses::update::update_abuse).delete(abuses::delete::delete_abuse),
        )
        .route(
            "/abuses/{id}/messages",
            get(abuses::messages::list::list_abuse_messages)
                .post(abuses::messages::create::add_abuse_message),
        )
        .route(
            "/abuses/{id}/messages/{message_id}",
            axum::routing::delete(abuses::messages::delete::delete_abuse_message),
        )
        .route("/users/me/abuses", get(users::me::abuses::list_my_abuses))
        .merge(blocklist::handlers::routes::<blocklist::handlers::Mine>(
            "/users/me/blocklist",
        ))
        .merge(blocklist::handlers::routes::<blocklist::handlers::Instance>("/server/blocklist"))
        .route("/blocklist/status", get(blocklist::status::get_status))
        .merge(moderation_router())
        .merge(relays_router())
        .merge(instance_pages_router())
        .merge(video_playlists::routes())
        .merge(actor_images_router())
        .merge(actor_moves::routes())
        .merge(user_exports_router())
}

/// User archives (issue 17).
fn user_exports_router() -> Router<ApiState> {
    Router::new()
        .route(
            "/users/{id}/exports/request",
            post(users::exports::request_export),
        )
        .route("/users/{id}/exports", get(users::exports::list_exports))
        .route(
            "/users/{id}/imports/latest",
            get(users::imports::latest_import),
        )
        .route(
            "/users/{id}/exports/{export_id}",
            axum::routing::delete(users::exports::delete_export),
        )
}

/// Avatars and banners of accounts and channels (issue 18), with a body limit of their own.
fn actor_images_router() -> Router<ApiState> {
    let limit = || axum::extract::DefaultBodyLimit::max(users::me::avatar::BODY_LIMIT);
    Router::new()
        .route(
            "/users/me/avatar/pick",
            post(users::me::avatar::pick_my_avatar.layer(limit())),
        )
        .route(
            "/users/me/avatar",
            axum::routing::delete(users::me::avatar::delete_my_avatar),
        )
        .route(
            "/video-channels/{name}/avatar/pick",
            post(video_channels::images::pick_avatar.layer(limit())),
        )
        .route(
            "/video-channels/{name}/banner/pick",
            post(video_channels::images::pick_banner.layer(limit())),
        )
        .route(
            "/video-channels/{name}/avatar",
            axum::routing::delete(video_channels::images::delete_avatar),
        )
        .route(
            "/video-channels/{name}/banner",
            axum::routing::delete(video_channels::images::delete_banner),
        )
}

/// Relay subscriptions (issue 16).
fn relays_router() -> Router<ApiState> {
    Router::new()
        .route(
            "/server/relays",
            get(server::relays::list_relays).post(server::relays::add_relay),
        )
        .route(
            "/server/relays/{id}",
            axum::routing::delete(server::relays::remove_relay),
        )
}

/// The instance's own pages: About, statistics and the run-time configuration (issue 19).
fn instance_pages_router() -> Router<ApiState> {
    Router::new()
        .route("/config/about", get(config::about::get_about))
        .route(
            "/config/custom",
            get(config::custom::get_custom_config)
                .put(config::custom::update_custom_config)
                .delete(config::custom::reset_custom_config),
        )
        .route("/server/stats", get(server::stats::get_stats))
}

/// Video blocks and user bans (issue 15).
fn moderation_router() -> Router<ApiState> {
    Router::new()
        .route(
            "/videos/blacklist",
            get(videos::blacklist_list::list_blocks),
        )
        .route(
            "/videos/{id}/blacklist",
            post(videos::blacklist::block_video)
                .put(videos::blacklist::update_block)
                .delete(videos::blacklist::unblock_video),
        )
        .route("/users/{id}/block", post(users::block::block_user))
        .route("/users/{id}/unblock", post(users::block::unblock_user))
        .route(
            "/users/{id}/reset-password",
            post(users::reset_password::reset_password),
        )
        .route(
            "/users/{id}/verify-email",
            post(users::verify_email::verify_email),
        )
        .route(
            "/users/{id}",
            get(users::get::get_user)
                .put(users::update::update_user)
                .delete(users::delete::delete_user),
        )
}

/// The upload routes: no body limit of their own (uploads enforce theirs) and meant to run
/// under a longer timeout than the rest of the API.
pub fn upload_router() -> Router<ApiState> {
    Router::new()
        .route("/videos/upload", post(videos::upload::upload_video))
        .route("/videos/live", post(videos::live::create_live))
        .route(
            "/videos/upload-resumable",
            post(videos::upload_resumable::init_upload)
                .put(videos::upload_resumable::put_chunk)
                .delete(videos::upload_resumable::cancel_upload),
        )
        .route(
            "/users/{id}/imports/import-resumable",
            post(users::imports::init_import)
                .put(users::imports::put_import_chunk)
                .delete(users::imports::cancel_import),
        )
        .layer(axum::extract::DefaultBodyLimit::disable())
}

/// Strips `@host` from a handle when the host is this instance; remote handles are `None`
/// until federation can resolve them.
pub(crate) fn local_name<'a>(state: &ApiState, handle: &'a str) -> Option<&'a str> {
    match handle.split_once('@') {
        None => Some(handle),
        Some((name, host)) if host.eq_ignore_ascii_case(state.host()) => Some(name),
        Some(_) => None,
    }
}

/// The channel a handle names (`name` here, or `name@host` of a remote channel this instance
/// knows), or 404.
pub(crate) async fn find_channel(
    state: &ApiState,
    handle: &str,
) -> Result<kinora_db::channels::ChannelRow, crate::ApiError> {
    let pool = state.db.pool();
    let found = match kinora_app::remote::Handle::parse(handle, state.host()) {
        Some(kinora_app::remote::Handle { name, host: None }) => {
            kinora_db::channels::find_local_by_name(pool, name).await?
        }
        Some(kinora_app::remote::Handle {
            name,
            host: Some(host),
        }) => match kinora_db::actors::find_remote_by_name(pool, name, host).await? {
            Some(actor) => kinora_db::channels::find_by_actor(pool, actor.id).await?,
            None => None,
        },
        None => None,
    };
    found.ok_or_else(|| crate::ApiError::not_found("Video channel"))
}

/// The account a handle names (`name` here, or `name@host` of a remote account this instance
/// knows), or 404.
pub(crate) async fn find_account(
    state: &ApiState,
    handle: &str,
) -> Result<kinora_db::accounts::AccountRow, crate::ApiError> {
    let pool = state.db.pool();
    let found = match kinora_app::remote::Handle::parse(handle, state.host()) {
        Some(kinora_app::remote::Handle { name, host: None }) => {
            kinora_db::accounts::find_local_by_name(pool, name).await?
        }
        Some(kinora_app::remote::Handle {
            name,
            host: Some(host),
        }) => match kinora_db::actors::find_remote_by_name(pool, name, host).await? {
            Some(actor) => kinora_db::accounts::find_by_actor(pool, actor.id).await?,
            None => None,
        },
        None => None,
    };
    found.ok_or_else(|| crate::ApiError::not_found("Account"))
}
