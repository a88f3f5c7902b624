//! SQLite: the paper page's reads on connections of our own, run on the calling thread.
//!
//! Through sqlx, every SQLite statement crosses to its connection's worker thread and
//! back, and every connection is pinged again as it returns to the pool. For the
//! paper page (two queries of well under 100 µs each in SQLite) those crossings were
//! most of the cost of an uncached view: `perf` showed 40 % of its samples in the
//! kernel switching threads (bench/NOTES.md). Here the same SQL runs on a read-only
//! connection on the thread that asks. In WAL mode readers never wait for the writer,
//! so these reads do not stall the async runtime any longer than rendering does.
//!
//! Anything that goes wrong here (a locked file, an I/O error, a row that does not
//! decode) is logged and answered by returning `None`: the caller then asks the pool,
//! which gives the real answer or the real error. After a failure this path rests for
//! [`REST_AFTER_FAILURE`] so a broken file costs one attempt, not one per request.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, ToSql};
use shortscience_ids::{PaperId, UserId};

use crate::papers::{PAPER_WITH_ALIASES, paper_from_alias_rows};
use crate::summaries::{counted_view_from_row, paper_summaries_sql};
use crate::{Paper, SummarySort, SummaryView};

/// Connections kept for reuse; more are opened under load and closed after use.
const MAX_IDLE: usize = 8;
/// Longest a read waits for a lock before giving up (and falling back to the pool).
/// WAL readers wait only in rare moments, such as another connection recovering the log.
const BUSY_TIMEOUT: Duration = Duration::from_millis(20);
const REST_AFTER_FAILURE: Duration = Duration::from_secs(1);

pub(crate) struct DirectReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    closed: AtomicBool,
    /// Milliseconds since `epoch` before which this path is not tried; 0 for none.
    rest_until: AtomicU64,
    epoch: Instant,
}

impl std::fmt::Debug for DirectReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReads")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

enum Failure {
    Sqlite(rusqlite::Error),
    Decode(crate::StoreError),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Sqlite(e) => e.fmt(f),
            Failure::Decode(e) => e.fmt(f),
        }
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sqlite(e)
    }
}

impl From<crate::StoreError> for Failure {
    fn from(e: crate::StoreError) -> Self {
        Failure::Decode(e)
    }
}

impl DirectReads {
    /// For the SQLite file at `path`, which the pool has opened (and migrated) first.
    pub(crate) fn new(path: PathBuf) -> DirectReads {
        DirectReads {
            path,
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
            rest_until: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    /// Closes the kept connections; later reads go to the (closed) pool.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }

    /// `Store::paper`, or None to ask the pool.
    pub(crate) fn paper(&self, id: PaperId) -> Option<Option<Paper>> {
        self.read("paper", |conn| {
            let mut statement = conn.prepare_cached(PAPER_WITH_ALIASES)?;
            let mut rows = statement.query([("$1", &id.0 as &dyn ToSql)].as_slice())?;
            let mut found = Vec::new();
            while let Some(row) = rows.next()? {
                found.push(Owned::from(row)?);
            }
            Ok(paper_from_alias_rows(&found)?)
        })
    }

    /// `Store::paper_summaries`, or None to ask the pool.
    pub(crate) fn paper_summaries(
        &self,
        paper: PaperId,
        viewer: Option<UserId>,
        sort: SummarySort,
    ) -> Option<Vec<SummaryView>> {
        self.read("paper summaries", |conn| {
            let mut statement = conn.prepare_cached(paper_summaries_sql(sort))?;
            let viewer_id = viewer.map(|v| v.0);
            let mut rows = statement.query(
                [
                    ("$1", &paper.0 as &dyn ToSql),
                    ("$2", &viewer_id as &dyn ToSql),
                ]
                .as_slice(),
            )?;
            let mut views = Vec::new();
            while let Some(row) = rows.next()? {
                views.push(counted_view_from_row(row, viewer)?);
            }
            Ok(views)
        })
    }

    fn read<T>(
        &self,
        what: &str,
        run: impl FnOnce(&Connection) -> Result<T, Failure>,
    ) -> Option<T> {
        if self.closed.load(Ordering::Relaxed) || self.resting() {
            return None;
        }
        let kept = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let outcome = match kept {
            Some(conn) => Ok(conn),
            None => self.open().map_err(Failure::from),
        }
        .and_then(|conn| run(&conn).map(|value| (conn, value)));
        match outcome {
            Ok((conn, value)) => {
                if let Ok(mut idle) = self.idle.lock()
                    && idle.len() < MAX_IDLE
                    && !self.closed.load(Ordering::Relaxed)
                {
                    idle.push(conn);
                }
                Some(value)
            }
            Err(e) => {
                // The connection that failed is dropped, not kept.
                tracing::warn!(error = %e, what, "direct SQLite read failed; asking the pool");
                let until = self.epoch.elapsed() + REST_AFTER_FAILURE;
                self.rest_until
                    .store(until.as_millis() as u64, Ordering::Relaxed);
                None
            }
        }
    }

    fn resting(&self) -> bool {
        let until = self.rest_until.load(Ordering::Relaxed);
        until != 0 && (self.epoch.elapsed().as_millis() as u64) < until
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(conn)
    }
}

/// A row copied out of its statement, for decoders that look at several rows at once.
struct Owned {
    names: Vec<String>,
    values: Vec<rusqlite::types::Value>,
}

impl Owned {
    fn from(row: &rusqlite::Row<'_>) -> rusqlite::Result<Owned> {
        let statement = row.as_ref();
        let count = statement.column_count();
        let mut names = Vec::with_capacity(count);
        let mut values = Vec::with_capacity(count);
        for i in 0..count {
            names.push(statement.column_name(i)?.to_owned());
            values.push(row.get(i)?);
        }
        Ok(Owned { names, values })
    }
}

impl crate::row::Columns for Owned {
    fn col<T: crate::row::Value>(&self, column: &str) -> crate::Result<T> {
        let i = self
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(column))
            .ok_or_else(|| crate::StoreError::Invalid(format!("no column {column}")))?;
        let value = rusqlite::types::ValueRef::from(&self.values[i]);
        T::column_result(value)
            .map_err(|e| crate::StoreError::Invalid(format!("column {column}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use shortscience_ids::{IdKind, PaperRef};

    use super::*;
    use crate::comments::CommentWrite;
    use crate::{NewPaper, Store, SummaryWrite};

    fn write(paper: PaperId, author: UserId, text: &str) -> SummaryWrite {
        SummaryWrite {
            paper,
            author,
            markdown: text.into(),
            html: format!("<p>{text} <math><mi>x</mi></math> é</p>"),
            excerpt: text.into(),
            paper_refs: Vec::new(),
            renderer_version: 1,
            private: false,
            anonymous: false,
            created_at: None,
        }
    }

    /// The pool's answers, through the same SQL and decoders, for comparison.
    async fn pooled(
        store: &Store,
        paper: PaperId,
        viewer: Option<UserId>,
        sort: SummarySort,
    ) -> Vec<SummaryView> {
        let rows = sqlx::query(paper_summaries_sql(sort))
            .bind(paper.0)
            .bind(viewer.map(|v| v.0))
            .fetch_all(store.pool())
            .await
            .unwrap();
        rows.iter()
            .map(|r| counted_view_from_row(r, viewer).unwrap())
            .collect()
    }

    #[tokio::test]
    async fn direct_reads_answer_as_the_pool_does() {
        let db = crate::testing::test_databases()
            .await
            .into_iter()
            .find(|db| db.name == "sqlite")
            .unwrap();
        let store = Store::connect(&db.url).await.unwrap();
        let direct = store
            .direct
            .clone()
            .expect("a SQLite file gets direct reads");

        let refs = vec![
            PaperRef::parse_as(IdKind::Arxiv, "1609.00150").unwrap(),
            PaperRef::parse_as(IdKind::Doi, "10.1000/xyz").unwrap(),
        ];
        let paper = store
            .upsert_paper(&NewPaper {
                refs,
                title: "Attention, “quoted”".into(),
                authors: vec!["Ada Lovelace".into(), "Émile Borel".into()],
                year: Some(2016),
                ..NewPaper::default()
            })
            .await
            .unwrap();
        let [ada, bob, cy, mod_] = ["ada", "bob", "cy", "mod"].map(|n| store.ensure_user(n));
        let (ada, bob, cy, moderator) = (
            ada.await.unwrap(),
            bob.await.unwrap(),
            cy.await.unwrap(),
            mod_.await.unwrap(),
        );
        let (public, _) = store
            .save_summary(&write(paper, ada, "public"))
            .await
            .unwrap();
        let mut private = write(paper, bob, "private");
        private.private = true;
        store.save_summary(&private).await.unwrap();
        let mut anonymous = write(paper, cy, "anonymous");
        anonymous.anonymous = true;
        let (anon, _) = store.save_summary(&anonymous).await.unwrap();
        let (hidden, _) = store
            .save_summary(&write(paper, moderator, "hidden"))
            .await
            .unwrap();
        store
            .set_summary_hidden(moderator, hidden, true, "test")
            .await
            .unwrap();
        store.set_vote(bob, public, 1).await.unwrap();
        store.set_vote(ada, anon, -1).await.unwrap();
        for text in ["one", "two"] {
            store
                .add_comment(
                    &CommentWrite {
                        summary: public,
                        parent: None,
                        author: bob,
                        markdown: text.into(),
                        html: format!("<p>{text}</p>"),
                        renderer_version: 1,
                    },
                    None,
                )
                .await
                .unwrap();
        }

        let found = direct.paper(paper).expect("the direct path answers");
        assert_eq!(found, store.paper(paper).await.unwrap());
        let found = found.expect("the paper exists");
        assert_eq!(found.aliases.len(), 2);
        assert_eq!(found.authors[1], "Émile Borel");
        assert_eq!(direct.paper(PaperId(paper.0 + 1000)), Some(None));

        for sort in [SummarySort::Best, SummarySort::New, SummarySort::Top] {
            for viewer in [None, Some(ada), Some(bob), Some(cy)] {
                let fast = direct
                    .paper_summaries(paper, viewer, sort)
                    .expect("the direct path answers");
                assert_eq!(fast, pooled(&store, paper, viewer, sort).await);
                // Hidden never shows here; bob's private one only to bob.
                assert_eq!(fast.len(), if viewer == Some(bob) { 3 } else { 2 });
            }
        }
        let best = direct
            .paper_summaries(paper, None, SummarySort::Best)
            .unwrap();
        assert_eq!(best[0].id, public);
        assert_eq!(best[0].comments, Some(2));
        assert!(best[1].author.is_none(), "anonymous byline stays hidden");

        // After close, this path declines and the pool's error is the answer.
        store.close().await;
        assert!(direct.paper(paper).is_none());
        assert!(store.paper(paper).await.is_err());
    }

    #[test]
    fn a_file_that_cannot_be_read_sends_reads_to_the_pool() {
        let dir = tempfile::tempdir().unwrap();
        let direct = DirectReads::new(dir.path().join("missing.db"));
        assert!(direct.paper(PaperId(1)).is_none());
        // Resting after the failure: no new attempt, still None.
        assert!(direct.resting());
        assert!(
            direct
                .paper_summaries(PaperId(1), None, SummarySort::Best)
                .is_none()
        );
    }
}
