//! Bulk import of paper catalogs (DBLP, arXiv snapshots, BibTeX): a batch of records in
//! one transaction with a handful of statements, whatever the batch size.
//!
//! Per batch: look up every alias the records carry (one query per identifier kind per
//! 500 values), read the stored papers they name, decide in memory (record by record,
//! exactly as [`Store::upsert_paper`] would one at a time), then write new papers and
//! aliases with multi-row INSERTs and update only the stored papers that really change.
//! New paper ids are reserved up front (the sequence on PostgreSQL, the table's highest
//! id under the write lock on SQLite), so multi-row inserts need no RETURNING order.
//! Search indexes follow through the triggers/generated columns of migration 0004.

use std::collections::HashMap;

use shortscience_ids::{IdKind, PaperRef};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::db::now;
use crate::papers::with_implied;
use crate::{Backend, NewPaper, Result, Store, StoreError};

/// Longest title, venue and author name accepted, in characters.
pub const MAX_FIELD_CHARS: usize = 2_000;
/// Longest abstract accepted, in bytes.
pub const MAX_ABSTRACT_BYTES: usize = 100_000;
/// Most authors accepted on one paper (large collaborations list thousands; cut there).
pub const MAX_AUTHORS: usize = 5_000;

/// Values per IN list or multi-row INSERT, well below both backends' parameter limits.
const CHUNK_VALUES: usize = 500;
const PAPER_ROWS_PER_INSERT: usize = 250;
const ALIAS_ROWS_PER_INSERT: usize = 1_000;

/// What one call of [`Store::import_papers`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Records that created a paper.
    pub added: usize,
    /// Records that named a paper already stored (or created earlier in the batch).
    pub merged: usize,
    /// Stored papers (before this batch) whose title, authors, year, venue or abstract changed.
    pub updated: usize,
    /// (index in the batch, reason) of records not imported.
    pub rejected: Vec<(usize, String)>,
}

impl BatchOutcome {
    /// Adds another batch's counts; `offset` shifts its rejected indexes.
    pub fn absorb(&mut self, other: BatchOutcome, offset: usize) {
        self.added += other.added;
        self.merged += other.merged;
        self.updated += other.updated;
        self.rejected.extend(
            other
                .rejected
                .into_iter()
                .map(|(i, reason)| (i + offset, reason)),
        );
    }
}

/// A paper's stored fields as the batch sees them.
#[derive(Debug, Clone, PartialEq)]
struct Fields {
    title: String,
    /// JSON list, as stored.
    authors: String,
    year: Option<i32>,
    venue: Option<String>,
    abstract_text: Option<String>,
}

impl Fields {
    /// `upsert_paper`'s rule: given (non-empty) fields replace stored ones.
    fn apply(&mut self, r: &Checked) {
        if !r.title.is_empty() {
            self.title.clone_from(&r.title);
        }
        if let Some(a) = &r.authors {
            self.authors.clone_from(a);
        }
        if r.year.is_some() {
            self.year = r.year;
        }
        if r.venue.is_some() {
            self.venue.clone_from(&r.venue);
        }
        if r.abstract_text.is_some() {
            self.abstract_text.clone_from(&r.abstract_text);
        }
    }
}

/// A record that passed the checks, trimmed.
#[derive(Debug)]
struct Checked {
    aliases: Vec<PaperRef>,
    title: String,
    authors: Option<String>,
    year: Option<i32>,
    venue: Option<String>,
    abstract_text: Option<String>,
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Why a record cannot be imported, if it cannot.
fn check(p: &NewPaper) -> std::result::Result<Checked, String> {
    if p.refs.is_empty() {
        return Err("no identifier (arXiv id, DOI, DBLP key or OpenReview id)".into());
    }
    let texts = std::iter::once(&p.title)
        .chain(&p.authors)
        .chain(&p.venue)
        .chain(&p.abstract_text);
    if texts.clone().any(|t| t.contains('\0')) {
        return Err("contains a NUL character".into());
    }
    let title = p.title.trim();
    if title.chars().count() > MAX_FIELD_CHARS {
        return Err(format!("title longer than {MAX_FIELD_CHARS} characters"));
    }
    if p.authors.len() > MAX_AUTHORS {
        return Err(format!("more than {MAX_AUTHORS} authors"));
    }
    let authors: Vec<&str> = p
        .authors
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect();
    if authors.iter().any(|a| a.chars().count() > MAX_FIELD_CHARS) {
        return Err(format!(
            "an author name longer than {MAX_FIELD_CHARS} characters"
        ));
    }
    let venue = trimmed(&p.venue);
    if venue
        .as_deref()
        .is_some_and(|v| v.chars().count() > MAX_FIELD_CHARS)
    {
        return Err(format!("venue longer than {MAX_FIELD_CHARS} characters"));
    }
    let abstract_text = trimmed(&p.abstract_text);
    if abstract_text
        .as_deref()
        .is_some_and(|a| a.len() > MAX_ABSTRACT_BYTES)
    {
        return Err(format!("abstract longer than {MAX_ABSTRACT_BYTES} bytes"));
    }
    let authors = (!authors.is_empty())
        .then(|| serde_json::to_string(&authors))
        .transpose()
        .map_err(|e| format!("authors: {e}"))?;
    Ok(Checked {
        aliases: with_implied(&p.refs),
        title: title.to_owned(),
        authors,
        year: p.year,
        venue,
        abstract_text,
    })
}

/// Where an alias points during the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Stored(i64),
    /// Index into the batch's new papers.
    New(usize),
}

/// The batch decided in memory, before any write.
#[derive(Default)]
struct Plan {
    outcome: BatchOutcome,
    new_papers: Vec<Fields>,
    /// Stored papers: fields as read, and as they will be.
    stored: HashMap<i64, (Fields, Fields)>,
    new_aliases: Vec<(PaperRef, Target)>,
}

fn describe(t: Target) -> String {
    match t {
        Target::Stored(id) => format!("paper {id}"),
        Target::New(_) => "a paper added earlier in this batch".into(),
    }
}

/// Record by record, as `upsert_paper` would do them one at a time.
fn plan(
    records: &[NewPaper],
    owners: &HashMap<PaperRef, i64>,
    stored: HashMap<i64, Fields>,
) -> Plan {
    let mut plan = Plan {
        stored: stored
            .into_iter()
            .map(|(id, f)| (id, (f.clone(), f)))
            .collect(),
        ..Plan::default()
    };
    let mut targets: HashMap<PaperRef, Target> = owners
        .iter()
        .map(|(r, id)| (r.clone(), Target::Stored(*id)))
        .collect();
    for (index, record) in records.iter().enumerate() {
        let checked = match check(record) {
            Ok(c) => c,
            Err(reason) => {
                plan.outcome.rejected.push((index, reason));
                continue;
            }
        };
        let mut found: Option<(Target, &PaperRef)> = None;
        let mut conflict = None;
        for r in &checked.aliases {
            if let Some(&t) = targets.get(r) {
                match found {
                    Some((first, first_ref)) if first != t => {
                        conflict = Some(format!(
                            "{} and {} name two different papers ({} and {})",
                            first_ref.label(),
                            r.label(),
                            describe(first),
                            describe(t)
                        ));
                        break;
                    }
                    _ => found = Some((t, r)),
                }
            }
        }
        if let Some(reason) = conflict {
            plan.outcome.rejected.push((index, reason));
            continue;
        }
        let target = match found {
            Some((t, _)) => {
                let fields = match t {
                    Target::Stored(id) => plan.stored.get_mut(&id).map(|(_, now)| now),
                    Target::New(i) => plan.new_papers.get_mut(i),
                };
                // An alias whose paper row is gone (deleted meanwhile): nothing to merge into.
                let Some(fields) = fields else {
                    plan.outcome
                        .rejected
                        .push((index, format!("{} vanished during the import", describe(t))));
                    continue;
                };
                fields.apply(&checked);
                plan.outcome.merged += 1;
                t
            }
            None => {
                if checked.title.is_empty() {
                    plan.outcome
                        .rejected
                        .push((index, "no title for a new paper".into()));
                    continue;
                }
                plan.outcome.added += 1;
                plan.new_papers.push(Fields {
                    title: checked.title.clone(),
                    authors: checked.authors.clone().unwrap_or_else(|| "[]".into()),
                    year: checked.year,
                    venue: checked.venue.clone(),
                    abstract_text: checked.abstract_text.clone(),
                });
                Target::New(plan.new_papers.len() - 1)
            }
        };
        for r in checked.aliases {
            if !targets.contains_key(&r) {
                targets.insert(r.clone(), target);
                plan.new_aliases.push((r, target));
            }
        }
    }
    plan.outcome.updated = plan.stored.values().filter(|(was, now)| was != now).count();
    plan
}

/// Binds one value of a multi-row statement.
enum Val<'a> {
    Int(i64),
    OptInt(Option<i32>),
    Text(&'a str),
    OptText(Option<&'a str>),
}

/// Placeholder number `n` (from 1). SQLite gets anonymous `?`s, bound in order: sqlx
/// looks up the name of every numbered parameter, and SQLite finds a name by a linear
/// scan, which made binding a statement of thousands of `$n`s quadratic (42% of the
/// import's time at 2,000 parameters).
fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_owned(),
        Backend::Postgres => format!("${n}"),
    }
}

/// `($1, $2), ($3, $4)…` for `rows` rows of `width` columns.
fn values_clause(backend: Backend, rows: usize, width: usize) -> String {
    let mut out = String::with_capacity(rows * width * 6);
    let mut n = 0;
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            n += 1;
            if c > 0 {
                out.push_str(", ");
            }
            out.push_str(&placeholder(backend, n));
        }
        out.push(')');
    }
    out
}

/// Placeholders `first` to `first + count - 1`, comma-separated.
fn placeholders(backend: Backend, first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| placeholder(backend, i))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn execute(tx: &mut Transaction<'static, Any>, sql: String, vals: &[Val<'_>]) -> Result<u64> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for v in vals {
        q = match v {
            Val::Int(n) => q.bind(*n),
            Val::OptInt(n) => q.bind(*n),
            Val::Text(s) => q.bind(*s),
            Val::OptText(s) => q.bind(*s),
        };
    }
    Ok(q.execute(&mut **tx).await?.rows_affected())
}

async fn fetch(
    tx: &mut Transaction<'static, Any>,
    sql: String,
    vals: &[Val<'_>],
) -> Result<Vec<AnyRow>> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for v in vals {
        q = match v {
            Val::Int(n) => q.bind(*n),
            Val::OptInt(n) => q.bind(*n),
            Val::Text(s) => q.bind(*s),
            Val::OptText(s) => q.bind(*s),
        };
    }
    Ok(q.fetch_all(&mut **tx).await?)
}

/// Which of `refs` are stored, and for which paper.
async fn lookup_owners(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    refs: &[&PaperRef],
) -> Result<HashMap<PaperRef, i64>> {
    let mut owners = HashMap::new();
    for kind in IdKind::ALL {
        let values: Vec<&str> = refs
            .iter()
            .filter(|r| r.kind() == kind)
            .map(|r| r.value())
            .collect();
        for chunk in values.chunks(CHUNK_VALUES) {
            let sql = format!(
                "SELECT value, paper_id FROM paper_aliases WHERE kind = {} AND value IN ({})",
                placeholder(backend, 1),
                placeholders(backend, 2, chunk.len())
            );
            let mut vals = vec![Val::Text(kind.as_str())];
            vals.extend(chunk.iter().map(|v| Val::Text(v)));
            for row in fetch(tx, sql, &vals).await? {
                let value: String = row.try_get("value")?;
                let r = PaperRef::from_db(kind.as_str(), &value).map_err(|e| {
                    StoreError::Invalid(format!("stored paper identifier {kind}:{value}: {e}"))
                })?;
                owners.insert(r, row.try_get("paper_id")?);
            }
        }
    }
    Ok(owners)
}

async fn read_fields(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    ids: &[i64],
) -> Result<HashMap<i64, Fields>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK_VALUES) {
        let sql = format!(
            "SELECT id, title, authors, year, venue, abstract FROM papers WHERE id IN ({})",
            placeholders(backend, 1, chunk.len())
        );
        let vals: Vec<Val> = chunk.iter().map(|id| Val::Int(*id)).collect();
        for row in fetch(tx, sql, &vals).await? {
            out.insert(
                row.try_get("id")?,
                Fields {
                    title: row.try_get("title")?,
                    authors: row.try_get("authors")?,
                    year: row.try_get("year")?,
                    venue: row.try_get("venue")?,
                    abstract_text: row.try_get("abstract")?,
                },
            );
        }
    }
    Ok(out)
}

/// Reserves `n` consecutive-or-not fresh paper ids.
async fn reserve_ids(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    n: usize,
) -> Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match backend {
        Backend::Sqlite => {
            // The write lock (BEGIN IMMEDIATE) is held, so nobody else can take these.
            // AUTOINCREMENT never reuses ids, so look past deleted ones too.
            let top: i64 = sqlx::query_scalar(
                "SELECT MAX(
                    COALESCE((SELECT MAX(id) FROM papers), 0),
                    COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'papers'), 0))",
            )
            .fetch_one(&mut **tx)
            .await?;
            Ok((1..=n as i64).map(|i| top + i).collect())
        }
        Backend::Postgres => Ok(sqlx::query_scalar(
            "SELECT nextval(pg_get_serial_sequence('papers', 'id')) FROM generate_series(1, $1)",
        )
        .bind(n as i64)
        .fetch_all(&mut **tx)
        .await?),
    }
}

/// PostgreSQL plans the alias lookups from table statistics; a bulk import grows the
/// tables far faster than autovacuum re-analyses them, and with stale numbers (a few
/// hundred rows where there are a million) the planner scans every alias of a kind
/// instead of probing the index: seconds per batch instead of milliseconds. So each batch
/// plans its statements afresh (prepared statements would reuse a generic plan) and
/// re-analyses the two tables once they have changed by half since the last ANALYZE.
async fn refresh_statistics(tx: &mut Transaction<'static, Any>) -> Result<()> {
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut **tx)
        .await?;
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT relname::text FROM pg_stat_user_tables
         WHERE relname IN ('papers', 'paper_aliases')
           AND n_mod_since_analyze > GREATEST(1000, n_live_tup / 2)",
    )
    .fetch_all(&mut **tx)
    .await?;
    for table in stale {
        // The name comes from the fixed list above, so it is safe to splice.
        let sql = match table.as_str() {
            "papers" => "ANALYZE papers",
            "paper_aliases" => "ANALYZE paper_aliases",
            _ => continue,
        };
        sqlx::query(sql).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Page cache of a connection that imports catalogs (negative: KiB).
const IMPORT_CACHE: &str = "PRAGMA cache_size = -65536";

/// Why a batch must be redone: another writer took one of its aliases meanwhile.
const RACED: &str = "an identifier was stored by another writer during the import";

impl Store {
    /// Imports a batch of catalog records in one transaction (see the module docs).
    /// Records are taken in order with [`Store::upsert_paper`]'s rules: a record whose
    /// identifiers (or the ids they imply) name a paper merges into it, filling and
    /// replacing fields it gives; otherwise it creates a paper (it then needs a title).
    /// Records without identifiers, with NUL characters, oversized fields, or naming two
    /// different papers are rejected with a reason; the rest of the batch is imported.
    /// Importing the same records again adds and changes nothing.
    /// Batches of up to 10,000 records keep transactions under half a second, so other
    /// writers are served between them (readers never wait).
    pub async fn import_papers(&self, records: &[NewPaper]) -> Result<BatchOutcome> {
        match self.import_papers_once(records).await {
            // On PostgreSQL a concurrent writer can slip in; the second round sees its rows.
            Err(StoreError::Invalid(msg)) if msg == RACED => self.import_papers_once(records).await,
            other => other,
        }
    }

    async fn import_papers_once(&self, records: &[NewPaper]) -> Result<BatchOutcome> {
        let mut tx = self.begin_write().await?;
        match self.backend {
            Backend::Sqlite => {
                // Index pages of a growing catalog outgrow the default 2 MB page cache, and
                // every miss is a read() from the OS cache. Kept per connection: ≤ 64 MB each.
                sqlx::query(IMPORT_CACHE).execute(&mut *tx).await?;
            }
            Backend::Postgres => refresh_statistics(&mut tx).await?,
        }
        let mut all_refs: Vec<PaperRef> = Vec::new();
        for r in records {
            all_refs.extend(with_implied(&r.refs));
        }
        all_refs.sort();
        all_refs.dedup();
        let refs: Vec<&PaperRef> = all_refs.iter().collect();
        let owners = lookup_owners(&mut tx, self.backend, &refs).await?;
        let mut ids: Vec<i64> = owners.values().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        let stored = read_fields(&mut tx, self.backend, &ids).await?;
        let plan = plan(records, &owners, stored);

        let new_ids = reserve_ids(&mut tx, self.backend, plan.new_papers.len()).await?;
        let time = now();
        for (chunk_index, chunk) in plan.new_papers.chunks(PAPER_ROWS_PER_INSERT).enumerate() {
            let first = chunk_index * PAPER_ROWS_PER_INSERT;
            let sql = format!(
                "INSERT INTO papers (id, title, authors, year, venue, abstract, created_at, updated_at)
                 VALUES {}",
                values_clause(self.backend, chunk.len(), 8)
            );
            let mut vals = Vec::with_capacity(chunk.len() * 8);
            for (i, f) in chunk.iter().enumerate() {
                vals.extend([
                    Val::Int(new_ids[first + i]),
                    Val::Text(&f.title),
                    Val::Text(&f.authors),
                    Val::OptInt(f.year),
                    Val::OptText(f.venue.as_deref()),
                    Val::OptText(f.abstract_text.as_deref()),
                    Val::Int(time),
                    Val::Int(time),
                ]);
            }
            execute(&mut tx, sql, &vals).await?;
        }

        let mut changed: Vec<(&i64, &Fields)> = plan
            .stored
            .iter()
            .filter(|(_, (was, now))| was != now)
            .map(|(id, (_, now))| (id, now))
            .collect();
        changed.sort_by_key(|(id, _)| **id);
        for (id, f) in changed {
            sqlx::query(
                "UPDATE papers SET title = $1, authors = $2, year = $3, venue = $4, abstract = $5,
                    updated_at = $6 WHERE id = $7",
            )
            .bind(&f.title)
            .bind(&f.authors)
            .bind(f.year)
            .bind(f.venue.as_deref())
            .bind(f.abstract_text.as_deref())
            .bind(time)
            .bind(*id)
            .execute(&mut *tx)
            .await?;
        }

        // In index order: each B-tree page is then visited once per batch, not per row.
        let mut new_aliases = plan.new_aliases;
        new_aliases.sort_by(|a, b| a.0.cmp(&b.0));
        for chunk in new_aliases.chunks(ALIAS_ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO paper_aliases (kind, value, paper_id) VALUES {}
                 ON CONFLICT (kind, value) DO NOTHING",
                values_clause(self.backend, chunk.len(), 3)
            );
            let mut vals = Vec::with_capacity(chunk.len() * 3);
            for (r, target) in chunk {
                let id = match *target {
                    Target::Stored(id) => id,
                    Target::New(i) => new_ids[i],
                };
                vals.extend([
                    Val::Text(r.kind().as_str()),
                    Val::Text(r.value()),
                    Val::Int(id),
                ]);
            }
            let inserted = execute(&mut tx, sql, &vals).await?;
            if inserted != chunk.len() as u64 {
                // Dropping the transaction rolls it back.
                return Err(StoreError::Invalid(RACED.into()));
            }
        }
        tx.commit().await?;
        Ok(plan.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arxiv(id: &str) -> PaperRef {
        PaperRef::parse_as(IdKind::Arxiv, id).unwrap()
    }
    fn doi(id: &str) -> PaperRef {
        PaperRef::parse_as(IdKind::Doi, id).unwrap()
    }
    fn rec(refs: Vec<PaperRef>, title: &str) -> NewPaper {
        NewPaper {
            refs,
            title: title.into(),
            ..NewPaper::default()
        }
    }

    #[test]
    fn values_clauses_number_in_order() {
        assert_eq!(
            values_clause(Backend::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(values_clause(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(placeholders(Backend::Postgres, 2, 3), "$2, $3, $4");
    }

    #[test]
    fn checks_refuse_what_cannot_be_stored() {
        assert!(
            check(&rec(vec![], "T"))
                .unwrap_err()
                .contains("no identifier")
        );
        assert!(
            check(&rec(vec![arxiv("1609.00150")], "a\0b"))
                .unwrap_err()
                .contains("NUL")
        );
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        assert!(check(&rec(vec![arxiv("1609.00150")], &long)).is_err());
        let ok = check(&NewPaper {
            authors: vec![" A ".into(), "".into()],
            venue: Some("  ".into()),
            ..rec(vec![arxiv("1609.00150")], " T ")
        })
        .unwrap();
        assert_eq!(ok.title, "T");
        assert_eq!(ok.authors.as_deref(), Some(r#"["A"]"#));
        assert_eq!(ok.venue, None);
    }

    #[test]
    fn records_sharing_an_alias_become_one_paper() {
        let records = vec![
            rec(vec![arxiv("1609.00150")], "First"),
            rec(vec![doi("10.1000/x"), arxiv("1609.00150")], "Second title"),
            rec(vec![doi("10.1000/x")], ""),
        ];
        let p = plan(&records, &HashMap::new(), HashMap::new());
        assert_eq!(p.outcome.added, 1);
        assert_eq!(p.outcome.merged, 2);
        assert_eq!(p.new_papers.len(), 1);
        assert_eq!(p.new_papers[0].title, "Second title");
        assert_eq!(p.new_aliases.len(), 2);
    }

    #[test]
    fn records_naming_two_papers_are_rejected_alone() {
        let owners = HashMap::from([(arxiv("1609.00150"), 1), (doi("10.1000/x"), 2)]);
        let fields = |t: &str| Fields {
            title: t.into(),
            authors: "[]".into(),
            year: None,
            venue: None,
            abstract_text: None,
        };
        let stored = HashMap::from([(1, fields("One")), (2, fields("Two"))]);
        let records = vec![
            rec(vec![arxiv("1609.00150"), doi("10.1000/x")], "Both"),
            rec(vec![arxiv("1609.00150")], "One"),
            rec(vec![arxiv("1701.00001")], ""),
        ];
        let p = plan(&records, &owners, stored);
        assert_eq!(p.outcome.merged, 1);
        assert_eq!(p.outcome.updated, 0);
        assert_eq!(p.outcome.rejected.len(), 2);
        assert_eq!(p.outcome.rejected[0].0, 0);
        assert!(p.outcome.rejected[0].1.contains("two different papers"));
        assert_eq!(
            p.outcome.rejected[1],
            (2, "no title for a new paper".into())
        );
        assert!(p.new_aliases.is_empty());
    }
}
