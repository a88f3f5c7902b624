//! The content generation: one value that changes after every write a page can show.
//!
//! App instances cache rendered pages under the generation they read before rendering,
//! and serve a cached page only while the database still holds that value. Writers
//! change it *after* their transaction commits, so a reader that sees the new value also
//! sees the write. The value is random rather than counted, so a restored or copied
//! database never brings back a value some instance cached pages under.

use crate::{Result, Store};

impl Store {
    /// The current generation; 0 before the first write.
    pub async fn content_generation(&self) -> Result<i64> {
        let n: Option<i64> = sqlx::query_scalar("SELECT n FROM content_generation WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
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
        .execute(&self.pool)
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
