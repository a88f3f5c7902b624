//! Forward-only schema migrations, one SQL file per backend per step, embedded in the
//! binary and applied at connect, each in its own transaction.

use sqlx::AnyConnection;
use sqlx::{AnyPool, Row};

use crate::db::now;
use crate::{Backend, Result, StoreError};

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file)),
            postgres: include_str!(concat!("../migrations/postgres/", $file)),
        }
    };
}

/// In order; append only. A released migration is never edited.
pub(crate) const MIGRATIONS: &[Migration] = &[
    migration!(1, "initial", "0001_initial.sql"),
    migration!(2, "accounts", "0002_accounts.sql"),
    migration!(3, "writing", "0003_writing.sql"),
    migration!(4, "search", "0004_search.sql"),
    migration!(5, "api", "0005_api.sql"),
    migration!(6, "moderation", "0006_moderation.sql"),
    migration!(7, "page_speed", "0007_page_speed.sql"),
    migration!(8, "paper_merges", "0008_paper_merges.sql"),
    migration!(9, "restored_merges", "0009_restored_merges.sql"),
    migration!(10, "comment_counts", "0010_comment_counts.sql"),
    migration!(11, "search_inline", "0011_search_inline.sql"),
    migration!(12, "generation_followers", "0012_generation_followers.sql"),
    migration!(13, "title_search", "0013_title_search.sql"),
];

/// Serialises concurrent migrators on PostgreSQL (any constant works; this spells "sst").
const PG_LOCK_KEY: i64 = 0x0073_7374;

pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<()> {
    let mut conn = pool.acquire().await?;
    bootstrap(&mut conn, backend).await?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    let applied = applied(&mut conn).await?;
    for (version, name) in &applied {
        match MIGRATIONS.iter().find(|m| m.version == *version) {
            Some(m) if m.name == name => {}
            Some(m) => {
                return Err(StoreError::Invalid(format!(
                    "database migration {version} is {name:?} but this binary calls it {:?}; \
                     the database belongs to a different build",
                    m.name
                )));
            }
            None if *version > known => {
                return Err(StoreError::Invalid(format!(
                    "the database has migration {version} ({name}), newer than this binary knows \
                     (up to {known}); run a newer shortscience"
                )));
            }
            None => {
                return Err(StoreError::Invalid(format!(
                    "the database has migration {version} ({name}), which this binary does not know"
                )));
            }
        }
    }
    for m in MIGRATIONS {
        if !applied.iter().any(|(v, _)| *v == m.version) {
            apply(&mut conn, backend, m).await?;
        }
    }
    Ok(())
}

async fn begin(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<sqlx::Transaction<'_, sqlx::Any>> {
    use sqlx::Connection;
    let mut tx = match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => conn.begin().await?,
    };
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(PG_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
    }
    Ok(tx)
}

async fn bootstrap(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    let mut tx = begin(conn, backend).await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version     BIGINT PRIMARY KEY,
            name        TEXT NOT NULL,
            applied_at  BIGINT NOT NULL
        )",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn applied(conn: &mut AnyConnection) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT version, name FROM schema_migrations ORDER BY version")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("version")?, r.try_get("name")?)))
        .collect()
}

async fn apply(conn: &mut AnyConnection, backend: Backend, m: &Migration) -> Result<()> {
    let mut tx = begin(conn, backend).await?;
    // Another process may have applied it while we waited for the lock.
    let done: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations WHERE version = $1")
        .bind(m.version)
        .fetch_one(&mut *tx)
        .await?;
    if done > 0 {
        return Ok(());
    }
    let sql = match backend {
        Backend::Sqlite => m.sqlite,
        Backend::Postgres => m.postgres,
    };
    sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(|e| {
        StoreError::Invalid(format!("migration {} ({}) failed: {e}", m.version, m.name))
    })?;
    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
        .bind(m.version)
        .bind(m.name)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(version = m.version, name = m.name, "applied migration");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_strictly_increase_and_names_are_unique() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version);
            assert_ne!(pair[0].name, pair[1].name);
        }
        assert_eq!(MIGRATIONS[0].version, 1);
    }

    /// A dialect with nothing to do for a step says so in its first line.
    fn has_work_or_says_none(sql: &str) -> bool {
        sql.contains("CREATE") || sql.contains("ALTER") || sql.starts_with("-- Nothing to do on ")
    }

    #[test]
    fn every_migration_has_both_dialects() {
        for m in MIGRATIONS {
            assert!(has_work_or_says_none(m.sqlite), "{}", m.name);
            assert!(has_work_or_says_none(m.postgres), "{}", m.name);
        }
        assert!(!has_work_or_says_none(""));
        assert!(!has_work_or_says_none("-- TODO\n"));
    }
}
