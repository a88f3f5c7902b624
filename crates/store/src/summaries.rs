//! Summaries: one per user per paper, saved in place, and the lists that show them.
//!
//! Visibility is decided in two places only: SQL `WHERE` clauses keep private summaries
//! from everyone but their author, and [`view_from_row`] hides the byline of anonymous
//! ones from everyone but their author.

use shortscience_ids::{PaperId, SummaryId, UserId};
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{flag, get_flag, now};
use crate::papers::{all_papers_in, upsert_paper_in};
use crate::ranking::{POPULAR_CANDIDATES, popular};
use crate::revisions::record_revision_in;
use crate::row::Columns;
use crate::users::ensure_user_in;
use crate::{
    Byline, HomeList, Page, Result, Saved, Store, StoreError, SummaryImport, SummaryRecord,
    SummarySort, SummaryView, SummaryWrite,
};

/// Largest page the home lists serve.
pub const MAX_PER_PAGE: u32 = 100;

/// The columns every `SummaryView` is read from; append WHERE/ORDER BY.
macro_rules! view_select {
    () => {
        concat!("SELECT ", view_columns!(), view_from!())
    };
}

/// [`view_select!`] plus each summary's live comments, for pages that show the count:
/// one round trip instead of a second query (`comments_visible` answers it from the index).
macro_rules! counted_view_select {
    () => {
        concat!(
            "SELECT ",
            view_columns!(),
            ", (SELECT COUNT(*) FROM comments c
                WHERE c.summary_id = s.id AND c.deleted_at IS NULL AND c.hidden_at IS NULL)
               AS comment_count",
            view_from!()
        )
    };
}

macro_rules! view_columns {
    () => {
        "s.id, s.paper_id, p.title AS paper_title, p.year AS paper_year,
         p.venue AS paper_venue, s.author_id, u.username, u.display_name,
         s.html, s.excerpt, s.private, s.anonymous, s.created_at, s.edited_at,
         s.up, s.down, s.score, s.licence, s.hidden_at"
    };
}

macro_rules! view_from {
    () => {
        " FROM summaries s
         JOIN papers p ON p.id = s.paper_id
         JOIN users u ON u.id = s.author_id "
    };
}

/// A user's public summaries, newest first. `+s.private`: without statistics SQLite
/// picked an index on `private` and read every public summary's row, HTML and all (20 ms
/// for a 30-summary user page at 2,000 summaries); this keeps it on `summaries_author`.
pub(crate) const USER_PUBLIC_SUMMARIES: &str = concat!(
    view_select!(),
    "WHERE s.author_id = $1 AND +s.private = 0 AND s.anonymous = 0 AND s.hidden_at IS NULL
     ORDER BY s.edited_at DESC, s.id DESC"
);

/// The `SummaryView` columns for other modules' lists; append WHERE/ORDER BY.
pub(crate) const VIEW_SELECT: &str = view_select!();

pub(crate) fn view_from_row(row: &impl Columns, viewer: Option<UserId>) -> Result<SummaryView> {
    let author_id = UserId(row.col("author_id")?);
    let is_own = viewer == Some(author_id);
    let anonymous = get_flag(row, "anonymous")?;
    let author = if anonymous && !is_own {
        None
    } else {
        Some(Byline {
            username: row.col("username")?,
            display_name: row.col("display_name")?,
        })
    };
    Ok(SummaryView {
        id: SummaryId(row.col("id")?),
        paper_id: PaperId(row.col("paper_id")?),
        paper_title: row.col("paper_title")?,
        paper_year: row.col("paper_year")?,
        paper_venue: row.col("paper_venue")?,
        author,
        is_own,
        html: row.col("html")?,
        excerpt: row.col("excerpt")?,
        private: get_flag(row, "private")?,
        anonymous,
        created_at: row.col("created_at")?,
        edited_at: row.col("edited_at")?,
        up: row.col("up")?,
        down: row.col("down")?,
        score: row.col("score")?,
        licence: crate::Licence::from_db(&row.col::<String>("licence")?),
        hidden: row.col::<Option<i64>>("hidden_at")?.is_some(),
        comments: None,
    })
}

/// A row of [`counted_view_select!`].
pub(crate) fn counted_view_from_row(
    row: &impl Columns,
    viewer: Option<UserId>,
) -> Result<SummaryView> {
    let mut view = view_from_row(row, viewer)?;
    view.comments = Some(row.col("comment_count")?);
    Ok(view)
}

/// A paper's visible summaries (`$1` the paper, `$2` the viewer or NULL): public ones,
/// plus the viewer's own private one. Best: score, then up-votes; New: newest first;
/// Top: net votes (up − down).
pub(crate) fn paper_summaries_sql(sort: SummarySort) -> &'static str {
    match sort {
        SummarySort::Best => concat!(
            counted_view_select!(),
            "WHERE s.paper_id = $1 AND ((s.private = 0 AND s.hidden_at IS NULL) OR s.author_id = $2)
             ORDER BY s.score DESC, s.up DESC, s.edited_at DESC, s.id"
        ),
        SummarySort::New => concat!(
            counted_view_select!(),
            "WHERE s.paper_id = $1 AND ((s.private = 0 AND s.hidden_at IS NULL) OR s.author_id = $2)
             ORDER BY s.created_at DESC, s.id DESC"
        ),
        SummarySort::Top => concat!(
            counted_view_select!(),
            "WHERE s.paper_id = $1 AND ((s.private = 0 AND s.hidden_at IS NULL) OR s.author_id = $2)
             ORDER BY s.up - s.down DESC, s.up DESC, s.created_at DESC, s.id"
        ),
    }
}

fn views(rows: &[AnyRow], viewer: Option<UserId>) -> Result<Vec<SummaryView>> {
    rows.iter().map(|r| view_from_row(r, viewer)).collect()
}

fn refs_json(refs: &[String]) -> Result<String> {
    serde_json::to_string(refs).map_err(|e| StoreError::Invalid(format!("paper refs: {e}")))
}

/// What `write_summary` stores, shared by saves and imports.
struct Content<'a> {
    markdown: &'a str,
    html: &'a str,
    excerpt: &'a str,
    refs_json: String,
    renderer_version: i64,
    private: bool,
    anonymous: bool,
    created_at: Option<i64>,
    edited_at: Option<i64>,
}

/// Inserts or edits the author's summary of the paper.
/// Created: new. Unchanged: markdown, flags and rendered output all equal the stored
/// ones. Updated: anything differs; `edited_at` moves (to the given time or now) only
/// when the markdown or a flag changed, so re-rendering alone does not bump it.
async fn write_summary(
    conn: &mut AnyConnection,
    paper: PaperId,
    author: UserId,
    c: &Content<'_>,
) -> Result<(SummaryId, Saved)> {
    if c.markdown.trim().is_empty() {
        return Err(StoreError::Invalid("a summary cannot be empty".into()));
    }
    // Twice at most: if a concurrent save inserts first, the second round edits its row.
    for _ in 0..2 {
        let existing = sqlx::query(
            "SELECT id, markdown, html, excerpt, paper_refs, renderer_version, private, anonymous,
                    edited_at
             FROM summaries WHERE paper_id = $1 AND author_id = $2",
        )
        .bind(paper.0)
        .bind(author.0)
        .fetch_optional(&mut *conn)
        .await?;

        let Some(row) = existing else {
            let created = c.created_at.unwrap_or_else(now);
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO summaries (paper_id, author_id, markdown, html, excerpt, paper_refs,
                     renderer_version, private, anonymous, created_at, edited_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (paper_id, author_id) DO NOTHING
                 RETURNING id",
            )
            .bind(paper.0)
            .bind(author.0)
            .bind(c.markdown)
            .bind(c.html)
            .bind(c.excerpt)
            .bind(&c.refs_json)
            .bind(c.renderer_version)
            .bind(flag(c.private))
            .bind(flag(c.anonymous))
            .bind(created)
            .bind(c.edited_at.unwrap_or(created))
            .fetch_optional(&mut *conn)
            .await?;
            match id {
                Some(id) => return Ok((SummaryId(id), Saved::Created)),
                None => continue,
            }
        };

        let id = SummaryId(row.try_get("id")?);
        let content_same = row.try_get::<String, _>("markdown")? == c.markdown
            && get_flag(&row, "private")? == c.private
            && get_flag(&row, "anonymous")? == c.anonymous;
        let rendered_same = row.try_get::<String, _>("html")? == c.html
            && row.try_get::<String, _>("excerpt")? == c.excerpt
            && row.try_get::<String, _>("paper_refs")? == c.refs_json
            && row.try_get::<i64, _>("renderer_version")? == c.renderer_version;
        if content_same && rendered_same {
            return Ok((id, Saved::Unchanged));
        }
        let stored_edit: i64 = row.try_get("edited_at")?;
        let edited_at = match (c.edited_at, content_same) {
            (Some(t), _) => t,
            (None, true) => stored_edit,
            (None, false) => now(),
        };
        sqlx::query(
            "UPDATE summaries SET markdown = $1, html = $2, excerpt = $3, paper_refs = $4,
                 renderer_version = $5, private = $6, anonymous = $7, edited_at = $8
             WHERE id = $9",
        )
        .bind(c.markdown)
        .bind(c.html)
        .bind(c.excerpt)
        .bind(&c.refs_json)
        .bind(c.renderer_version)
        .bind(flag(c.private))
        .bind(flag(c.anonymous))
        .bind(edited_at)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
        return Ok((id, Saved::Updated));
    }
    Err(StoreError::Invalid(
        "the summary changed while saving; try again".into(),
    ))
}

async fn exists(conn: &mut AnyConnection, sql: &'static str, id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

impl Store {
    /// Paper, author account (created without password if missing) and summary, in ONE
    /// transaction: either all of it is stored or nothing is. Used by `import`.
    /// Saved as in [`Store::save_summary`]; the import's `edited_at`, when given, is kept.
    pub async fn import_summary(&self, s: &SummaryImport) -> Result<(PaperId, SummaryId, Saved)> {
        let mut tx = self.begin_write().await?;
        let paper = upsert_paper_in(&mut tx, &s.paper).await?;
        let author = ensure_user_in(&mut tx, &s.author_username).await?;
        let content = Content {
            markdown: &s.markdown,
            html: &s.html,
            excerpt: &s.excerpt,
            refs_json: refs_json(&s.paper_refs)?,
            renderer_version: s.renderer_version,
            private: s.private,
            anonymous: s.anonymous,
            created_at: s.created_at,
            edited_at: s.edited_at,
        };
        let (id, saved) = write_summary(&mut tx, paper, author, &content).await?;
        let at = match (saved, s.edited_at, s.created_at) {
            (_, Some(t), _) | (Saved::Created, None, Some(t)) => t,
            _ => now(),
        };
        record_revision_in(&mut tx, id, author, &s.markdown, s.private, s.anonymous, at).await?;
        tx.commit().await?;
        Ok((paper, id, saved))
    }

    /// One transaction. Created for a new summary; Unchanged when markdown, flags and
    /// rendered output equal the stored ones; otherwise Updated. A change of markdown or
    /// flags bumps `edited_at` to now (so the summary rises in Recent); a change of the
    /// rendered output alone does not.
    pub async fn save_summary(&self, s: &SummaryWrite) -> Result<(SummaryId, Saved)> {
        let mut tx = self.begin_write().await?;
        if !exists(
            &mut tx,
            "SELECT COUNT(*) FROM papers WHERE id = $1",
            s.paper.0,
        )
        .await?
        {
            return Err(StoreError::NotFound);
        }
        if !exists(
            &mut tx,
            "SELECT COUNT(*) FROM users WHERE id = $1",
            s.author.0,
        )
        .await?
        {
            return Err(StoreError::NotFound);
        }
        let content = Content {
            markdown: &s.markdown,
            html: &s.html,
            excerpt: &s.excerpt,
            refs_json: refs_json(&s.paper_refs)?,
            renderer_version: s.renderer_version,
            private: s.private,
            anonymous: s.anonymous,
            created_at: s.created_at,
            edited_at: None,
        };
        let saved = write_summary(&mut tx, s.paper, s.author, &content).await?;
        let (id, how) = saved;
        let at = match (how, s.created_at) {
            (Saved::Created, Some(t)) => t,
            _ => now(),
        };
        record_revision_in(
            &mut tx,
            id,
            s.author,
            &s.markdown,
            s.private,
            s.anonymous,
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// A summary as `viewer` may see it: None when it does not exist or is someone
    /// else's private summary.
    pub async fn summary(
        &self,
        id: SummaryId,
        viewer: Option<UserId>,
    ) -> Result<Option<SummaryView>> {
        let row = sqlx::query(concat!(
            counted_view_select!(),
            "WHERE s.id = $1 AND ((s.private = 0 AND s.hidden_at IS NULL) OR s.author_id = $2)"
        ))
        .bind(id.0)
        .bind(viewer.map(|v| v.0))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(|r| counted_view_from_row(r, viewer))
            .transpose()
    }

    /// Visible summaries of a paper: public ones, plus the viewer's own private one.
    /// Best: score, then up-votes; New: newest first; Top: net votes (up − down).
    pub async fn paper_summaries(
        &self,
        paper: PaperId,
        viewer: Option<UserId>,
        sort: SummarySort,
    ) -> Result<Vec<SummaryView>> {
        let viewer_id = viewer.map(|v| v.0);
        if let Some(found) = self
            .direct
            .as_ref()
            .and_then(|d| d.paper_summaries(paper, viewer, sort))
        {
            return Ok(found);
        }
        let rows = sqlx::query(paper_summaries_sql(sort))
            .bind(paper.0)
            .bind(viewer_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| counted_view_from_row(r, viewer))
            .collect()
    }

    /// Public summaries only (anonymous ones without byline); `page` starts at 1 (0 is
    /// read as 1) and `per_page` is kept within 1..=[`MAX_PER_PAGE`].
    /// Recent: last edit first. Top: `score`, then up-votes, then last edit.
    /// Popular: [`crate::ranking::popular`] over the [`POPULAR_CANDIDATES`] most
    /// recently edited public summaries, computed here in Rust.
    pub async fn home(
        &self,
        list: HomeList,
        page: u32,
        per_page: u32,
    ) -> Result<Page<SummaryView>> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let offset = i64::from(page - 1) * i64::from(per_page);
        let sql = match list {
            HomeList::Popular => return self.home_popular(page, per_page, offset).await,
            HomeList::Recent => concat!(
                view_select!(),
                "WHERE s.private = 0 AND s.hidden_at IS NULL ORDER BY s.edited_at DESC, s.id DESC LIMIT $1 OFFSET $2"
            ),
            HomeList::Top => concat!(
                view_select!(),
                "WHERE s.private = 0 AND s.hidden_at IS NULL ORDER BY s.score DESC, s.up DESC, s.edited_at DESC, s.id DESC
                 LIMIT $1 OFFSET $2"
            ),
        };
        // One extra row tells whether another page follows.
        let rows = sqlx::query(sql)
            .bind(i64::from(per_page) + 1)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let mut items = views(&rows, None)?;
        let has_next = items.len() > per_page as usize;
        items.truncate(per_page as usize);
        Ok(Page {
            items,
            page,
            has_next,
        })
    }

    async fn home_popular(
        &self,
        page: u32,
        per_page: u32,
        offset: i64,
    ) -> Result<Page<SummaryView>> {
        let rows = sqlx::query(
            "SELECT id, up, down, edited_at FROM summaries WHERE private = 0 AND hidden_at IS NULL
             ORDER BY edited_at DESC, id DESC LIMIT $1",
        )
        .bind(i64::from(POPULAR_CANDIDATES))
        .fetch_all(&self.pool)
        .await?;
        let now = now();
        let mut ranked = Vec::with_capacity(rows.len());
        for row in &rows {
            let score = popular(
                row.try_get("up")?,
                row.try_get("down")?,
                row.try_get("edited_at")?,
                now,
            );
            ranked.push((score, row.try_get::<i64, _>("id")?));
        }
        // Rows arrive newest first; a stable sort keeps that order among equal scores.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let start = usize::try_from(offset).map_or(ranked.len(), |o| o.min(ranked.len()));
        let end = (start + per_page as usize).min(ranked.len());
        let ids: Vec<i64> = ranked[start..end].iter().map(|(_, id)| *id).collect();
        let has_next = end < ranked.len();
        if ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                page,
                has_next,
            });
        }
        let placeholders = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "{}WHERE s.private = 0 AND s.hidden_at IS NULL AND s.id IN ({placeholders})",
            view_select!()
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            query = query.bind(*id);
        }
        let mut items = views(&query.fetch_all(&self.pool).await?, None)?;
        items.sort_by_key(|v| ids.iter().position(|id| *id == v.id.0));
        Ok(Page {
            items,
            page,
            has_next,
        })
    }

    /// A user's summaries as `viewer` may see them, last edit first: all of them for
    /// the user themself; for anyone else neither private nor anonymous ones.
    pub async fn user_summaries(
        &self,
        user: UserId,
        viewer: Option<UserId>,
    ) -> Result<Vec<SummaryView>> {
        let sql = if viewer == Some(user) {
            concat!(
                view_select!(),
                "WHERE s.author_id = $1 ORDER BY s.edited_at DESC, s.id DESC"
            )
        } else {
            USER_PUBLIC_SUMMARIES
        };
        let rows = sqlx::query(sql).bind(user.0).fetch_all(&self.pool).await?;
        views(&rows, viewer)
    }

    /// Which summary a user wrote on a paper (for `&a=USERNAME` permalinks); None if anonymous or private.
    pub async fn public_summary_by(
        &self,
        paper: PaperId,
        username: &str,
    ) -> Result<Option<SummaryId>> {
        let key = username.trim().to_ascii_lowercase();
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT s.id FROM summaries s JOIN users u ON u.id = s.author_id
             WHERE s.paper_id = $1 AND u.username_key = $2 AND s.private = 0 AND s.anonymous = 0 AND s.hidden_at IS NULL",
        )
        .bind(paper.0)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(SummaryId))
    }

    /// Everything, for `shortscience export`, ordered by id.
    pub async fn all_summaries(&self) -> Result<Vec<SummaryRecord>> {
        let mut conn = self.pool.acquire().await?;
        let papers = all_papers_in(&mut conn).await?;
        let rows = sqlx::query(
            "SELECT s.id, s.paper_id, u.username, s.markdown, s.private, s.anonymous,
                    s.created_at, s.edited_at
             FROM summaries s JOIN users u ON u.id = s.author_id
             ORDER BY s.id",
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|row| {
                let paper_id = PaperId(row.try_get("paper_id")?);
                let paper = papers.get(&paper_id).cloned().ok_or(StoreError::NotFound)?;
                Ok(SummaryRecord {
                    id: SummaryId(row.try_get("id")?),
                    paper,
                    author_username: row.try_get("username")?,
                    markdown: row.try_get("markdown")?,
                    private: get_flag(row, "private")?,
                    anonymous: get_flag(row, "anonymous")?,
                    created_at: row.try_get("created_at")?,
                    edited_at: row.try_get("edited_at")?,
                })
            })
            .collect()
    }

    /// Summaries rendered by an older renderer, or that reference other papers
    /// (whose titles a re-render refreshes): (id, markdown), by id.
    pub async fn summaries_to_rerender(
        &self,
        current_version: i64,
    ) -> Result<Vec<(SummaryId, String)>> {
        let rows = sqlx::query(
            "SELECT id, markdown FROM summaries
             WHERE renderer_version < $1 OR paper_refs <> '[]'
             ORDER BY id",
        )
        .bind(current_version)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((SummaryId(r.try_get("id")?), r.try_get("markdown")?)))
            .collect()
    }

    /// Stores a new rendering; `edited_at` stays, since the author changed nothing.
    pub async fn update_rendered(
        &self,
        id: SummaryId,
        html: &str,
        excerpt: &str,
        refs: &[String],
        version: i64,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE summaries SET html = $1, excerpt = $2, paper_refs = $3, renderer_version = $4
             WHERE id = $5",
        )
        .bind(html)
        .bind(excerpt)
        .bind(refs_json(refs)?)
        .bind(version)
        .bind(id.0)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

/// A summary whatever its privacy, for callers that checked access already (share links).
pub(crate) async fn summary_view_in(
    conn: &mut AnyConnection,
    id: SummaryId,
    viewer: Option<UserId>,
) -> Result<Option<SummaryView>> {
    let row = sqlx::query(concat!(view_select!(), "WHERE s.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(|r| view_from_row(r, viewer)).transpose()
}
