//! Any identifier to the canonical paper page: `GET /paper?bibtexKey=KEY[&a=USER]`,
//! `GET /paper?id=ID` (old ShortScience links, the home page's lookup box) and
//! `GET /abs/{*id}` (arXiv's own URL shape). Known papers answer with a 301. With live
//! lookup on (`AppState::sources`), an unknown id is fetched from its source and the
//! paper created first; a source that is off or failing gives a 503 or 502 page.

use axum::Extension;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shortscience_ids::{IdKind, PaperId, PaperRef};
use shortscience_sources::{LookupError, SourceError};

use crate::AppState;
use crate::error::{AppError, AppResult, ErrorPage};
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
    let id = match find(&state, &r).await {
        Ok(id) => id,
        Err(response) => return Ok(response),
    };
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
    match find(&state, &r).await {
        Ok(id) => Ok(moved_permanently(&format!("/paper/{id}"))),
        Err(response) => Ok(response),
    }
}

async fn find(state: &AppState, r: &PaperRef) -> Result<PaperId, Response> {
    let label = clip(&r.label(), 200);
    let found = match &state.sources {
        None => state.store.find_paper(r).await.map_err(AppError::from),
        Some(resolver) => match state.store.find_paper(r).await {
            Ok(None) => match resolver.fetch_and_store(&state.store, r).await {
                Ok(found) => {
                    if found.is_some() {
                        // A GET that stored a paper: cached pages may list it now.
                        state.cache.note_write().await;
                    }
                    Ok(found)
                }
                Err(LookupError::Store(e)) => Err(AppError::from(e)),
                Err(LookupError::Source(e)) => return Err(source_failed(&label, &e)),
            },
            known => known.map_err(AppError::from),
        },
    };
    match found {
        Ok(Some(id)) => Ok(id),
        Ok(None) if state.sources.is_some() => Err(AppError::not_found(format!(
            "No paper with the identifier {label} is known here, and its source does not know it either."
        ))
        .into_response()),
        Ok(None) => Err(AppError::not_found(format!(
            "No paper with the identifier {label} is known here yet."
        ))
        .into_response()),
        Err(e) => Err(e.into_response()),
    }
}

/// 503 when lookups are switched off here or the source asked us to wait (with its
/// `Retry-After` passed on), 502 when the source failed; the page says which source
/// and why.
fn source_failed(label: &str, e: &SourceError) -> Response {
    let retry_after = e.retry_after();
    let (status, heading) = if e.is_offline() {
        (StatusCode::SERVICE_UNAVAILABLE, "Lookup switched off")
    } else if retry_after.is_some() {
        (StatusCode::SERVICE_UNAVAILABLE, "Lookup busy")
    } else {
        (StatusCode::BAD_GATEWAY, "Lookup failed")
    };
    tracing::warn!(id = label, error = %e, "paper lookup failed");
    let page = ErrorPage {
        heading: heading.into(),
        message: format!("{label} is not known here yet, and looking it up failed: {e}."),
    };
    let mut response = (status, Extension(page)).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// 301, not axum's 308: old links are GETs and crawlers understand 301 best.
pub(crate) fn moved_permanently(location: &str) -> Response {
    let value = HeaderValue::from_str(location).expect("local paths are valid header values");
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, value)]).into_response()
}
