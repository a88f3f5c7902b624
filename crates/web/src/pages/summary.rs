//! `GET /summary/{id}` — the permalink of one summary, under its paper's header, with
//! its votes and comment thread. `?share=SECRET` opens a private summary to whoever holds
//! its share link; its author manages that link here.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use shortscience_ids::SummaryId;

use super::comment::{CommentBy, CommentItem, share_query, thread_items};
use super::{html, vote};
use crate::AppState;
use crate::auth::{CurrentUser, login_url};
use crate::error::{AppError, AppResult};
use crate::extract::IdPath;
use crate::view::{Date, Layout, Nav, PaperHead, SummaryItem};

#[derive(Template)]
#[template(path = "summary.html")]
struct SummaryPage {
    l: Layout,
    p: PaperHead,
    link_title: bool,
    summary: SummaryItem,
    comments_heading: String,
    comments: Vec<CommentItem>,
    comment_action: String,
    signed_in: bool,
    login_to_comment: String,
    /// The share secret this page was opened with, for its forms; or "".
    share: String,
    /// `?share=…` for links that must keep it; or "".
    share_query: String,
    /// For the author of a private summary: the share link's state.
    share_box: Option<ShareBox>,
}

/// What the author of a private summary sees about its share link.
struct ShareBox {
    /// When the live link was made; None without one.
    since: Option<Date>,
}

#[derive(Deserialize)]
pub struct SummaryQuery {
    #[serde(default)]
    share: String,
}

pub async fn get_summary(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    IdPath(id): IdPath<SummaryId>,
    query: Result<Query<SummaryQuery>, QueryRejection>,
) -> AppResult<Response> {
    let Query(query) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let share = Some(query.share.as_str()).filter(|s| !s.is_empty());
    let viewer_id = viewer.as_ref().map(|v| v.id);
    // Private summaries of others (without their share secret) look exactly like missing ones.
    let missing = || AppError::not_found(format!("There is no summary number {id} here."));
    let view = state
        .store
        .summary_for(id, viewer_id, share)
        .await?
        .ok_or_else(missing)?;
    let paper = state
        .store
        .paper(view.paper_id)
        .await?
        .ok_or_else(missing)?;
    let description = view.excerpt.clone();
    let json_ld = (!view.private)
        .then(|| crate::feeds::jsonld::summary(&paper, &view, &state.config.base_url));
    let mut summary = SummaryItem::from_view(view);
    let permalink = summary.permalink.clone();
    vote::annotate(
        &state,
        viewer.as_ref(),
        std::slice::from_mut(&mut summary),
        &permalink,
    )
    .await?;
    let comments = thread_items(
        state
            .store
            .summary_comments(id, viewer_id, share)
            .await?
            .unwrap_or_default(),
        viewer.is_some(),
    );
    let live = comments.iter().filter(|c| !c.deleted && !c.hidden).count();
    let comments_heading = match live {
        0 => "Comments".to_owned(),
        1 => "1 comment".to_owned(),
        n => format!("{n} comments"),
    };
    let share_box = match viewer_id {
        Some(me) if summary.is_own && summary.private => Some(ShareBox {
            since: state
                .store
                .share_created_at(id, me)
                .await?
                .map(Date::from_unix),
        }),
        _ => None,
    };
    let head = PaperHead::from_paper(paper);
    let title = format!("Summary of “{}”", head.title);
    let mut l = Layout::new(
        &state.config,
        viewer.as_ref(),
        Some(&title),
        &description,
        &permalink,
        Nav::None,
    );
    if summary.private {
        // Never indexed, and never advertised under another address.
        l.canonical = None;
    }
    l.json_ld = json_ld;
    html(&SummaryPage {
        l,
        p: head,
        link_title: true,
        comments_heading,
        comments,
        comment_action: format!("/summary/{id}/comment"),
        signed_in: viewer.is_some(),
        login_to_comment: login_url(Some(&format!("{permalink}#comments"))),
        share: share.unwrap_or_default().to_owned(),
        share_query: share_query(share),
        share_box,
        summary,
    })
}
