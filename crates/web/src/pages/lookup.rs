//! Any identifier to the canonical paper page: `GET /paper?bibtexKey=KEY[&a=USER]`,
//! `GET /paper?id=ID` (old ShortScience links, the home page's lookup box) and
//! `GET /abs/{*id}` (arXiv's own URL shape). Known papers answer with a 301.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shortscience_ids::{IdKind, PaperId, PaperRef};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::clip;

#[derive(Deserialize)]
pub struct LookupQuery {
    #[serde(rename = "bibtexKey")]
    bibtex_key: Option<String>,
    id: Option<String>,
    /// Username whose summary the old permalink pointed at.
    a: Option<String>,
}

pub async fn get_paper_lookup(
    State(state): State<AppState>,
    query: Result<Query<LookupQuery>, QueryRejection>,
) -> AppResult<Response> {
    let Query(query) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let raw = query
        .bibtex_key
        .as_deref()
        .or(query.id.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AppError::bad_request(
                "Say which paper: /paper?id= followed by an arXiv id, DOI, DBLP key or OpenReview id.",
            )
        })?;
    let r = PaperRef::parse(raw).map_err(|e| AppError::bad_request(e.to_string()))?;
    let id = find(&state, &r).await?;
    let mut location = format!("/paper/{id}");
    if let Some(username) = query.a.as_deref().filter(|a| !a.is_empty())
        && let Some(sid) = state.store.public_summary_by(id, username).await?
    {
        location.push_str(&format!("#summary-{sid}"));
    }
    Ok(moved_permanently(&location))
}

pub async fn get_abs(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> AppResult<Response> {
    let Path(raw) = path.map_err(|e| AppError::bad_request(e.body_text()))?;
    let r = PaperRef::parse_as(IdKind::Arxiv, &raw)
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let id = find(&state, &r).await?;
    Ok(moved_permanently(&format!("/paper/{id}")))
}

async fn find(state: &AppState, r: &PaperRef) -> AppResult<PaperId> {
    state.store.find_paper(r).await?.ok_or_else(|| {
        AppError::not_found(format!(
            "No paper with the identifier {} is known here yet.",
            clip(&r.label(), 200)
        ))
    })
}

/// 301, not axum's 308: old links are GETs and crawlers understand 301 best.
fn moved_permanently(location: &str) -> Response {
    let value = HeaderValue::from_str(location).expect("local paths are valid header values");
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, value)]).into_response()
}
