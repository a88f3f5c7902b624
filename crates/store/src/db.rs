//! Connecting, pool settings, transactions and small shared helpers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::any::AnyPoolOptions;
use sqlx::{Any, Row, Transaction};

use crate::{Backend, Counts, Result, Store, StoreError, migrate};

/// How long a request waits for a connection before failing with "unavailable" (503):
/// short, so a database that went away answers fast instead of piling up requests.
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Run on every new SQLite connection.
/// WAL lets readers work while one writer commits. `synchronous=FULL` syncs the WAL at
/// every commit, so an acknowledged write survives an OS crash or power loss too, not
/// only a crash of this process (all NORMAL promises). It cost 0.13 ms per commit
/// where measured (docs/OPERATIONS.md), nothing at this site's write rate.
/// `busy_timeout` makes a writer wait for the lock instead of failing at once.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000;
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;
PRAGMA synchronous = FULL;";

impl Backend {
    /// Which backend a database URL names.
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Invalid(format!(
                "unsupported database URL {:?}: use sqlite://PATH or postgres://…",
                redact(url)
            )))
        }
    }
}

/// The URL without a password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}:***{}", &url[..scheme + 3 + colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Adds `mode=rwc` so a missing database file is created, unless a mode is given.
fn sqlite_url(url: &str) -> String {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    if query.split('&').any(|pair| pair.starts_with("mode=")) || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// A 0/1 flag column, from either read path.
pub(crate) fn get_flag(row: &impl crate::row::Columns, column: &str) -> Result<bool> {
    Ok(row.col::<i64>(column)? != 0)
}

impl Store {
    /// `sqlite://path` (created if missing; WAL, foreign keys on) or `postgres://…`.
    /// Applies migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = AnyPoolOptions::new()
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // A COMMIT that failed (disk full, I/O error) can leave a connection marked as
            // inside a transaction; every later BEGIN on it would fail. Drop such a
            // connection instead of handing it out, so writes work again once there is room.
            .before_acquire(|conn, _meta| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) })
            });
        let mut direct = None;
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let url = sqlite_url(url);
                let memory = url.contains(":memory:") || url.contains("mode=memory");
                // sqlx pings every connection it hands out; for a file on this machine
                // there is no far end to lose, and the ping is one more round trip to
                // the connection's worker thread before every query.
                let with_pragmas = |options: AnyPoolOptions| {
                    options
                        .test_before_acquire(false)
                        .after_connect(|conn, _meta| {
                            Box::pin(async move {
                                sqlx::raw_sql(SQLITE_PRAGMAS).execute(conn).await?;
                                Ok(())
                            })
                        })
                };
                if memory {
                    // An in-memory database lives only as long as its single connection.
                    let pool = with_pragmas(
                        options
                            .max_connections(1)
                            .min_connections(1)
                            .idle_timeout(None)
                            .max_lifetime(None),
                    )
                    .connect(&url)
                    .await?;
                    (pool.clone(), pool)
                } else {
                    // A few connections serve concurrent readers; SQLite has one writer
                    // at a time anyway, so writes get one connection of their own.
                    let writer = with_pragmas(options.clone().max_connections(1))
                        .connect(&url)
                        .await?;
                    let pool = with_pragmas(options.max_connections(4))
                        .connect(&url)
                        .await?;
                    let path = url
                        .parse::<sqlx::sqlite::SqliteConnectOptions>()?
                        .get_filename()
                        .to_owned();
                    direct = Some(std::sync::Arc::new(crate::direct::DirectReads::new(path)));
                    (pool, writer)
                }
            }
            Backend::Postgres => {
                let pool = options.max_connections(10).connect(url).await?;
                (pool.clone(), pool)
            }
        };
        migrate::run(&writer, backend).await?;
        let watcher = (backend == Backend::Postgres)
            .then(|| std::sync::Arc::new(crate::generation::Watcher::new(url)));
        Ok(Store {
            pool,
            writer,
            watcher,
            direct,
            backend,
        })
    }

    /// PostgreSQL: refreshes the planner's statistics (a no-op on SQLite, whose plans
    /// this crate pins with join order and, where an index on `private` alone would win,
    /// `+s.private`). For after bulk writes: without numbers
    /// for `summaries`, the planner counted each search card's summaries by walking every
    /// public one (15 ms a card at 10,000 summaries). Autovacuum does this on its own only
    /// when it is on, and only after the fact.
    pub async fn analyze(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("ANALYZE").execute(&self.pool).await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for tests and diagnostics; queries belong in this crate.
    pub fn pool(&self) -> &sqlx::AnyPool {
        &self.pool
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
        if let Some(watcher) = &self.watcher {
            watcher.close().await;
        }
        if let Some(direct) = &self.direct {
            direct.close();
        }
    }

    /// A transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so a read-then-write cannot fail with SQLITE_BUSY midway.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        })
    }

    /// True when there are no papers and no users (demo content goes only there).
    pub async fn is_empty(&self) -> Result<bool> {
        let counts = self.counts().await?;
        Ok(counts.papers == 0 && counts.users == 0)
    }

    pub async fn counts(&self) -> Result<Counts> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM papers) AS papers,
                    (SELECT COUNT(*) FROM summaries) AS summaries,
                    (SELECT COUNT(*) FROM users) AS users",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Counts {
            papers: row.try_get("papers")?,
            summaries: row.try_get("summaries")?,
            users: row.try_get("users")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::from_url("sqlite://a.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::from_url("sqlite::memory:").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        let err = Backend::from_url("mysql://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unsupported database URL"), "{err}");
        assert!(!err.contains("secret"), "password leaked: {err}");
    }

    #[test]
    fn sqlite_url_creates_missing_files() {
        assert_eq!(sqlite_url("sqlite://a.db"), "sqlite://a.db?mode=rwc");
        assert_eq!(
            sqlite_url("sqlite://a.db?cache=shared"),
            "sqlite://a.db?cache=shared&mode=rwc"
        );
        assert_eq!(sqlite_url("sqlite://a.db?mode=ro"), "sqlite://a.db?mode=ro");
        assert_eq!(sqlite_url("sqlite::memory:"), "sqlite::memory:");
    }

    #[test]
    fn redact_hides_passwords_only() {
        assert_eq!(redact("postgres://u:pw@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
