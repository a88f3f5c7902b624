//! The commands. Each takes its parsed arguments and returns the exit status;
//! `anyhow` errors are reported by `main`.

pub mod backup;
pub mod bench;
pub mod catalog;
pub mod dump;
pub mod export;
pub mod gen_site;
pub mod import;
pub mod migrate_db;
pub mod render;
pub mod restore;
pub mod restore_dump;
pub mod serve;
pub mod user;

use std::fmt;

use anyhow::Context as _;
use shortscience::settings::{self, Overrides, Settings};
use shortscience::summary_file::{self, locate_render_error};
use shortscience_ids::SummaryId;
use shortscience_render::RENDERER_VERSION;
use shortscience_store::{NewPaper, Saved, Store, SummaryImport};
use shortscience_web::publish;

use crate::StoreArgs;

/// Settings from every source, then the database (migrations apply on connect).
pub async fn open_store(args: &StoreArgs, more: Overrides) -> anyhow::Result<(Settings, Store)> {
    let overrides = Overrides {
        db: args.db.clone(),
        ..more
    };
    let settings = settings::load(args.config.as_deref(), &overrides)?;
    let store = Store::connect(&settings.db).await.with_context(|| {
        format!(
            "cannot open database {}",
            settings::redact_url(&settings.db)
        )
    })?;
    Ok((settings, store))
}

/// Tells running servers that the database changed under them, so none keeps serving a
/// cached page from before (see `shortscience_web::cache`). A failure is only logged:
/// the pages then expire with the cache's time to live.
pub async fn announce_write(store: &Store) {
    if let Err(e) = store.announce_content_change().await {
        tracing::warn!(error = %e, "running servers may show cached pages until they expire");
    }
}

/// Why one file was not imported; shown as `path:line: message`.
#[derive(Debug)]
pub struct Failure {
    pub line: Option<usize>,
    pub message: String,
}

impl Failure {
    pub fn at(line: usize, message: impl Into<String>) -> Failure {
        Failure {
            line: Some(line),
            message: message.into(),
        }
    }
    pub fn whole(message: impl Into<String>) -> Failure {
        Failure {
            line: None,
            message: message.into(),
        }
    }
    /// `name:line: message`, the shape editors and CI logs link to.
    pub fn report(&self, name: &str) -> String {
        match self.line {
            Some(line) => format!("{name}:{line}: {}", self.message),
            None => format!("{name}: {}", self.message),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One file imported.
#[derive(Debug)]
pub struct Imported {
    pub summary: SummaryId,
    pub saved: Saved,
    /// Non-fatal renderer complaints as (file line, message).
    pub warnings: Vec<(usize, String)>,
}

/// Parse, render against the store, and store one summary file in one transaction.
/// `date_shift` seconds are added to the file's dates (the demo moves them near today).
pub async fn import_text(
    store: &Store,
    text: &str,
    default_author: &str,
    date_shift: i64,
) -> Result<Imported, Failure> {
    let file = summary_file::parse(text).map_err(|e| Failure::at(e.line, e.kind.to_string()))?;
    let rendered = publish::render_summary(store, &file.markdown)
        .await
        .map_err(|e| {
            let (line, message) = locate_render_error(&e, file.body_line);
            Failure::at(line, message)
        })?;
    let warnings = rendered
        .warnings
        .iter()
        .map(|w| (file.body_line + w.line.saturating_sub(1), w.message.clone()))
        .collect();
    let meta = file.meta;
    let author = meta.author.unwrap_or_else(|| default_author.to_string());
    let import = SummaryImport {
        paper: NewPaper {
            refs: meta.refs,
            title: meta.title,
            authors: meta.authors,
            year: meta.year,
            venue: meta.venue,
            abstract_text: meta.abstract_text,
        },
        author_username: author,
        markdown: file.markdown,
        html: rendered.html,
        excerpt: rendered.excerpt,
        paper_refs: rendered.paper_refs,
        renderer_version: RENDERER_VERSION,
        private: meta.private,
        anonymous: meta.anonymous,
        created_at: meta.created.map(|t| t + date_shift),
        edited_at: meta.edited.map(|t| t + date_shift),
    };
    let (_, summary, saved) = store
        .import_summary(&import)
        .await
        .map_err(|e| Failure::whole(e.to_string()))?;
    Ok(Imported {
        summary,
        saved,
        warnings,
    })
}

/// Re-renders summaries from an older renderer and those citing papers, so links
/// to papers that arrived later resolve. Returns how many were updated.
pub async fn rerender(store: &Store) -> anyhow::Result<usize> {
    let stale = store
        .summaries_to_rerender(RENDERER_VERSION)
        .await
        .context("cannot list summaries to re-render")?;
    let mut updated = 0;
    for (id, markdown) in stale {
        match publish::render_summary(store, &markdown).await {
            Ok(r) => {
                store
                    .update_rendered(id, &r.html, &r.excerpt, &r.paper_refs, RENDERER_VERSION)
                    .await
                    .with_context(|| format!("cannot store the new rendering of summary {id}"))?;
                updated += 1;
            }
            // The stored HTML stays; the author can fix the text.
            Err(e) => {
                tracing::warn!("summary {id} no longer renders ({e}); keeping its stored HTML")
            }
        }
    }
    Ok(updated)
}
