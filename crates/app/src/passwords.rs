//! Password hashing with Argon2id. Lengths are checked before any hashing, so a huge password
//! costs nothing.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use kinora_core::user::{PASSWORD_MAX, PASSWORD_MIN};

use crate::{AppError, AppResult};

/// Refuses passwords shorter than 6 or longer than 255 characters (PeerTube's limits).
pub fn check_password(password: &str) -> AppResult<()> {
    // Byte length bounds the work before counting characters.
    if password.len() > PASSWORD_MAX * 4 || password.chars().count() > PASSWORD_MAX {
        return Err(AppError::Invalid {
            field: "password",
            message: format!("must be at most {PASSWORD_MAX} characters"),
        });
    }
    if password.chars().count() < PASSWORD_MIN {
        return Err(AppError::Invalid {
            field: "password",
            message: format!("must be at least {PASSWORD_MIN} characters"),
        });
    }
    Ok(())
}

/// Hashes a password that passed [`check_password`] into a PHC string.
pub fn hash_password(password: &str) -> AppResult<String> {
    check_password(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AppError::Internal(format!("hashing failed: {error}")))
}

/// Checks a password against a stored PHC string. Oversized input never reaches Argon2.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    if password.len() > PASSWORD_MAX * 4 {
        return false;
    }
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Checks a `currentPassword` field against the caller's stored hash: the answer names the
/// field when it is not the password in use.
pub fn check_current_password(password: &str, stored_hash: &str) -> AppResult<()> {
    if verify_password(password, stored_hash) {
        Ok(())
    } else {
        Err(AppError::Invalid {
            field: "currentPassword",
            message: "is not the password in use".to_owned(),
        })
    }
}

/// Spends the time of one verification, so unknown usernames answer as slowly as known ones.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("kinora-timing-equaliser").unwrap_or_default());
    let _ = verify_password(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert_ne!(hash, hash_password("correct horse").unwrap(), "salted");
    }

    #[test]
    fn length_limits_apply_before_hashing() {
        assert!(matches!(
            check_password("short"),
            Err(AppError::Invalid {
                field: "password",
                ..
            })
        ));
        let huge = "x".repeat(1024 * 1024);
        let started = std::time::Instant::now();
        assert!(hash_password(&huge).is_err());
        assert!(!verify_password(
            &huge,
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$AAAA"
        ));
        assert!(started.elapsed() < std::time::Duration::from_millis(200));
        assert!(check_password(&"é".repeat(255)).is_ok());
        assert!(check_password(&"é".repeat(256)).is_err());
    }

    #[test]
    fn garbage_hashes_do_not_verify() {
        assert!(!verify_password("anything", "not a hash"));
        verify_against_nothing("anything");
    }
}
