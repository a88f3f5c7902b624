//! The one store: sqlx `AnyPool` over SQLite and PostgreSQL.
//!
//! One portable SQL set (`$1, $2…` placeholders, `RETURNING`, `ON CONFLICT`) runs on
//! both backends; only the schema files differ. Times are integer Unix seconds,
//! flags 0/1, `SUM`s cast to BIGINT, so values read back alike through `Any`.
//! Every write that touches more than one row runs in one transaction.

use shortscience_ids::{PaperId, PaperRef, SummaryId, UserId};
use sqlx::AnyPool;

mod accounts;
mod api_tokens;
mod catalog;
mod comments;
mod db;
mod direct;
mod dump;
mod followers;
mod generation;
mod health;
mod maintenance;
mod merges;
mod migrate;
mod moderation;
mod papers;
mod profiles;
pub mod ranking;
mod revisions;
mod row;
mod search;
mod shares;
mod summaries;
pub mod testing;
pub mod tokens;
mod users;
mod votes;
mod writing;

pub use accounts::{Account, DeleteSummaries, NewAccount, Role, Taken, check_email};
pub use api_tokens::{
    API_TOKEN_PREFIX, ApiToken, Licence, MAX_TOKEN_NAME, MAX_TOKENS_PER_USER, TokenScope,
};
pub use catalog::{BatchOutcome, MAX_ABSTRACT_BYTES, MAX_AUTHORS, MAX_FIELD_CHARS};
pub use comments::{CommentMeta, CommentView, CommentWrite, MAX_COMMENT_BYTES, thread_order};
pub use dump::{
    Dump, DumpAlias, DumpComment, DumpMerge, DumpPaper, DumpSummary, DumpUser, RestoreComment,
    RestoreSummary, SitemapData, Takeout, TakeoutComment, TakeoutVote,
};
pub use followers::Follower;
pub use generation::Bump;
pub use maintenance::{
    ColumnInfo, CopyProgress, CopyReport, TableInfo, ValueClass, sqlite_file_integrity,
};
pub use merges::{MergeError, PaperMerge};
pub use moderation::{LogEntry, MAX_REASON_CHARS, ModAction, Report, TargetKind, check_reason};
pub use profiles::{
    DirectoryEntry, MAX_BIO_BYTES, MAX_DIRECTORY_PAGE, MAX_DISPLAY_NAME_CHARS, Profile,
    ProfileUpdate, check_display_name, check_orcid, orcid_check_digit,
};
pub use revisions::{Revision, RevisionInfo};
pub use search::{
    MAX_TERM_CHARS, MAX_TERMS, MAX_TYPEAHEAD, MIN_PREFIX_CHARS, PaperCard, RANK_WINDOW, SearchHit,
    SearchQuery, search_terms,
};
pub use summaries::MAX_PER_PAGE;
pub use tokens::{SessionInfo, TokenPurpose, UsedToken};
pub use users::check_username;
pub use writing::{OwnSummary, SummaryMeta};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("not found")]
    NotFound,
}
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paper {
    pub id: PaperId,
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub venue: Option<String>,
    pub abstract_text: Option<String>,
    /// Every alias, sorted by kind (arxiv, doi, dblp, openreview) then value.
    pub aliases: Vec<PaperRef>,
}

/// Write form for a paper. `refs` must not be empty; implied ids are added too.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewPaper {
    pub refs: Vec<PaperRef>,
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub venue: Option<String>,
    pub abstract_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub created_at: i64,
}

/// Write form for a summary (one per user per paper; saving again edits it in place).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryWrite {
    pub paper: PaperId,
    pub author: UserId,
    pub markdown: String,
    pub html: String,
    pub excerpt: String,
    pub paper_refs: Vec<String>,
    pub renderer_version: i64,
    pub private: bool,
    pub anonymous: bool,
    /// Set by imports that carry their own dates; otherwise "now".
    pub created_at: Option<i64>,
}

/// Write form for an imported summary file: its paper and author travel with it.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryImport {
    pub paper: NewPaper,
    pub author_username: String,
    pub markdown: String,
    pub html: String,
    pub excerpt: String,
    pub paper_refs: Vec<String>,
    pub renderer_version: i64,
    pub private: bool,
    pub anonymous: bool,
    pub created_at: Option<i64>,
    pub edited_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Updated,
    Unchanged,
}

/// Who a summary shows as. Anonymous summaries carry `None` for everyone but their author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Byline {
    pub username: String,
    pub display_name: String,
}

/// A summary as a page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryView {
    pub id: SummaryId,
    pub paper_id: PaperId,
    pub paper_title: String,
    pub paper_year: Option<i32>,
    pub paper_venue: Option<String>,
    pub author: Option<Byline>,
    /// True when the viewer wrote it (lets the author see their own anonymous summary).
    pub is_own: bool,
    pub html: String,
    pub excerpt: String,
    pub private: bool,
    pub anonymous: bool,
    pub created_at: i64,
    pub edited_at: i64,
    pub up: i64,
    pub down: i64,
    /// `ranking::wilson_lower_bound(up, down)`.
    pub score: f64,
    /// Fixed when the summary was first published.
    pub licence: Licence,
    /// Hidden by a moderator: only its author still sees it (with a notice).
    pub hidden: bool,
    /// Live comments, on the reads that count them (a paper's summaries, one summary).
    pub comments: Option<i64>,
}

/// A summary as export writes it (the import format).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRecord {
    pub id: SummaryId,
    pub paper: Paper,
    pub author_username: String,
    pub markdown: String,
    pub private: bool,
    pub anonymous: bool,
    pub created_at: i64,
    pub edited_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeList {
    Popular,
    Recent,
    Top,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummarySort {
    Best,
    New,
    Top,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub has_next: bool,
}

/// The store: connection pools and which database is behind them. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// Where writes go. On a SQLite file, a pool of one connection: writers queue here in
    /// arrival order instead of in SQLite's busy handler, which sleeps 1, 2, 5, 10… ms
    /// between tries while holding a connection readers need. Elsewhere the same pool.
    writer: AnyPool,
    /// PostgreSQL: the connection that reads the content generation (see `generation`).
    watcher: Option<std::sync::Arc<generation::Watcher>>,
    /// On a SQLite file: the paper page's reads without the pool (see `direct`).
    direct: Option<std::sync::Arc<direct::DirectReads>>,
    backend: Backend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub papers: i64,
    pub summaries: i64,
    pub users: i64,
}
