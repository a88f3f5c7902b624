//! `shortscience restore DIR`: a folder written by `dump` becomes the content of an
//! empty database, with the same ids, so every public page reads as it did.
//!
//! Summaries and comments are rendered again from their Markdown (a dump's HTML is
//! never trusted). Anonymous summaries are restored under placeholder accounts that no
//! page names (`anonymous`, `anonymous-2`, … — one per anonymous summary of a paper, as
//! one account holds one summary per paper); comments whose author is not public go to a
//! placeholder marked deleted. Restored accounts have no password or e-mail: operators
//! reset them for people who want their account back.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde::de::DeserializeOwned;
use shortscience::settings::{self, Overrides};
use shortscience_render::RENDERER_VERSION;
use shortscience_store::{
    DumpComment, DumpMerge, DumpPaper, DumpSummary, DumpUser, ProfileUpdate, RestoreComment,
    RestoreSummary, Store,
};
use shortscience_web::publish;

use super::dump::{FORMAT, VERSION};
use crate::RestoreArgs;

/// Account that holds comments whose author the dump does not name.
pub const FORMER_MEMBER: &str = "former-member";

pub async fn run(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let overrides = Overrides {
        db: args.store.db.clone(),
        ..Overrides::default()
    };
    let settings = settings::load(args.store.config.as_deref(), &overrides)?;
    if args.force {
        bail!("--force does not apply to dumps: restore a dump into a new, empty database");
    }
    let store = Store::connect(&settings.db).await.with_context(|| {
        format!(
            "cannot open database {}",
            settings::redact_url(&settings.db)
        )
    })?;
    let counts = restore(&store, &args.file).await;
    super::announce_write(&store).await;
    store.close().await;
    let counts = counts?;
    println!(
        "restored {} into {}: {} papers, {} summaries, {} comments, {} users",
        args.file.display(),
        settings::redact_url(&settings.db),
        counts.0,
        counts.1,
        counts.2,
        counts.3
    );
    Ok(ExitCode::SUCCESS)
}

fn read_jsonl<T: DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        // comments.jsonl may be absent from dumps of sites without comments, merges.jsonl
        // from version 1 dumps.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("{}:{}", path.display(), i + 1))
        })
        .collect()
}

/// (papers, summaries, comments, users) restored.
pub async fn restore(store: &Store, dir: &Path) -> anyhow::Result<(usize, usize, usize, usize)> {
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("dump.json"))
            .with_context(|| format!("{} holds no dump.json: not a dump", dir.display()))?,
    )
    .context("dump.json is not JSON")?;
    let version = manifest["version"].as_u64().unwrap_or(0);
    if manifest["format"] != FORMAT || !(1..=u64::from(VERSION)).contains(&version) {
        bail!(
            "{} is not a shortscience dump of version 1 to {VERSION}",
            dir.display()
        );
    }
    if !store.is_empty().await? {
        bail!("the database already holds papers or users: restore a dump into an empty one");
    }
    let papers: Vec<DumpPaper> = read_jsonl(&dir.join("papers.jsonl"))?;
    let users: Vec<DumpUser> = read_jsonl(&dir.join("users.jsonl"))?;
    let summaries: Vec<DumpSummary> = read_jsonl(&dir.join("summaries.jsonl"))?;
    let comments: Vec<DumpComment> = read_jsonl(&dir.join("comments.jsonl"))?;
    let merges: Vec<DumpMerge> = read_jsonl(&dir.join("merges.jsonl"))?;

    for chunk in papers.chunks(500) {
        store
            .restore_papers(chunk)
            .await
            .context("cannot restore papers")?;
    }
    store
        .restore_merges(&merges)
        .await
        .context("cannot restore paper merges")?;
    for u in &users {
        let id = store
            .restore_user(u, false)
            .await
            .with_context(|| format!("cannot restore user {}", u.username))?;
        if !u.bio.trim().is_empty() || u.orcid.is_some() {
            let bio = publish::render_summary(store, &u.bio)
                .await
                .map(|r| r.html)
                .unwrap_or_default();
            store
                .update_profile(
                    id,
                    &ProfileUpdate {
                        display_name: u.display_name.clone(),
                        bio_markdown: u.bio.clone(),
                        bio_html: bio,
                        orcid: u.orcid.clone(),
                    },
                )
                .await
                .with_context(|| format!("cannot restore the profile of {}", u.username))?;
        }
    }
    let taken: HashSet<String> = users
        .iter()
        .map(|u| u.username.to_ascii_lowercase())
        .collect();
    let owners = placeholder_owners(&taken, &summaries);
    let mut made: HashSet<&str> = HashSet::new();
    let placeholder = |name: &'static str| DumpUser {
        username: name.to_owned(),
        display_name: "Anonymous".into(),
        created_at: 0,
        bio: String::new(),
        orcid: None,
    };
    for name in owners.values() {
        if made.insert(name.as_str()) {
            store
                .restore_user(
                    &DumpUser {
                        username: name.clone(),
                        ..placeholder("anonymous")
                    },
                    true,
                )
                .await
                .with_context(|| format!("cannot create placeholder {name}"))?;
        }
    }

    let mut author_of: HashMap<i64, String> = HashMap::new();
    for s in &summaries {
        let author = match (&s.author, owners.get(&s.id)) {
            (Some(name), _) => name.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => bail!("summary {} has no author and no placeholder", s.id),
        };
        let rendered = publish::render_summary(store, &s.markdown)
            .await
            .with_context(|| format!("summary {} no longer renders", s.id))?;
        store
            .restore_summary(&RestoreSummary {
                record: s,
                author_username: &author,
                html: &rendered.html,
                excerpt: &rendered.excerpt,
                paper_refs: &rendered.paper_refs,
                renderer_version: RENDERER_VERSION,
            })
            .await
            .with_context(|| format!("cannot restore summary {}", s.id))?;
        author_of.insert(s.id, author);
    }

    let mut former = false;
    for c in &comments {
        let author = match (&c.author, c.by_summary_author) {
            (_, true) => author_of.get(&c.summary_id).cloned(),
            (Some(name), false) => Some(name.clone()),
            (None, false) => None,
        };
        let author = match author {
            Some(a) => a,
            None => {
                if !former {
                    store
                        .restore_user(&placeholder(FORMER_MEMBER), true)
                        .await
                        .context("cannot create the former-member placeholder")?;
                    former = true;
                }
                FORMER_MEMBER.to_owned()
            }
        };
        let html = if c.markdown.trim().is_empty() {
            String::new()
        } else {
            publish::render_summary(store, &c.markdown)
                .await
                .with_context(|| format!("comment {} no longer renders", c.id))?
                .html
        };
        store
            .restore_comment(&RestoreComment {
                record: c,
                author_username: &author,
                html: &html,
                renderer_version: RENDERER_VERSION,
            })
            .await
            .with_context(|| format!("cannot restore comment {}", c.id))?;
    }
    store.finish_restore().await?;
    Ok((papers.len(), summaries.len(), comments.len(), users.len()))
}

/// The placeholder account of each anonymous summary: the first of `anonymous`,
/// `anonymous-2`, … that no dumped user is called and that holds no summary of the
/// same paper yet.
pub fn placeholder_owners(
    taken: &HashSet<String>,
    summaries: &[DumpSummary],
) -> HashMap<i64, String> {
    let names = (1..).map(|n| match n {
        1 => "anonymous".to_owned(),
        n => format!("anonymous-{n}"),
    });
    let free: Vec<String> = names
        .filter(|n| !taken.contains(n))
        .take(
            summaries
                .iter()
                .filter(|s| s.author.is_none())
                .count()
                .max(1),
        )
        .collect();
    let mut used: HashSet<(usize, i64)> = HashSet::new();
    let mut out = HashMap::new();
    for s in summaries.iter().filter(|s| s.author.is_none()) {
        // There are as many names as anonymous summaries, so one is always free.
        if let Some(i) = (0..free.len()).find(|i| !used.contains(&(*i, s.paper_id))) {
            used.insert((i, s.paper_id));
            out.insert(s.id, free[i].clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anon(id: i64, paper: i64) -> DumpSummary {
        DumpSummary {
            id,
            paper_id: paper,
            author: None,
            anonymous: true,
            licence: "CC-BY-4.0".into(),
            markdown: "x".into(),
            html: String::new(),
            up: 0,
            down: 0,
            created_at: 0,
            edited_at: 0,
        }
    }

    #[test]
    fn placeholders_never_hold_two_summaries_of_a_paper() {
        let taken: HashSet<String> = ["anonymous".to_owned()].into();
        let s = [anon(1, 10), anon(2, 10), anon(3, 11), anon(4, 10)];
        let owners = placeholder_owners(&taken, &s);
        assert_eq!(owners[&1], "anonymous-2");
        assert_eq!(owners[&2], "anonymous-3");
        assert_eq!(owners[&3], "anonymous-2");
        assert_eq!(owners[&4], "anonymous-4");
        assert_eq!(owners.len(), 4);
    }
}
