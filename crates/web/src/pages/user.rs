//! `GET /user/{username}` — a user's public summaries.

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
    let user = state.store.user_by_name(&username).await?.ok_or_else(|| {
        AppError::not_found(format!(
            "There is no user called “{}” here.",
            clip(&username, 60)
        ))
    })?;
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
        username: user.username,
        display_name: user.display_name,
        summaries_heading,
        summaries,
    })
}
