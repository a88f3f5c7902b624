//! Readiness checks for `/readyz`: is the database answering, and is its schema the one
//! this binary expects.

use crate::migrate::MIGRATIONS;
use crate::{Result, Store};

impl Store {
    /// One round trip to the database (`SELECT 1`). Fails fast when the pool cannot hand
    /// out a connection within its acquire timeout.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// True when the database has exactly the migrations this binary ships, no fewer
    /// (another process reset it) and no more (a newer binary migrated it).
    pub async fn migrations_current(&self) -> Result<bool> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        let known: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        Ok(applied == known)
    }

    /// Connections the pool holds now, and how many of them are idle (for `/metrics`).
    pub fn pool_size(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }
}

impl crate::StoreError {
    /// True when the database cannot serve right now — unreachable, restarting, pool
    /// exhausted, disk full, locked too long — as opposed to a wrong request or a bug.
    /// The web layer answers these with 503 ("try again in a moment").
    pub fn is_unavailable(&self) -> bool {
        match self {
            crate::StoreError::Db(e) => db_unavailable(e),
            _ => false,
        }
    }
}

fn db_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| unavailable_code(&c)),
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs of class 08 (connection), 53 (insufficient resources: disk full,
/// out of memory, too many connections) and 57P (shutting down, starting up); SQLite
/// primary result codes (the low byte of its extended codes) BUSY 5, LOCKED 6, NOMEM 7,
/// IOERR 10, FULL 13 and CANTOPEN 14.
fn unavailable_code(code: &str) -> bool {
    if code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") {
        return true;
    }
    code.parse::<i64>()
        .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 7 | 10 | 13 | 14))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreError;

    #[test]
    fn unreachable_and_full_are_unavailable() {
        assert!(StoreError::Db(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(StoreError::Db(sqlx::Error::PoolClosed).is_unavailable());
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(StoreError::Db(sqlx::Error::Io(io)).is_unavailable());
        assert!(!StoreError::Db(sqlx::Error::RowNotFound).is_unavailable());
        assert!(!StoreError::NotFound.is_unavailable());
        assert!(!StoreError::Invalid("x".into()).is_unavailable());
    }

    #[test]
    fn codes_of_both_backends() {
        for code in ["08006", "57P01", "57P03", "53100", "13", "778", "5", "261"] {
            assert!(unavailable_code(code), "{code}");
        }
        // Unique violation (PostgreSQL, SQLite extended 2067), syntax error, constraint.
        for code in ["23505", "2067", "42601", "19", "1"] {
            assert!(!unavailable_code(code), "{code}");
        }
    }
}
