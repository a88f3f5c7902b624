//! `GET /api`: the API reference, rendered from the same route table as the OpenAPI
//! document; `/problems/{kind}`: where each problem `type` leads.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::API_BODY_LIMIT;
use super::problem::Kind;
use super::reads::{DEFAULT_LIMIT, MAX_LIMIT};
use super::spec::{Access, In, MOVED, OPERATIONS, common_errors};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::html;
use crate::view::{Layout, Nav};

pub struct OpView {
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub summary: &'static str,
    pub access: &'static str,
    pub params: Vec<ParamView>,
    pub body: Option<&'static str>,
    pub ok: String,
    pub errors: String,
}

pub struct ParamView {
    pub name: &'static str,
    pub at: &'static str,
    pub required: bool,
    pub description: &'static str,
    pub schema: String,
}

pub struct ProblemView {
    pub slug: &'static str,
    pub status: u16,
    pub title: &'static str,
    pub meaning: &'static str,
}

#[derive(Template)]
#[template(path = "api_reference.html")]
struct ReferencePage {
    l: Layout,
    base: String,
    ops: Vec<OpView>,
    problems: Vec<ProblemView>,
    default_limit: u32,
    max_limit: u32,
    body_limit_kib: usize,
    read_budget: String,
}

pub async fn get_reference(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
) -> AppResult<Response> {
    let l = Layout::new(
        &state.config,
        viewer.as_ref(),
        Some("API reference"),
        "The JSON API: papers, summaries with MathML, comments, users, search, lists; tokens, errors and pagination.",
        "/api",
        Nav::None,
    );
    let ops = OPERATIONS
        .iter()
        .map(|op| {
            let mut errors: Vec<String> = common_errors(op)
                .into_iter()
                .chain(op.errors.iter().copied())
                .map(|k| k.status().as_u16().to_string())
                .collect();
            errors.sort();
            errors.dedup();
            OpView {
                anchor: op.id.to_owned(),
                method: op.method.as_str().to_ascii_uppercase(),
                path: format!("/api/v1{}", op.path),
                summary: op.summary,
                access: match op.access {
                    Access::Public => "public (a token also shows your private summaries)",
                    Access::Token => "token (read or write scope)",
                    Access::Write => "token with the write scope",
                },
                params: op
                    .params
                    .iter()
                    .map(|p| ParamView {
                        name: p.name,
                        at: match p.at {
                            In::Path => "path",
                            In::Query => "query",
                        },
                        required: p.required || p.at == In::Path,
                        description: p.description,
                        schema: (p.schema)().to_string(),
                    })
                    .collect(),
                body: op.body,
                ok: match (op.ok, op.moved) {
                    ((s, Some(schema)), false) => format!("{s} {schema}"),
                    ((s, Some(schema)), true) => format!("{s} {schema}; 301: {MOVED}"),
                    ((s, None), _) => format!("{s} (no body)"),
                },
                errors: errors.join(", "),
            }
        })
        .collect();
    let problems = Kind::ALL
        .into_iter()
        .map(|k| ProblemView {
            slug: k.slug(),
            status: k.status().as_u16(),
            title: k.title(),
            meaning: k.meaning(),
        })
        .collect();
    html(&ReferencePage {
        l,
        base: state.config.base_url.trim_end_matches('/').to_owned(),
        ops,
        problems,
        default_limit: DEFAULT_LIMIT,
        max_limit: MAX_LIMIT,
        body_limit_kib: API_BODY_LIMIT / 1024,
        read_budget: "1200 requests a minute per address; 600 writes a minute per token".into(),
    })
}

/// A problem `type` URL leads to its entry in the reference.
pub async fn get_problem(Path(slug): Path<String>) -> AppResult<Response> {
    Kind::ALL
        .into_iter()
        .find(|k| k.slug() == slug)
        .map(|k| Redirect::to(&format!("/api#problem-{}", k.slug())).into_response())
        .ok_or_else(|| AppError::not_found("There is no such problem type."))
}
