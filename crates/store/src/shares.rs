//! Who may see a summary, and share links for private ones.
//!
//! A public summary is visible to everyone; a private one to its author and to whoever
//! holds its share link. A share link carries a random secret ([`crate::tokens`]): the
//! database keeps only its SHA-256, so the link is shown once, when it is made; making a
//! new one replaces (and so revokes) the old. Every read path that takes a `share`
//! argument decides through [`visible_in`], so the rule lives in one place.

use shortscience_ids::{SummaryId, UserId};
use sqlx::{AnyConnection, Row};

use crate::db::now;
use crate::summaries::summary_view_in;
use crate::tokens::{is_token_shaped, new_token, token_hash};
use crate::writing::{SummaryMeta, meta_in};
use crate::{Result, Store, StoreError, SummaryView};

/// True when `token` is the live share secret of `summary`.
async fn share_matches_in(
    conn: &mut AnyConnection,
    summary: SummaryId,
    token: &str,
) -> Result<bool> {
    if !is_token_shaped(token) {
        return Ok(false);
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM summary_shares WHERE summary_id = $1 AND hash = $2",
    )
    .bind(summary.0)
    .bind(token_hash(token))
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// The summary's facts when `viewer` (or the holder of `share`) may see it; None when it
/// does not exist or is private to someone else.
pub(crate) async fn visible_in(
    conn: &mut AnyConnection,
    summary: SummaryId,
    viewer: Option<UserId>,
    share: Option<&str>,
) -> Result<Option<SummaryMeta>> {
    let Some(meta) = meta_in(conn, summary).await? else {
        return Ok(None);
    };
    if viewer == Some(meta.author_id) {
        return Ok(Some(meta));
    }
    // Hidden by a moderator: gone for everyone but its author.
    if crate::moderation::summary_hidden_in(conn, summary).await? {
        return Ok(None);
    }
    if !meta.private {
        return Ok(Some(meta));
    }
    match share {
        Some(token) if share_matches_in(conn, summary, token).await? => Ok(Some(meta)),
        _ => Ok(None),
    }
}

/// The author of `summary`, or NotFound when it is missing or not theirs.
async fn check_owner(conn: &mut AnyConnection, summary: SummaryId, owner: UserId) -> Result<()> {
    match meta_in(conn, summary).await? {
        Some(meta) if meta.author_id == owner => Ok(()),
        _ => Err(StoreError::NotFound),
    }
}

impl Store {
    /// A summary as `viewer` may see it, also when private and `share` is its live share
    /// secret. Anonymous bylines stay hidden from everyone but the author, link or not.
    pub async fn summary_for(
        &self,
        id: SummaryId,
        viewer: Option<UserId>,
        share: Option<&str>,
    ) -> Result<Option<SummaryView>> {
        let mut conn = self.pool.acquire().await?;
        if visible_in(&mut conn, id, viewer, share).await?.is_none() {
            return Ok(None);
        }
        summary_view_in(&mut conn, id, viewer).await
    }

    /// Makes a new share link secret for the owner's summary, replacing any earlier one.
    /// The secret is returned once and never stored. NotFound unless `owner` wrote it.
    pub async fn create_share(&self, summary: SummaryId, owner: UserId) -> Result<String> {
        let token = new_token()?;
        let mut tx = self.begin_write().await?;
        check_owner(&mut tx, summary, owner).await?;
        sqlx::query(
            "INSERT INTO summary_shares (summary_id, hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (summary_id) DO UPDATE SET hash = excluded.hash,
                 created_at = excluded.created_at",
        )
        .bind(summary.0)
        .bind(token_hash(&token))
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Ends the share link; true when there was one. NotFound unless `owner` wrote it.
    pub async fn revoke_share(&self, summary: SummaryId, owner: UserId) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        check_owner(&mut tx, summary, owner).await?;
        let done = sqlx::query("DELETE FROM summary_shares WHERE summary_id = $1")
            .bind(summary.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// When the live share link was made, for its owner; None without one.
    pub async fn share_created_at(&self, summary: SummaryId, owner: UserId) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT sh.created_at FROM summary_shares sh JOIN summaries s ON s.id = sh.summary_id
             WHERE sh.summary_id = $1 AND s.author_id = $2",
        )
        .bind(summary.0)
        .bind(owner.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.try_get("created_at").map_err(StoreError::from))
            .transpose()
    }
}
