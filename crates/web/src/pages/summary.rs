//! `GET /summary/{id}` — the permalink of one summary, under its paper's header.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use shortscience_ids::SummaryId;

use super::html;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::IdPath;
use crate::view::{Layout, Nav, PaperHead, SummaryItem};

#[derive(Template)]
#[template(path = "summary.html")]
struct SummaryPage {
    l: Layout,
    p: PaperHead,
    link_title: bool,
    summary: SummaryItem,
}

pub async fn get_summary(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    IdPath(id): IdPath<SummaryId>,
) -> AppResult<Response> {
    // The store hides others' private summaries: they look exactly like missing ones.
    let missing = || AppError::not_found(format!("There is no summary number {id} here."));
    let view = state
        .store
        .summary(id, viewer.as_ref().map(|v| v.id))
        .await?
        .ok_or_else(missing)?;
    let paper = state
        .store
        .paper(view.paper_id)
        .await?
        .ok_or_else(missing)?;
    let description = view.excerpt.clone();
    let summary = SummaryItem::from_view(view);
    let head = PaperHead::from_paper(paper);
    let title = format!("Summary of “{}”", head.title);
    let l = Layout::new(
        &state.config,
        viewer.as_ref(),
        Some(&title),
        &description,
        &summary.permalink,
        Nav::None,
    );
    html(&SummaryPage {
        l,
        p: head,
        link_title: true,
        summary,
    })
}
