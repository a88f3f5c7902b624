//! The store's tests. Every test runs on each database `test_databases()` yields
//! (SQLite, and PostgreSQL when reachable), each a fresh empty one.

mod accounts;
mod api;
mod catalog;
mod comments;
mod dump;
mod generation;
mod lists;
mod merges;
mod migrations;
mod moderation;
mod papers;
mod profiles;
mod search;
mod summaries;
mod users;
mod visibility;
mod votes;
mod writing;

use shortscience_ids::{IdKind, PaperId, PaperRef, UserId};
use shortscience_store::testing::{TestDb, test_databases};
use shortscience_store::{NewPaper, Store, SummaryImport, SummaryWrite};

/// A connected store per backend. The store comes first so it is dropped before its database.
pub async fn stores() -> Vec<(Store, TestDb)> {
    let mut out = Vec::new();
    for db in test_databases().await {
        let store = Store::connect(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: connect: {e}", db.name));
        out.push((store, db));
    }
    out
}

pub fn arxiv(id: &str) -> PaperRef {
    PaperRef::parse_as(IdKind::Arxiv, id).unwrap()
}

pub fn doi(id: &str) -> PaperRef {
    PaperRef::parse_as(IdKind::Doi, id).unwrap()
}

pub fn paper(refs: Vec<PaperRef>, title: &str) -> NewPaper {
    NewPaper {
        refs,
        title: title.into(),
        ..NewPaper::default()
    }
}

pub async fn new_paper(store: &Store, arxiv_id: &str) -> PaperId {
    store
        .upsert_paper(&paper(vec![arxiv(arxiv_id)], &format!("Paper {arxiv_id}")))
        .await
        .unwrap()
}

pub fn write(paper: PaperId, author: UserId, markdown: &str) -> SummaryWrite {
    SummaryWrite {
        paper,
        author,
        markdown: markdown.into(),
        html: format!("<p>{markdown}</p>"),
        excerpt: markdown.into(),
        paper_refs: Vec::new(),
        renderer_version: 1,
        private: false,
        anonymous: false,
        created_at: None,
    }
}

pub fn import(arxiv_id: &str, author: &str, markdown: &str) -> SummaryImport {
    SummaryImport {
        paper: paper(vec![arxiv(arxiv_id)], &format!("Paper {arxiv_id}")),
        author_username: author.into(),
        markdown: markdown.into(),
        html: format!("<p>{markdown}</p>"),
        excerpt: markdown.into(),
        paper_refs: Vec::new(),
        renderer_version: 1,
        private: false,
        anonymous: false,
        created_at: Some(1_000),
        edited_at: Some(1_000),
    }
}
