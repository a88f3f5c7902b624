//! Full-text search, typeahead, venue and author listings, and the random summary.
//!
//! One method per question, with the dialect switched inside: SQLite answers from the
//! FTS5 tables `papers_fts` and `summaries_fts`, PostgreSQL from the generated
//! `search` tsvector columns (migration 0004 keeps both in sync). User text never
//! reaches a query parser as is: [`search_terms`] cuts it into plain words, which are
//! quoted for FTS5 or handed to `plainto_tsquery`, so no input can be a syntax error.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use shortscience_ids::{PaperId, PaperRef, SummaryId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::summaries::MAX_PER_PAGE;

type Tx = sqlx::Transaction<'static, sqlx::Any>;
use crate::{Backend, Page, Result, Store, StoreError, SummaryView};

/// At most this many words of a query are used; the rest are ignored.
pub const MAX_TERMS: usize = 16;
/// Longer words are cut (no real word is this long; it bounds the work per term).
pub const MAX_TERM_CHARS: usize = 64;
/// Typeahead completes the last word only from this many characters on.
pub const MIN_PREFIX_CHARS: usize = 3;
/// Largest typeahead list.
pub const MAX_TYPEAHEAD: usize = 20;

/// What a search asks for. `page` starts at 1 (0 is read as 1); `per_page` is kept
/// within 1..=[`MAX_PER_PAGE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub text: String,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// Exact venue name, as stored (what venue pages and hits show).
    pub venue: Option<String>,
    /// Only papers with at least one public summary.
    pub has_summaries: bool,
    pub page: u32,
    pub per_page: u32,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            text: String::new(),
            year_from: None,
            year_to: None,
            venue: None,
            has_summaries: false,
            page: 1,
            per_page: 20,
        }
    }
}

/// A paper as lists show it: no aliases or abstract, but its public summary count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperCard {
    pub id: PaperId,
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub venue: Option<String>,
    /// Public summaries (anonymous ones included, private ones never).
    pub summaries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub paper: PaperCard,
    /// The query was an identifier of this paper (arXiv id, DOI, URL…).
    pub exact: bool,
}

/// The words of a query: maximal runs of letters and digits, lower-cased, without
/// repeats, at most [`MAX_TERMS`] of at most [`MAX_TERM_CHARS`] characters.
/// Everything else (quotes, operators, punctuation, control characters, emoji) separates
/// words, which is why the result is safe to quote into any full-text syntax.
pub fn search_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let term: String = word
            .chars()
            .take(MAX_TERM_CHARS)
            .collect::<String>()
            .to_lowercase();
        // Lower-casing can produce non-alphanumeric marks (e.g. 'İ' → "i̇"); drop them.
        let term: String = term.chars().filter(|c| c.is_alphanumeric()).collect();
        if !term.is_empty() && !terms.contains(&term) {
            terms.push(term);
            if terms.len() == MAX_TERMS {
                break;
            }
        }
    }
    terms
}

/// FTS5 query: every term as a quoted string, all required.
fn fts5_all(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// FTS5 title-prefix query: all terms in the title, the last one as a prefix.
fn fts5_title_prefix(terms: &[String], prefix_last: bool) -> String {
    let parts: Vec<String> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let star = if prefix_last && i + 1 == terms.len() {
                " *"
            } else {
                ""
            };
            format!("\"{t}\"{star}")
        })
        .collect();
    format!("title : ({})", parts.join(" AND "))
}

/// PostgreSQL: a paper's title as a tsvector (migration 13's stored column, indexed by
/// `papers_title_search`).
const PG_TITLE_VECTOR: &str = "p.title_search";

/// tsquery text for `to_tsquery` over the title's own vector (migration 13):
/// terms quoted, the last one a prefix.
fn tsquery_title_prefix(terms: &[String], prefix_last: bool) -> String {
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if prefix_last && i + 1 == terms.len() {
                format!("'{t}':*")
            } else {
                format!("'{t}'")
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// Inclusive year bounds, swapped if given the wrong way round.
fn year_range(from: Option<i32>, to: Option<i32>) -> (Option<i32>, Option<i32>) {
    match (from, to) {
        (Some(a), Some(b)) if a > b => (Some(b), Some(a)),
        other => other,
    }
}

/// SQL text with `$n` placeholders and the values to bind, built together so the
/// numbers always match.
#[derive(Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
    /// Not kept as a prepared statement, so PostgreSQL plans it with its values each
    /// time (see [`Sql::plan_each_time`]).
    one_off: bool,
}

enum Arg {
    Int(i64),
    Text(String),
}

impl Sql {
    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    /// Appends a placeholder for `arg`.
    fn arg(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }
    /// Appends the placeholder of the last argument again.
    fn same(&mut self) -> &mut Self {
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }
    /// PostgreSQL: plan with the words. How many rows `@@` matches decides between
    /// reading the table in order until the window is full (a common word: a few
    /// thousand rows) and collecting every match from the GIN index into a bitmap first
    /// (100,000 rows for a common prefix: 25 ms). A prepared statement gets a generic
    /// plan after five runs, made for no word in particular (the summary side then used
    /// the bitmap for every word); an unnamed statement is planned with its values.
    fn plan_each_time(&mut self) -> &mut Self {
        self.one_off = true;
        self
    }
    async fn fetch_all<'c, E>(self, ex: E) -> Result<Vec<AnyRow>>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text)).persistent(!self.one_off);
        for a in self.args {
            q = match a {
                Arg::Int(n) => q.bind(n),
                Arg::Text(s) => q.bind(s),
            };
        }
        Ok(q.fetch_all(ex).await?)
    }
}

fn has_filters(q: &SearchQuery) -> bool {
    q.year_from.is_some()
        || q.year_to.is_some()
        || q.venue.as_deref().is_some_and(|v| !v.trim().is_empty())
        || q.has_summaries
}

/// The filters of a query as SQL conditions on papers `p` (each starts with AND).
fn push_filters(sql: &mut Sql, q: &SearchQuery) {
    let (from, to) = year_range(q.year_from, q.year_to);
    if let Some(y) = from {
        sql.push(" AND p.year >= ").arg(Arg::Int(y.into()));
    }
    if let Some(y) = to {
        sql.push(" AND p.year <= ").arg(Arg::Int(y.into()));
    }
    if let Some(v) = q.venue.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        sql.push(" AND p.venue = ").arg(Arg::Text(v.to_owned()));
    }
    if q.has_summaries {
        sql.push(
            " AND EXISTS (SELECT 1 FROM summaries e WHERE e.paper_id = p.id AND e.private = 0 AND e.hidden_at IS NULL)",
        );
    }
}

/// Selects `PaperCard` columns for the ids of the CTE `page(paper_id, k1, k2)`, in the
/// order of its sort keys (the page's own ORDER BY does not survive the join).
/// Sort keys rather than ROW_NUMBER(): a window over every match would sort them twice.
const CARDS_FROM_PAGE: &str = "SELECT p.id, p.title, p.authors, p.year, p.venue,
        (SELECT COUNT(*) FROM summaries c WHERE c.paper_id = p.id AND c.private = 0 AND c.hidden_at IS NULL) AS summaries
     FROM page JOIN papers p ON p.id = page.paper_id
     ORDER BY page.k1, page.k2, p.id";

/// Result cards as hits; `exact` when an identifier named the paper.
fn hits_from_rows(rows: &[AnyRow], exact: bool) -> Result<Vec<SearchHit>> {
    rows.iter()
        .map(|r| {
            Ok(SearchHit {
                paper: card_from_row(r)?,
                exact,
            })
        })
        .collect()
}

pub(crate) fn card_from_row(row: &AnyRow) -> Result<PaperCard> {
    let id = PaperId(row.try_get("id")?);
    let authors: String = row.try_get("authors")?;
    let authors = serde_json::from_str(&authors).map_err(|e| {
        StoreError::Invalid(format!(
            "stored authors of paper {id} are not a JSON list: {e}"
        ))
    })?;
    Ok(PaperCard {
        id,
        title: row.try_get("title")?,
        authors,
        year: row.try_get("year")?,
        venue: row.try_get("venue")?,
        summaries: row.try_get("summaries")?,
    })
}

/// Page bounds: (page, per_page, offset).
fn bounds(page: u32, per_page: u32) -> (u32, u32, i64) {
    let page = page.max(1);
    let per_page = per_page.clamp(1, MAX_PER_PAGE);
    (page, per_page, i64::from(page - 1) * i64::from(per_page))
}

/// Appends `LIMIT per_page + 1 OFFSET offset` (one extra row says whether a next page exists).
fn push_limit(sql: &mut Sql, per_page: u32, offset: i64) {
    sql.push(" LIMIT ")
        .arg(Arg::Int(i64::from(per_page) + 1))
        .push(" OFFSET ")
        .arg(Arg::Int(offset));
}

fn into_page<T>(mut items: Vec<T>, page: u32, per_page: u32) -> Page<T> {
    let has_next = items.len() > per_page as usize;
    items.truncate(per_page as usize);
    Page {
        items,
        page,
        has_next,
    }
}

/// One full-text candidate row: a paper, its rank on one side (lower is better), and
/// whether it may be listed (a visible summary, a paper within the filters).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    paper: i64,
    rank: f64,
    eligible: bool,
}

/// The best rows of one side (paper text or summary text) in rank order, `truncated` when
/// the side had more rows than were asked for.
#[derive(Debug, Default)]
struct Side {
    rows: Vec<Candidate>,
    truncated: bool,
}

/// The first `need` papers by their best eligible rank over all sides (ties by id), or
/// None when a truncated side might still hold a better one: that is when the `need`-th
/// rank is not strictly below the worst rank the side returned (every row it left out
/// ranks at least that badly). Fewer than `need` papers is the whole answer only if no
/// side was truncated.
fn merge_top(sides: &[Side], need: usize) -> Option<Vec<(i64, f64)>> {
    if need == 0 {
        return Some(Vec::new());
    }
    let mut best: HashMap<i64, f64> = HashMap::new();
    for c in sides.iter().flat_map(|s| &s.rows).filter(|c| c.eligible) {
        best.entry(c.paper)
            .and_modify(|r| *r = r.min(c.rank))
            .or_insert(c.rank);
    }
    let mut top: Vec<(i64, f64)> = best.into_iter().collect();
    top.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    top.truncate(need);
    for side in sides.iter().filter(|s| s.truncated) {
        let floor = side
            .rows
            .iter()
            .map(|c| c.rank)
            .fold(f64::NEG_INFINITY, f64::max);
        match top.get(need - 1) {
            Some(&(_, last)) if last < floor => {}
            _ => return None,
        }
    }
    Some(top)
}

#[derive(Debug, Clone, Copy)]
enum Text {
    Papers,
    Summaries,
}

fn push_side_limit(sql: &mut Sql, limit: Option<usize>) {
    if let Some(l) = limit {
        sql.push(" LIMIT ")
            .arg(Arg::Int(i64::try_from(l).unwrap_or(i64::MAX)));
    }
}

fn push_floor(sql: &mut Sql, floor: Option<i64>) {
    if let Some(f) = floor {
        sql.push(" AND rowid > ").arg(Arg::Int(f));
    }
}

/// Each side ranks at most this many of its matches within the filters: on SQLite the
/// newest (see [`Store::window_floor`]), on PostgreSQL the first in storage order. A
/// query matching more lists at most twice as many papers.
pub const RANK_WINDOW: usize = 500;

/// Candidate rows asked of each side on the first try: a little more than a page needs,
/// since hidden summaries, several summaries of one paper and filters drop some.
fn first_limit(need: usize) -> usize {
    need.saturating_mul(2).max(50)
}

/// Each retry asks for this many times more rows; past [`MAX_LIMIT`] a side is read whole.
const LIMIT_GROWTH: usize = 8;
const MAX_LIMIT: usize = 20_000;

/// A random-enough number without a dependency: std's per-process random hash keys.
fn random_u64() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    RandomState::new().hash_one(nanos)
}

impl Store {
    /// The best public summary of each paper (the paper page's "Best" order), by paper.
    async fn top_summaries(&self, papers: &[PaperId]) -> Result<HashMap<PaperId, SummaryView>> {
        let mut best: Vec<(PaperId, SummaryId)> = Vec::new();
        for chunk in papers.chunks(500) {
            let mut sql = Sql::default();
            sql.push("SELECT paper_id, id FROM summaries WHERE private = 0 AND hidden_at IS NULL AND paper_id IN (");
            for (i, p) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.arg(Arg::Int(p.0));
            }
            sql.push(") ORDER BY paper_id, score DESC, up DESC, edited_at DESC, id");
            for row in sql.fetch_all(&self.pool).await? {
                let paper = PaperId(row.try_get("paper_id")?);
                if best.last().is_none_or(|(p, _)| *p != paper) {
                    best.push((paper, SummaryId(row.try_get("id")?)));
                }
            }
        }
        let mut out = HashMap::with_capacity(best.len());
        for (paper, id) in best {
            if let Some(view) = self.summary(id, None).await? {
                out.insert(paper, view);
            }
        }
        Ok(out)
    }

    /// Papers matching every word of `q.text` in their title, authors or abstract, or in
    /// one of their public summaries, best first (bm25 on SQLite, ts_rank on PostgreSQL),
    /// within the filters. Text that names a known paper (arXiv id or URL, DOI, DBLP key,
    /// OpenReview id, ShortScience key) returns that paper alone, marked `exact`.
    /// Text without words lists the papers the filters select (venue or has_summaries
    /// required; otherwise the page is empty), newest first. Never fails on odd input.
    pub async fn search(&self, q: &SearchQuery) -> Result<Page<SearchHit>> {
        let (page, per_page, offset) = bounds(q.page, q.per_page);
        if let Ok(r) = PaperRef::parse(q.text.trim())
            && let Some(id) = self.find_paper(&r).await?
        {
            let mut sql = Sql::default();
            sql.push("WITH page AS (SELECT ")
                .arg(Arg::Int(id.0))
                .push(" AS paper_id, 0 AS k1, 0 AS k2) ")
                .push(CARDS_FROM_PAGE);
            let cards = sql.fetch_all(&self.pool).await?;
            let items = hits_from_rows(&cards, true)?;
            // Only page 1 has it.
            let items = if page == 1 { items } else { Vec::new() };
            return Ok(Page {
                items,
                page,
                has_next: false,
            });
        }

        let terms = search_terms(&q.text);
        if q.venue.as_deref().is_some_and(|v| v.contains('\0')) {
            // No stored venue has a NUL (and PostgreSQL would refuse it as a parameter).
            return Ok(Page {
                items: Vec::new(),
                page,
                has_next: false,
            });
        }
        let mut sql = Sql::default();
        if !terms.is_empty() {
            let skip = usize::try_from(offset).unwrap_or(usize::MAX);
            let need = skip.saturating_add(per_page as usize + 1);
            let ids: Vec<i64> = self
                .ranked_papers(&terms, q, need)
                .await?
                .into_iter()
                .skip(skip)
                .collect();
            if ids.is_empty() {
                return Ok(Page {
                    items: Vec::new(),
                    page,
                    has_next: false,
                });
            }
            // The positions are our own numbers; only the ids are bound.
            sql.push("WITH page (paper_id, k1, k2) AS (VALUES ");
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(").arg(Arg::Int(*id)).push(&format!(", {i}, 0)"));
            }
            sql.push(") ").push(CARDS_FROM_PAGE);
        } else {
            let venue = q.venue.as_deref().is_some_and(|v| !v.trim().is_empty());
            if !venue && !q.has_summaries {
                return Ok(Page {
                    items: Vec::new(),
                    page,
                    has_next: false,
                });
            }
            sql.push(
                "WITH page AS (SELECT p.id AS paper_id,
                    -COALESCE(p.year, 0) AS k1, -p.id AS k2
                 FROM papers p WHERE 1 = 1",
            );
            push_filters(&mut sql, q);
            sql.push(" ORDER BY k1, k2");
            push_limit(&mut sql, per_page, offset);
            sql.push(") ").push(CARDS_FROM_PAGE);
        }
        let rows = sql.fetch_all(&self.pool).await?;
        let hits = hits_from_rows(&rows, false)?;
        Ok(into_page(hits, page, per_page))
    }

    /// Ids of the first `need` papers matching every term within the filters, best
    /// first. Each side (paper text, public summary text) is ranked inside its full-text
    /// index and only its best rows are read and joined: joining every match before
    /// ranking cost hundreds of milliseconds for common words at 1M papers. When those
    /// rows cannot settle the answer (hidden summaries, several summaries of one paper,
    /// filters), the truncated sides are read again, deeper.
    async fn ranked_papers(
        &self,
        terms: &[String],
        q: &SearchQuery,
        need: usize,
    ) -> Result<Vec<i64>> {
        // One snapshot for every query below. On PostgreSQL the window (the first
        // matches in storage order) must not depend on how parallel workers interleave.
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            // Nor on where a concurrent scan of the table happens to be.
            sqlx::raw_sql(
                "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL synchronize_seqscans = off",
            )
            .execute(&mut *tx)
            .await?;
        }
        let floors = [
            self.window_floor(&mut tx, Text::Papers, terms, q).await?,
            self.window_floor(&mut tx, Text::Summaries, terms, q)
                .await?,
        ];
        // PostgreSQL ranks its whole window in every side query (the inner LIMIT), so it
        // returns all of it at once: asking for fewer rows only made it rank the window
        // again, up to three times, whenever a tie at the cut left the answer unsettled.
        // SQLite ranks inside the index and joins only the rows it returns, so it asks
        // for a few first.
        let mut limit = match self.backend {
            Backend::Sqlite => Some(first_limit(need)),
            Backend::Postgres => None,
        };
        let mut sides = [
            self.side(&mut tx, Text::Papers, terms, q, floors[0], limit)
                .await?,
            self.side(&mut tx, Text::Summaries, terms, q, floors[1], limit)
                .await?,
        ];
        loop {
            if let Some(top) = merge_top(&sides, need) {
                tx.commit().await?;
                return Ok(top.into_iter().map(|(id, _)| id).collect());
            }
            limit = limit
                .map(|l| l.saturating_mul(LIMIT_GROWTH))
                .filter(|&l| l <= MAX_LIMIT);
            for ((side, text), floor) in sides
                .iter_mut()
                .zip([Text::Papers, Text::Summaries])
                .zip(floors)
            {
                if side.truncated {
                    *side = self.side(&mut tx, text, terms, q, floor, limit).await?;
                }
            }
        }
    }

    /// SQLite: when a side has more than [`RANK_WINDOW`] eligible matches, the rowid
    /// below its newest [`RANK_WINDOW`]; only those are ranked. FTS5 computes bm25 for
    /// every match before `LIMIT` (about 2 µs each), so a common word's 70,000 matches
    /// took 150 ms; walking the match list newest first costs next to nothing.
    async fn window_floor(
        &self,
        tx: &mut Tx,
        text: Text,
        terms: &[String],
        q: &SearchQuery,
    ) -> Result<Option<i64>> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let mut sql = Sql::default();
        match text {
            Text::Papers => {
                sql.push("SELECT f.rowid AS floor FROM papers_fts f");
                if has_filters(q) {
                    sql.push(" CROSS JOIN papers p ON p.id = f.rowid");
                }
                sql.push(" WHERE papers_fts MATCH ")
                    .arg(Arg::Text(fts5_all(terms)));
            }
            // Unfiltered, the window counts hidden summaries too (the index holds only
            // public ones): reading 1,000 summary rows to skip the rare hidden one cost
            // 20 ms, their rows being long.
            Text::Summaries if !has_filters(q) => {
                sql.push("SELECT f.rowid AS floor FROM summaries_fts f WHERE summaries_fts MATCH ")
                    .arg(Arg::Text(fts5_all(terms)));
            }
            Text::Summaries => {
                sql.push(
                    "SELECT f.rowid AS floor FROM summaries_fts f
                     CROSS JOIN summaries s ON s.id = f.rowid
                     CROSS JOIN papers p ON p.id = s.paper_id
                     WHERE summaries_fts MATCH ",
                )
                .arg(Arg::Text(fts5_all(terms)))
                .push(" AND s.private = 0 AND s.hidden_at IS NULL");
            }
        }
        push_filters(&mut sql, q);
        sql.push(" ORDER BY f.rowid DESC LIMIT 1 OFFSET ")
            .arg(Arg::Int(RANK_WINDOW as i64));
        let rows = sql.fetch_all(&mut **tx).await?;
        rows.first()
            .map(|r| r.try_get("floor"))
            .transpose()
            .map_err(Into::into)
    }

    /// The best `limit` rows (all with None) of one side, in rank order; on SQLite only
    /// matches above `floor` (see [`Store::window_floor`]).
    async fn side(
        &self,
        tx: &mut Tx,
        text: Text,
        terms: &[String],
        q: &SearchQuery,
        floor: Option<i64>,
        limit: Option<usize>,
    ) -> Result<Side> {
        let mut sql = Sql::default();
        let filtered = has_filters(q);
        match (self.backend, text) {
            // bm25 is negative, better matches lower; summary matches weigh half. FTS5
            // ranks inside the index for `ORDER BY rank LIMIT`; the joins below then only
            // touch the rows kept, and the LEFT JOINs keep the full-text rows as the outer
            // loop (the planner once walked every summary instead: 69 s).
            (Backend::Sqlite, Text::Papers) => {
                sql.push("WITH f AS (SELECT rowid, rank FROM papers_fts WHERE papers_fts MATCH ")
                    .arg(Arg::Text(fts5_all(terms)))
                    .push(" AND rank MATCH 'bm25(8.0, 4.0, 1.0)'");
                push_floor(&mut sql, floor);
                sql.push(" ORDER BY rank");
                push_side_limit(&mut sql, limit);
                sql.push(") SELECT f.rowid AS paper_id, f.rank AS rank, ");
                if filtered {
                    sql.push("CAST(CASE WHEN p.id IS NOT NULL");
                    push_filters(&mut sql, q);
                    sql.push(
                        " THEN 1 ELSE 0 END AS BIGINT) AS ok FROM f LEFT JOIN papers p ON p.id = f.rowid",
                    );
                } else {
                    sql.push("CAST(1 AS BIGINT) AS ok FROM f");
                }
            }
            (Backend::Sqlite, Text::Summaries) => {
                sql.push(
                    "WITH f AS (SELECT rowid, rank FROM summaries_fts WHERE summaries_fts MATCH ",
                )
                .arg(Arg::Text(fts5_all(terms)));
                push_floor(&mut sql, floor);
                sql.push(" ORDER BY rank");
                push_side_limit(&mut sql, limit);
                sql.push(
                    ") SELECT s.paper_id AS paper_id, 0.5 * f.rank AS rank,
                        CAST(CASE WHEN s.private = 0 AND s.hidden_at IS NULL",
                );
                if filtered {
                    sql.push(" AND p.id IS NOT NULL");
                    push_filters(&mut sql, q);
                }
                sql.push(" THEN 1 ELSE 0 END AS BIGINT) AS ok FROM f LEFT JOIN summaries s ON s.id = f.rowid");
                if filtered {
                    sql.push(" LEFT JOIN papers p ON p.id = s.paper_id");
                }
            }
            // ts_rank needs each ranked match's tsvector from the heap (about 5 µs a row
            // when cached, far more when not): PostgreSQL ranks the first RANK_WINDOW
            // matches within the filters in storage order, grouping summaries by paper,
            // so one pass settles the answer.
            (Backend::Postgres, Text::Papers) => {
                sql.push("SELECT w.id AS paper_id, CAST(-ts_rank('{0.1, 0.2, 0.5, 1.0}', w.search, plainto_tsquery('english', ")
                    .arg(Arg::Text(terms.join(" ")))
                    .push(
                        ")) AS DOUBLE PRECISION) AS rank, CAST(1 AS BIGINT) AS ok
                         FROM (SELECT p.id, p.search FROM papers p WHERE p.search @@ plainto_tsquery('english', ",
                    )
                    .same()
                    .push(")");
                push_filters(&mut sql, q);
                sql.push(" LIMIT ")
                    .arg(Arg::Int(RANK_WINDOW as i64))
                    .push(") w ORDER BY rank, paper_id");
                push_side_limit(&mut sql, limit);
            }
            (Backend::Postgres, Text::Summaries) => {
                sql.push("SELECT w.paper_id AS paper_id, CAST(MIN(-0.5 * ts_rank(w.search, plainto_tsquery('english', ")
                    .arg(Arg::Text(terms.join(" ")))
                    .push(
                        "))) AS DOUBLE PRECISION) AS rank, CAST(1 AS BIGINT) AS ok
                         FROM (SELECT s.paper_id, s.search FROM summaries s",
                    );
                if filtered {
                    sql.push(" JOIN papers p ON p.id = s.paper_id");
                }
                sql.push(" WHERE s.search @@ plainto_tsquery('english', ")
                    .same()
                    .push(") AND s.private = 0 AND s.hidden_at IS NULL");
                push_filters(&mut sql, q);
                sql.push(" LIMIT ")
                    .arg(Arg::Int(RANK_WINDOW as i64))
                    .push(") w GROUP BY w.paper_id ORDER BY rank, paper_id");
                push_side_limit(&mut sql, limit);
            }
        }
        if self.backend == Backend::Postgres {
            sql.plan_each_time();
        }
        let rows = sql.fetch_all(&mut **tx).await?;
        let truncated = limit.is_some_and(|l| rows.len() >= l);
        let rows = rows
            .iter()
            .map(|r| {
                let paper: Option<i64> = r.try_get("paper_id")?;
                let ok: i64 = r.try_get("ok")?;
                Ok(Candidate {
                    paper: paper.unwrap_or(0),
                    rank: r.try_get("rank")?,
                    eligible: paper.is_some() && ok == 1,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Side { rows, truncated })
    }

    /// Titles completing `prefix` for a search box: every word in the title, the last
    /// one as a prefix once it has [`MIN_PREFIX_CHARS`] characters. At most `limit`
    /// (kept within 1..=[`MAX_TYPEAHEAD`]), best match first.
    pub async fn typeahead(&self, prefix: &str, limit: usize) -> Result<Vec<(PaperId, String)>> {
        let terms = search_terms(prefix);
        let Some(last) = terms.last() else {
            return Ok(Vec::new());
        };
        // A word still being typed only counts when the text does not end with a separator.
        let typing = prefix.ends_with(|c: char| c.is_alphanumeric());
        let prefix_last = typing && last.chars().count() >= MIN_PREFIX_CHARS;
        let limit = limit.clamp(1, MAX_TYPEAHEAD) as i64;
        let mut sql = Sql::default();
        match self.backend {
            // Only the newest RANK_WINDOW matching titles are ranked: a three-letter
            // prefix matches tens of thousands, and ranking them all took 200 ms. One
            // pass down the match list: FTS5 expands a prefix into a list of every
            // matching row in each query that names it, and finding the window's lower
            // end in a query of its own did that twice.
            Backend::Sqlite => {
                sql.push(
                    "SELECT p.id, p.title FROM (SELECT id, rank FROM (
                        SELECT rowid AS id, rank FROM papers_fts WHERE papers_fts MATCH ",
                )
                .arg(Arg::Text(fts5_title_prefix(&terms, prefix_last)))
                .push(" ORDER BY rowid DESC LIMIT ")
                .arg(Arg::Int(RANK_WINDOW as i64))
                .push(") ORDER BY rank LIMIT ")
                .arg(Arg::Int(limit))
                .push(") f JOIN papers p ON p.id = f.id ORDER BY f.rank, p.id");
            }
            // The first RANK_WINDOW matches in storage order, planned with the words (see
            // `Sql::plan_each_time`): a common prefix then reads the table until the window
            // is full. The query used to sit in a CTE, which hid it from the planner. It asks
            // the title's own vector, so only titles match.
            Backend::Postgres => {
                sql.push("SELECT w.id, w.title FROM (SELECT p.id, p.title, ts_rank(")
                    .push(PG_TITLE_VECTOR)
                    .push(", to_tsquery('english', ")
                    .arg(Arg::Text(tsquery_title_prefix(&terms, prefix_last)))
                    .push(")) AS r FROM papers p WHERE ")
                    .push(PG_TITLE_VECTOR)
                    .push(" @@ to_tsquery('english', ")
                    .same()
                    .push(") LIMIT ")
                    .arg(Arg::Int(RANK_WINDOW as i64))
                    .push(") w ORDER BY w.r DESC, w.id LIMIT ")
                    .arg(Arg::Int(limit))
                    .plan_each_time();
            }
        }
        let rows = sql.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((PaperId(r.try_get("id")?), r.try_get("title")?)))
            .collect()
    }

    /// Every venue with its number of papers, most papers first.
    pub async fn venues(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT venue, COUNT(*) AS n FROM papers WHERE venue IS NOT NULL
             GROUP BY venue ORDER BY n DESC, venue",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("venue")?, r.try_get("n")?)))
            .collect()
    }

    /// A venue's years with their paper counts, newest first (`None`: papers without a year).
    pub async fn venue_years(&self, venue: &str) -> Result<Vec<(Option<i32>, i64)>> {
        // PostgreSQL refuses NUL in text, and no stored name has one.
        if venue.contains('\0') {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT year, COUNT(*) AS n FROM papers WHERE venue = $1
             GROUP BY year ORDER BY year IS NULL, year DESC",
        )
        .bind(venue)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("year")?, r.try_get("n")?)))
            .collect()
    }

    /// A venue's papers of one year (`None`: without a year), each with its best public
    /// summary: summarised papers first (by most summaries), then by title.
    pub async fn venue_papers(
        &self,
        venue: &str,
        year: Option<i32>,
        page: u32,
        per_page: u32,
    ) -> Result<Page<(PaperCard, Option<SummaryView>)>> {
        let (page, per_page, offset) = bounds(page, per_page);
        if venue.contains('\0') {
            return Ok(Page {
                items: Vec::new(),
                page,
                has_next: false,
            });
        }
        let mut sql = Sql::default();
        sql.push(
            "WITH counted AS (SELECT p.id,
                (SELECT COUNT(*) FROM summaries c WHERE c.paper_id = p.id AND c.private = 0 AND c.hidden_at IS NULL) AS n,
                p.title
             FROM papers p WHERE p.venue = ",
        )
        .arg(Arg::Text(venue.to_owned()));
        match year {
            Some(y) => sql.push(" AND p.year = ").arg(Arg::Int(y.into())),
            None => sql.push(" AND p.year IS NULL"),
        };
        sql.push(
            "), page AS (SELECT id AS paper_id,
                ROW_NUMBER() OVER (ORDER BY n DESC, title, id) AS k1, 0 AS k2
             FROM counted ORDER BY n DESC, title, id",
        );
        push_limit(&mut sql, per_page, offset);
        sql.push(") ").push(CARDS_FROM_PAGE);
        let rows = sql.fetch_all(&self.pool).await?;
        let cards = rows.iter().map(card_from_row).collect::<Result<Vec<_>>>()?;
        let cards = into_page(cards, page, per_page);
        let ids: Vec<PaperId> = cards
            .items
            .iter()
            .filter(|c| c.summaries > 0)
            .map(|c| c.id)
            .collect();
        let mut tops = self.top_summaries(&ids).await?;
        Ok(Page {
            items: cards
                .items
                .into_iter()
                .map(|c| {
                    let top = tops.remove(&c.id);
                    (c, top)
                })
                .collect(),
            page: cards.page,
            has_next: cards.has_next,
        })
    }

    /// Papers listing `name` exactly (case and spelling as stored) among their authors,
    /// newest first.
    pub async fn author_papers(
        &self,
        name: &str,
        page: u32,
        per_page: u32,
    ) -> Result<Page<PaperCard>> {
        let (page, per_page, offset) = bounds(page, per_page);
        let name = name.trim();
        let terms = search_terms(name);
        if terms.is_empty() || name.contains('\0') {
            return Ok(Page {
                items: Vec::new(),
                page,
                has_next: false,
            });
        }
        // The full-text index finds candidates; the JSON-quoted name confirms them.
        let quoted = serde_json::to_string(name)
            .map_err(|e| StoreError::Invalid(format!("author name: {e}")))?;
        let mut sql = Sql::default();
        match self.backend {
            Backend::Sqlite => {
                let m = format!("authors : ({})", fts5_all(&terms));
                sql.push(
                    "WITH page AS (SELECT p.id AS paper_id,
                        -COALESCE(p.year, 0) AS k1, -p.id AS k2
                     FROM papers_fts f CROSS JOIN papers p ON p.id = f.rowid
                     WHERE papers_fts MATCH ",
                )
                .arg(Arg::Text(m))
                .push(" AND instr(p.authors, ")
                .arg(Arg::Text(quoted))
                .push(") > 0");
            }
            Backend::Postgres => {
                let m = terms
                    .iter()
                    .map(|t| format!("'{t}':B"))
                    .collect::<Vec<_>>()
                    .join(" & ");
                sql.push(
                    "WITH page AS (SELECT p.id AS paper_id,
                        -COALESCE(p.year, 0) AS k1, -p.id AS k2
                     FROM papers p WHERE p.search @@ to_tsquery('english', ",
                )
                .arg(Arg::Text(m))
                .push(") AND strpos(p.authors, ")
                .arg(Arg::Text(quoted))
                .push(") > 0");
            }
        }
        sql.push(" ORDER BY k1, k2");
        push_limit(&mut sql, per_page, offset);
        sql.push(") ").push(CARDS_FROM_PAGE);
        let rows = sql.fetch_all(&self.pool).await?;
        let cards = rows.iter().map(card_from_row).collect::<Result<Vec<_>>>()?;
        Ok(into_page(cards, page, per_page))
    }

    /// A uniformly-ish random public summary (anonymous ones included): the first public
    /// one at or after a random id, wrapping around. None when there is none.
    pub async fn random_summary(&self) -> Result<Option<SummaryId>> {
        let row =
            sqlx::query("SELECT MIN(id) AS lo, MAX(id) AS hi FROM summaries WHERE private = 0 AND hidden_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        let (Some(lo), Some(hi)) = (
            row.try_get::<Option<i64>, _>("lo")?,
            row.try_get::<Option<i64>, _>("hi")?,
        ) else {
            return Ok(None);
        };
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        let pick = lo + i64::try_from(random_u64() % span).unwrap_or(0);
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM summaries WHERE private = 0 AND hidden_at IS NULL AND id >= $1 ORDER BY id LIMIT 1",
        )
        .bind(pick)
        .fetch_optional(&self.pool)
        .await?;
        Ok(Some(SummaryId(id.unwrap_or(lo))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_plain_lowercase_words() {
        assert_eq!(
            search_terms("Attention is ALL you need"),
            ["attention", "is", "all", "you", "need"]
        );
        assert_eq!(
            search_terms(r#""quoted" -not NEAR(a b) title:x ^y (z) * a*"#),
            ["quoted", "not", "near", "a", "b", "title", "x", "y", "z"]
        );
        assert_eq!(search_terms("a a A"), ["a"]);
        assert!(search_terms("").is_empty());
        assert!(search_terms("\"*:-^()'\0 \u{1F600}").is_empty());
        assert_eq!(
            search_terms("réseaux de neurones"),
            ["réseaux", "de", "neurones"]
        );
        assert_eq!(search_terms("שלום עולם"), ["שלום", "עולם"]);
    }

    #[tokio::test]
    async fn postgres_typeahead_can_use_the_title_index() {
        let Some(db) = crate::testing::postgres_database().await else {
            return;
        };
        let store = Store::connect(&db.url).await.unwrap();
        let mut tx = store.pool().begin().await.unwrap();
        // A test table is tiny; forbid the sequential scan so the plan shows whether the
        // index serves the column typeahead asks.
        sqlx::query("SET LOCAL enable_seqscan = off")
            .execute(&mut *tx)
            .await
            .unwrap();
        let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "EXPLAIN SELECT p.id FROM papers p WHERE {PG_TITLE_VECTOR} @@ to_tsquery('english', 'wan:*')"
        )))
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        assert!(
            plan.iter().any(|l| l.contains("papers_title_search")),
            "{plan:#?}"
        );
    }

    #[test]
    fn terms_are_bounded() {
        let many = (0..100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(search_terms(&many).len(), MAX_TERMS);
        let long = "x".repeat(10_000);
        assert_eq!(search_terms(&long)[0].chars().count(), MAX_TERM_CHARS);
    }

    #[test]
    fn fts5_queries_quote_every_term() {
        let t = vec!["neural".to_owned(), "net".to_owned()];
        assert_eq!(fts5_all(&t), "\"neural\" AND \"net\"");
        assert_eq!(
            fts5_title_prefix(&t, true),
            "title : (\"neural\" AND \"net\" *)"
        );
        assert_eq!(tsquery_title_prefix(&t, true), "'neural' & 'net':*");
        assert_eq!(tsquery_title_prefix(&t, false), "'neural' & 'net'");
    }

    fn side(rows: &[(i64, f64, bool)], truncated: bool) -> Side {
        Side {
            rows: rows
                .iter()
                .map(|&(paper, rank, eligible)| Candidate {
                    paper,
                    rank,
                    eligible,
                })
                .collect(),
            truncated,
        }
    }

    #[test]
    fn merge_keeps_each_papers_best_rank() {
        let papers = side(&[(1, -9.0, true), (2, -5.0, true), (3, -4.0, false)], false);
        let summaries = side(&[(3, -8.0, true), (2, -7.0, true), (2, -1.0, true)], false);
        assert_eq!(
            merge_top(&[papers, summaries], 10),
            Some(vec![(1, -9.0), (3, -8.0), (2, -7.0)])
        );
        // Ties go by id.
        let tied = side(&[(5, -1.0, true), (4, -1.0, true)], false);
        assert_eq!(merge_top(&[tied], 1), Some(vec![(4, -1.0)]));
    }

    #[test]
    fn merge_asks_again_when_a_cut_side_could_hide_a_better_paper() {
        // Settled: the second paper ranks strictly better than anything left out.
        let cut = side(&[(1, -9.0, true), (2, -8.0, true), (3, -7.0, true)], true);
        assert_eq!(merge_top(&[cut], 2), Some(vec![(1, -9.0), (2, -8.0)]));
        // Not settled: too few eligible rows, or the last kept rank equals the floor.
        let filtered = side(&[(1, -9.0, true), (2, -8.0, false), (3, -7.0, false)], true);
        assert_eq!(merge_top(&[filtered], 2), None);
        let tie = side(&[(1, -9.0, true), (2, -8.0, true)], true);
        assert_eq!(merge_top(&[tie], 2), None);
        // Several summaries of one paper count once.
        let same = side(&[(1, -9.0, true), (1, -8.0, true), (1, -7.0, true)], true);
        assert_eq!(merge_top(&[same], 2), None);
        // A side that was read whole never asks again.
        let whole = side(&[(1, -9.0, true)], false);
        assert_eq!(merge_top(&[whole], 5), Some(vec![(1, -9.0)]));
        assert_eq!(merge_top(&[side(&[], true)], 1), None);
    }

    #[test]
    fn bounds_and_years_are_normalised() {
        assert_eq!(bounds(0, 0), (1, 1, 0));
        assert_eq!(bounds(3, 10), (3, 10, 20));
        assert_eq!(bounds(2, 1_000), (2, MAX_PER_PAGE, i64::from(MAX_PER_PAGE)));
        assert_eq!(year_range(Some(2020), Some(2010)), (Some(2010), Some(2020)));
        assert_eq!(year_range(None, Some(2010)), (None, Some(2010)));
    }
}
