//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane),
//! stored as PHC strings. Hashing runs on the blocking pool, a few at a time, so a
//! burst of logins can neither stall the async workers nor use unbounded memory.

use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, in bytes (hashing cost must stay bounded).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// argon2 memory in KiB, passes and lanes.
pub const M_COST: u32 = 19 * 1024;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must be at least {MIN_PASSWORD_CHARS} characters long")]
    TooShort,
    #[error("the password must be at most {MAX_PASSWORD_BYTES} bytes long")]
    TooLong,
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Length rules only; anything else (spaces, any script) is the user's choice.
pub fn check_password(password: &str) -> Result<(), PasswordError> {
    if password.len() > MAX_PASSWORD_BYTES {
        Err(PasswordError::TooLong)
    } else if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(PasswordError::TooShort)
    } else {
        Ok(())
    }
}

fn hasher() -> Argon2<'static> {
    // The constants are within argon2's limits, so `new` cannot fail; fall back to the
    // crate's defaults (the same OWASP values) rather than panic.
    let params = Params::new(M_COST, T_COST, P_COST, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a random salt. Blocking.
pub fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    let hash: PasswordHash = hasher()
        .hash_password(password.as_bytes())
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// True when `password` matches `phc`. Unparsable hashes never match. Blocking.
/// The comparison inside argon2 is constant-time.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password with the same parameters, verified against when the
/// account is unknown or has no password, so those answers take as long as real ones.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        // If the random source fails, any fixed text still costs the same to verify.
        let text = shortscience_store::tokens::new_token()
            .unwrap_or_else(|_| "no account has this password".to_owned());
        hash_blocking(&text).unwrap_or_default()
    })
}

/// Limits concurrent hashes to the number of CPUs (each takes 19 MiB and a core).
fn permits() -> &'static Semaphore {
    static SEM: OnceLock<Semaphore> = OnceLock::new();
    SEM.get_or_init(|| {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        Semaphore::new(n.max(1))
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _permit = permits().acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(AppError::internal)
}

/// Hashes off the async workers.
pub async fn hash(password: String) -> Result<String, AppError> {
    blocking(move || hash_blocking(&password))
        .await?
        .map_err(AppError::internal)
}

/// Verifies off the async workers. `None` (unknown account, or no password) verifies
/// against a dummy hash and returns false, taking the same time as a real check.
pub async fn verify(password: String, phc: Option<String>) -> Result<bool, AppError> {
    blocking(move || match phc {
        Some(phc) => verify_blocking(&password, &phc),
        None => {
            let _ = verify_blocking(&password, dummy_hash());
            false
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules() {
        assert!(matches!(
            check_password("short"),
            Err(PasswordError::TooShort)
        ));
        assert!(check_password("ten chars!").is_ok());
        // Counted in characters, not bytes.
        assert!(matches!(
            check_password("ééééééééé"),
            Err(PasswordError::TooShort)
        ));
        assert!(matches!(
            check_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)),
            Err(PasswordError::TooLong)
        ));
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash_blocking("correct horse battery").unwrap();
        let b = hash_blocking("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(verify_blocking("correct horse battery", &a));
        assert!(!verify_blocking("correct horse batterz", &a));
        assert!(!verify_blocking("", &a));
        assert!(!verify_blocking("correct horse battery", "not a hash"));
        assert!(!verify_blocking("correct horse battery", ""));
        // A legacy unsalted MD5 hex string is never accepted as a hash.
        assert!(!verify_blocking("", "d41d8cd98f00b204e9800998ecf8427e"));
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        assert!(!verify("anything at all".into(), None).await.unwrap());
        assert!(!verify(String::new(), None).await.unwrap());
        assert!(dummy_hash().starts_with("$argon2id$"));
    }
}
