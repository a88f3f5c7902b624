//! The instance dump: every public thing as plain records, and putting them back into an
//! empty database with the same ids, so every public URL survives a move.
//!
//! What a dump never holds: private summaries (nor comments on them), who wrote an
//! anonymous summary, individual votes (only each summary's counts), e-mail addresses,
//! password hashes, sessions, tokens, and the text of deleted or hidden comments.

use serde::{Deserialize, Serialize};
use shortscience_ids::{PaperRef, SummaryId, UserId};
use sqlx::Row;

use crate::api_tokens::Licence;
use crate::db::{flag, get_flag};
use crate::papers::all_papers_in;
use crate::ranking::wilson_lower_bound;
use crate::revisions::record_revision_in;
use crate::{Backend, Result, Store, StoreError};

/// One identifier of a paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DumpAlias {
    pub kind: String,
    pub value: String,
}

/// `papers.jsonl`: every paper with its identifiers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DumpPaper {
    pub id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub venue: Option<String>,
    #[serde(rename = "abstract")]
    pub abstract_text: Option<String>,
    pub aliases: Vec<DumpAlias>,
}

/// `users.jsonl`: public profile fields only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DumpUser {
    pub username: String,
    pub display_name: String,
    pub created_at: i64,
    /// The profile's bio, Markdown (restores render it again).
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub orcid: Option<String>,
}

/// `summaries.jsonl`: public summaries; `author` is None for anonymous ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DumpSummary {
    pub id: i64,
    pub paper_id: i64,
    pub author: Option<String>,
    pub anonymous: bool,
    /// SPDX identifier: `CC-BY-4.0` or `CC-BY-SA-4.0`.
    pub licence: String,
    pub markdown: String,
    /// As stored: sanitised HTML with MathML (restores render the Markdown again).
    pub html: String,
    pub up: i64,
    pub down: i64,
    pub created_at: i64,
    pub edited_at: i64,
}

/// `comments.jsonl`: comments on public summaries, in id order. `author` is None when
/// it is not public (a removed comment, a deleted account, or the author of an anonymous
/// summary, which `by_summary_author` marks instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DumpComment {
    pub id: i64,
    pub summary_id: i64,
    pub parent_id: Option<i64>,
    pub author: Option<String>,
    pub by_summary_author: bool,
    /// Empty for deleted and hidden comments.
    pub markdown: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted: bool,
    pub hidden: bool,
}

/// `merges.jsonl`: standing paper merges, so `/paper/{from}` still leads to `into` after a
/// restore. Only the public facts: not who merged, why, or what an undo would need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DumpMerge {
    /// The merged-away paper's id (no paper has it while the merge stands).
    pub from: i64,
    /// The kept paper's id.
    pub into: i64,
    pub created_at: i64,
}

/// Everything public, read in one go.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dump {
    pub papers: Vec<DumpPaper>,
    pub users: Vec<DumpUser>,
    pub summaries: Vec<DumpSummary>,
    pub comments: Vec<DumpComment>,
    pub merges: Vec<DumpMerge>,
}

/// A summary to restore, rendered by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreSummary<'a> {
    pub record: &'a DumpSummary,
    /// The dumped author, or the placeholder account chosen for an anonymous summary.
    pub author_username: &'a str,
    pub html: &'a str,
    pub excerpt: &'a str,
    pub paper_refs: &'a [String],
    pub renderer_version: i64,
}

/// A comment to restore, rendered by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreComment<'a> {
    pub record: &'a DumpComment,
    pub author_username: &'a str,
    pub html: &'a str,
    pub renderer_version: i64,
}

impl Store {
    /// Public summary ids on papers of `venue`, last edit first.
    pub async fn venue_summary_ids(&self, venue: &str, limit: i64) -> Result<Vec<SummaryId>> {
        if venue.contains('\0') {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT s.id FROM summaries s JOIN papers p ON p.id = s.paper_id
             WHERE p.venue = $1 AND s.private = 0 AND s.hidden_at IS NULL
             ORDER BY s.edited_at DESC, s.id DESC LIMIT $2",
        )
        .bind(venue)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(SummaryId).collect())
    }

    /// Everything the sitemap lists.
    pub async fn sitemap_data(&self) -> Result<SitemapData> {
        let pairs = |rows: Vec<sqlx::any::AnyRow>| -> Result<Vec<(i64, i64)>> {
            rows.iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("t")?)))
                .collect()
        };
        let papers = pairs(
            sqlx::query(
                "SELECT paper_id AS id, MAX(edited_at) AS t FROM summaries
                 WHERE private = 0 AND hidden_at IS NULL
                 GROUP BY paper_id ORDER BY paper_id",
            )
            .fetch_all(&self.pool)
            .await?,
        )?;
        let summaries = pairs(
            sqlx::query(
                "SELECT id, edited_at AS t FROM summaries
                 WHERE private = 0 AND hidden_at IS NULL ORDER BY id",
            )
            .fetch_all(&self.pool)
            .await?,
        )?;
        let users: Vec<String> = sqlx::query_scalar(
            "SELECT u.username FROM users u WHERE u.deleted_at IS NULL AND EXISTS (
                 SELECT 1 FROM summaries s
                 WHERE s.author_id = u.id AND +s.private = 0 AND s.anonymous = 0
                   AND s.hidden_at IS NULL)
             ORDER BY u.username_key",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(SitemapData {
            papers,
            summaries,
            users,
        })
    }

    /// All public content, each list in id (users: name) order.
    pub async fn dump(&self) -> Result<Dump> {
        let mut conn = self.pool.acquire().await?;
        let mut papers: Vec<DumpPaper> = all_papers_in(&mut conn)
            .await?
            .into_values()
            .map(|p| DumpPaper {
                id: p.id.0,
                title: p.title,
                authors: p.authors,
                year: p.year,
                venue: p.venue,
                abstract_text: p.abstract_text,
                aliases: p
                    .aliases
                    .iter()
                    .map(|a| DumpAlias {
                        kind: a.kind().as_str().to_owned(),
                        value: a.value().to_owned(),
                    })
                    .collect(),
            })
            .collect();
        papers.sort_by_key(|p| p.id);

        let users = sqlx::query(
            "SELECT username, display_name, created_at, bio_markdown, orcid FROM users
             WHERE deleted_at IS NULL ORDER BY username_key",
        )
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(DumpUser {
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                created_at: r.try_get("created_at")?,
                bio: r.try_get("bio_markdown")?,
                orcid: r.try_get("orcid")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

        let summaries = sqlx::query(
            "SELECT s.id, s.paper_id, s.anonymous, s.licence, s.markdown, s.html, s.up, s.down,
                    s.created_at, s.edited_at, u.username, u.deleted_at
             FROM summaries s JOIN users u ON u.id = s.author_id
             WHERE s.private = 0 AND s.hidden_at IS NULL ORDER BY s.id",
        )
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let anonymous = get_flag(r, "anonymous")?;
            let gone = r.try_get::<Option<i64>, _>("deleted_at")?.is_some();
            Ok(DumpSummary {
                id: r.try_get("id")?,
                paper_id: r.try_get("paper_id")?,
                author: if anonymous || gone {
                    None
                } else {
                    Some(r.try_get("username")?)
                },
                anonymous,
                licence: Licence::from_db(&r.try_get::<String, _>("licence")?)
                    .as_str()
                    .to_owned(),
                markdown: r.try_get("markdown")?,
                html: r.try_get("html")?,
                up: r.try_get("up")?,
                down: r.try_get("down")?,
                created_at: r.try_get("created_at")?,
                edited_at: r.try_get("edited_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

        let comments = sqlx::query(
            "SELECT c.id, c.summary_id, c.parent_id, c.author_id, c.markdown, c.created_at,
                    c.edited_at, c.deleted_at, c.hidden_at, u.username,
                    u.deleted_at AS user_deleted_at, s.author_id AS summary_author,
                    s.anonymous
             FROM comments c
             JOIN summaries s ON s.id = c.summary_id
             JOIN users u ON u.id = c.author_id
             WHERE s.private = 0 AND s.hidden_at IS NULL ORDER BY c.id",
        )
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let deleted = r.try_get::<Option<i64>, _>("deleted_at")?.is_some();
            let hidden = r.try_get::<Option<i64>, _>("hidden_at")?.is_some();
            let stub = deleted || hidden;
            let by_summary_author =
                r.try_get::<i64, _>("author_id")? == r.try_get::<i64, _>("summary_author")?;
            let gone = r.try_get::<Option<i64>, _>("user_deleted_at")?.is_some();
            let anonymous = get_flag(r, "anonymous")?;
            let named = !stub && !gone && (!by_summary_author || !anonymous);
            Ok(DumpComment {
                id: r.try_get("id")?,
                summary_id: r.try_get("summary_id")?,
                parent_id: r.try_get("parent_id")?,
                author: if named {
                    Some(r.try_get("username")?)
                } else {
                    None
                },
                by_summary_author: by_summary_author && !gone,
                markdown: if stub {
                    String::new()
                } else {
                    r.try_get("markdown")?
                },
                created_at: r.try_get("created_at")?,
                edited_at: r.try_get("edited_at")?,
                deleted,
                hidden,
            })
        })
        .collect::<Result<Vec<_>>>()?;

        let merges = sqlx::query(
            "SELECT from_id, into_id, created_at FROM paper_merges
             WHERE undone_at IS NULL ORDER BY from_id",
        )
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(DumpMerge {
                from: r.try_get("from_id")?,
                into: r.try_get("into_id")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

        Ok(Dump {
            papers,
            users,
            summaries,
            comments,
            merges,
        })
    }

    /// Papers with their ids and identifiers, in one transaction. For an empty database.
    pub async fn restore_papers(&self, papers: &[DumpPaper]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for p in papers {
            let authors = serde_json::to_string(&p.authors)
                .map_err(|e| StoreError::Invalid(format!("authors of paper {}: {e}", p.id)))?;
            sqlx::query(
                "INSERT INTO papers (id, title, authors, year, venue, abstract, created_at,
                     updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 0, 0)",
            )
            .bind(p.id)
            .bind(&p.title)
            .bind(authors)
            .bind(p.year)
            .bind(p.venue.as_deref())
            .bind(p.abstract_text.as_deref())
            .execute(&mut *tx)
            .await?;
            for a in &p.aliases {
                // Through the parser, so a hand-edited dump cannot store a malformed id.
                let r = PaperRef::from_db(&a.kind, &a.value).map_err(|e| {
                    StoreError::Invalid(format!(
                        "paper {}: identifier {}:{} is not valid: {e}",
                        p.id, a.kind, a.value
                    ))
                })?;
                sqlx::query(
                    "INSERT INTO paper_aliases (kind, value, paper_id) VALUES ($1, $2, $3)",
                )
                .bind(r.kind().as_str())
                .bind(r.value())
                .bind(p.id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Standing merges, after the papers, in one transaction. Each `into` must be a
    /// restored paper that is not merged away itself, and no paper may have a `from` id,
    /// so every redirect leads to a live page. Marked restored: undo refuses them.
    pub async fn restore_merges(&self, merges: &[DumpMerge]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for m in merges {
            let invalid = |why: &str| {
                StoreError::Invalid(format!("merge of paper {} into {}: {why}", m.from, m.into))
            };
            if m.from == m.into || merges.iter().any(|o| o.from == m.into) {
                return Err(invalid("its target is merged away itself"));
            }
            let present: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM papers WHERE id = $1 OR id = $2")
                    .bind(m.from)
                    .bind(m.into)
                    .fetch_all(&mut *tx)
                    .await?;
            if present != [m.into] {
                return Err(invalid(
                    "the kept paper must be in the dump and the merged-away one must not",
                ));
            }
            // Nothing of `from` is kept, so the undo columns hold empty values.
            sqlx::query(
                "INSERT INTO paper_merges (from_id, into_id, created_at, from_title,
                     from_authors, from_created_at, from_updated_at, into_title, into_authors,
                     into_updated_at, filled_at, restored)
                 VALUES ($1, $2, $3, '', '[]', 0, 0, '', '[]', 0, 0, 1)",
            )
            .bind(m.from)
            .bind(m.into)
            .bind(m.created_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(_) => invalid("the paper is merged away twice"),
                e => e.into(),
            })?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Accounts without password or e-mail (nobody can log in as them until an operator
    /// resets one). `deleted` marks placeholder accounts whose name no page shows.
    pub async fn restore_user(&self, user: &DumpUser, deleted: bool) -> Result<UserId> {
        let name = crate::users::check_username(&user.username)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, username_key, display_name, created_at, deleted_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(crate::users::username_key(name))
        .bind(&user.display_name)
        .bind(user.created_at)
        .bind(deleted.then_some(user.created_at))
        .fetch_one(&self.pool)
        .await?;
        Ok(UserId(id))
    }

    /// One public summary with its id, counts, dates and licence, and its first revision.
    pub async fn restore_summary(&self, s: &RestoreSummary<'_>) -> Result<SummaryId> {
        let r = s.record;
        let licence = Licence::parse(&r.licence)?;
        let mut tx = self.begin_write().await?;
        let author: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = $1")
            .bind(crate::users::username_key(s.author_username))
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "summary {}: no user {:?} in the dump",
                    r.id, s.author_username
                ))
            })?;
        let refs = serde_json::to_string(s.paper_refs)
            .map_err(|e| StoreError::Invalid(format!("paper refs: {e}")))?;
        sqlx::query(
            "INSERT INTO summaries (id, paper_id, author_id, markdown, html, excerpt, paper_refs,
                 renderer_version, private, anonymous, up, down, score, created_at, edited_at,
                 licence)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(r.id)
        .bind(r.paper_id)
        .bind(author)
        .bind(&r.markdown)
        .bind(s.html)
        .bind(s.excerpt)
        .bind(refs)
        .bind(s.renderer_version)
        .bind(flag(r.anonymous))
        .bind(r.up.max(0))
        .bind(r.down.max(0))
        .bind(wilson_lower_bound(r.up.max(0), r.down.max(0)))
        .bind(r.created_at)
        .bind(r.edited_at)
        .bind(licence.as_str())
        .execute(&mut *tx)
        .await?;
        record_revision_in(
            &mut tx,
            SummaryId(r.id),
            UserId(author),
            &r.markdown,
            false,
            r.anonymous,
            r.edited_at,
        )
        .await?;
        tx.commit().await?;
        Ok(SummaryId(r.id))
    }

    /// One comment with its id; its parent must be restored first.
    pub async fn restore_comment(&self, c: &RestoreComment<'_>) -> Result<()> {
        let r = c.record;
        let author: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = $1")
            .bind(crate::users::username_key(c.author_username))
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "comment {}: no user {:?} in the dump",
                    r.id, c.author_username
                ))
            })?;
        let removed_at = |on: bool| on.then_some(r.edited_at.unwrap_or(r.created_at));
        sqlx::query(
            "INSERT INTO comments (id, summary_id, parent_id, author_id, markdown, html,
                 renderer_version, created_at, edited_at, deleted_at, hidden_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(r.id)
        .bind(r.summary_id)
        .bind(r.parent_id)
        .bind(author)
        .bind(&r.markdown)
        .bind(c.html)
        .bind(c.renderer_version)
        .bind(r.created_at)
        .bind(r.edited_at)
        .bind(removed_at(r.deleted))
        .bind(removed_at(r.hidden))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// After a restore with explicit ids: PostgreSQL's identity sequences continue past
    /// the highest id (SQLite's AUTOINCREMENT follows explicit ids by itself). New papers
    /// also number past merged-away ids, whose old addresses must keep redirecting.
    pub async fn finish_restore(&self) -> Result<()> {
        let merged_away: Option<i64> =
            sqlx::query_scalar("SELECT MAX(from_id) FROM paper_merges WHERE undone_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        if self.backend != Backend::Postgres {
            if let Some(top) = merged_away {
                // The row exists once any paper was inserted, which a merge's target was.
                sqlx::query(
                    "UPDATE sqlite_sequence SET seq = $1 WHERE name = 'papers' AND seq < $1",
                )
                .bind(top)
                .execute(&self.writer)
                .await?;
            }
            return Ok(());
        }
        for table in ["papers", "users", "summaries", "comments", "revisions"] {
            let top = if table == "papers" {
                "GREATEST((SELECT MAX(id) FROM papers),
                     (SELECT MAX(from_id) FROM paper_merges WHERE undone_at IS NULL))"
                    .to_owned()
            } else {
                format!("(SELECT MAX(id) FROM {table})")
            };
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                     COALESCE({top}, 0) + 1, false)"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// The Markdown of a summary, for callers that checked the reader may see it.
    pub async fn summary_markdown(&self, id: SummaryId) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT markdown FROM summaries WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Everything `user` wrote or voted, private and anonymous work included (for their
    /// own takeout only).
    pub async fn takeout(&self, user: UserId) -> Result<Takeout> {
        let rows = sqlx::query(
            "SELECT s.id, s.paper_id, s.markdown, s.private, s.anonymous, s.created_at,
                    s.edited_at, s.licence, u.username
             FROM summaries s JOIN users u ON u.id = s.author_id
             WHERE s.author_id = $1 ORDER BY s.id",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        let mut summaries = Vec::with_capacity(rows.len());
        for r in &rows {
            let paper_id = shortscience_ids::PaperId(r.try_get("paper_id")?);
            let paper = self.paper(paper_id).await?.ok_or(StoreError::NotFound)?;
            summaries.push((
                crate::SummaryRecord {
                    id: SummaryId(r.try_get("id")?),
                    paper,
                    author_username: r.try_get("username")?,
                    markdown: r.try_get("markdown")?,
                    private: get_flag(r, "private")?,
                    anonymous: get_flag(r, "anonymous")?,
                    created_at: r.try_get("created_at")?,
                    edited_at: r.try_get("edited_at")?,
                },
                Licence::from_db(&r.try_get::<String, _>("licence")?),
            ));
        }
        let comments = sqlx::query(
            "SELECT id, summary_id, parent_id, markdown, created_at, edited_at, deleted_at,
                    hidden_at
             FROM comments WHERE author_id = $1 ORDER BY id",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(TakeoutComment {
                id: r.try_get("id")?,
                summary_id: r.try_get("summary_id")?,
                parent_id: r.try_get("parent_id")?,
                markdown: r.try_get("markdown")?,
                created_at: r.try_get("created_at")?,
                edited_at: r.try_get("edited_at")?,
                deleted: r.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
                hidden: r.try_get::<Option<i64>, _>("hidden_at")?.is_some(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let votes = sqlx::query(
            "SELECT summary_id, value, created_at FROM votes WHERE user_id = $1 ORDER BY summary_id",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(TakeoutVote {
                summary_id: r.try_get("summary_id")?,
                value: r.try_get("value")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Takeout {
            summaries,
            comments,
            votes,
        })
    }
}

/// What the sitemap lists: public things only.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SitemapData {
    /// Papers with at least one public summary, with their newest summary's edit time.
    pub papers: Vec<(i64, i64)>,
    /// Public summaries with their edit time.
    pub summaries: Vec<(i64, i64)>,
    /// Users with at least one public, signed summary.
    pub users: Vec<String>,
}

/// One user's own data.
#[derive(Debug, Clone, PartialEq)]
pub struct Takeout {
    pub summaries: Vec<(crate::SummaryRecord, Licence)>,
    pub comments: Vec<TakeoutComment>,
    pub votes: Vec<TakeoutVote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TakeoutComment {
    pub id: i64,
    pub summary_id: i64,
    pub parent_id: Option<i64>,
    pub markdown: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted: bool,
    pub hidden: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TakeoutVote {
    pub summary_id: i64,
    pub value: i64,
    pub created_at: i64,
}
