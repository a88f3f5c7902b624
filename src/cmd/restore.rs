//! `shortscience restore FILE`: a backup made by `backup` becomes the site's database.
//!
//! Into SQLite the file is copied whole (checked first, written beside the target, then
//! renamed over it, with the old write-ahead log removed so it cannot be replayed onto
//! the restored file). Into PostgreSQL its rows are copied like `copy-db` does, into an
//! empty database. Either way a target that already holds data is refused unless
//! `--force`; stop the server before restoring.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use shortscience::settings::{self, Overrides};
use shortscience_store::{Backend, Store, sqlite_file_integrity};

use super::migrate_db::copy_with_progress;
use crate::RestoreArgs;

pub async fn run(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let overrides = Overrides {
        db: args.store.db.clone(),
        ..Overrides::default()
    };
    let settings = settings::load(args.store.config.as_deref(), &overrides)?;
    if !args.file.is_file() {
        bail!("{} is not a file", args.file.display());
    }
    let problems = sqlite_file_integrity(&args.file)
        .await
        .with_context(|| format!("{} is not a readable SQLite backup", args.file.display()))?;
    if !problems.is_empty() {
        bail!(
            "{} fails its integrity check: {}",
            args.file.display(),
            problems.join("; ")
        );
    }
    match Backend::from_url(&settings.db)? {
        Backend::Sqlite => restore_file(&args.file, &settings.db, args.force).await?,
        Backend::Postgres => restore_rows(&args.file, &settings.db, args.force).await?,
    }
    let store = Store::connect(&settings.db)
        .await
        .context("the restored database does not open")?;
    let counts = store.counts().await?;
    store.close().await;
    println!(
        "restored {} into {}: {} papers, {} summaries, {} users",
        args.file.display(),
        settings::redact_url(&settings.db),
        counts.papers,
        counts.summaries,
        counts.users
    );
    Ok(ExitCode::SUCCESS)
}

/// The file a `sqlite:` URL names (without its query string).
pub fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("not a sqlite: URL")?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        bail!("restore needs a database file, not {url}");
    }
    Ok(PathBuf::from(path))
}

async fn has_data(url: &str) -> anyhow::Result<bool> {
    let store = Store::connect(url).await?;
    let any = store.table_counts().await?.iter().any(|(_, n)| *n > 0);
    store.close().await;
    Ok(any)
}

async fn restore_file(backup: &Path, url: &str, force: bool) -> anyhow::Result<()> {
    let target = sqlite_path(url)?;
    if target.exists() && !force && has_data(url).await.unwrap_or(true) {
        bail!(
            "{} already holds data; stop the server and pass --force to replace it",
            target.display()
        );
    }
    let partial = with_suffix(&target, ".restore-partial");
    std::fs::copy(backup, &partial)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot sync {}", partial.display()))?;
    // An old log replayed onto the restored file would corrupt it.
    for suffix in ["-wal", "-shm"] {
        let side = with_suffix(&target, suffix);
        if side.exists() {
            std::fs::remove_file(&side)
                .with_context(|| format!("cannot remove {}", side.display()))?;
        }
    }
    std::fs::rename(&partial, &target)
        .with_context(|| format!("cannot move the restored file to {}", target.display()))?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

async fn restore_rows(backup: &Path, url: &str, force: bool) -> anyhow::Result<()> {
    if force {
        bail!("--force does not empty a PostgreSQL database; restore into a new, empty one");
    }
    // Work on a copy: opening a database may migrate it, and the backup stays as taken.
    let copy = std::env::temp_dir().join(format!("shortscience-restore-{}.db", std::process::id()));
    std::fs::copy(backup, &copy).context("cannot copy the backup")?;
    let copied = async {
        let source = Store::connect(&format!("sqlite://{}", copy.display())).await?;
        let target = Store::connect(url).await?;
        let report = copy_with_progress(&source, &target, 500).await;
        source.close().await;
        target.close().await;
        report
    }
    .await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&copy, suffix));
    }
    copied.map(|_| ())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_from_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/site.db?mode=rwc").unwrap(),
            PathBuf::from("data/site.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///abs/site.db").unwrap(),
            PathBuf::from("/abs/site.db")
        );
        assert!(sqlite_path("sqlite::memory:").is_err());
        assert!(sqlite_path("postgres://x/y").is_err());
    }

    #[test]
    fn side_files_sit_beside_the_database() {
        assert_eq!(
            with_suffix(Path::new("/d/site.db"), "-wal"),
            PathBuf::from("/d/site.db-wal")
        );
    }
}
