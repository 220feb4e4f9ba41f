//! OAuth as PeerTube clients speak it: the local client, the password and refresh-token grants,
//! bearer-token authentication and revocation.
//!
//! Tokens are 256-bit random values; only their SHA-256 hashes are stored, so a copy of the
//! database yields no working token. Each refresh token works once: presenting it again revokes
//! every token descended from the same login.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use kinora_core::UserRole;
use kinora_db::oauth_clients::OAuthClientRow;
use kinora_db::tokens::{NewToken, TokenRow};
use kinora_db::{Db, now_millis};
use sha2::{Digest, Sha256};

use crate::passwords::{verify_against_nothing, verify_password};
use crate::{AppError, AppResult, AuthConfig};

/// A freshly issued access and refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// Bearer token for API calls.
    pub access_token: String,
    /// Token that buys the next pair, once.
    pub refresh_token: String,
    /// Seconds the access token works.
    pub expires_in: i64,
    /// Seconds the refresh token works.
    pub refresh_token_expires_in: i64,
}

/// Who a valid bearer token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedUser {
    /// The user's id.
    pub user_id: i64,
    /// The user's name.
    pub username: String,
    /// The user's role.
    pub role: UserRole,
    /// The login the token descends from.
    pub token_family: String,
}

impl AuthenticatedUser {
    /// Refuses (`Forbidden`, "Only administrators {what}.") anyone but an administrator.
    pub fn ensure_admin(&self, what: &str) -> AppResult<()> {
        if self.role == UserRole::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("Only administrators {what}.")))
        }
    }

    /// Answers whether the user is staff (an administrator or a moderator), who may see and
    /// moderate everything.
    pub fn is_staff(&self) -> bool {
        matches!(self.role, UserRole::Admin | UserRole::Moderator)
    }
}

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// 16 random bytes as 32 hex digits: the length of PeerTube's OAuth client id and secret
/// (`passwordGenerator(32, …)` in its `server/core/initializers/installer.ts`), which its
/// OpenAPI document caps at 32 characters.
fn random_client_credential() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The instance's local OAuth client, created on first use.
pub async fn local_client(db: &Db) -> AppResult<OAuthClientRow> {
    if let Some(client) = kinora_db::oauth_clients::find_local(db.pool()).await? {
        return Ok(client);
    }
    let mut tx = db.begin().await?;
    if kinora_db::oauth_clients::find_local(&mut *tx)
        .await?
        .is_none()
    {
        kinora_db::oauth_clients::insert(
            &mut tx,
            &random_client_credential(),
            &random_client_credential(),
            now_millis(),
        )
        .await?;
    }
    tx.commit().await?;
    kinora_db::oauth_clients::find_local(db.pool())
        .await?
        .ok_or_else(|| AppError::Internal("local OAuth client missing after creation".to_owned()))
}

/// Checks the client credentials a token request carries.
pub async fn check_client(db: &Db, client_id: &str, client_secret: &str) -> AppResult<()> {
    let client = local_client(db).await?;
    let id_ok = constant_time_eq(client.client_id.as_bytes(), client_id.as_bytes());
    let secret_ok = constant_time_eq(client.client_secret.as_bytes(), client_secret.as_bytes());
    if id_ok && secret_ok {
        Ok(())
    } else {
        Err(AppError::InvalidClient)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The password grant: `login` is a username or e-mail address, matched without case.
/// Returns the new pair and the user's id.
pub async fn password_grant(
    db: &Db,
    config: &AuthConfig,
    login: &str,
    password: &str,
) -> AppResult<(TokenPair, i64)> {
    let user = kinora_db::users::find_by_login(db.pool(), login).await?;
    let Some(user) = user else {
        verify_against_nothing(password);
        return Err(AppError::InvalidGrant("user credentials are invalid"));
    };
    if !verify_password(password, &user.password_hash) {
        return Err(AppError::InvalidGrant("user credentials are invalid"));
    }
    if user.approved == 0 {
        return Err(AppError::AccountUnavailable {
            code: "account_waiting_for_approval",
            message: "Registration for this account is awaiting approval".to_owned(),
        });
    }
    if user.email_verified == 0 {
        return Err(AppError::AccountUnavailable {
            code: "user_email_not_verified",
            message: "User email is not verified.".to_owned(),
        });
    }
    if user.blocked != 0 {
        return Err(AppError::AccountUnavailable {
            code: "access_denied",
            message: "User is blocked.".to_owned(),
        });
    }
    let pair = issue(db, config, user.id, &random_token()).await?;
    Ok((pair, user.id))
}

/// The refresh-token grant. A reused, revoked or unknown refresh token is refused; a reused
/// one also revokes its whole family.
pub async fn refresh_grant(
    db: &Db,
    config: &AuthConfig,
    refresh_token: &str,
) -> AppResult<TokenPair> {
    let now = now_millis();
    let Some(row) =
        kinora_db::tokens::find_by_refresh_hash(db.pool(), &hash_token(refresh_token)).await?
    else {
        return Err(AppError::InvalidGrant("refresh token is invalid"));
    };
    if row.refreshed_at.is_some() || row.revoked_at.is_some() {
        revoke_reused_family(db, &row, now).await?;
        return Err(AppError::InvalidGrant("refresh token is invalid"));
    }
    if row.refresh_expires_at <= now {
        return Err(AppError::InvalidGrant("refresh token has expired"));
    }
    let mut tx = db.begin().await?;
    if !kinora_db::tokens::mark_refreshed(&mut tx, row.id, now).await? {
        drop(tx);
        revoke_reused_family(db, &row, now).await?;
        return Err(AppError::InvalidGrant("refresh token is invalid"));
    }
    let pair = insert_pair(&mut tx, config, row.user_id, &row.family, now).await?;
    tx.commit().await?;
    Ok(pair)
}

async fn revoke_reused_family(db: &Db, row: &TokenRow, now: i64) -> AppResult<()> {
    let revoked = kinora_db::tokens::revoke_family(db.pool(), &row.family, now).await?;
    tracing::warn!(
        user_id = row.user_id,
        revoked,
        "refresh token reused: its family is revoked"
    );
    Ok(())
}

async fn issue(db: &Db, config: &AuthConfig, user_id: i64, family: &str) -> AppResult<TokenPair> {
    let mut tx = db.begin().await?;
    let pair = insert_pair(&mut tx, config, user_id, family, now_millis()).await?;
    tx.commit().await?;
    Ok(pair)
}

async fn insert_pair(
    connection: &mut kinora_db::Connection,
    config: &AuthConfig,
    user_id: i64,
    family: &str,
    now: i64,
) -> AppResult<TokenPair> {
    let access_token = random_token();
    let refresh_token = random_token();
    kinora_db::tokens::insert(
        connection,
        &NewToken {
            user_id,
            family,
            access_token_hash: &hash_token(&access_token),
            refresh_token_hash: &hash_token(&refresh_token),
            access_expires_at: now + config.access_token_lifetime_secs * 1000,
            refresh_expires_at: now + config.refresh_token_lifetime_secs * 1000,
        },
        now,
    )
    .await?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        expires_in: config.access_token_lifetime_secs,
        refresh_token_expires_in: config.refresh_token_lifetime_secs,
    })
}

/// Finds who a bearer token belongs to; unknown, expired and revoked tokens are refused alike.
pub async fn authenticate(db: &Db, access_token: &str) -> AppResult<AuthenticatedUser> {
    let row = kinora_db::tokens::find_by_access_hash(db.pool(), &hash_token(access_token))
        .await?
        .ok_or(AppError::InvalidToken)?;
    if row.revoked_at.is_some() || row.access_expires_at <= now_millis() {
        return Err(AppError::InvalidToken);
    }
    let user = kinora_db::users::find_by_id(db.pool(), row.user_id)
        .await?
        .ok_or(AppError::InvalidToken)?;
    if user.blocked != 0 || user.approved == 0 {
        return Err(AppError::InvalidToken);
    }
    let role = UserRole::from_id(user.role)
        .ok_or_else(|| AppError::Internal(format!("user {} has role {}", user.id, user.role)))?;
    Ok(AuthenticatedUser {
        user_id: user.id,
        username: user.username,
        role,
        token_family: row.family,
    })
}

/// Logs out: revokes the token and every token of the same login.
pub async fn revoke(db: &Db, user: &AuthenticatedUser) -> AppResult<()> {
    kinora_db::tokens::revoke_family(db.pool(), &user.token_family, now_millis()).await?;
    Ok(())
}

/// Revokes every token of a user (after a password change or a block).
pub async fn revoke_all(db: &Db, user_id: i64) -> AppResult<u64> {
    Ok(kinora_db::tokens::revoke_all_of_user(db.pool(), user_id, now_millis()).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_local_client_credentials_are_32_hex_digits_as_peertube_s() {
        let a = super::random_client_credential();
        let b = super::random_client_credential();
        assert_eq!(a.len(), 32);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
    }
}
