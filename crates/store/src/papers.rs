//! Papers and their identifiers. A paper is found by any of its aliases; an alias
//! belongs to exactly one paper (PRIMARY KEY (kind, value)).

use std::collections::HashMap;

use shortscience_ids::{PaperId, PaperRef};
use sqlx::AnyConnection;
use sqlx::Row;

use crate::db::now;
use crate::row::Columns;
use crate::{NewPaper, Paper, Result, Store, StoreError};

/// An alias row (`kind`, `value`); the database holds canonical values only.
pub(crate) fn alias_from_row(row: &impl Columns) -> Result<PaperRef> {
    let kind: String = row.col("kind")?;
    let value: String = row.col("value")?;
    PaperRef::from_db(&kind, &value).map_err(|e| {
        StoreError::Invalid(format!(
            "stored paper identifier {kind}:{value} is not valid: {e}"
        ))
    })
}

/// The refs and every id they imply, without repeats, in a stable order.
pub(crate) fn with_implied(refs: &[PaperRef]) -> Vec<PaperRef> {
    let mut all: Vec<PaperRef> = Vec::new();
    for r in refs {
        for candidate in std::iter::once(r.clone()).chain(r.implied()) {
            if !all.contains(&candidate) {
                all.push(candidate);
            }
        }
    }
    all
}

fn sort_aliases(aliases: &mut [PaperRef]) {
    aliases.sort_by(|a, b| (a.kind(), a.value()).cmp(&(b.kind(), b.value())));
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

async fn owner(conn: &mut AnyConnection, r: &PaperRef) -> Result<Option<PaperId>> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT paper_id FROM paper_aliases WHERE kind = $1 AND value = $2")
            .bind(r.kind().as_str())
            .bind(r.value())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(id.map(PaperId))
}

/// The paper a ref names, directly or through an id it implies.
pub(crate) async fn find_paper_in(
    conn: &mut AnyConnection,
    r: &PaperRef,
) -> Result<Option<PaperId>> {
    for candidate in with_implied(std::slice::from_ref(r)) {
        if let Some(id) = owner(conn, &candidate).await? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

pub(crate) async fn upsert_paper_in(conn: &mut AnyConnection, paper: &NewPaper) -> Result<PaperId> {
    if paper.refs.is_empty() {
        return Err(StoreError::Invalid(
            "a paper needs at least one identifier".into(),
        ));
    }
    let aliases = with_implied(&paper.refs);
    let mut found: Option<(PaperId, &PaperRef)> = None;
    for r in &aliases {
        if let Some(id) = owner(conn, r).await? {
            match found {
                Some((other, first)) if other != id => {
                    return Err(StoreError::Invalid(format!(
                        "{} and {} name two different papers ({other} and {id})",
                        first.label(),
                        r.label()
                    )));
                }
                _ => found = Some((id, r)),
            }
        }
    }
    let title = paper.title.trim();
    let authors = (!paper.authors.is_empty())
        .then(|| serde_json::to_string(&paper.authors))
        .transpose()
        .map_err(|e| StoreError::Invalid(format!("authors: {e}")))?;
    let venue = non_empty(&paper.venue);
    let abstract_text = non_empty(&paper.abstract_text);
    let time = now();

    let id = match found {
        Some((id, _)) => {
            // Given fields replace stored ones; empty ones leave them alone. Rows that
            // would not change are left untouched, so re-imports keep `updated_at`.
            sqlx::query(
                "UPDATE papers SET
                    title = CASE WHEN $1 = '' THEN title ELSE $1 END,
                    authors = COALESCE($2, authors),
                    year = COALESCE($3, year),
                    venue = COALESCE($4, venue),
                    abstract = COALESCE($5, abstract),
                    updated_at = $6
                 WHERE id = $7 AND (
                    ($1 <> '' AND title <> $1)
                    OR ($2 IS NOT NULL AND authors <> $2)
                    OR ($3 IS NOT NULL AND (year IS NULL OR year <> $3))
                    OR ($4 IS NOT NULL AND (venue IS NULL OR venue <> $4))
                    OR ($5 IS NOT NULL AND (abstract IS NULL OR abstract <> $5)))",
            )
            .bind(title)
            .bind(authors)
            .bind(paper.year)
            .bind(venue)
            .bind(abstract_text)
            .bind(time)
            .bind(id.0)
            .execute(&mut *conn)
            .await?;
            id
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO papers (title, authors, year, venue, abstract, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)
                 RETURNING id",
            )
            .bind(title)
            .bind(authors.unwrap_or_else(|| "[]".into()))
            .bind(paper.year)
            .bind(venue)
            .bind(abstract_text)
            .bind(time)
            .fetch_one(&mut *conn)
            .await?;
            PaperId(id)
        }
    };

    for r in &aliases {
        let inserted = sqlx::query(
            "INSERT INTO paper_aliases (kind, value, paper_id) VALUES ($1, $2, $3)
             ON CONFLICT (kind, value) DO NOTHING",
        )
        .bind(r.kind().as_str())
        .bind(r.value())
        .bind(id.0)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 0 {
            // Already ours, or claimed by a concurrent writer since we looked.
            if let Some(other) = owner(conn, r).await?.filter(|other| *other != id) {
                return Err(StoreError::Invalid(format!(
                    "{} was just given to paper {other}; try again",
                    r.label()
                )));
            }
        }
    }
    Ok(id)
}

pub(crate) fn paper_from_row(row: &impl Columns, aliases: Vec<PaperRef>) -> Result<Paper> {
    let authors: String = row.col("authors")?;
    let id = PaperId(row.col("id")?);
    let authors = serde_json::from_str(&authors).map_err(|e| {
        StoreError::Invalid(format!(
            "stored authors of paper {id} are not a JSON list: {e}"
        ))
    })?;
    Ok(Paper {
        id,
        title: row.col("title")?,
        authors,
        year: row.col("year")?,
        venue: row.col("venue")?,
        abstract_text: row.col("abstract")?,
        aliases,
    })
}

/// One paper in one round trip: a row per alias, or one with NULL alias columns.
pub(crate) const PAPER_WITH_ALIASES: &str =
    "SELECT p.id, p.title, p.authors, p.year, p.venue, p.abstract, a.kind, a.value
     FROM papers p LEFT JOIN paper_aliases a ON a.paper_id = p.id
     WHERE p.id = $1";

/// The paper the rows of [`PAPER_WITH_ALIASES`] describe; None for no rows.
pub(crate) fn paper_from_alias_rows(rows: &[impl Columns]) -> Result<Option<Paper>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut aliases = Vec::with_capacity(rows.len());
    for row in rows {
        if row.col::<Option<String>>("kind")?.is_some() {
            aliases.push(alias_from_row(row)?);
        }
    }
    sort_aliases(&mut aliases);
    paper_from_row(first, aliases).map(Some)
}

const PAPER_COLUMNS: &str = "id, title, authors, year, venue, abstract";

/// Every paper with its aliases, by id (for exports).
pub(crate) async fn all_papers_in(conn: &mut AnyConnection) -> Result<HashMap<PaperId, Paper>> {
    let mut aliases: HashMap<PaperId, Vec<PaperRef>> = HashMap::new();
    for row in sqlx::query("SELECT paper_id, kind, value FROM paper_aliases")
        .fetch_all(&mut *conn)
        .await?
    {
        aliases
            .entry(PaperId(row.try_get("paper_id")?))
            .or_default()
            .push(alias_from_row(&row)?);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PAPER_COLUMNS} FROM papers"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let mut papers = HashMap::with_capacity(rows.len());
    for row in &rows {
        let id = PaperId(row.try_get("id")?);
        let mut list = aliases.remove(&id).unwrap_or_default();
        sort_aliases(&mut list);
        papers.insert(id, paper_from_row(row, list)?);
    }
    Ok(papers)
}

impl Store {
    /// Finds the paper any ref (or implied ref) names, else creates it; adds missing
    /// aliases; fills empty metadata fields, and replaces non-empty ones.
    /// Refs naming two different stored papers are refused with Invalid.
    pub async fn upsert_paper(&self, paper: &NewPaper) -> Result<PaperId> {
        let mut tx = self.begin_write().await?;
        let id = upsert_paper_in(&mut tx, paper).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn find_paper(&self, r: &PaperRef) -> Result<Option<PaperId>> {
        let mut conn = self.pool.acquire().await?;
        find_paper_in(&mut conn, r).await
    }

    pub async fn paper(&self, id: PaperId) -> Result<Option<Paper>> {
        if let Some(found) = self.direct.as_ref().and_then(|d| d.paper(id)) {
            return Ok(found);
        }
        let rows = sqlx::query(PAPER_WITH_ALIASES)
            .bind(id.0)
            .fetch_all(&self.pool)
            .await?;
        paper_from_alias_rows(&rows)
    }
}
