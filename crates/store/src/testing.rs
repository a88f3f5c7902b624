//! Fresh, empty databases for tests: one SQLite file in a temporary directory and one
//! new PostgreSQL database, so every store test runs on both backends.
//!
//! PostgreSQL is found at `SHORTSCIENCE_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); the user must be allowed to create
//! databases. When it is unreachable, tests run on SQLite only — unless `CI=true`,
//! where that is a failure. Databases are named `sst_<pid>_<n>_<random>`, dropped when
//! their `TestDb` is dropped, and any left by a dead test process are dropped by the
//! next run.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sqlx::{AnyConnection, Connection};

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const PREFIX: &str = "sst_";

/// A database that exists for as long as this value does.
#[derive(Debug)]
pub struct TestDb {
    /// "sqlite" or "postgres".
    pub name: &'static str,
    /// Pass to `Store::connect`.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    /// Held only so the directory is removed on drop.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        database: String,
    },
}

/// One empty database per available backend; see the module docs.
pub async fn test_databases() -> Vec<TestDb> {
    let mut dbs = vec![sqlite()];
    match postgres().await {
        Ok(db) => dbs.push(db),
        Err(reason) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but the PostgreSQL test database is unavailable: {reason}")
        }
        Err(reason) => eprintln!("skipping postgres: {reason}"),
    }
    dbs
}

/// The PostgreSQL test database alone, or None where there is none (never on CI).
pub async fn postgres_database() -> Option<TestDb> {
    test_databases()
        .await
        .into_iter()
        .find(|db| db.name == "postgres")
}

fn sqlite() -> TestDb {
    let dir = tempfile::Builder::new()
        .prefix("shortscience-test-")
        .tempdir()
        .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    TestDb {
        name: "sqlite",
        url,
        cleanup: Cleanup::Sqlite(dir),
    }
}

async fn postgres() -> Result<TestDb, String> {
    sqlx::any::install_default_drivers();
    let admin_url = std::env::var("SHORTSCIENCE_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.into());
    let mut admin =
        tokio::time::timeout(Duration::from_secs(5), AnyConnection::connect(&admin_url))
            .await
            .map_err(|_| format!("no answer from {admin_url} within 5 s"))?
            .map_err(|e| format!("cannot connect to {admin_url}: {e}"))?;
    drop_dead_databases(&mut admin).await;
    let database = fresh_name();
    // The name is ours (prefix, digits, hex), so it is safe to splice into DDL.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE \"{database}\""
    )))
    .execute(&mut admin)
    .await
    .map_err(|e| format!("cannot create database {database}: {e}"))?;
    let _ = admin.close().await;
    let url = with_database(&admin_url, &database);
    Ok(TestDb {
        name: "postgres",
        url,
        cleanup: Cleanup::Postgres {
            admin_url,
            database,
        },
    })
}

fn fresh_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let random = RandomState::new().hash_one(n) as u32;
    format!("{PREFIX}{}_{n}_{random:08x}", std::process::id())
}

/// The pid a test database name carries, if it is one of ours.
fn owner_pid(database: &str) -> Option<u32> {
    database
        .strip_prefix(PREFIX)?
        .split('_')
        .next()?
        .parse()
        .ok()
}

/// Drops databases left by test processes that no longer run (a killed run cannot
/// clean up after itself). Once per process; failures only cost disk space.
async fn drop_dead_databases(admin: &mut AnyConnection) {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::SeqCst) || !cfg!(target_os = "linux") {
        return;
    }
    let names: Vec<String> = match sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'sst\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    {
        Ok(names) => names,
        Err(e) => {
            eprintln!("cannot list old test databases: {e}");
            return;
        }
    };
    for name in names {
        let Some(pid) = owner_pid(&name) else {
            continue;
        };
        if std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        if let Err(e) = drop_database(admin, &name).await {
            eprintln!("cannot drop old test database {name}: {e}");
        }
    }
}

async fn drop_database(admin: &mut AnyConnection, name: &str) -> Result<(), sqlx::Error> {
    if !name.starts_with(PREFIX) || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Ok(());
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(admin)
    .await?;
    Ok(())
}

/// `url` with its database path replaced by `database` (query string kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[host_start..].find('/') {
        Some(slash) => &base[..host_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Cleanup::Postgres {
            admin_url,
            database,
        } = &self.cleanup
        else {
            return; // TempDir removes itself.
        };
        let (admin_url, database) = (admin_url.clone(), database.clone());
        // Drop is synchronous and may run inside a runtime: use a thread with its own.
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = AnyConnection::connect(&admin_url).await?;
                drop_database(&mut admin, &database).await?;
                admin.close().await
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("cannot drop test database {}: {e}", self.url),
            Err(_) => eprintln!("dropping test database {} panicked", self.url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "sst_1"),
            "postgres://postgres@127.0.0.1:5432/sst_1"
        );
        assert_eq!(with_database("postgres://u:p@h", "d"), "postgres://u:p@h/d");
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "d"),
            "postgres://u@h/d?sslmode=disable"
        );
    }

    #[test]
    fn fresh_names_are_ours_and_distinct() {
        let (a, b) = (fresh_name(), fresh_name());
        assert_ne!(a, b);
        assert_eq!(owner_pid(&a), Some(std::process::id()));
        assert!(
            a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{a}"
        );
        assert_eq!(owner_pid("postgres"), None);
        assert_eq!(owner_pid("sst_x_1"), None);
    }
}
