//! `shortscience export DIR`: every summary as a summary file, ready for `import`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use shortscience::naming::export_file_name;
use shortscience::settings::Overrides;
use shortscience::summary_file::{self, FrontMatter};
use shortscience_store::SummaryRecord;

use super::open_store;
use crate::ExportArgs;

pub async fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let (_, store) = open_store(&args.store, Overrides::default()).await?;
    let records = store
        .all_summaries()
        .await
        .context("cannot read the summaries")?;
    let dir = &args.dir;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for record in &records {
        let (name, text) = to_file(record);
        remove_stale(dir, record.id.0, &name)?;
        let path = dir.join(&name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let noun = if records.len() == 1 {
        "summary"
    } else {
        "summaries"
    };
    println!("exported {} {noun} to {}", records.len(), dir.display());
    Ok(ExitCode::SUCCESS)
}

/// File name and contents for one summary.
fn to_file(r: &SummaryRecord) -> (String, String) {
    let meta = FrontMatter {
        refs: r.paper.aliases.clone(),
        title: r.paper.title.clone(),
        authors: r.paper.authors.clone(),
        year: r.paper.year,
        venue: r.paper.venue.clone(),
        abstract_text: r.paper.abstract_text.clone(),
        author: Some(r.author_username.clone()),
        private: r.private,
        anonymous: r.anonymous,
        created: Some(r.created_at),
        edited: Some(r.edited_at),
    };
    let fallback = r.paper.aliases.first().map(|a| a.value()).unwrap_or("");
    let name = export_file_name(r.id.0, &r.paper.title, fallback);
    (name, summary_file::write(&meta, &r.markdown))
}

/// A retitled paper changes the slug; the old `<id>-old-slug.md` must not linger and
/// be imported over the new one.
fn remove_stale(dir: &Path, id: i64, keep: &str) -> anyhow::Result<()> {
    let prefix = format!("{id}-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && name.ends_with(".md") && name != keep {
            std::fs::remove_file(entry.path()).with_context(|| {
                format!("cannot remove stale export {}", entry.path().display())
            })?;
        }
    }
    Ok(())
}
