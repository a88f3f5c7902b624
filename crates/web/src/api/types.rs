//! What the API answers with, and each shape's JSON Schema for the OpenAPI document.
//! A struct and its schema sit side by side so a change to one shows in the other's diff;
//! the API tests check real responses against these schemas.

use serde::Serialize;
use serde_json::{Value, json};
use shortscience_store::{
    Byline, CommentView, Licence, Paper, PaperCard, RevisionInfo, SummaryView, User,
};

use crate::feeds::rfc3339;
use crate::view::user_url;

/// Absolute URLs need the site's origin.
pub struct Urls<'a>(pub &'a str);

impl Urls<'_> {
    pub fn abs(&self, path: &str) -> String {
        format!("{}{path}", self.0.trim_end_matches('/'))
    }
}

#[derive(Debug, Serialize)]
pub struct Identifier {
    pub kind: &'static str,
    pub value: String,
    pub label: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct PaperOut {
    pub id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub venue: Option<String>,
    #[serde(rename = "abstract")]
    pub abstract_text: Option<String>,
    pub identifiers: Vec<Identifier>,
    pub url: String,
}

impl PaperOut {
    pub fn new(p: Paper, u: &Urls) -> PaperOut {
        PaperOut {
            url: u.abs(&format!("/paper/{}", p.id)),
            id: p.id.0,
            identifiers: p
                .aliases
                .iter()
                .map(|r| Identifier {
                    kind: r.kind().as_str(),
                    value: r.value().to_owned(),
                    label: r.label(),
                    url: r.external_url(),
                })
                .collect(),
            title: p.title,
            authors: p.authors,
            year: p.year,
            venue: p.venue,
            abstract_text: p.abstract_text,
        }
    }
}

/// A paper as lists show it.
#[derive(Debug, Serialize)]
pub struct PaperCardOut {
    pub id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub venue: Option<String>,
    pub summaries: i64,
    pub url: String,
}

impl PaperCardOut {
    pub fn new(c: PaperCard, u: &Urls) -> PaperCardOut {
        PaperCardOut {
            url: u.abs(&format!("/paper/{}", c.id)),
            id: c.id.0,
            title: c.title,
            authors: c.authors,
            year: c.year,
            venue: c.venue,
            summaries: c.summaries,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct BylineOut {
    pub username: String,
    pub display_name: String,
    pub url: String,
}

impl BylineOut {
    pub fn new(b: Byline, u: &Urls) -> BylineOut {
        BylineOut {
            url: u.abs(&user_url(&b.username)),
            username: b.username,
            display_name: b.display_name,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LicenceOut {
    pub id: &'static str,
    pub name: &'static str,
    pub url: &'static str,
}

impl From<Licence> for LicenceOut {
    fn from(l: Licence) -> Self {
        LicenceOut {
            id: l.as_str(),
            name: l.name(),
            url: l.url(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct VotesOut {
    pub up: i64,
    pub down: i64,
    pub score: f64,
}

#[derive(Debug, Serialize)]
pub struct SummaryPaperOut {
    pub id: i64,
    pub title: String,
    pub year: Option<i32>,
    pub venue: Option<String>,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct SummaryOut {
    pub id: i64,
    pub paper: SummaryPaperOut,
    /// None for anonymous summaries (except to their author).
    pub author: Option<BylineOut>,
    pub anonymous: bool,
    pub private: bool,
    /// Sanitised HTML with maths as MathML.
    pub html: String,
    /// The source; present on single-summary reads, absent from lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
    pub excerpt: String,
    pub licence: LicenceOut,
    pub votes: VotesOut,
    pub created_at: String,
    pub edited_at: String,
    pub permalink: String,
}

impl SummaryOut {
    pub fn new(v: SummaryView, markdown: Option<String>, u: &Urls) -> SummaryOut {
        let author = if v.anonymous && !v.is_own {
            None
        } else {
            v.author
        };
        SummaryOut {
            permalink: u.abs(&format!("/summary/{}", v.id)),
            id: v.id.0,
            paper: SummaryPaperOut {
                id: v.paper_id.0,
                url: u.abs(&format!("/paper/{}", v.paper_id)),
                title: v.paper_title,
                year: v.paper_year,
                venue: v.paper_venue,
            },
            author: author.map(|b| BylineOut::new(b, u)),
            anonymous: v.anonymous,
            private: v.private,
            html: v.html,
            markdown,
            excerpt: v.excerpt,
            licence: v.licence.into(),
            votes: VotesOut {
                up: v.up,
                down: v.down,
                score: v.score,
            },
            created_at: rfc3339(v.created_at),
            edited_at: rfc3339(v.edited_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct UserOut {
    pub username: String,
    pub display_name: String,
    pub created_at: String,
    pub url: String,
}

impl UserOut {
    pub fn new(user: User, u: &Urls) -> UserOut {
        UserOut {
            url: u.abs(&user_url(&user.username)),
            username: user.username,
            display_name: user.display_name,
            created_at: rfc3339(user.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RevisionOut {
    pub id: i64,
    pub number: u32,
    pub created_at: String,
    pub bytes: i64,
    pub private: bool,
    pub anonymous: bool,
    pub editor: Option<BylineOut>,
}

impl RevisionOut {
    pub fn new(r: RevisionInfo, u: &Urls) -> RevisionOut {
        RevisionOut {
            id: r.id.0,
            number: r.number,
            created_at: rfc3339(r.created_at),
            bytes: r.bytes,
            private: r.private,
            anonymous: r.anonymous,
            editor: r.editor.map(|b| BylineOut::new(b, u)),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CommentOut {
    pub id: i64,
    pub summary_id: i64,
    pub parent_id: Option<i64>,
    pub depth: u32,
    pub author: Option<BylineOut>,
    pub by_summary_author: bool,
    pub html: String,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub deleted: bool,
    pub hidden: bool,
}

impl CommentOut {
    pub fn new(c: CommentView, u: &Urls) -> CommentOut {
        CommentOut {
            id: c.id.0,
            summary_id: c.summary_id.0,
            parent_id: c.parent_id.map(|p| p.0),
            depth: c.depth,
            author: c.author.map(|b| BylineOut::new(b, u)),
            by_summary_author: c.by_summary_author,
            html: c.html,
            created_at: rfc3339(c.created_at),
            edited_at: c.edited_at.map(rfc3339),
            deleted: c.deleted,
            hidden: c.hidden,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SearchHitOut {
    pub paper: PaperCardOut,
    pub exact: bool,
}

#[derive(Debug, Serialize)]
pub struct VenueOut {
    pub name: String,
    pub papers: i64,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct VenueYearOut {
    pub year: Option<i32>,
    pub papers: i64,
}

#[derive(Debug, Serialize)]
pub struct VenuePaperOut {
    pub paper: PaperCardOut,
    /// The id of its best public summary, if any.
    pub top_summary: Option<i64>,
}

/// A page of a list.
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct VenueDetailOut {
    pub name: String,
    pub years: Vec<VenueYearOut>,
    pub year: Option<i32>,
    pub items: Vec<VenuePaperOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MeOut {
    pub username: String,
    pub display_name: String,
    pub scope: &'static str,
    pub licence: LicenceOut,
}

#[derive(Debug, Serialize)]
pub struct VoteOut {
    pub value: i8,
    pub votes: VotesOut,
}

// ---- JSON Schemas (OpenAPI 3.1 is JSON Schema 2020-12) ----

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn nullable(t: &str) -> Value {
    json!({ "type": [t, "null"] })
}

fn nullable_ref(name: &str) -> Value {
    json!({ "oneOf": [r(name), { "type": "null" }] })
}

fn object(props: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

fn list_of(item: &str) -> Value {
    object(
        json!({
            "items": { "type": "array", "items": r(item) },
            "next_cursor": nullable("string"),
        }),
        &["items", "next_cursor"],
    )
}

const DATE: &str = "date-time";

/// Every named schema; request bodies are defined with their handlers in `writes`.
pub fn schemas() -> serde_json::Map<String, Value> {
    let date = json!({ "type": "string", "format": DATE });
    let url = json!({ "type": "string", "format": "uri" });
    let mut m = serde_json::Map::new();
    m.insert(
        "Problem".into(),
        object(
            json!({
                "type": { "type": "string" },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" },
            }),
            &["type", "title", "status", "detail"],
        ),
    );
    m.insert(
        "Identifier".into(),
        object(
            json!({
                "kind": { "type": "string", "enum": ["arxiv", "doi", "dblp", "openreview"] },
                "value": { "type": "string" },
                "label": { "type": "string" },
                "url": url,
            }),
            &["kind", "value", "label", "url"],
        ),
    );
    m.insert(
        "Paper".into(),
        object(
            json!({
                "id": { "type": "integer" },
                "title": { "type": "string" },
                "authors": { "type": "array", "items": { "type": "string" } },
                "year": nullable("integer"),
                "venue": nullable("string"),
                "abstract": nullable("string"),
                "identifiers": { "type": "array", "items": r("Identifier") },
                "url": url,
            }),
            &[
                "id",
                "title",
                "authors",
                "year",
                "venue",
                "abstract",
                "identifiers",
                "url",
            ],
        ),
    );
    m.insert(
        "PaperCard".into(),
        object(
            json!({
                "id": { "type": "integer" },
                "title": { "type": "string" },
                "authors": { "type": "array", "items": { "type": "string" } },
                "year": nullable("integer"),
                "venue": nullable("string"),
                "summaries": { "type": "integer", "minimum": 0 },
                "url": url,
            }),
            &[
                "id",
                "title",
                "authors",
                "year",
                "venue",
                "summaries",
                "url",
            ],
        ),
    );
    m.insert(
        "Byline".into(),
        object(
            json!({
                "username": { "type": "string" },
                "display_name": { "type": "string" },
                "url": url,
            }),
            &["username", "display_name", "url"],
        ),
    );
    m.insert(
        "Licence".into(),
        object(
            json!({
                "id": { "type": "string", "enum": ["CC-BY-4.0", "CC-BY-SA-4.0"] },
                "name": { "type": "string" },
                "url": url,
            }),
            &["id", "name", "url"],
        ),
    );
    m.insert(
        "Votes".into(),
        object(
            json!({
                "up": { "type": "integer", "minimum": 0 },
                "down": { "type": "integer", "minimum": 0 },
                "score": { "type": "number" },
            }),
            &["up", "down", "score"],
        ),
    );
    m.insert(
        "Summary".into(),
        object(
            json!({
                "id": { "type": "integer" },
                "paper": object(json!({
                    "id": { "type": "integer" },
                    "title": { "type": "string" },
                    "year": nullable("integer"),
                    "venue": nullable("string"),
                    "url": url,
                }), &["id", "title", "year", "venue", "url"]),
                "author": nullable_ref("Byline"),
                "anonymous": { "type": "boolean" },
                "private": { "type": "boolean" },
                "html": { "type": "string", "description": "Sanitised HTML; maths as MathML." },
                "markdown": { "type": "string", "description": "The source (single reads only)." },
                "excerpt": { "type": "string" },
                "licence": r("Licence"),
                "votes": r("Votes"),
                "created_at": date,
                "edited_at": date,
                "permalink": url,
            }),
            &[
                "id",
                "paper",
                "author",
                "anonymous",
                "private",
                "html",
                "excerpt",
                "licence",
                "votes",
                "created_at",
                "edited_at",
                "permalink",
            ],
        ),
    );
    m.insert(
        "User".into(),
        object(
            json!({
                "username": { "type": "string" },
                "display_name": { "type": "string" },
                "created_at": date,
                "url": url,
            }),
            &["username", "display_name", "created_at", "url"],
        ),
    );
    m.insert(
        "Revision".into(),
        object(
            json!({
                "id": { "type": "integer" },
                "number": { "type": "integer", "minimum": 1 },
                "created_at": date,
                "bytes": { "type": "integer", "minimum": 0 },
                "private": { "type": "boolean" },
                "anonymous": { "type": "boolean" },
                "editor": nullable_ref("Byline"),
            }),
            &[
                "id",
                "number",
                "created_at",
                "bytes",
                "private",
                "anonymous",
                "editor",
            ],
        ),
    );
    m.insert(
        "Comment".into(),
        object(
            json!({
                "id": { "type": "integer" },
                "summary_id": { "type": "integer" },
                "parent_id": nullable("integer"),
                "depth": { "type": "integer", "minimum": 0 },
                "author": nullable_ref("Byline"),
                "by_summary_author": { "type": "boolean" },
                "html": { "type": "string" },
                "created_at": date,
                "edited_at": { "type": ["string", "null"], "format": DATE },
                "deleted": { "type": "boolean" },
                "hidden": { "type": "boolean" },
            }),
            &[
                "id",
                "summary_id",
                "parent_id",
                "depth",
                "author",
                "by_summary_author",
                "html",
                "created_at",
                "edited_at",
                "deleted",
                "hidden",
            ],
        ),
    );
    m.insert(
        "SearchHit".into(),
        object(
            json!({ "paper": r("PaperCard"), "exact": { "type": "boolean" } }),
            &["paper", "exact"],
        ),
    );
    m.insert(
        "Venue".into(),
        object(
            json!({
                "name": { "type": "string" },
                "papers": { "type": "integer", "minimum": 0 },
                "url": url,
            }),
            &["name", "papers", "url"],
        ),
    );
    m.insert(
        "VenueDetail".into(),
        object(
            json!({
                "name": { "type": "string" },
                "years": { "type": "array", "items": object(json!({
                    "year": nullable("integer"),
                    "papers": { "type": "integer", "minimum": 0 },
                }), &["year", "papers"]) },
                "year": nullable("integer"),
                "items": { "type": "array", "items": object(json!({
                    "paper": r("PaperCard"),
                    "top_summary": nullable("integer"),
                }), &["paper", "top_summary"]) },
                "next_cursor": nullable("string"),
            }),
            &["name", "years", "year", "items", "next_cursor"],
        ),
    );
    m.insert(
        "Me".into(),
        object(
            json!({
                "username": { "type": "string" },
                "display_name": { "type": "string" },
                "scope": { "type": "string", "enum": ["read", "write"] },
                "licence": r("Licence"),
            }),
            &["username", "display_name", "scope", "licence"],
        ),
    );
    m.insert(
        "Vote".into(),
        object(
            json!({
                "value": { "type": "integer", "enum": [-1, 0, 1] },
                "votes": r("Votes"),
            }),
            &["value", "votes"],
        ),
    );
    for item in [
        "Summary",
        "User",
        "Revision",
        "Comment",
        "SearchHit",
        "Venue",
    ] {
        m.insert(format!("{item}List"), list_of(item));
    }
    m
}
