//! Citation downloads: `GET /paper/{id}/cite.bib|.ris|.json` (BibTeX, RIS, CSL-JSON)
//! and `GET /user/{username}/papers.bib` (the papers a user summarised publicly under
//! their name). Formats live in [`crate::citation`].

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use shortscience_ids::PaperId;
use shortscience_store::Paper;

use super::paper::missing_paper;
use crate::AppState;
use crate::citation;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, clip};

pub const BIBTEX_TYPE: &str = "application/x-bibtex; charset=utf-8";
pub const RIS_TYPE: &str = "application/x-research-info-systems; charset=utf-8";
pub const CSL_JSON_TYPE: &str = "application/vnd.citationstyles.csl+json; charset=utf-8";

/// A download: its type, and a file name made of ASCII letters, digits, `-` and `.`.
fn download(content_type: &'static str, filename: &str, body: String) -> AppResult<Response> {
    let safe: String = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        .collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\""))
        .map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

fn page_url(state: &AppState, id: PaperId) -> String {
    format!("{}/paper/{id}", state.config.base_url.trim_end_matches('/'))
}

pub async fn get_bibtex(
    State(state): State<AppState>,
    IdPath(id): IdPath<PaperId>,
) -> AppResult<Response> {
    let Some(p) = state.store.paper(id).await? else {
        return missing_paper(&state, id, "/cite.bib").await;
    };
    let key = citation::cite_key(&p);
    download(
        BIBTEX_TYPE,
        &format!("{key}.bib"),
        citation::bibtex(&p, &key),
    )
}

pub async fn get_ris(
    State(state): State<AppState>,
    IdPath(id): IdPath<PaperId>,
) -> AppResult<Response> {
    let Some(p) = state.store.paper(id).await? else {
        return missing_paper(&state, id, "/cite.ris").await;
    };
    let key = citation::cite_key(&p);
    let body = citation::ris(&p, &page_url(&state, id));
    download(RIS_TYPE, &format!("{key}.ris"), body)
}

pub async fn get_csl_json(
    State(state): State<AppState>,
    IdPath(id): IdPath<PaperId>,
) -> AppResult<Response> {
    let Some(p) = state.store.paper(id).await? else {
        return missing_paper(&state, id, "/cite.json").await;
    };
    let key = citation::cite_key(&p);
    download(
        CSL_JSON_TYPE,
        &format!("{key}.json"),
        citation::csl_json(&p, &key),
    )
}

/// Public summaries shown under the user's name only: private and anonymous ones never
/// appear, whoever asks.
pub async fn get_user_bibtex(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> AppResult<Response> {
    let Path(username) = path.map_err(|e| AppError::bad_request(e.body_text()))?;
    let user = state.store.user_by_name(&username).await?.ok_or_else(|| {
        AppError::not_found(format!(
            "There is no user called “{}” here.",
            clip(&username, 60)
        ))
    })?;
    let summaries = state.store.user_summaries(user.id, None).await?;
    let mut seen = Vec::new();
    let mut papers = Vec::new();
    for s in summaries {
        if s.private || s.anonymous || seen.contains(&s.paper_id) {
            continue;
        }
        seen.push(s.paper_id);
        if let Some(p) = state.store.paper(s.paper_id).await? {
            papers.push(p);
        }
    }
    download(
        BIBTEX_TYPE,
        &format!("{}-papers.bib", user.username),
        citation::bibtex_file(&papers),
    )
}

/// What the paper page shows for reference managers: Highwire meta tags, the COinS
/// span, and links to the three downloads.
pub struct CiteLinks {
    pub meta: Vec<(&'static str, String)>,
    pub coins: String,
    pub bib: String,
    pub ris: String,
    pub json: String,
}

impl CiteLinks {
    /// `base_url` is the site's public origin (for the absolute page URL in the tags).
    pub fn new(p: &Paper, base_url: &str) -> CiteLinks {
        let page = format!("{}/paper/{}", base_url.trim_end_matches('/'), p.id);
        CiteLinks {
            meta: citation::highwire(p, &page),
            coins: citation::coins(p),
            bib: format!("/paper/{}/cite.bib", p.id),
            ris: format!("/paper/{}/cite.ris", p.id),
            json: format!("/paper/{}/cite.json", p.id),
        }
    }
}
