//! `GET /user/{username}` — a user's profile (display name, bio, ORCID iD, avatar,
//! score) and public summaries.

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;

use super::html;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::clip;
use crate::view::{Date, Layout, Nav, SummaryItem, user_url};

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    l: Layout,
    username: String,
    display_name: String,
    /// Sanitised by the renderer when it was saved.
    bio_html: String,
    orcid: Option<String>,
    score: Option<String>,
    is_owner: bool,
    /// Signed in as someone else: may report this user.
    can_report: bool,
    user_id: i64,
    since: Date,
    summaries_heading: String,
    summaries: Vec<SummaryItem>,
}

pub async fn get_user(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    path: Result<Path<String>, PathRejection>,
) -> AppResult<Response> {
    let Path(username) = path.map_err(|e| AppError::bad_request(e.body_text()))?;
    let profile = state.store.profile(&username).await?.ok_or_else(|| {
        AppError::not_found(format!(
            "There is no user called “{}” here.",
            clip(&username, 60)
        ))
    })?;
    let user = profile.user.clone();
    let summaries: Vec<SummaryItem> = state
        .store
        .user_summaries(user.id, viewer.as_ref().map(|v| v.id))
        .await?
        .into_iter()
        .map(SummaryItem::from_view)
        .collect();
    let summaries_heading = match summaries.len() {
        1 => "1 summary".to_owned(),
        n => format!("{n} summaries"),
    };
    let description = format!("Summaries of research papers by {}.", user.display_name);
    let mut l = Layout::new(
        &state.config,
        viewer.as_ref(),
        Some(&user.display_name),
        &description,
        &user_url(&user.username),
        Nav::None,
    );
    l.feeds.push(crate::feeds::FeedLink {
        title: format!("Summaries by {}", user.display_name),
        href: format!("{}/feed.atom", user_url(&user.username)),
    });
    html(&UserPage {
        l,
        since: Date::from_unix(user.created_at),
        is_owner: viewer.as_ref().is_some_and(|v| v.id == user.id),
        can_report: viewer.as_ref().is_some_and(|v| v.id != user.id),
        user_id: user.id.0,
        bio_html: profile.bio_html,
        orcid: profile.orcid,
        score: profile.sciscore.map(super::profile::score_label),
        username: user.username,
        display_name: user.display_name,
        summaries_heading,
        summaries,
    })
}
