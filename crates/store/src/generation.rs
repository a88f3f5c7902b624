//! The content generation: one value that changes after every write a page can show.
//!
//! App instances cache rendered pages under the generation they read before rendering,
//! and serve a cached page only while the database still holds that value. Writers
//! change it *after* their transaction commits, so a reader that sees the new value also
//! sees the write. The value is random rather than counted, so a restored or copied
//! database never brings back a value some instance cached pages under.

use sqlx::{AnyConnection, Connection};

use crate::{Result, Store};

const READ: &str = "SELECT n FROM content_generation WHERE id = 1";

/// PostgreSQL: a connection kept apart from the pool for the generation read, which page
/// caches make for every guest request. Through the pool the read cost three round trips
/// (sqlx pings a connection when it hands it out and again when it comes back); here one.
pub(crate) struct Watcher {
    url: String,
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

    /// Moves the generation on; call after a committed write. Returns the new value.
    pub async fn bump_content_generation(&self) -> Result<i64> {
        let n = fresh_token();
        sqlx::query(
            "INSERT INTO content_generation (id, n) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET n = excluded.n",
        )
        .bind(n)
        .execute(&self.writer)
        .await?;
        Ok(n)
    }
}

/// A random non-zero value (0 means "never written").
fn fresh_token() -> i64 {
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
