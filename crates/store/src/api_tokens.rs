//! Personal API tokens, and each author's licence setting.
//!
//! A token's secret is `ss_` followed by a random [`new_token`]; the database keeps only
//! its SHA-256, so a leaked database holds no usable token. Revoked tokens stay listed
//! with their revocation time and never authenticate again.

use shortscience_ids::UserId;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::accounts::{ACCOUNT_COLUMNS, Account, account_from_row};
use crate::db::now;
use crate::tokens::{is_token_shaped, new_token, token_hash};
use crate::{Result, Store, StoreError};

/// What every API secret starts with, so scanners and people recognise one.
pub const API_TOKEN_PREFIX: &str = "ss_";
/// Longest token name accepted.
pub const MAX_TOKEN_NAME: usize = 80;
/// Live tokens one account may hold.
pub const MAX_TOKENS_PER_USER: i64 = 50;
/// `last_used_at` is written at most this often per token.
const TOUCH_SECS: i64 = 60;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    /// Read what the account may read (its own private summaries too).
    Read,
    /// Read, and write as the account: summaries, votes, comments, reports.
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }
    pub fn parse(s: &str) -> Result<TokenScope> {
        match s {
            "read" => Ok(TokenScope::Read),
            "write" => Ok(TokenScope::Write),
            other => Err(StoreError::Invalid(format!(
                "a token's scope is \"read\" or \"write\", not {other:?}"
            ))),
        }
    }
}

/// A token as its owner's settings page lists it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// The licences an author can publish under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Licence {
    #[default]
    CcBy4,
    CcBySa4,
}

impl Licence {
    pub const ALL: [Licence; 2] = [Licence::CcBy4, Licence::CcBySa4];

    /// SPDX identifier, as stored: `CC-BY-4.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            Licence::CcBy4 => "CC-BY-4.0",
            Licence::CcBySa4 => "CC-BY-SA-4.0",
        }
    }
    /// As people write it: `CC BY 4.0`.
    pub fn name(self) -> &'static str {
        match self {
            Licence::CcBy4 => "CC BY 4.0",
            Licence::CcBySa4 => "CC BY-SA 4.0",
        }
    }
    /// The licence deed.
    pub fn url(self) -> &'static str {
        match self {
            Licence::CcBy4 => "https://creativecommons.org/licenses/by/4.0/",
            Licence::CcBySa4 => "https://creativecommons.org/licenses/by-sa/4.0/",
        }
    }
    /// Accepts the SPDX identifier only.
    pub fn parse(s: &str) -> Result<Licence> {
        Licence::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "the licence is \"CC-BY-4.0\" or \"CC-BY-SA-4.0\", not {s:?}"
                ))
            })
    }
    /// A stored value; anything unexpected reads as the default.
    pub(crate) fn from_db(s: &str) -> Licence {
        Licence::parse(s).unwrap_or_default()
    }
}

fn token_from_row(row: &AnyRow) -> Result<ApiToken> {
    let scope: String = row.try_get("scope")?;
    Ok(ApiToken {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        scope: TokenScope::parse(&scope)?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// The hash of an API secret, if it is shaped like one.
fn api_hash(secret: &str) -> Option<String> {
    let rest = secret.strip_prefix(API_TOKEN_PREFIX)?;
    is_token_shaped(rest).then(|| token_hash(secret))
}

impl Store {
    /// A new token for `user`; returns it with its secret, shown to the owner once.
    pub async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        scope: TokenScope,
    ) -> Result<(ApiToken, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME || name.contains('\0') {
            return Err(StoreError::Invalid(format!(
                "a token needs a name of 1 to {MAX_TOKEN_NAME} characters"
            )));
        }
        let secret = format!("{API_TOKEN_PREFIX}{}", new_token()?);
        let mut tx = self.begin_write().await?;
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(user.0)
        .fetch_one(&mut *tx)
        .await?;
        if live >= MAX_TOKENS_PER_USER {
            return Err(StoreError::Invalid(format!(
                "an account holds at most {MAX_TOKENS_PER_USER} live tokens; revoke one first"
            )));
        }
        let t = now();
        let row = sqlx::query(
            "INSERT INTO api_tokens (user_id, hash, name, scope, created_at)
             VALUES ($1, $2, $3, $4, $5)
             RETURNING id, name, scope, created_at, last_used_at, revoked_at",
        )
        .bind(user.0)
        .bind(token_hash(&secret))
        .bind(name)
        .bind(scope.as_str())
        .bind(t)
        .fetch_one(&mut *tx)
        .await?;
        let token = token_from_row(&row)?;
        tx.commit().await?;
        Ok((token, secret))
    }

    /// The user's tokens, newest first, revoked ones included.
    pub async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, scope, created_at, last_used_at, revoked_at FROM api_tokens
             WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revokes one of the user's tokens; false when it is not theirs or already revoked.
    pub async fn revoke_api_token(&self, user: UserId, id: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .bind(user.0)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The account and scope behind a secret; None when it is malformed, unknown or
    /// revoked, or the account may not log in (suspended, pending, deleted). Notes the use.
    pub async fn api_token_user(&self, secret: &str) -> Result<Option<(Account, TokenScope)>> {
        let Some(hash) = api_hash(secret) else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, t.id AS token_id, t.scope, t.last_used_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.hash = $1 AND t.revoked_at IS NULL
               AND u.suspended_at IS NULL AND u.pending = 0 AND u.deleted_at IS NULL"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let account = account_from_row(&row)?;
        let scope = TokenScope::parse(&row.try_get::<String, _>("scope")?)?;
        let last: Option<i64> = row.try_get("last_used_at")?;
        let t = now();
        if last.is_none_or(|l| t - l >= TOUCH_SECS) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(t)
                .bind(row.try_get::<i64, _>("token_id")?)
                .execute(&self.writer)
                .await?;
        }
        Ok(Some((account, scope)))
    }

    /// The licence `user` publishes new summaries under.
    pub async fn licence_of(&self, user: UserId) -> Result<Licence> {
        let s: Option<String> = sqlx::query_scalar("SELECT licence FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await?;
        s.map(|s| Licence::from_db(&s)).ok_or(StoreError::NotFound)
    }

    /// Sets the licence for the user's future summaries; published ones keep theirs.
    pub async fn set_licence(&self, user: UserId, licence: Licence) -> Result<()> {
        let done = sqlx::query("UPDATE users SET licence = $1 WHERE id = $2")
            .bind(licence.as_str())
            .bind(user.0)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip() {
        for s in [TokenScope::Read, TokenScope::Write] {
            assert_eq!(TokenScope::parse(s.as_str()).unwrap(), s);
        }
        assert!(TokenScope::parse("admin").is_err());
    }

    #[test]
    fn licences_round_trip() {
        for l in Licence::ALL {
            assert_eq!(Licence::parse(l.as_str()).unwrap(), l);
            assert!(l.url().starts_with("https://creativecommons.org/"));
        }
        assert!(Licence::parse("CC0").is_err());
        assert_eq!(Licence::from_db(""), Licence::CcBy4);
    }

    #[test]
    fn only_prefixed_secrets_hash() {
        let raw = new_token().unwrap();
        assert!(api_hash(&raw).is_none());
        let secret = format!("{API_TOKEN_PREFIX}{raw}");
        assert_eq!(api_hash(&secret), Some(token_hash(&secret)));
        assert!(api_hash("ss_short").is_none());
    }
}
