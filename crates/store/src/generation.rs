//! The content generation: one value that changes after every write a page can show.
//!
//! App instances cache rendered pages under the generation they read before rendering,
//! and serve a cached page only while the database still holds that value. Writers
//! change it *after* their transaction commits, so a reader that sees the new value also
//! sees the write. The value is random rather than counted, so a restored or copied
//! database never brings back a value some instance cached pages under.

use sqlx::{AnyConnection, Connection};

use crate::{Backend, Result, Store};

const READ: &str = "SELECT n FROM content_generation WHERE id = 1";

/// PostgreSQL: a connection kept apart from the pool for the generation read, which page
/// caches make for every guest request. Through the pool the read cost three round trips
/// (sqlx pings a connection when it hands it out and again when it comes back); here one.
pub(crate) struct Watcher {
    pub(crate) url: String,
    /// `Err` once the store is closed: later reads fail instead of reconnecting.
    conn: tokio::sync::Mutex<std::result::Result<Option<AnyConnection>, Closed>>,
}

struct Closed;

impl std::fmt::Debug for Watcher {
    // The URL may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watcher")
    }
}

impl Watcher {
    pub(crate) fn new(url: &str) -> Watcher {
        Watcher {
            url: url.to_owned(),
            conn: tokio::sync::Mutex::new(Ok(None)),
        }
    }

    async fn read(&self) -> Result<Option<i64>> {
        let mut guard = self.conn.lock().await;
        let Ok(slot) = &mut *guard else {
            return Err(sqlx::Error::PoolClosed.into());
        };
        // Out of the slot while in use: a read that fails, or is abandoned half-way (a
        // caller's timeout), takes the connection with it, and the next read reconnects.
        let mut conn = match slot.take() {
            Some(conn) => conn,
            None => AnyConnection::connect(&self.url).await?,
        };
        let n = sqlx::query_scalar(READ).fetch_optional(&mut conn).await?;
        *slot = Some(conn);
        Ok(n)
    }

    pub(crate) async fn close(&self) {
        let mut guard = self.conn.lock().await;
        if let Ok(Some(conn)) = std::mem::replace(&mut *guard, Err(Closed)) {
            let _ = conn.close().await;
        }
    }
}

impl Store {
    /// The current generation; 0 before the first write.
    pub async fn content_generation(&self) -> Result<i64> {
        let n: Option<i64> = match &self.watcher {
            Some(watcher) => watcher.read().await?,
            None => sqlx::query_scalar(READ).fetch_optional(&self.pool).await?,
        };
        Ok(n.unwrap_or(0))
    }

    /// Moves the generation on; call after a committed write. On PostgreSQL the same
    /// statement notifies the instances following it (`followers`), at commit.
    pub async fn bump_content_generation(&self) -> Result<Bump> {
        let token = fresh_token();
        let seq: i64 = match self.backend {
            Backend::Postgres => {
                sqlx::query_scalar(
                    "WITH b AS (
                         INSERT INTO content_generation (id, n, seq) VALUES (1, $1, 1)
                         ON CONFLICT (id) DO UPDATE SET n = excluded.n,
                             seq = content_generation.seq + 1
                         RETURNING n, seq)
                     SELECT b.seq FROM b
                     CROSS JOIN LATERAL (SELECT pg_notify($2, b.n::text || ':' || b.seq::text)) AS sent",
                )
                .bind(token)
                .bind(crate::followers::CHANNEL)
                .fetch_one(&self.writer)
                .await?
            }
            Backend::Sqlite => {
                sqlx::query_scalar(
                    "INSERT INTO content_generation (id, n, seq) VALUES (1, $1, 1)
                     ON CONFLICT (id) DO UPDATE SET n = excluded.n,
                         seq = content_generation.seq + 1
                     RETURNING seq",
                )
                .bind(token)
                .fetch_one(&self.writer)
                .await?
            }
        };
        Ok(Bump { token, seq })
    }
}

/// What a bump wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bump {
    /// The new generation, as `content_generation()` reads it.
    pub token: i64,
    /// How many bumps the database has seen; orders acknowledgements.
    pub seq: i64,
}

/// A random non-zero value (0 means "never written").
pub(crate) fn fresh_token() -> i64 {
    loop {
        let mut bytes = [0u8; 8];
        if getrandom::fill(&mut bytes).is_err() {
            // No entropy source: fall back on the clock, still unlikely to repeat.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos());
            return (nanos as i64) | 1;
        }
        let n = i64::from_le_bytes(bytes);
        if n != 0 {
            return n;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_non_zero_and_differ() {
        let a = super::fresh_token();
        let b = super::fresh_token();
        assert_ne!(a, 0);
        assert_ne!(a, b);
    }
}
