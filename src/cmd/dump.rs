//! `shortscience dump DIR`: every public thing on the site, in open formats.
//!
//! - `papers.jsonl`, `users.jsonl`, `summaries.jsonl`, `comments.jsonl`: one JSON object
//!   per line (the records of `shortscience_store::Dump`), ids kept so URLs survive;
//! - `merges.jsonl`: standing paper merges (merged-away id, kept id, when), so old paper
//!   addresses keep redirecting; never who merged or why;
//! - `summaries/<id>.md`: each public summary as a summary file (the import format);
//! - `dump.json`: what wrote the dump, when, and how many records each file holds.
//!
//! Never in a dump: private summaries, who wrote an anonymous one, individual votes,
//! e-mail addresses, passwords, sessions or tokens. `shortscience restore DIR` reads it.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;
use shortscience::settings::Overrides;
use shortscience::summary_file::{self, FrontMatter};
use shortscience_ids::PaperRef;
use shortscience_store::{Dump, DumpPaper, DumpSummary};

use super::open_store;
use crate::DumpArgs;

/// Written into `dump.json`; restores refuse other formats.
pub const FORMAT: &str = "shortscience-dump";
/// 2 added `merges.jsonl`; restores read version 1 too (as a dump without merges).
pub const VERSION: u32 = 2;

pub async fn run(args: DumpArgs) -> anyhow::Result<ExitCode> {
    let (_, store) = open_store(&args.store, Overrides::default()).await?;
    let dump = store
        .dump()
        .await
        .context("cannot read the public content")?;
    store.close().await;
    write_dump(&args.dir, &dump)?;
    println!(
        "dumped {} papers, {} summaries, {} comments, {} users, {} merges to {}",
        dump.papers.len(),
        dump.summaries.len(),
        dump.comments.len(),
        dump.users.len(),
        dump.merges.len(),
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct Manifest {
    format: &'static str,
    version: u32,
    generator: String,
    papers: usize,
    users: usize,
    summaries: usize,
    comments: usize,
    merges: usize,
}

pub fn write_dump(dir: &Path, dump: &Dump) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("summaries"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    jsonl(&dir.join("papers.jsonl"), &dump.papers)?;
    jsonl(&dir.join("users.jsonl"), &dump.users)?;
    jsonl(&dir.join("summaries.jsonl"), &dump.summaries)?;
    jsonl(&dir.join("comments.jsonl"), &dump.comments)?;
    jsonl(&dir.join("merges.jsonl"), &dump.merges)?;
    let papers: std::collections::HashMap<i64, &DumpPaper> =
        dump.papers.iter().map(|p| (p.id, p)).collect();
    for s in &dump.summaries {
        let paper = papers
            .get(&s.paper_id)
            .with_context(|| format!("summary {} names a missing paper {}", s.id, s.paper_id))?;
        let path = dir.join("summaries").join(format!("{}.md", s.id));
        std::fs::write(&path, summary_text(paper, s)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let manifest = Manifest {
        format: FORMAT,
        version: VERSION,
        generator: format!("shortscience {}", env!("CARGO_PKG_VERSION")),
        papers: dump.papers.len(),
        users: dump.users.len(),
        summaries: dump.summaries.len(),
        comments: dump.comments.len(),
        merges: dump.merges.len(),
    };
    std::fs::write(
        dir.join("dump.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )
    .context("cannot write dump.json")?;
    Ok(())
}

fn jsonl<T: Serialize>(path: &Path, items: &[T]) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for item in items {
        serde_json::to_writer(&mut out, item)?;
        out.write_all(b"\n")?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// A summary file: no author for anonymous summaries.
fn summary_text(p: &DumpPaper, s: &DumpSummary) -> anyhow::Result<String> {
    let refs = p
        .aliases
        .iter()
        .map(|a| PaperRef::from_db(&a.kind, &a.value))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("paper {} has an invalid identifier", p.id))?;
    let meta = FrontMatter {
        refs,
        title: p.title.clone(),
        authors: p.authors.clone(),
        year: p.year,
        venue: p.venue.clone(),
        abstract_text: p.abstract_text.clone(),
        author: s.author.clone(),
        private: false,
        anonymous: s.anonymous,
        created: Some(s.created_at),
        edited: Some(s.edited_at),
    };
    Ok(summary_file::write(&meta, &s.markdown))
}
