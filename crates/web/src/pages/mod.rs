//! One file per page, grouped by resource; handlers are named verb_resource.

pub mod about;
pub mod auth;
pub mod author;
pub mod cite;
pub mod comment;
pub mod error;
pub mod health;
pub mod home;
pub mod lookup;
pub mod moderation;
pub mod paper;
pub mod paper_merge;
pub mod profile;
pub mod profile_avatar;
pub mod random;
pub mod revisions;
pub mod revisions_diff;
pub mod robots;
pub mod search;
pub mod sitemap;
pub mod summary;
pub mod user;
pub mod venue;
pub mod vote;
pub mod write;
pub mod write_share;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppResult;

/// One tab of a tab bar (home lists, paper sorts).
pub struct Tab {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// Renders a page template as `text/html; charset=utf-8`.
pub(crate) fn html(page: &impl Template) -> AppResult<Response> {
    Ok(Html(page.render()?).into_response())
}
