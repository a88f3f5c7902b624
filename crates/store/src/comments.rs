//! Threaded comments under a summary. The HTML is rendered by the caller (the same
//! renderer as summaries) and stored with the Markdown. Deleting a comment keeps its row
//! as a stub (text cleared, `deleted_at` set) so replies keep their place; moderators hide
//! comments through `hidden_at`. Comments are readable exactly by those who may see their
//! summary, and the author of an anonymous summary stays anonymous in its comments too.

use std::collections::HashMap;

use shortscience_ids::{CommentId, SummaryId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::now;
use crate::shares::visible_in;
use crate::writing::SummaryMeta;
use crate::{Byline, Result, Store, StoreError};

/// Longest comment accepted, in bytes of Markdown.
pub const MAX_COMMENT_BYTES: usize = 20_000;

/// Write form for a new comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentWrite {
    pub summary: SummaryId,
    /// The comment this one answers; None for a top-level comment.
    pub parent: Option<CommentId>,
    pub author: UserId,
    pub markdown: String,
    pub html: String,
    pub renderer_version: i64,
}

/// A comment as a page shows it, in thread order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentView {
    pub id: CommentId,
    pub summary_id: SummaryId,
    pub parent_id: Option<CommentId>,
    /// 0 for top-level comments, 1 for their replies, and so on.
    pub depth: u32,
    /// None for stubs, deleted accounts, and the author of an anonymous summary
    /// (shown to others only as "the summary's author").
    pub author: Option<Byline>,
    /// Written by the summary's author (safe to show: never paired with a name when the
    /// summary is anonymous).
    pub by_summary_author: bool,
    /// The viewer wrote it.
    pub is_own: bool,
    /// Empty for stubs.
    pub html: String,
    /// The source, for its author's edit form only; None otherwise.
    pub markdown: Option<String>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted: bool,
    pub hidden: bool,
}

/// Who wrote a comment and where it lives, for permission checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentMeta {
    pub id: CommentId,
    pub summary_id: SummaryId,
    pub author_id: UserId,
    pub deleted: bool,
    pub hidden: bool,
}

/// Orders items as a thread: each item followed by its replies (oldest first), depth
/// counted from the top. Items whose parent is missing count as top-level. Input order
/// is kept among siblings.
pub fn thread_order<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> i64,
    parent: impl Fn(&T) -> Option<i64>,
) -> Vec<(u32, T)> {
    let ids: HashMap<i64, usize> = items.iter().enumerate().map(|(i, t)| (id(t), i)).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut roots = Vec::new();
    for (i, t) in items.iter().enumerate() {
        match parent(t).and_then(|p| ids.get(&p)) {
            Some(&p) if p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(items.len());
    let mut seen = vec![false; items.len()];
    // Roots first, then anything only reachable through a cycle (which the store never
    // writes, since a parent exists before its replies), so no item is ever lost.
    let starts: Vec<usize> = roots.into_iter().chain(0..items.len()).collect();
    for start in starts {
        // Iterative depth-first walk: no recursion, however deep the thread.
        let mut stack = vec![(start, 0u32)];
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            order.push((i, depth));
            for &c in children[i].iter().rev() {
                stack.push((c, depth.saturating_add(1)));
            }
        }
    }
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(i, depth)| slots[i].take().map(|t| (depth, t)))
        .collect()
}

fn check_markdown(markdown: &str) -> Result<()> {
    if markdown.trim().is_empty() {
        return Err(StoreError::Invalid("a comment cannot be empty".into()));
    }
    if markdown.len() > MAX_COMMENT_BYTES {
        return Err(StoreError::Invalid(format!(
            "a comment is at most {MAX_COMMENT_BYTES} bytes; this one is {}",
            markdown.len()
        )));
    }
    Ok(())
}

fn meta_from_row(row: &AnyRow) -> Result<CommentMeta> {
    Ok(CommentMeta {
        id: CommentId(row.try_get("id")?),
        summary_id: SummaryId(row.try_get("summary_id")?),
        author_id: UserId(row.try_get("author_id")?),
        deleted: row.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
        hidden: row.try_get::<Option<i64>, _>("hidden_at")?.is_some(),
    })
}

fn view_from_row(
    row: &AnyRow,
    summary: &SummaryMeta,
    viewer: Option<UserId>,
) -> Result<CommentView> {
    let meta = meta_from_row(row)?;
    let stub = meta.deleted || meta.hidden;
    let is_own = viewer == Some(meta.author_id);
    let by_summary_author = meta.author_id == summary.author_id;
    let account_gone = row.try_get::<Option<i64>, _>("user_deleted_at")?.is_some();
    let hide_name = stub || account_gone || (by_summary_author && summary.anonymous && !is_own);
    let author = if hide_name {
        None
    } else {
        Some(Byline {
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
        })
    };
    Ok(CommentView {
        id: meta.id,
        summary_id: meta.summary_id,
        parent_id: row.try_get::<Option<i64>, _>("parent_id")?.map(CommentId),
        depth: 0,
        author,
        by_summary_author: by_summary_author && !stub,
        is_own: is_own && !stub,
        html: if stub {
            String::new()
        } else {
            row.try_get("html")?
        },
        markdown: if is_own && !stub {
            Some(row.try_get("markdown")?)
        } else {
            None
        },
        created_at: row.try_get("created_at")?,
        edited_at: row.try_get("edited_at")?,
        deleted: meta.deleted,
        hidden: meta.hidden,
    })
}

impl Store {
    /// Adds a comment as `c.author`, who must be able to see the summary (with `share`
    /// for a private one: NotFound otherwise). A reply's parent must be a live comment
    /// on the same summary.
    pub async fn add_comment(&self, c: &CommentWrite, share: Option<&str>) -> Result<CommentId> {
        check_markdown(&c.markdown)?;
        let mut tx = self.begin_write().await?;
        if visible_in(&mut tx, c.summary, Some(c.author), share)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        if let Some(parent) = c.parent {
            let row = sqlx::query(
                "SELECT id, summary_id, author_id, deleted_at, hidden_at FROM comments WHERE id = $1",
            )
            .bind(parent.0)
            .fetch_optional(&mut *tx)
            .await?;
            let parent = row.as_ref().map(meta_from_row).transpose()?;
            match parent {
                Some(p) if p.summary_id == c.summary && !p.deleted && !p.hidden => {}
                Some(p) if p.summary_id == c.summary => {
                    return Err(StoreError::Invalid(
                        "that comment was removed, so it cannot be answered".into(),
                    ));
                }
                _ => {
                    return Err(StoreError::Invalid(
                        "the comment you are answering is not on this summary".into(),
                    ));
                }
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (summary_id, parent_id, author_id, markdown, html,
                 renderer_version, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(c.summary.0)
        .bind(c.parent.map(|p| p.0))
        .bind(c.author.0)
        .bind(&c.markdown)
        .bind(&c.html)
        .bind(c.renderer_version)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(CommentId(id))
    }

    /// Author, summary and state of a comment (for permission checks).
    pub async fn comment_meta(&self, id: CommentId) -> Result<Option<CommentMeta>> {
        let row = sqlx::query(
            "SELECT id, summary_id, author_id, deleted_at, hidden_at FROM comments WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(meta_from_row).transpose()
    }

    /// Replaces the text of the author's own live comment. NotFound when it is missing,
    /// deleted or someone else's.
    pub async fn edit_comment(
        &self,
        id: CommentId,
        author: UserId,
        markdown: &str,
        html: &str,
        renderer_version: i64,
    ) -> Result<()> {
        check_markdown(markdown)?;
        let done = sqlx::query(
            "UPDATE comments SET markdown = $1, html = $2, renderer_version = $3, edited_at = $4
             WHERE id = $5 AND author_id = $6 AND deleted_at IS NULL",
        )
        .bind(markdown)
        .bind(html)
        .bind(renderer_version)
        .bind(now())
        .bind(id.0)
        .bind(author.0)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes the author's own comment, leaving a stub without text so replies keep their
    /// place. NotFound when it is missing, already deleted or someone else's.
    pub async fn delete_comment(&self, id: CommentId, author: UserId) -> Result<()> {
        let done = sqlx::query(
            "UPDATE comments SET markdown = '', html = '', deleted_at = $1
             WHERE id = $2 AND author_id = $3 AND deleted_at IS NULL",
        )
        .bind(now())
        .bind(id.0)
        .bind(author.0)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The comments on a summary in thread order; None when the summary does not exist
    /// or `viewer` (with `share`) may not see it.
    pub async fn summary_comments(
        &self,
        summary: SummaryId,
        viewer: Option<UserId>,
        share: Option<&str>,
    ) -> Result<Option<Vec<CommentView>>> {
        let mut conn = self.pool.acquire().await?;
        let Some(meta) = visible_in(&mut conn, summary, viewer, share).await? else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT c.id, c.summary_id, c.parent_id, c.author_id, c.markdown, c.html,
                    c.created_at, c.edited_at, c.deleted_at, c.hidden_at,
                    u.username, u.display_name, u.deleted_at AS user_deleted_at
             FROM comments c JOIN users u ON u.id = c.author_id
             WHERE c.summary_id = $1 ORDER BY c.id",
        )
        .bind(summary.0)
        .fetch_all(&mut *conn)
        .await?;
        let views = rows
            .iter()
            .map(|r| view_from_row(r, &meta, viewer))
            .collect::<Result<Vec<_>>>()?;
        let threaded = thread_order(views, |c| c.id.0, |c| c.parent_id.map(|p| p.0));
        Ok(Some(
            threaded
                .into_iter()
                .map(|(depth, c)| CommentView { depth, ..c })
                .collect(),
        ))
    }

    /// Live (neither deleted nor hidden) comments per summary; summaries without any are
    /// absent. For lists of summaries the caller already may see.
    pub async fn comment_counts(&self, summaries: &[SummaryId]) -> Result<HashMap<SummaryId, i64>> {
        let mut counts = HashMap::new();
        // Bounded chunks keep the placeholder count well under every backend's limit.
        for chunk in summaries.chunks(500) {
            let placeholders = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT summary_id, COUNT(*) AS n FROM comments
                 WHERE deleted_at IS NULL AND hidden_at IS NULL AND summary_id IN ({placeholders})
                 GROUP BY summary_id"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.0);
            }
            for row in query.fetch_all(&self.pool).await? {
                counts.insert(SummaryId(row.try_get("summary_id")?), row.try_get("n")?);
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(items: &[(i64, Option<i64>)]) -> Vec<(u32, i64)> {
        thread_order(items.to_vec(), |t| t.0, |t| t.1)
            .into_iter()
            .map(|(d, t)| (d, t.0))
            .collect()
    }

    #[test]
    fn replies_follow_their_parent() {
        let items = [
            (1, None),
            (2, None),
            (3, Some(1)),
            (4, Some(3)),
            (5, Some(1)),
            (6, Some(2)),
        ];
        assert_eq!(
            order(&items),
            vec![(0, 1), (1, 3), (2, 4), (1, 5), (0, 2), (1, 6)]
        );
    }

    #[test]
    fn orphans_and_self_parents_are_top_level() {
        assert_eq!(
            order(&[(1, Some(99)), (2, Some(2)), (3, Some(1))]),
            vec![(0, 1), (1, 3), (0, 2)]
        );
    }

    #[test]
    fn cycles_do_not_loop_or_lose_items() {
        // 1 and 2 answer each other: neither is a root; both still appear once.
        let out = order(&[(1, Some(2)), (2, Some(1)), (3, None)]);
        assert_eq!(out, vec![(0, 3), (0, 1), (1, 2)]);
    }

    #[test]
    fn deep_threads_do_not_recurse() {
        let items: Vec<(i64, Option<i64>)> = (1..=20_000)
            .map(|i| (i, if i == 1 { None } else { Some(i - 1) }))
            .collect();
        let out = order(&items);
        assert_eq!(out.len(), 20_000);
        assert_eq!(out.last(), Some(&(19_999, 20_000)));
    }

    #[test]
    fn comment_text_limits() {
        assert!(check_markdown("  \n").is_err());
        assert!(check_markdown(&"x".repeat(MAX_COMMENT_BYTES)).is_ok());
        let err = check_markdown(&"x".repeat(MAX_COMMENT_BYTES + 1)).unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
    }
}
