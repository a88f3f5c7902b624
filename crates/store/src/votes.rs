//! Votes: +1 or −1 per user per summary (0 withdraws). Each vote recounts the
//! summary's `up`, `down` and `score` in the same transaction.

use std::collections::HashMap;

use shortscience_ids::{SummaryId, UserId};
use sqlx::Row;

use crate::db::{get_flag, now};
use crate::ranking::wilson_lower_bound;
use crate::{Result, Store, StoreError};

impl Store {
    /// `user`'s votes (+1 or −1) on these summaries; summaries without a vote are absent.
    pub async fn votes_of(
        &self,
        user: UserId,
        summaries: &[SummaryId],
    ) -> Result<HashMap<SummaryId, i8>> {
        let mut out = HashMap::new();
        // Bounded chunks keep the placeholder count well under every backend's limit.
        for chunk in summaries.chunks(500) {
            let placeholders = (2..=chunk.len() + 1)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT summary_id, value FROM votes WHERE user_id = $1
                 AND summary_id IN ({placeholders})"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.0);
            for id in chunk {
                query = query.bind(id.0);
            }
            for row in query.fetch_all(&self.pool).await? {
                let value: i64 = row.try_get("value")?;
                out.insert(SummaryId(row.try_get("summary_id")?), value.signum() as i8);
            }
        }
        Ok(out)
    }

    /// value is -1, 0 or 1; voting on your own summary is refused with Invalid.
    /// NotFound for a missing summary or someone else's private one.
    pub async fn set_vote(&self, user: UserId, summary: SummaryId, value: i8) -> Result<()> {
        if !(-1..=1).contains(&value) {
            return Err(StoreError::Invalid(format!(
                "a vote is -1, 0 or 1, not {value}"
            )));
        }
        let mut tx = self.begin_write().await?;
        // A no-op write locks the summary row, so concurrent votes recount one at a time.
        let row =
            sqlx::query("UPDATE summaries SET up = up WHERE id = $1 RETURNING author_id, private")
                .bind(summary.0)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        let author = UserId(row.try_get("author_id")?);
        if author == user {
            return Err(StoreError::Invalid(
                "you cannot vote on your own summary".into(),
            ));
        }
        if get_flag(&row, "private")? {
            return Err(StoreError::NotFound);
        }
        if value == 0 {
            sqlx::query("DELETE FROM votes WHERE user_id = $1 AND summary_id = $2")
                .bind(user.0)
                .bind(summary.0)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO votes (user_id, summary_id, value, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, summary_id) DO UPDATE SET value = excluded.value",
            )
            .bind(user.0)
            .bind(summary.0)
            .bind(i64::from(value))
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        let counts = sqlx::query(
            "SELECT CAST(COALESCE(SUM(CASE WHEN value > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS up,
                    CAST(COALESCE(SUM(CASE WHEN value < 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS down
             FROM votes WHERE summary_id = $1",
        )
        .bind(summary.0)
        .fetch_one(&mut *tx)
        .await?;
        let (up, down): (i64, i64) = (counts.try_get("up")?, counts.try_get("down")?);
        sqlx::query("UPDATE summaries SET up = $1, down = $2, score = $3 WHERE id = $4")
            .bind(up)
            .bind(down)
            .bind(wilson_lower_bound(up, down))
            .bind(summary.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
