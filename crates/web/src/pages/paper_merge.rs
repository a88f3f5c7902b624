//! Merging papers, for moderators: `GET /moderation/merges` (recent merges with Undo,
//! and the form), `GET /moderation/merge?from=&into=` (the confirmation showing both
//! papers), `POST /moderation/merge` (merge) and `POST /moderation/merges/{id}/undo`.
//! Plain forms, no script. Guests are sent to log in; other users get 403.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use shortscience_ids::{PaperId, PaperRef};
use shortscience_store::{MAX_REASON_CHARS, MergeError, SummarySort};

use super::auth::{private_layout, see_other};
use super::html;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::clip;
use crate::view::{Date, Layout, PaperHead};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/moderation/merges", get(get_merges))
        .route("/moderation/merge", get(get_merge_confirm).post(post_merge))
        .route("/moderation/merges/{id}/undo", post(post_undo))
}

fn require_moderator(user: &CurrentUser) -> AppResult<()> {
    if user.is_moderator() {
        Ok(())
    } else {
        Err(AppError::forbidden("Only moderators can merge papers."))
    }
}

fn merge_error(e: MergeError) -> AppError {
    match e {
        MergeError::NoSuchPaper(id) => {
            AppError::not_found(format!("There is no paper number {id} here."))
        }
        MergeError::NoSuchMerge(id) => AppError::not_found(format!("There is no merge {id}.")),
        MergeError::Store(e) => e.into(),
        refused => AppError::bad_request(format!("{}.", capitalise(&refused.to_string()))),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A paper named by its number (`42`, `/paper/42`, a full page URL) or any identifier
/// (arXiv id, DOI, DBLP key, OpenReview id, their URLs); must be a live paper.
async fn resolve(state: &AppState, raw: &str, which: &str) -> AppResult<PaperId> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(AppError::bad_request(format!(
            "Say which paper to merge {which}: its number or an identifier."
        )));
    }
    let number = raw.rsplit_once("/paper/").map_or(raw, |(_, n)| n);
    let id = match number.parse::<i64>() {
        Ok(n) if n > 0 => PaperId(n),
        _ => {
            let r = PaperRef::parse(raw).map_err(|e| {
                AppError::bad_request(format!("{:?} is not a paper: {e}", clip(raw, 80)))
            })?;
            state.store.find_paper(&r).await?.ok_or_else(|| {
                AppError::not_found(format!("No paper is known here for {}.", r.label()))
            })?
        }
    };
    if let Some(into) = state.store.merged_into(id).await? {
        return Err(AppError::bad_request(format!(
            "Paper {id} was merged into paper {into}; use {into}."
        )));
    }
    Ok(id)
}

pub struct PaperBox {
    pub id: PaperId,
    pub head: PaperHead,
    pub summaries: usize,
}

async fn paper_box(state: &AppState, id: PaperId) -> AppResult<PaperBox> {
    let paper = state
        .store
        .paper(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no paper number {id} here.")))?;
    // Counted as a guest sees them: private and hidden ones move too, but are not shown.
    let summaries = state
        .store
        .paper_summaries(id, None, SummarySort::New)
        .await?
        .len();
    Ok(PaperBox {
        id,
        head: PaperHead::from_paper(paper),
        summaries,
    })
}

#[derive(Deserialize)]
pub struct MergeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    into: String,
}

#[derive(Template)]
#[template(path = "moderation/merge_confirm.html")]
struct ConfirmPage {
    l: Layout,
    /// Paper titles link to their pages.
    link_title: bool,
    from: PaperBox,
    into: PaperBox,
}

pub async fn get_merge_confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<MergeQuery>, QueryRejection>,
) -> AppResult<Response> {
    require_moderator(&user)?;
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let from = resolve(&state, &q.from, "away").await?;
    let into = resolve(&state, &q.into, "into").await?;
    if from == into {
        return Err(merge_error(MergeError::SamePaper));
    }
    html(&ConfirmPage {
        l: private_layout(
            &state.config,
            Some(&user),
            "Merge papers",
            "/moderation/merge",
        ),
        link_title: true,
        from: paper_box(&state, from).await?,
        into: paper_box(&state, into).await?,
    })
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    reason: String,
}

fn check_reason(reason: &str) -> AppResult<()> {
    if reason.trim().chars().count() > MAX_REASON_CHARS {
        return Err(AppError::bad_request(format!(
            "A reason has at most {MAX_REASON_CHARS} characters."
        )));
    }
    Ok(())
}

pub async fn post_merge(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<MergeForm>,
) -> AppResult<Response> {
    require_moderator(&user)?;
    check_reason(&form.reason)?;
    let from = resolve(&state, &form.from, "away").await?;
    let into = resolve(&state, &form.into, "into").await?;
    let merge = state
        .store
        .merge_papers(user.id, from, into, &form.reason)
        .await
        .map_err(merge_error)?;
    tracing::info!(moderator = %user.username, merge, from = from.0, into = into.0, "papers merged");
    Ok(see_other("/moderation/merges"))
}

#[derive(Deserialize)]
pub struct UndoForm {
    #[serde(default)]
    reason: String,
}

pub async fn post_undo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
    Form(form): Form<UndoForm>,
) -> AppResult<Response> {
    require_moderator(&user)?;
    check_reason(&form.reason)?;
    let merge = raw
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::not_found(format!("There is no merge {}.", clip(&raw, 20))))?;
    state
        .store
        .undo_merge(user.id, merge, &form.reason)
        .await
        .map_err(merge_error)?;
    tracing::info!(moderator = %user.username, merge, "paper merge undone");
    Ok(see_other("/moderation/merges"))
}

pub struct MergeRow {
    pub id: i64,
    pub from: i64,
    pub from_title: String,
    pub into: i64,
    pub into_title: String,
    pub aliases: String,
    pub summaries: i64,
    pub actor: String,
    pub reason: String,
    pub at: Date,
    /// (who, when) once undone.
    pub undone: Option<(String, Date)>,
    /// From a dump: no undo offered (the store refuses it).
    pub restored: bool,
}

#[derive(Template)]
#[template(path = "moderation/merges.html")]
struct MergesPage {
    l: Layout,
    rows: Vec<MergeRow>,
}

pub async fn get_merges(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    require_moderator(&user)?;
    let gone = || "(deleted account)".to_owned();
    let rows = state
        .store
        .paper_merges(100)
        .await?
        .into_iter()
        .map(|m| MergeRow {
            id: m.id,
            from: m.from.0,
            // A dump keeps no title for the paper merged away.
            from_title: Some(m.from_title)
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "(title not kept)".to_owned()),
            into: m.into.0,
            into_title: m.into_title.unwrap_or_default(),
            aliases: m
                .aliases
                .iter()
                .map(PaperRef::label)
                .collect::<Vec<_>>()
                .join(", "),
            summaries: m.summaries,
            actor: m.actor.unwrap_or_else(gone),
            reason: m.reason,
            at: Date::from_unix(m.created_at),
            undone: m
                .undone_at
                .map(|t| (m.undone_by.unwrap_or_else(gone), Date::from_unix(t))),
            restored: m.restored,
        })
        .collect();
    html(&MergesPage {
        l: private_layout(
            &state.config,
            Some(&user),
            "Paper merges",
            "/moderation/merges",
        ),
        rows,
    })
}
