//! User accounts. Names are unique regardless of case: `username_key` holds the
//! lower-cased name under a UNIQUE constraint.

use shortscience_ids::UserId;
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::now;
use crate::{Result, Store, StoreError, User};

const MAX_USERNAME: usize = 40;

/// Checks a username and returns it without surrounding spaces.
/// Allowed: 1 to 40 ASCII letters, digits, `-`, `_` and `.`, starting with a letter or
/// digit. ASCII only, so lower-casing for uniqueness is unambiguous and names are URL-safe.
pub fn check_username(name: &str) -> Result<&str> {
    let name = name.trim();
    let ok_len = (1..=MAX_USERNAME).contains(&name.len());
    let ok_start = name.starts_with(|c: char| c.is_ascii_alphanumeric());
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok_len && ok_start && ok_chars {
        Ok(name)
    } else {
        Err(StoreError::Invalid(format!(
            "invalid username {name:?}: use 1 to {MAX_USERNAME} letters, digits, '-', '_' or '.', \
             starting with a letter or digit"
        )))
    }
}

pub(crate) fn username_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

fn user_from_row(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: UserId(row.try_get("id")?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The id of `username`, creating the account (no password) if missing.
pub(crate) async fn ensure_user_in(conn: &mut AnyConnection, username: &str) -> Result<UserId> {
    let name = check_username(username)?;
    let key = username_key(name);
    sqlx::query(
        "INSERT INTO users (username, username_key, display_name, created_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (username_key) DO NOTHING",
    )
    .bind(name)
    .bind(&key)
    .bind(name)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = $1")
        .bind(&key)
        .fetch_one(&mut *conn)
        .await?;
    Ok(UserId(id))
}

impl Store {
    /// Creates the user if missing, with no password (nobody can log in as it).
    /// Names match regardless of case; an existing account keeps its spelling.
    pub async fn ensure_user(&self, username: &str) -> Result<UserId> {
        let mut tx = self.begin_write().await?;
        let id = ensure_user_in(&mut tx, username).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Looks a user up regardless of case; None for unknown or malformed names.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let Ok(name) = check_username(username) else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT id, username, display_name, created_at FROM users WHERE username_key = $1",
        )
        .bind(username_key(name))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        for name in [
            "muntermulehitch",
            "Joseph.Cohen",
            "a",
            "user_42",
            "x-y",
            "9lives",
        ] {
            assert_eq!(check_username(name).unwrap(), name);
        }
        assert_eq!(check_username("  alice \n").unwrap(), "alice");
        assert!(check_username(&"a".repeat(MAX_USERNAME)).is_ok());
    }

    #[test]
    fn refuses_bad_names_with_a_message() {
        for name in [
            "",
            "   ",
            "-lead",
            ".dot",
            "has space",
            "semi;colon",
            "<script>",
            "ünï",
            "a/b",
        ] {
            let err = check_username(name).unwrap_err().to_string();
            assert!(err.starts_with("invalid username"), "{name:?}: {err}");
        }
        assert!(check_username(&"a".repeat(MAX_USERNAME + 1)).is_err());
    }

    #[test]
    fn key_is_lower_case() {
        assert_eq!(username_key("MuNter"), "munter");
    }
}
