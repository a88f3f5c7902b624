//! The route table: every API operation once, with what the OpenAPI document says about
//! it and the handler that serves it. The router and the document are both built from
//! [`OPERATIONS`], so neither can list an operation the other lacks.

use axum::routing::{MethodRouter, delete, get, post, put};
use serde_json::{Map, Value, json};

use super::cursor::CURSOR_PATTERN;
use super::problem::Kind;
use super::reads::{DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_CHARS};
use super::{reads, types, writes};
use crate::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Delete => "delete",
        }
    }
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; a token (any scope) also shows its owner's private summaries.
    Public,
    /// A token of any scope.
    Token,
    /// A token with the write scope.
    Write,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    Path,
    Query,
}

pub struct Param {
    pub name: &'static str,
    pub at: In,
    pub required: bool,
    pub description: &'static str,
    pub schema: fn() -> Value,
}

pub struct Op {
    pub method: Method,
    /// Relative to `/api/v1`, in axum's `{name}` syntax (also OpenAPI's).
    pub path: &'static str,
    pub id: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub access: Access,
    pub params: &'static [Param],
    /// Name of the request body schema.
    pub body: Option<&'static str>,
    /// Success status and its body schema (None: no body).
    pub ok: (u16, Option<&'static str>),
    /// Error kinds the operation answers with, beyond those every operation may.
    pub errors: &'static [Kind],
    /// Answers 301 for a paper merged into another (while that merge stands): the same
    /// address with the kept paper's number.
    pub moved: bool,
    pub handler: fn() -> MethodRouter<AppState>,
}

fn cursor_schema() -> Value {
    json!({ "type": "string", "pattern": CURSOR_PATTERN })
}
fn limit_schema() -> Value {
    json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT })
}
fn positive_id() -> Value {
    json!({ "type": "integer", "minimum": 1, "maximum": 9_007_199_254_740_991_i64 })
}
fn paper_id() -> Value {
    positive_id()
}
/// New-style arXiv ids (2015 on) and DOIs: every string these patterns allow parses.
pub const ARXIV_PATTERN: &str =
    "^(arXiv:)?(1[5-9]|[2-9][0-9])(0[1-9]|1[0-2])\\.[0-9]{4}[1-9](v[1-9][0-9]?)?$";
pub const DOI_PATTERN: &str = "^10\\.[0-9]{4,9}/[A-Za-z0-9_-]([A-Za-z0-9._-]{0,60}[A-Za-z0-9_-])?$";
fn identifier() -> Value {
    json!({ "type": "string", "maxLength": 200, "anyOf": [
        { "pattern": ARXIV_PATTERN },
        { "pattern": DOI_PATTERN },
    ], "description": "An arXiv id or a DOI (DBLP keys, OpenReview ids and URLs work too)." })
}
fn username() -> Value {
    json!({ "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$" })
}
fn any_text() -> Value {
    json!({ "type": "string", "maxLength": MAX_QUERY_CHARS })
}
fn year_schema() -> Value {
    json!({ "type": "integer", "minimum": 1000, "maximum": 9999 })
}

const CURSOR: Param = Param {
    name: "cursor",
    at: In::Query,
    required: false,
    description: "`next_cursor` of the previous page.",
    schema: cursor_schema,
};
const LIMIT: Param = Param {
    name: "limit",
    at: In::Query,
    required: false,
    description: "Items per page.",
    schema: limit_schema,
};
const PAPER: Param = Param {
    name: "id",
    at: In::Path,
    required: true,
    description: "The paper's number (identifiers: use /papers/lookup).",
    schema: paper_id,
};
const SUMMARY: Param = Param {
    name: "id",
    at: In::Path,
    required: true,
    description: "The summary's number (its permalink is /summary/{id}).",
    schema: positive_id,
};
const USERNAME: Param = Param {
    name: "username",
    at: In::Path,
    required: true,
    description: "A username (case does not matter).",
    schema: username,
};

/// What a 301 from a paper operation means, for the document and the reference.
pub const MOVED: &str = "The paper was merged into another; follow Location.";

const NOT_FOUND: &[Kind] = &[Kind::NotFound];
const WRITE_ERRORS: &[Kind] = &[
    Kind::NotFound,
    Kind::Forbidden,
    Kind::Conflict,
    Kind::MalformedJson,
    Kind::InvalidBody,
    Kind::UnsupportedMediaType,
    Kind::TooLarge,
];

pub static OPERATIONS: &[Op] = &[
    Op {
        method: Method::Get,
        path: "/papers/lookup",
        id: "lookupPaper",
        tag: "Papers",
        summary: "Find a paper by any identifier (arXiv id, DOI, DBLP key, OpenReview id, URL or number). A merged paper's identifiers and number answer the paper it was merged into, with no redirect: use the `id` in the answer.",
        access: Access::Public,
        params: &[Param {
            name: "id",
            at: In::Query,
            required: true,
            description: "The identifier, e.g. arXiv:1706.03762 or 10.1145/3448016.3452841.",
            schema: identifier,
        }],
        body: None,
        ok: (200, Some("Paper")),
        errors: NOT_FOUND,
        moved: false,
        handler: || get(reads::get_paper_lookup),
    },
    Op {
        method: Method::Get,
        path: "/papers/{id}",
        id: "getPaper",
        tag: "Papers",
        summary: "A paper with its identifiers.",
        access: Access::Public,
        params: &[PAPER],
        body: None,
        ok: (200, Some("Paper")),
        errors: NOT_FOUND,
        moved: true,
        handler: || get(reads::get_paper),
    },
    Op {
        method: Method::Get,
        path: "/papers/{id}/summaries",
        id: "listPaperSummaries",
        tag: "Papers",
        summary: "A paper's visible summaries.",
        access: Access::Public,
        params: &[
            PAPER,
            Param {
                name: "sort",
                at: In::Query,
                required: false,
                description: "best (score), new (newest first) or top (net votes).",
                schema: || json!({ "type": "string", "enum": ["best", "new", "top"] }),
            },
            CURSOR,
            LIMIT,
        ],
        body: None,
        ok: (200, Some("SummaryList")),
        errors: NOT_FOUND,
        moved: true,
        handler: || get(reads::get_paper_summaries),
    },
    Op {
        method: Method::Post,
        path: "/summaries",
        id: "createSummary",
        tag: "Summaries",
        summary: "Publish your summary of a paper (one per paper).",
        access: Access::Write,
        params: &[],
        body: Some("NewSummary"),
        ok: (201, Some("Summary")),
        errors: &[
            Kind::NotFound,
            Kind::Forbidden,
            Kind::Conflict,
            Kind::MalformedJson,
            Kind::InvalidBody,
            Kind::UnsupportedMediaType,
            Kind::TooLarge,
        ],
        moved: false,
        handler: || post(writes::post_summary),
    },
    Op {
        method: Method::Get,
        path: "/summaries/{id}",
        id: "getSummary",
        tag: "Summaries",
        summary: "One summary: HTML with MathML, Markdown, licence, byline, votes, dates.",
        access: Access::Public,
        params: &[SUMMARY],
        body: None,
        ok: (200, Some("Summary")),
        errors: NOT_FOUND,
        moved: false,
        handler: || get(reads::get_summary),
    },
    Op {
        method: Method::Put,
        path: "/summaries/{id}",
        id: "editSummary",
        tag: "Summaries",
        summary: "Edit your own summary.",
        access: Access::Write,
        params: &[SUMMARY],
        body: Some("EditSummary"),
        ok: (200, Some("Summary")),
        errors: WRITE_ERRORS,
        moved: false,
        handler: || put(writes::put_summary),
    },
    Op {
        method: Method::Delete,
        path: "/summaries/{id}",
        id: "deleteSummary",
        tag: "Summaries",
        summary: "Delete your own summary, with its votes, comments and history.",
        access: Access::Write,
        params: &[SUMMARY],
        body: None,
        ok: (204, None),
        errors: &[Kind::NotFound, Kind::Forbidden],
        moved: false,
        handler: || delete(writes::delete_summary),
    },
    Op {
        method: Method::Get,
        path: "/summaries/{id}/revisions",
        id: "listRevisions",
        tag: "Summaries",
        summary: "Every saved version of a summary, oldest first.",
        access: Access::Public,
        params: &[SUMMARY, CURSOR, LIMIT],
        body: None,
        ok: (200, Some("RevisionList")),
        errors: NOT_FOUND,
        moved: false,
        handler: || get(reads::get_summary_revisions),
    },
    Op {
        method: Method::Get,
        path: "/summaries/{id}/comments",
        id: "listComments",
        tag: "Summaries",
        summary: "A summary's comments in thread order.",
        access: Access::Public,
        params: &[SUMMARY, CURSOR, LIMIT],
        body: None,
        ok: (200, Some("CommentList")),
        errors: NOT_FOUND,
        moved: false,
        handler: || get(reads::get_summary_comments),
    },
    Op {
        method: Method::Post,
        path: "/summaries/{id}/comments",
        id: "createComment",
        tag: "Summaries",
        summary: "Comment on a summary, or reply to a comment.",
        access: Access::Write,
        params: &[SUMMARY],
        body: Some("NewComment"),
        ok: (201, Some("Comment")),
        errors: WRITE_ERRORS,
        moved: false,
        handler: || post(writes::post_comment),
    },
    Op {
        method: Method::Put,
        path: "/summaries/{id}/vote",
        id: "vote",
        tag: "Summaries",
        summary: "Vote on someone else's summary: 1, -1, or 0 to withdraw.",
        access: Access::Write,
        params: &[SUMMARY],
        body: Some("NewVote"),
        ok: (200, Some("Vote")),
        errors: WRITE_ERRORS,
        moved: false,
        handler: || put(writes::put_vote),
    },
    Op {
        method: Method::Post,
        path: "/reports",
        id: "createReport",
        tag: "Moderation",
        summary: "Ask the moderators to look at a summary, comment or user.",
        access: Access::Write,
        params: &[],
        body: Some("NewReport"),
        ok: (201, Some("ReportCreated")),
        errors: WRITE_ERRORS,
        moved: false,
        handler: || post(writes::post_report),
    },
    Op {
        method: Method::Get,
        path: "/users/{username}",
        id: "getUser",
        tag: "Users",
        summary: "A user's public profile.",
        access: Access::Public,
        params: &[USERNAME],
        body: None,
        ok: (200, Some("User")),
        errors: NOT_FOUND,
        moved: false,
        handler: || get(reads::get_user),
    },
    Op {
        method: Method::Get,
        path: "/users/{username}/summaries",
        id: "listUserSummaries",
        tag: "Users",
        summary: "A user's summaries, last edit first (anonymous ones are not listed).",
        access: Access::Public,
        params: &[USERNAME, CURSOR, LIMIT],
        body: None,
        ok: (200, Some("SummaryList")),
        errors: NOT_FOUND,
        moved: false,
        handler: || get(reads::get_user_summaries),
    },
    Op {
        method: Method::Get,
        path: "/me",
        id: "getMe",
        tag: "Users",
        summary: "Who the token belongs to, and its scope.",
        access: Access::Token,
        params: &[],
        body: None,
        ok: (200, Some("Me")),
        errors: &[],
        moved: false,
        handler: || get(super::get_me),
    },
    Op {
        method: Method::Get,
        path: "/me/takeout",
        id: "getTakeout",
        tag: "Users",
        summary: "A zip of all your summaries as summary files, with your comments and votes as JSON.",
        access: Access::Token,
        params: &[],
        body: None,
        ok: (200, Some("Zip")),
        errors: &[],
        moved: false,
        handler: || get(super::takeout::get_api_takeout),
    },
    Op {
        method: Method::Get,
        path: "/search",
        id: "search",
        tag: "Discovery",
        summary: "Papers matching words (title, authors, abstract, public summaries) or an identifier, best first. Words matching very many papers list at most about 1,000: the best of a window of the matches (the filters apply before it).",
        access: Access::Public,
        params: &[
            Param {
                name: "q",
                at: In::Query,
                required: false,
                description: "Words, or an identifier.",
                schema: any_text,
            },
            Param {
                name: "venue",
                at: In::Query,
                required: false,
                description: "Exact venue name.",
                schema: any_text,
            },
            Param {
                name: "year_from",
                at: In::Query,
                required: false,
                description: "Earliest year.",
                schema: year_schema,
            },
            Param {
                name: "year_to",
                at: In::Query,
                required: false,
                description: "Latest year.",
                schema: year_schema,
            },
            CURSOR,
            LIMIT,
        ],
        body: None,
        ok: (200, Some("SearchHitList")),
        errors: &[],
        moved: false,
        handler: || get(reads::get_search),
    },
    Op {
        method: Method::Get,
        path: "/home/{list}",
        id: "listHome",
        tag: "Discovery",
        summary: "The home page lists: popular, recent or top summaries.",
        access: Access::Public,
        params: &[
            Param {
                name: "list",
                at: In::Path,
                required: true,
                description: "Which list.",
                schema: || json!({ "type": "string", "enum": ["popular", "recent", "top"] }),
            },
            CURSOR,
            LIMIT,
        ],
        body: None,
        ok: (200, Some("SummaryList")),
        errors: NOT_FOUND,
        moved: false,
        handler: || get(reads::get_home),
    },
    Op {
        method: Method::Get,
        path: "/venues",
        id: "listVenues",
        tag: "Discovery",
        summary: "Every venue with its number of papers, most first.",
        access: Access::Public,
        params: &[CURSOR, LIMIT],
        body: None,
        ok: (200, Some("VenueList")),
        errors: &[],
        moved: false,
        handler: || get(reads::get_venues),
    },
    Op {
        method: Method::Get,
        path: "/venues/{name}",
        id: "getVenue",
        tag: "Discovery",
        summary: "A venue's years, and one year's papers with their best summary.",
        access: Access::Public,
        params: &[
            Param {
                name: "name",
                at: In::Path,
                required: true,
                description: "The venue's name as stored.",
                schema: || json!({ "type": "string", "minLength": 1, "maxLength": 300 }),
            },
            Param {
                name: "year",
                at: In::Query,
                required: false,
                description: "A year, or `none` for papers without one; default: the newest.",
                schema: || {
                    json!({ "oneOf": [
                    { "type": "integer", "minimum": 1000, "maximum": 9999 },
                    { "type": "string", "enum": ["none"] }
                ] })
                },
            },
            CURSOR,
            LIMIT,
        ],
        body: None,
        ok: (200, Some("VenueDetail")),
        errors: NOT_FOUND,
        moved: false,
        handler: || get(reads::get_venue),
    },
];

/// Error kinds any operation may answer with.
pub fn common_errors(op: &Op) -> Vec<Kind> {
    let mut kinds = vec![Kind::BadRequest, Kind::RateLimited, Kind::Unavailable];
    if op.access != Access::Public || op.method == Method::Get {
        kinds.push(Kind::Unauthorized);
    }
    if op.access == Access::Write {
        kinds.push(Kind::Forbidden);
    }
    kinds
}

/// The OpenAPI 3.1 document.
pub fn openapi(base_url: &str, site_name: &str) -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let entry = paths
            .entry(format!("/api/v1{}", op.path))
            .or_insert_with(|| json!({}));
        entry[op.method.as_str()] = operation(op);
    }
    let mut schemas = types::schemas();
    for (name, schema) in writes::body_schemas()
        .into_iter()
        .chain(writes::report_schemas())
    {
        schemas.insert(name.into(), schema);
    }
    schemas.insert(
        "Zip".into(),
        json!({ "type": "string", "contentMediaType": "application/zip" }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("{site_name} API"),
            "version": "1",
            "description": "Papers, summaries (with their maths as MathML), comments, users, \
                search and lists, as JSON. Reads need no account; writes need a personal API \
                token with the write scope, created on /settings/tokens. Errors are RFC 9457 \
                problem documents. See /api for the reference.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" },
        },
        "servers": [{ "url": base_url.trim_end_matches('/') }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (ss_…) from /settings/tokens.",
                },
            },
        },
    })
}

fn operation(op: &Op) -> Value {
    let params: Vec<Value> = op
        .params
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "in": match p.at { In::Path => "path", In::Query => "query" },
                "required": p.required || p.at == In::Path,
                "description": p.description,
                "schema": (p.schema)(),
            })
        })
        .collect();
    let mut responses = Map::new();
    let (status, schema) = op.ok;
    let ok = match schema {
        Some("Zip") => json!({
            "description": "A zip file.",
            "content": { "application/zip": { "schema": { "$ref": "#/components/schemas/Zip" } } },
        }),
        Some(name) => json!({
            "description": "Success.",
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{name}") } } },
        }),
        None => json!({ "description": "Done; no content." }),
    };
    responses.insert(status.to_string(), ok);
    if op.moved {
        responses.insert(
            "301".into(),
            json!({
                "description": MOVED,
                "headers": {
                    "Location": { "description": "The same address under the kept paper's number.", "schema": { "type": "string" } },
                },
            }),
        );
    }
    let mut kinds = common_errors(op);
    kinds.extend_from_slice(op.errors);
    for kind in kinds {
        let mut response = json!({
            "description": kind.title(),
            "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } },
        });
        if kind == Kind::RateLimited {
            response["headers"] = json!({
                "Retry-After": { "description": "Seconds to wait.", "schema": { "type": "integer" } },
            });
        }
        responses.insert(kind.status().as_u16().to_string(), response);
    }
    let mut out = json!({
        "operationId": op.id,
        "tags": [op.tag],
        "summary": op.summary,
        "parameters": params,
        "responses": responses,
    });
    out["security"] = match op.access {
        Access::Public => json!([{}, { "token": [] }]),
        Access::Token | Access::Write => json!([{ "token": [] }]),
    };
    if let Some(body) = op.body {
        out["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{body}") } } },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_unique_and_paths_relative() {
        let mut ids: Vec<&str> = OPERATIONS.iter().map(|o| o.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), OPERATIONS.len());
        for op in OPERATIONS {
            assert!(
                op.path.starts_with('/') && !op.path.starts_with("/api"),
                "{}",
                op.path
            );
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = openapi("http://x", "S");
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(schemas.contains_key(&name), "missing schema {name}");
        }
    }

    #[test]
    fn path_parameters_match_the_template() {
        for op in OPERATIONS {
            for p in op.params.iter().filter(|p| p.at == In::Path) {
                assert!(
                    op.path.contains(&format!("{{{}}}", p.name)),
                    "{} {}",
                    op.id,
                    p.name
                );
            }
            let braces = op.path.matches('{').count();
            let declared = op.params.iter().filter(|p| p.at == In::Path).count();
            assert_eq!(braces, declared, "{}", op.id);
        }
    }
}
