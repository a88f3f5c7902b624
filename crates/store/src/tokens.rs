//! Secrets handed to people: session cookies, e-mailed links (confirm, reset, change
//! e-mail) and invitation codes. Each is 32 random bytes in URL-safe base64; the
//! database keeps only the SHA-256 of that text, so a leaked table opens nothing.
//! Anything that is not the shape of a token (empty, too short, other characters) is
//! refused before any query, and single-use secrets are consumed by one UPDATE that
//! only matches an unused, unexpired row.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use shortscience_ids::UserId;
use sqlx::{AnyConnection, Row};

use crate::accounts::{ACCOUNT_COLUMNS, Account, account_from_row};
use crate::db::now;
use crate::{Result, Store, StoreError};

/// Random bytes in every secret.
pub const TOKEN_BYTES: usize = 32;
/// Length of a secret as text (32 bytes, base64 without padding).
pub const TOKEN_LEN: usize = 43;
/// A session ends after this long without use.
pub const SESSION_IDLE_SECS: i64 = 30 * 24 * 3600;
/// `last_seen_at` (and the idle expiry) is refreshed at most this often, so reading a
/// session is not a write on every request.
const SESSION_TOUCH_SECS: i64 = 300;
pub const CONFIRM_TTL_SECS: i64 = 48 * 3600;
pub const RESET_TTL_SECS: i64 = 3600;
pub const CHANGE_EMAIL_TTL_SECS: i64 = 48 * 3600;
pub const INVITE_TTL_SECS: i64 = 30 * 24 * 3600;

/// A fresh random secret.
pub fn new_token() -> Result<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Invalid(format!("the system random source failed: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// True for text shaped like a secret from [`new_token`].
pub fn is_token_shaped(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What the database stores for a secret: lower-case hex SHA-256 of its text.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The hash of `token` if it is shaped like one of ours.
fn checked_hash(token: &str) -> Option<String> {
    is_token_shaped(token).then(|| token_hash(token))
}

/// Which link an e-mailed token belongs to; a token only works for its own purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirm the address given at sign-up.
    Confirm,
    /// Set a new password.
    Reset,
    /// Confirm a new address (carried with the token).
    ChangeEmail,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Confirm => "confirm",
            TokenPurpose::Reset => "reset",
            TokenPurpose::ChangeEmail => "email",
        }
    }

    /// How long a link stays valid.
    pub fn ttl_secs(self) -> i64 {
        match self {
            TokenPurpose::Confirm => CONFIRM_TTL_SECS,
            TokenPurpose::Reset => RESET_TTL_SECS,
            TokenPurpose::ChangeEmail => CHANGE_EMAIL_TTL_SECS,
        }
    }
}

/// A consumed token: whose, and the new address for [`TokenPurpose::ChangeEmail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedToken {
    pub user: UserId,
    pub new_email: Option<String>,
}

/// Browser and address a session was opened from, shown to its owner later.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionInfo {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

impl Store {
    /// Opens a session and returns the secret for the cookie.
    pub async fn create_session(&self, user: UserId) -> Result<String> {
        self.create_session_with(user, &SessionInfo::default())
            .await
    }

    pub async fn create_session_with(&self, user: UserId, info: &SessionInfo) -> Result<String> {
        let token = new_token()?;
        let t = now();
        let clip = |s: &Option<String>| {
            s.as_deref()
                .map(|s| s.chars().take(300).collect::<String>())
        };
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
            .bind(user.0)
            .bind(t)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent, ip)
             VALUES ($1, $2, $3, $3, $4, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(user.0)
        .bind(t)
        .bind(t + SESSION_IDLE_SECS)
        .bind(clip(&info.user_agent))
        .bind(clip(&info.ip))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The account behind a session cookie; None when the token is malformed, unknown
    /// or expired, or the account is suspended, pending approval or deleted.
    pub async fn session_user(&self, token: &str) -> Result<Option<Account>> {
        let Some(hash) = checked_hash(token) else {
            return Ok(None);
        };
        let t = now();
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = $1 AND s.expires_at > $2
               AND u.suspended_at IS NULL AND u.pending = 0 AND u.deleted_at IS NULL"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&hash)
            .bind(t)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let account = account_from_row(&row)?;
        let last_seen: i64 = row.try_get("last_seen_at")?;
        if t - last_seen >= SESSION_TOUCH_SECS {
            sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1")
                .bind(&hash)
                .bind(t)
                .bind(t + SESSION_IDLE_SECS)
                .execute(&self.writer)
                .await?;
        }
        Ok(Some(account))
    }

    /// Ends one session (logout). Unknown tokens are ignored.
    pub async fn delete_session(&self, token: &str) -> Result<()> {
        if let Some(hash) = checked_hash(token) {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(hash)
                .execute(&self.writer)
                .await?;
        }
        Ok(())
    }

    /// Ends every session of a user ("log out everywhere"). Returns how many ended.
    pub async fn delete_user_sessions(&self, user: UserId) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    /// Ends every session of a user except the one holding `keep`.
    pub async fn delete_other_sessions(&self, user: UserId, keep: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user.0)
            .bind(token_hash(keep))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    /// Drops expired sessions and used or expired tokens and invitations.
    pub async fn purge_expired(&self) -> Result<u64> {
        let t = now();
        let mut total = 0;
        for sql in [
            "DELETE FROM sessions WHERE expires_at <= $1",
            "DELETE FROM account_tokens WHERE expires_at <= $1 OR used_at IS NOT NULL",
            "DELETE FROM invites WHERE expires_at <= $1 AND used_at IS NULL",
        ] {
            total += sqlx::query(sql)
                .bind(t)
                .execute(&self.writer)
                .await?
                .rows_affected();
        }
        Ok(total)
    }

    /// A new single-use link secret for `user`. Earlier unused tokens of the same
    /// purpose stop working, so only the latest e-mail's link does.
    pub async fn create_token(
        &self,
        user: UserId,
        purpose: TokenPurpose,
        new_email: Option<&str>,
    ) -> Result<String> {
        self.create_token_expiring(user, purpose, new_email, purpose.ttl_secs())
            .await
    }

    /// As [`Store::create_token`] with an explicit lifetime (negative: already expired,
    /// for tests).
    pub async fn create_token_expiring(
        &self,
        user: UserId,
        purpose: TokenPurpose,
        new_email: Option<&str>,
        ttl_secs: i64,
    ) -> Result<String> {
        let token = new_token()?;
        let t = now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE account_tokens SET used_at = $3
             WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        )
        .bind(user.0)
        .bind(purpose.as_str())
        .bind(t)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO account_tokens (hash, user_id, purpose, new_email, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(user.0)
        .bind(purpose.as_str())
        .bind(new_email)
        .bind(t)
        .bind(t + ttl_secs)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Uses a link secret up: Some exactly once for an unused, unexpired token of this
    /// purpose; None for anything else (empty, malformed, unknown, used, expired).
    pub async fn consume_token(
        &self,
        token: &str,
        purpose: TokenPurpose,
    ) -> Result<Option<UsedToken>> {
        let Some(hash) = checked_hash(token) else {
            return Ok(None);
        };
        let t = now();
        let row = sqlx::query(
            "UPDATE account_tokens SET used_at = $3
             WHERE hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
             RETURNING user_id, new_email",
        )
        .bind(hash)
        .bind(purpose.as_str())
        .bind(t)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(UsedToken {
                user: UserId(r.try_get("user_id")?),
                new_email: r.try_get("new_email")?,
            })
        })
        .transpose()
    }

    /// Whose token this is, if it would be accepted now, without using it (to show the
    /// new-password form before the password is posted).
    pub async fn peek_token(&self, token: &str, purpose: TokenPurpose) -> Result<Option<Account>> {
        let Some(hash) = checked_hash(token) else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM account_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3
               AND u.deleted_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(hash)
            .bind(purpose.as_str())
            .bind(now())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// A new invitation code, valid for [`INVITE_TTL_SECS`].
    pub async fn create_invite(&self, by: UserId) -> Result<String> {
        let code = new_token()?;
        let t = now();
        sqlx::query("INSERT INTO invites (hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(&code))
            .bind(by.0)
            .bind(t)
            .bind(t + INVITE_TTL_SECS)
            .execute(&self.writer)
            .await?;
        Ok(code)
    }

    /// True when the code would be accepted now.
    pub async fn invite_valid(&self, code: &str) -> Result<bool> {
        let Some(hash) = checked_hash(code.trim()) else {
            return Ok(false);
        };
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM invites WHERE hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(hash)
        .bind(now())
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }
}

/// Marks an invitation used by `user`; Invalid when it is not usable.
pub(crate) async fn consume_invite_in(
    conn: &mut AnyConnection,
    code: &str,
    user: UserId,
) -> Result<()> {
    let invalid = || {
        StoreError::Invalid("that invitation code is not valid (unknown, used or expired)".into())
    };
    let hash = checked_hash(code.trim()).ok_or_else(invalid)?;
    let t = now();
    let done = sqlx::query(
        "UPDATE invites SET used_at = $2, used_by = $3
         WHERE hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(hash)
    .bind(t)
    .bind(user.0)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_LEN);
        assert!(is_token_shaped(&a), "{a}");
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), TOKEN_BYTES);
    }

    #[test]
    fn only_token_shaped_text_is_hashed() {
        assert_eq!(checked_hash(""), None);
        assert_eq!(checked_hash("short"), None);
        assert_eq!(checked_hash(&"a".repeat(TOKEN_LEN + 1)), None);
        assert_eq!(
            checked_hash(&format!("{}=", "a".repeat(TOKEN_LEN - 1))),
            None
        );
        let t = "A".repeat(TOKEN_LEN);
        assert_eq!(checked_hash(&t).unwrap().len(), 64);
    }

    #[test]
    fn hash_is_sha256_hex() {
        // SHA-256 of the empty string, a published test vector.
        assert_eq!(
            token_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
