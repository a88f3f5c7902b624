//! What the editor needs beyond saving: the author's own summary of a paper, the facts
//! that decide who may act on a summary, and deleting a summary with everything on it.

use shortscience_ids::{PaperId, SummaryId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::get_flag;
use crate::{Result, Store, StoreError};

/// Who wrote a summary and how it is shown. For permission checks only: a page must
/// never print `author_id` of an anonymous summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryMeta {
    pub id: SummaryId,
    pub paper_id: PaperId,
    pub author_id: UserId,
    pub private: bool,
    pub anonymous: bool,
}

/// The author's summary of a paper, as the edit form fills it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnSummary {
    pub id: SummaryId,
    pub markdown: String,
    pub private: bool,
    pub anonymous: bool,
}

fn meta_from_row(row: &AnyRow) -> Result<SummaryMeta> {
    Ok(SummaryMeta {
        id: SummaryId(row.try_get("id")?),
        paper_id: PaperId(row.try_get("paper_id")?),
        author_id: UserId(row.try_get("author_id")?),
        private: get_flag(row, "private")?,
        anonymous: get_flag(row, "anonymous")?,
    })
}

pub(crate) async fn meta_in(
    conn: &mut AnyConnection,
    summary: SummaryId,
) -> Result<Option<SummaryMeta>> {
    let row = sqlx::query(
        "SELECT id, paper_id, author_id, private, anonymous FROM summaries WHERE id = $1",
    )
    .bind(summary.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(meta_from_row).transpose()
}

impl Store {
    /// Author, paper and flags of a summary, whoever may see it (for permission checks).
    pub async fn summary_meta(&self, summary: SummaryId) -> Result<Option<SummaryMeta>> {
        let mut conn = self.pool.acquire().await?;
        meta_in(&mut conn, summary).await
    }

    /// The summary `author` wrote on `paper`, with its Markdown; None before they write one.
    pub async fn own_summary(&self, paper: PaperId, author: UserId) -> Result<Option<OwnSummary>> {
        let row = sqlx::query(
            "SELECT id, markdown, private, anonymous FROM summaries
             WHERE paper_id = $1 AND author_id = $2",
        )
        .bind(paper.0)
        .bind(author.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(OwnSummary {
                id: SummaryId(r.try_get("id")?),
                markdown: r.try_get("markdown")?,
                private: get_flag(&r, "private")?,
                anonymous: get_flag(&r, "anonymous")?,
            })
        })
        .transpose()
    }

    /// Deletes the owner's summary for good, with its votes, comments, revisions and share
    /// link, in one transaction. NotFound unless `owner` wrote it. A summary written
    /// again later gets a new id and starts with none of them.
    pub async fn delete_summary(&self, summary: SummaryId, owner: UserId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        match meta_in(&mut tx, summary).await? {
            Some(meta) if meta.author_id == owner => {}
            _ => return Err(StoreError::NotFound),
        }
        // The foreign keys cascade too; explicit deletes keep this true whatever the schema.
        for sql in [
            "DELETE FROM votes WHERE summary_id = $1",
            "DELETE FROM comments WHERE summary_id = $1",
            "DELETE FROM revisions WHERE summary_id = $1",
            "DELETE FROM summary_shares WHERE summary_id = $1",
            "DELETE FROM summaries WHERE id = $1",
        ] {
            sqlx::query(sql).bind(summary.0).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
