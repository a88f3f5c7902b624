//! Every saved version of a summary. A save (or import) whose Markdown or flags differ
//! from the latest revision adds one, in the same transaction as the summary itself;
//! re-rendering alone adds none. Revisions are readable by whoever may see the summary,
//! and their editor is hidden exactly when the summary's author is.

use shortscience_ids::{RevisionId, SummaryId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::{flag, get_flag};
use crate::shares::visible_in;
use crate::writing::SummaryMeta;
use crate::{Byline, Result, Store};

/// One version in a summary's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionInfo {
    pub id: RevisionId,
    /// 1 for the first version, counting up.
    pub number: u32,
    pub created_at: i64,
    /// Size of the Markdown in bytes.
    pub bytes: i64,
    pub private: bool,
    pub anonymous: bool,
    /// Who saved it; None while the summary is anonymous (for everyone but its author)
    /// or when the editor's account is gone.
    pub editor: Option<Byline>,
}

/// A version with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub info: RevisionInfo,
    pub markdown: String,
}

/// Adds a revision unless the latest one already holds this text and these flags.
/// Returns true when one was added.
pub(crate) async fn record_revision_in(
    conn: &mut AnyConnection,
    summary: SummaryId,
    editor: UserId,
    markdown: &str,
    private: bool,
    anonymous: bool,
    at: i64,
) -> Result<bool> {
    let latest = sqlx::query(
        "SELECT markdown, private, anonymous FROM revisions WHERE summary_id = $1
         ORDER BY id DESC LIMIT 1",
    )
    .bind(summary.0)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = latest
        && row.try_get::<String, _>("markdown")? == markdown
        && get_flag(&row, "private")? == private
        && get_flag(&row, "anonymous")? == anonymous
    {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO revisions (summary_id, markdown, bytes, private, anonymous, created_at, editor)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(summary.0)
    .bind(markdown)
    .bind(i64::try_from(markdown.len()).unwrap_or(i64::MAX))
    .bind(flag(private))
    .bind(flag(anonymous))
    .bind(at)
    .bind(editor.0)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

const REVISION_SELECT: &str = "SELECT r.id, r.created_at, r.bytes, r.private, r.anonymous,
        r.editor, u.username, u.display_name, u.deleted_at
     FROM revisions r LEFT JOIN users u ON u.id = r.editor ";

fn info_from_row(
    row: &AnyRow,
    number: u32,
    meta: &SummaryMeta,
    viewer: Option<UserId>,
) -> Result<RevisionInfo> {
    let editor_id: Option<i64> = row.try_get("editor")?;
    let deleted: Option<i64> = row.try_get("deleted_at")?;
    let hide = meta.anonymous && viewer != Some(meta.author_id);
    let editor = match editor_id {
        Some(_) if !hide && deleted.is_none() => Some(Byline {
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
        }),
        _ => None,
    };
    Ok(RevisionInfo {
        id: RevisionId(row.try_get("id")?),
        number,
        created_at: row.try_get("created_at")?,
        bytes: row.try_get("bytes")?,
        private: get_flag(row, "private")?,
        anonymous: get_flag(row, "anonymous")?,
        editor,
    })
}

impl Store {
    /// A summary's versions, oldest first; None when the summary does not exist or
    /// `viewer` (with the `share` secret, if any) may not see it.
    pub async fn revisions(
        &self,
        summary: SummaryId,
        viewer: Option<UserId>,
        share: Option<&str>,
    ) -> Result<Option<Vec<RevisionInfo>>> {
        let mut conn = self.pool.acquire().await?;
        let Some(meta) = visible_in(&mut conn, summary, viewer, share).await? else {
            return Ok(None);
        };
        let sql = format!("{REVISION_SELECT} WHERE r.summary_id = $1 ORDER BY r.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(summary.0)
            .fetch_all(&mut *conn)
            .await?;
        let list = rows
            .iter()
            .zip(1u32..)
            .map(|(row, n)| info_from_row(row, n, &meta, viewer))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(list))
    }

    /// One version with its Markdown; None when missing, of another summary, or not
    /// visible as in [`Store::revisions`].
    pub async fn revision(
        &self,
        summary: SummaryId,
        revision: RevisionId,
        viewer: Option<UserId>,
        share: Option<&str>,
    ) -> Result<Option<Revision>> {
        let mut conn = self.pool.acquire().await?;
        let Some(meta) = visible_in(&mut conn, summary, viewer, share).await? else {
            return Ok(None);
        };
        let sql = format!("{REVISION_SELECT} WHERE r.summary_id = $1 AND r.id = $2");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(summary.0)
            .bind(revision.0)
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let number: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM revisions WHERE summary_id = $1 AND id <= $2")
                .bind(summary.0)
                .bind(revision.0)
                .fetch_one(&mut *conn)
                .await?;
        let markdown: String = sqlx::query_scalar("SELECT markdown FROM revisions WHERE id = $1")
            .bind(revision.0)
            .fetch_one(&mut *conn)
            .await?;
        Ok(Some(Revision {
            info: info_from_row(
                &row,
                u32::try_from(number).unwrap_or(u32::MAX),
                &meta,
                viewer,
            )?,
            markdown,
        }))
    }
}
