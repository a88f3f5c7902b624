//! `shortscience backup FILE`: a consistent copy of a live SQLite database, taken while
//! the site serves. PostgreSQL is refused with `pg_dump` guidance.

use std::process::ExitCode;
use std::time::Instant;

use shortscience::settings::{self, Overrides};
use shortscience_store::Backend;

use super::open_store;
use crate::BackupArgs;

/// What to run instead for PostgreSQL.
pub const PG_DUMP_GUIDANCE: &str = "shortscience backup copies SQLite databases; \
back up PostgreSQL with its own tools, which take a consistent snapshot of a live database:\n\
  pg_dump --format=custom --file=shortscience.dump 'postgres://USER@HOST/DB'\n\
and restore into an empty database with:\n\
  pg_restore --no-owner --dbname='postgres://USER@HOST/NEWDB' shortscience.dump\n\
(see docs/OPERATIONS.md)";

pub async fn run(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let (settings, store) = open_store(&args.store, Overrides::default()).await?;
    if store.backend() == Backend::Postgres {
        eprintln!("{PG_DUMP_GUIDANCE}");
        return Ok(ExitCode::FAILURE);
    }
    let started = Instant::now();
    store
        .backup_into(&args.file)
        .await
        .map_err(|e| anyhow::anyhow!("backup failed: {e}"))?;
    let bytes = std::fs::metadata(&args.file).map_or(0, |m| m.len());
    let counts = store.counts().await?;
    store.close().await;
    println!(
        "backed up {} to {} ({bytes} bytes, integrity ok) in {:.1} s; \
         the site had {} papers, {} summaries, {} users",
        settings::redact_url(&settings.db),
        args.file.display(),
        started.elapsed().as_secs_f64(),
        counts.papers,
        counts.summaries,
        counts.users,
    );
    Ok(ExitCode::SUCCESS)
}
