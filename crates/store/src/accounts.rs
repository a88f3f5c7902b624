//! Accounts with passwords: creation, lookup for login, roles, suspension, approval,
//! e-mail changes and deletion. Password hashing happens in the web crate; this module
//! only stores the PHC strings it is given.

use shortscience_ids::UserId;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{get_flag, now};
use crate::ranking::wilson_lower_bound;
use crate::users::{check_username, username_key};
use crate::{Result, Store, StoreError};

/// What an account may do beyond writing: moderators hide content and suspend users,
/// admins also manage roles and registrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Role {
    #[default]
    User,
    Moderator,
    Admin,
}

impl Role {
    /// The stored spelling: "user", "moderator", "admin".
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "user" => Ok(Role::User),
            "moderator" => Ok(Role::Moderator),
            "admin" => Ok(Role::Admin),
            other => Err(StoreError::Invalid(format!(
                "unknown role {other:?}: use user, moderator or admin"
            ))),
        }
    }

    /// Moderators and admins.
    pub fn is_moderator(self) -> bool {
        self >= Role::Moderator
    }

    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account as the site sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub email_confirmed_at: Option<i64>,
    pub role: Role,
    pub suspended_at: Option<i64>,
    /// Signed up while registration needed an admin's approval, not yet approved.
    pub pending: bool,
    pub has_password: bool,
    pub created_at: i64,
}

impl Account {
    /// May log in: has a password, is not suspended and not awaiting approval.
    /// (An unconfirmed e-mail does not block login; the site asks for confirmation.)
    pub fn can_log_in(&self) -> bool {
        self.has_password && self.suspended_at.is_none() && !self.pending
    }
}

/// Write form for a new account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub username: String,
    pub email: String,
    /// A PHC string (argon2id).
    pub password_hash: String,
    pub role: Role,
    /// Created already confirmed (by an operator on the command line).
    pub email_confirmed: bool,
    /// Awaiting an admin's approval.
    pub pending: bool,
}

/// Why an account (or a new e-mail) could not be stored: the unique field already in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Username,
    Email,
}

/// What to do with a deleted account's summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteSummaries {
    /// Delete them (and the votes on them).
    Delete,
    /// Keep them, published as anonymous; the account row is scrubbed of every identity.
    KeepAnonymous,
}

/// Columns `account_from_row` reads, for SELECTs over `users`.
pub(crate) const ACCOUNT_COLUMNS: &str = "u.id, u.username, u.display_name, u.email, \
     u.email_confirmed_at, u.role, u.suspended_at, u.pending, u.created_at, \
     CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password";

pub(crate) fn account_from_row(row: &AnyRow) -> Result<Account> {
    let role: String = row.try_get("role")?;
    Ok(Account {
        id: UserId(row.try_get("id")?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        email_confirmed_at: row.try_get("email_confirmed_at")?,
        // An unknown stored role never grants more than a user has.
        role: Role::parse(&role).unwrap_or(Role::User),
        suspended_at: row.try_get("suspended_at")?,
        pending: get_flag(row, "pending")?,
        has_password: get_flag(row, "has_password")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Light check of an address: one `@`, something on each side, a dot in the domain,
/// no spaces or control characters, at most 254 bytes. Returns it trimmed.
pub fn check_email(email: &str) -> Result<&str> {
    let email = email.trim();
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !email.contains(['<', '>', ',', ';', '"', '(', ')', '[', ']', '\\'])
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if ok {
        Ok(email)
    } else {
        Err(StoreError::Invalid(
            "that does not look like an e-mail address (name@example.org)".into(),
        ))
    }
}

impl Store {
    /// Creates an account with a password. `Ok(Err(Taken))` names the field already in
    /// use (names regardless of case, e-mails regardless of case).
    pub async fn create_account(&self, new: &NewAccount) -> Result<Result<UserId, Taken>> {
        self.create_account_with_invite(new, None).await
    }

    /// As [`Store::create_account`], also consuming an invitation code in the same
    /// transaction: `Err(Invalid)` when the code is unknown, used or expired.
    pub async fn create_account_with_invite(
        &self,
        new: &NewAccount,
        invite: Option<&str>,
    ) -> Result<Result<UserId, Taken>> {
        let name = check_username(&new.username)?;
        let email = check_email(&new.email)?;
        let mut tx = self.begin_write().await?;
        let key = username_key(name);
        let name_taken: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username_key = $1")
                .bind(&key)
                .fetch_one(&mut *tx)
                .await?;
        if name_taken > 0 {
            return Ok(Err(Taken::Username));
        }
        let email_taken: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE lower(email) = lower($1)")
                .bind(email)
                .fetch_one(&mut *tx)
                .await?;
        if email_taken > 0 {
            return Ok(Err(Taken::Email));
        }
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, username_key, display_name, email, password_hash, role,
                                email_confirmed_at, pending, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(name)
        .bind(&key)
        .bind(name)
        .bind(email)
        .bind(&new.password_hash)
        .bind(new.role.as_str())
        .bind(new.email_confirmed.then_some(t))
        .bind(i64::from(new.pending))
        .bind(t)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(code) = invite {
            crate::tokens::consume_invite_in(&mut tx, code, UserId(id)).await?;
        }
        tx.commit().await?;
        Ok(Ok(UserId(id)))
    }

    pub async fn account(&self, id: UserId) -> Result<Option<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn account_by_name(&self, username: &str) -> Result<Option<Account>> {
        let Ok(name) = check_username(username) else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.username_key = $1 AND u.deleted_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username_key(name))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        let email = email.trim();
        if email.is_empty() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users u WHERE lower(u.email) = lower($1) AND u.deleted_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// For login: the account named by a username or an e-mail address, with its
    /// password hash (None when it has none).
    pub async fn login_lookup(&self, login: &str) -> Result<Option<(Account, Option<String>)>> {
        let login = login.trim();
        let account = if login.contains('@') {
            self.account_by_email(login).await?
        } else {
            self.account_by_name(login).await?
        };
        let Some(account) = account else {
            return Ok(None);
        };
        let hash = self.password_hash(account.id).await?;
        Ok(Some((account, hash)))
    }

    pub async fn password_hash(&self, user: UserId) -> Result<Option<String>> {
        let hash: Option<Option<String>> = sqlx::query_scalar(
            "SELECT password_hash FROM users WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(hash.flatten())
    }

    pub async fn set_password_hash(&self, user: UserId, hash: &str) -> Result<()> {
        self.update_user(
            user,
            "UPDATE users SET password_hash = $2 WHERE id = $1 AND deleted_at IS NULL",
            hash,
        )
        .await
    }

    pub async fn set_role(&self, user: UserId, role: Role) -> Result<()> {
        self.update_user(
            user,
            "UPDATE users SET role = $2 WHERE id = $1 AND deleted_at IS NULL",
            role.as_str(),
        )
        .await
    }

    /// Suspends (ending every session) or reinstates an account.
    pub async fn set_suspended(&self, user: UserId, suspended: bool) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET suspended_at = CASE WHEN $2 = 1 THEN COALESCE(suspended_at, $3) ELSE NULL END
             WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(user.0)
        .bind(i64::from(suspended))
        .bind(now())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if suspended {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An admin lets a pending account in.
    pub async fn approve_account(&self, user: UserId) -> Result<()> {
        let done = sqlx::query("UPDATE users SET pending = 0 WHERE id = $1 AND deleted_at IS NULL")
            .bind(user.0)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn confirm_email(&self, user: UserId) -> Result<()> {
        sqlx::query(
            "UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, $2) WHERE id = $1",
        )
        .bind(user.0)
        .bind(now())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Sets a new, already confirmed address. `Ok(Err(Taken::Email))` if another account has it.
    pub async fn set_email(&self, user: UserId, email: &str) -> Result<Result<(), Taken>> {
        let email = check_email(email)?;
        let mut tx = self.begin_write().await?;
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE lower(email) = lower($1) AND id <> $2",
        )
        .bind(email)
        .bind(user.0)
        .fetch_one(&mut *tx)
        .await?;
        if taken > 0 {
            return Ok(Err(Taken::Email));
        }
        sqlx::query("UPDATE users SET email = $2, email_confirmed_at = $3 WHERE id = $1")
            .bind(user.0)
            .bind(email)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Every account with a password or a role, oldest first (for `user list` and admin pages).
    pub async fn list_accounts(&self) -> Result<Vec<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.deleted_at IS NULL ORDER BY u.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(account_from_row).collect()
    }

    /// Accounts awaiting approval, oldest first.
    pub async fn pending_accounts(&self) -> Result<Vec<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.pending = 1 AND u.deleted_at IS NULL ORDER BY u.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(account_from_row).collect()
    }

    /// Deletes an account. Sessions, link and API tokens and votes go; summaries are
    /// deleted (their comments and revisions with them) or kept as anonymous. The row
    /// itself stays as a nameless tombstone (username `[deleted-ID]`, which no valid
    /// name can collide with) so rows elsewhere that point at it (comments on other
    /// people's summaries) keep their place, but nothing identifies the person any more.
    pub async fn delete_account(&self, user: UserId, summaries: DeleteSummaries) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let exists: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1 AND deleted_at IS NULL")
                .bind(user.0)
                .fetch_one(&mut *tx)
                .await?;
        if exists == 0 {
            return Err(StoreError::NotFound);
        }
        // Their votes on other people's summaries: remove, then recount those summaries.
        let voted: Vec<i64> = sqlx::query_scalar("SELECT summary_id FROM votes WHERE user_id = $1")
            .bind(user.0)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM votes WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        for summary in voted {
            recount_votes(&mut tx, summary).await?;
        }
        match summaries {
            DeleteSummaries::Delete => {
                // Votes on them cascade.
                sqlx::query("DELETE FROM summaries WHERE author_id = $1")
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?;
            }
            DeleteSummaries::KeepAnonymous => {
                sqlx::query("UPDATE summaries SET anonymous = 1 WHERE author_id = $1")
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM account_tokens WHERE user_id = $1",
            "DELETE FROM api_tokens WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(user.0).execute(&mut *tx).await?;
        }
        let tombstone = format!("[deleted-{}]", user.0);
        sqlx::query(
            "UPDATE users SET username = $2, username_key = $2, display_name = 'Deleted account',
                    email = NULL, password_hash = NULL, email_confirmed_at = NULL,
                    role = 'user', pending = 0, deleted_at = $3
             WHERE id = $1",
        )
        .bind(user.0)
        .bind(&tombstone)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_user(&self, user: UserId, sql: &'static str, value: &str) -> Result<()> {
        let done = sqlx::query(sql)
            .bind(user.0)
            .bind(value)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

/// Recomputes a summary's vote counters after votes were removed (same rule as voting).
async fn recount_votes(conn: &mut sqlx::AnyConnection, summary: i64) -> Result<()> {
    let counts = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN value > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS up,
                CAST(COALESCE(SUM(CASE WHEN value < 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS down
         FROM votes WHERE summary_id = $1",
    )
    .bind(summary)
    .fetch_one(&mut *conn)
    .await?;
    let (up, down): (i64, i64) = (counts.try_get("up")?, counts.try_get("down")?);
    sqlx::query("UPDATE summaries SET up = $1, down = $2, score = $3 WHERE id = $4")
        .bind(up)
        .bind(down)
        .bind(wilson_lower_bound(up, down))
        .bind(summary)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_rank() {
        for role in [Role::User, Role::Moderator, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert_eq!(Role::parse(" Admin ").unwrap(), Role::Admin);
        assert!(Role::parse("root").is_err());
        assert!(!Role::User.is_moderator());
        assert!(Role::Moderator.is_moderator() && !Role::Moderator.is_admin());
        assert!(Role::Admin.is_moderator() && Role::Admin.is_admin());
    }

    #[test]
    fn email_check() {
        for ok in ["a@b.org", " ann.lee+ss@uni.example.ac.uk ", "x@y.z"] {
            assert_eq!(check_email(ok).unwrap(), ok.trim());
        }
        for bad in [
            "",
            "plain",
            "@b.org",
            "a@",
            "a@b",
            "a@.org",
            "a@b.",
            "a@@b.org",
            "a b@c.org",
            "a@b..org",
            "<a@b.org>",
            "a@b.org\nBcc: x@y.org",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
        assert!(check_email(&format!("{}@b.org", "a".repeat(250))).is_err());
    }
}
