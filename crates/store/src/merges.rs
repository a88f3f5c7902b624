//! Merging two papers that turned out to be one, and undoing it.
//!
//! A merge moves every alias and summary of `from` to `into` (votes, comments, revisions
//! and share links follow their summary's id), fills `into`'s empty metadata fields from
//! `from`, and deletes `from`'s row, so `from` leaves every list, search index, the
//! sitemap and the API with no query knowing about merges. The merge row keeps `from`'s
//! whole row, `into`'s fields before the merge and which aliases and summaries moved, so
//! `undo_merge` puts everything back. Both are logged in the moderation log.
//!
//! No chains: a paper that others were merged into cannot itself be merged away, and
//! nothing can be merged into a paper that is merged away. So every merged-away id
//! points at a live paper, and each merge can be undone on its own.

use shortscience_ids::{PaperId, PaperRef, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::{get_flag, now};
use crate::moderation::{ModAction, check_reason, log_in};
use crate::{Backend, Store, StoreError};

/// Why a merge or an undo was refused. Nothing was written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("a paper cannot be merged into itself")]
    SamePaper,
    #[error("there is no paper {0}")]
    NoSuchPaper(PaperId),
    #[error("paper {paper} was already merged into paper {into}")]
    MergedAway { paper: PaperId, into: PaperId },
    #[error(
        "other papers were merged into paper {0}; merge them into the target directly, or undo those merges first"
    )]
    Chain(PaperId),
    #[error("user {0} has a summary of both papers; one of them must go first")]
    BothSummarised(UserId),
    #[error("there is no merge {0}")]
    NoSuchMerge(i64),
    #[error("merge {0} was already undone")]
    AlreadyUndone(i64),
    #[error("merge {0} cannot be undone exactly: {1}")]
    Conflict(i64, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for MergeError {
    fn from(e: sqlx::Error) -> Self {
        MergeError::Store(StoreError::Db(e))
    }
}

/// A merge, for the moderators' list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperMerge {
    pub id: i64,
    pub from: PaperId,
    pub into: PaperId,
    /// `from`'s title when it was merged.
    pub from_title: String,
    /// `into`'s title now (None if that paper is gone since).
    pub into_title: Option<String>,
    /// The moderator; None when their account is gone.
    pub actor: Option<String>,
    pub reason: String,
    pub created_at: i64,
    pub undone_at: Option<i64>,
    pub undone_by: Option<String>,
    /// The aliases that moved, sorted.
    pub aliases: Vec<PaperRef>,
    /// How many summaries moved.
    pub summaries: i64,
    /// Came from a dump: it redirects, but cannot be undone.
    pub restored: bool,
}

/// The metadata columns of a paper row, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fields {
    title: String,
    authors: String,
    year: Option<i32>,
    venue: Option<String>,
    abstract_text: Option<String>,
    created_at: i64,
    updated_at: i64,
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn no_authors(authors: &str) -> bool {
    matches!(authors.trim(), "" | "[]")
}

impl Fields {
    /// `self` with its empty fields taken from `other`; None when nothing would change.
    fn filled_from(&self, other: &Fields) -> Option<Fields> {
        let mut out = self.clone();
        if self.title.trim().is_empty() && !other.title.trim().is_empty() {
            out.title = other.title.clone();
        }
        if no_authors(&self.authors) && !no_authors(&other.authors) {
            out.authors = other.authors.clone();
        }
        if self.year.is_none() {
            out.year = other.year;
        }
        if blank(&self.venue) && !blank(&other.venue) {
            out.venue = other.venue.clone();
        }
        if blank(&self.abstract_text) && !blank(&other.abstract_text) {
            out.abstract_text = other.abstract_text.clone();
        }
        (out != *self).then_some(out)
    }
}

async fn fields_in(conn: &mut AnyConnection, id: PaperId) -> Result<Option<Fields>, MergeError> {
    let row = sqlx::query(
        "SELECT title, authors, year, venue, abstract, created_at, updated_at
         FROM papers WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(Fields {
            title: r.try_get("title")?,
            authors: r.try_get("authors")?,
            year: r.try_get("year")?,
            venue: r.try_get("venue")?,
            abstract_text: r.try_get("abstract")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
}

async fn write_fields_in(
    conn: &mut AnyConnection,
    id: PaperId,
    f: &Fields,
) -> Result<(), MergeError> {
    sqlx::query(
        "UPDATE papers SET title = $1, authors = $2, year = $3, venue = $4, abstract = $5,
            updated_at = $6 WHERE id = $7",
    )
    .bind(&f.title)
    .bind(&f.authors)
    .bind(f.year)
    .bind(f.venue.as_deref())
    .bind(f.abstract_text.as_deref())
    .bind(f.updated_at)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The paper `id` was merged into, while that merge stands.
async fn merged_into_in(
    conn: &mut AnyConnection,
    id: PaperId,
) -> Result<Option<PaperId>, MergeError> {
    let into: Option<i64> = sqlx::query_scalar(
        "SELECT into_id FROM paper_merges WHERE from_id = $1 AND undone_at IS NULL",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(into.map(PaperId))
}

/// PostgreSQL: merges and undos run one at a time, so two concurrent ones cannot build a
/// chain between their checks. (SQLite's BEGIN IMMEDIATE already serialises writers.)
async fn serialise(conn: &mut AnyConnection, backend: Backend) -> Result<(), MergeError> {
    if backend == Backend::Postgres {
        // Any constant works; this one spells "mrg".
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(0x006d_7267_i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

const MERGE_SELECT: &str = "SELECT m.id, m.from_id, m.into_id, m.from_title, p.title AS into_title,
        a.username AS actor, m.reason, m.created_at, m.undone_at, b.username AS undone_by, m.restored,
        (SELECT COUNT(*) FROM paper_merge_summaries s WHERE s.merge_id = m.id) AS summaries
     FROM paper_merges m
     LEFT JOIN papers p ON p.id = m.into_id
     LEFT JOIN users a ON a.id = m.actor_id
     LEFT JOIN users b ON b.id = m.undone_by";

impl Store {
    /// Merges paper `from` into paper `into` in one transaction (see the module docs) and
    /// returns the merge's id. Refused, with nothing written, for a paper into itself, a
    /// missing or merged-away paper on either side, a `from` that others were merged into
    /// (chains), or an author with a summary of both papers (one summary per paper each).
    pub async fn merge_papers(
        &self,
        actor: UserId,
        from: PaperId,
        into: PaperId,
        reason: &str,
    ) -> Result<i64, MergeError> {
        let reason = check_reason(reason)?;
        if from == into {
            return Err(MergeError::SamePaper);
        }
        let mut tx = self.begin_write().await?;
        serialise(&mut tx, self.backend).await?;
        for paper in [from, into] {
            if let Some(target) = merged_into_in(&mut tx, paper).await? {
                return Err(MergeError::MergedAway {
                    paper,
                    into: target,
                });
            }
        }
        let from_fields = fields_in(&mut tx, from)
            .await?
            .ok_or(MergeError::NoSuchPaper(from))?;
        let into_fields = fields_in(&mut tx, into)
            .await?
            .ok_or(MergeError::NoSuchPaper(into))?;
        let incoming: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM paper_merges WHERE into_id = $1 AND undone_at IS NULL",
        )
        .bind(from.0)
        .fetch_one(&mut *tx)
        .await?;
        if incoming > 0 {
            return Err(MergeError::Chain(from));
        }
        let both: Option<i64> = sqlx::query_scalar(
            "SELECT f.author_id FROM summaries f JOIN summaries t ON t.author_id = f.author_id
             WHERE f.paper_id = $1 AND t.paper_id = $2 ORDER BY f.author_id LIMIT 1",
        )
        .bind(from.0)
        .bind(into.0)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(author) = both {
            return Err(MergeError::BothSummarised(UserId(author)));
        }

        let time = now();
        let filled = into_fields.filled_from(&from_fields).map(|f| Fields {
            updated_at: time,
            ..f
        });
        let filled_at = filled
            .as_ref()
            .map_or(into_fields.updated_at, |f| f.updated_at);
        let merge: i64 = sqlx::query_scalar(
            "INSERT INTO paper_merges (from_id, into_id, actor_id, reason, created_at,
                from_title, from_authors, from_year, from_venue, from_abstract,
                from_created_at, from_updated_at,
                into_title, into_authors, into_year, into_venue, into_abstract,
                into_updated_at, filled_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, $19)
             RETURNING id",
        )
        .bind(from.0)
        .bind(into.0)
        .bind(actor.0)
        .bind(reason)
        .bind(time)
        .bind(&from_fields.title)
        .bind(&from_fields.authors)
        .bind(from_fields.year)
        .bind(from_fields.venue.as_deref())
        .bind(from_fields.abstract_text.as_deref())
        .bind(from_fields.created_at)
        .bind(from_fields.updated_at)
        .bind(&into_fields.title)
        .bind(&into_fields.authors)
        .bind(into_fields.year)
        .bind(into_fields.venue.as_deref())
        .bind(into_fields.abstract_text.as_deref())
        .bind(into_fields.updated_at)
        .bind(filled_at)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO paper_merge_aliases (merge_id, kind, value)
             SELECT $1, kind, value FROM paper_aliases WHERE paper_id = $2",
        )
        .bind(merge)
        .bind(from.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO paper_merge_summaries (merge_id, summary_id)
             SELECT $1, id FROM summaries WHERE paper_id = $2",
        )
        .bind(merge)
        .bind(from.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE paper_aliases SET paper_id = $1 WHERE paper_id = $2")
            .bind(into.0)
            .bind(from.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE summaries SET paper_id = $1 WHERE paper_id = $2")
            .bind(into.0)
            .bind(from.0)
            .execute(&mut *tx)
            .await?;
        if let Some(f) = &filled {
            write_fields_in(&mut tx, into, f).await?;
        }
        sqlx::query("DELETE FROM papers WHERE id = $1")
            .bind(from.0)
            .execute(&mut *tx)
            .await?;
        log_in(&mut tx, actor, ModAction::Merge, "paper", from.0, reason).await?;
        tx.commit().await?;
        Ok(merge)
    }

    /// Undoes a merge exactly: `from` comes back with its own row, id, aliases and the
    /// summaries that moved (those deleted since stay deleted), and each field of `into`
    /// the merge filled goes back to what it was, unless it was edited since. Logged.
    pub async fn undo_merge(
        &self,
        actor: UserId,
        merge: i64,
        reason: &str,
    ) -> Result<(), MergeError> {
        let reason = check_reason(reason)?;
        let mut tx = self.begin_write().await?;
        serialise(&mut tx, self.backend).await?;
        let row = sqlx::query("SELECT * FROM paper_merges WHERE id = $1")
            .bind(merge)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(MergeError::NoSuchMerge(merge))?;
        if row.try_get::<Option<i64>, _>("undone_at")?.is_some() {
            return Err(MergeError::AlreadyUndone(merge));
        }
        if get_flag(&row, "restored")? {
            return Err(MergeError::Conflict(
                merge,
                "it was restored from a dump, which does not keep what the merge moved".into(),
            ));
        }
        let from = PaperId(row.try_get("from_id")?);
        let into = PaperId(row.try_get("into_id")?);
        let (was_from, was_into) = stored_fields(&row)?;
        let filled_at: i64 = row.try_get("filled_at")?;

        let time = now();
        sqlx::query("UPDATE paper_merges SET undone_at = $1, undone_by = $2 WHERE id = $3")
            .bind(time)
            .bind(actor.0)
            .bind(merge)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO papers (id, title, authors, year, venue, abstract, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(from.0)
        .bind(&was_from.title)
        .bind(&was_from.authors)
        .bind(was_from.year)
        .bind(was_from.venue.as_deref())
        .bind(was_from.abstract_text.as_deref())
        .bind(was_from.created_at)
        .bind(was_from.updated_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| MergeError::Conflict(merge, format!("paper {from} exists again: {e}")))?;

        let aliases = sqlx::query(
            "SELECT kind, value FROM paper_merge_aliases WHERE merge_id = $1 ORDER BY kind, value",
        )
        .bind(merge)
        .fetch_all(&mut *tx)
        .await?;
        for a in &aliases {
            let (kind, value): (String, String) = (a.try_get("kind")?, a.try_get("value")?);
            let moved = sqlx::query(
                "UPDATE paper_aliases SET paper_id = $1
                 WHERE kind = $2 AND value = $3 AND paper_id = $4",
            )
            .bind(from.0)
            .bind(&kind)
            .bind(&value)
            .bind(into.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved != 1 {
                // Dropping the transaction rolls back everything above.
                return Err(MergeError::Conflict(
                    merge,
                    format!("{kind}:{value} no longer belongs to paper {into}"),
                ));
            }
        }
        sqlx::query(
            "UPDATE summaries SET paper_id = $1 WHERE paper_id = $2
             AND id IN (SELECT summary_id FROM paper_merge_summaries WHERE merge_id = $3)",
        )
        .bind(from.0)
        .bind(into.0)
        .bind(merge)
        .execute(&mut *tx)
        .await?;

        // Put back only what the merge filled and nobody changed since.
        if let Some(now_into) = fields_in(&mut tx, into).await?
            && let Some(filled) = was_into.filled_from(&was_from)
        {
            let mut back = now_into.clone();
            if now_into.title == filled.title && filled.title != was_into.title {
                back.title = was_into.title.clone();
            }
            if now_into.authors == filled.authors && filled.authors != was_into.authors {
                back.authors = was_into.authors.clone();
            }
            if now_into.year == filled.year && filled.year != was_into.year {
                back.year = was_into.year;
            }
            if now_into.venue == filled.venue && filled.venue != was_into.venue {
                back.venue = was_into.venue.clone();
            }
            if now_into.abstract_text == filled.abstract_text
                && filled.abstract_text != was_into.abstract_text
            {
                back.abstract_text = was_into.abstract_text.clone();
            }
            if now_into.updated_at == filled_at {
                back.updated_at = was_into.updated_at;
            }
            if back != now_into {
                write_fields_in(&mut tx, into, &back).await?;
            }
        }
        log_in(
            &mut tx,
            actor,
            ModAction::UndoMerge,
            "paper",
            from.0,
            reason,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The paper `id` was merged into, while that merge stands (for redirects).
    pub async fn merged_into(&self, id: PaperId) -> Result<Option<PaperId>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        merged_into_in(&mut conn, id).await.map_err(|e| match e {
            MergeError::Store(e) => e,
            other => StoreError::Invalid(other.to_string()),
        })
    }

    /// Recent merges, newest first, undone ones included.
    pub async fn paper_merges(&self, limit: u32) -> Result<Vec<PaperMerge>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MERGE_SELECT} ORDER BY m.id DESC LIMIT $1"
        )))
        .bind(i64::from(limit.clamp(1, 500)))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.merge_from_row(row).await?);
        }
        Ok(out)
    }

    /// One merge.
    pub async fn paper_merge(&self, merge: i64) -> Result<Option<PaperMerge>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MERGE_SELECT} WHERE m.id = $1"
        )))
        .bind(merge)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(self.merge_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    async fn merge_from_row(&self, row: &AnyRow) -> Result<PaperMerge, StoreError> {
        let id: i64 = row.try_get("id")?;
        let mut aliases = Vec::new();
        for a in sqlx::query(
            "SELECT kind, value FROM paper_merge_aliases WHERE merge_id = $1 ORDER BY kind, value",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            let (kind, value): (String, String) = (a.try_get("kind")?, a.try_get("value")?);
            aliases.push(PaperRef::from_db(&kind, &value).map_err(|e| {
                StoreError::Invalid(format!("stored identifier {kind}:{value}: {e}"))
            })?);
        }
        Ok(PaperMerge {
            id,
            from: PaperId(row.try_get("from_id")?),
            into: PaperId(row.try_get("into_id")?),
            from_title: row.try_get("from_title")?,
            into_title: row.try_get("into_title")?,
            actor: row.try_get("actor")?,
            reason: row.try_get("reason")?,
            created_at: row.try_get("created_at")?,
            undone_at: row.try_get("undone_at")?,
            undone_by: row.try_get("undone_by")?,
            aliases,
            summaries: row.try_get("summaries")?,
            restored: get_flag(row, "restored")?,
        })
    }
}

/// (`from`'s row, `into`'s fields before the merge) as a merge row keeps them.
fn stored_fields(row: &AnyRow) -> Result<(Fields, Fields), MergeError> {
    let from = Fields {
        title: row.try_get("from_title")?,
        authors: row.try_get("from_authors")?,
        year: row.try_get("from_year")?,
        venue: row.try_get("from_venue")?,
        abstract_text: row.try_get("from_abstract")?,
        created_at: row.try_get("from_created_at")?,
        updated_at: row.try_get("from_updated_at")?,
    };
    let into = Fields {
        title: row.try_get("into_title")?,
        authors: row.try_get("into_authors")?,
        year: row.try_get("into_year")?,
        venue: row.try_get("into_venue")?,
        abstract_text: row.try_get("into_abstract")?,
        // Not kept (into's row was not created by the merge); unused by the undo.
        created_at: 0,
        updated_at: row.try_get("into_updated_at")?,
    };
    Ok((from, into))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(title: &str, authors: &str, year: Option<i32>, venue: Option<&str>) -> Fields {
        Fields {
            title: title.into(),
            authors: authors.into(),
            year,
            venue: venue.map(Into::into),
            abstract_text: None,
            created_at: 1,
            updated_at: 2,
        }
    }

    #[test]
    fn fills_only_empty_fields() {
        let into = fields("Into", "[]", None, Some("  "));
        let from = fields("From", "[\"Ada\"]", Some(2017), Some("NeurIPS"));
        let filled = into.filled_from(&from).unwrap();
        assert_eq!(filled.title, "Into");
        assert_eq!(filled.authors, "[\"Ada\"]");
        assert_eq!(filled.year, Some(2017));
        assert_eq!(filled.venue.as_deref(), Some("NeurIPS"));
        assert_eq!(filled.abstract_text, None);
        // Nothing empty, or nothing to fill with: no change.
        assert_eq!(from.filled_from(&into), None);
        assert_eq!(into.filled_from(&fields("", "[]", None, None)), None);
    }
}
