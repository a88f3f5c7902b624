//! One file per page, grouped by resource; handlers are named verb_resource.

pub mod about;
pub mod author;
pub mod auth;
pub mod cite;
pub mod error;
pub mod health;
pub mod home;
pub mod lookup;
pub mod paper;
pub mod random;
pub mod search;
pub mod summary;
pub mod user;
pub mod venue;

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
