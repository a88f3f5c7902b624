//! `GET /author/{name}` — papers that list this exact author name, newest first.

use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use super::html;
use super::search::{PaperLine, author_url};
use super::venue::parse_page;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::clip;
use crate::view::{Layout, Nav};

pub const PER_PAGE: u32 = 30;
pub const MAX_PAGE: u32 = 500;
/// Longer "names" are refused: no author is called that.
pub const MAX_NAME_CHARS: usize = 300;

#[derive(Deserialize)]
pub struct AuthorQuery {
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "author.html")]
struct AuthorPage {
    l: Layout,
    name: String,
    search_href: String,
    papers: Vec<PaperLine>,
    page: u32,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn page_href(base: &str, page: u32) -> String {
    if page > 1 {
        format!("{base}?page={page}")
    } else {
        base.to_owned()
    }
}

pub async fn get_author(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AuthorQuery>, QueryRejection>,
) -> AppResult<Response> {
    let Path(name) = path.map_err(|e| AppError::bad_request(e.body_text()))?;
    let Query(query) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let page = parse_page(query.page.as_deref(), MAX_PAGE)?;
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::bad_request(format!(
            "An author's name has 1 to {MAX_NAME_CHARS} characters."
        )));
    }
    let found = state.store.author_papers(&name, page, PER_PAGE).await?;
    if found.items.is_empty() && page > 1 {
        return Err(AppError::not_found(format!(
            "“{}” has no page {page} of papers.",
            clip(&name, 100)
        )));
    }
    let base = author_url(&name);
    let l = Layout::new(
        &state.config,
        viewer.as_ref(),
        Some(&name),
        &format!("Research papers by {name}, with their summaries."),
        &page_href(&base, page),
        Nav::None,
    );
    html(&AuthorPage {
        l,
        search_href: format!("/search?q={}", utf8_percent_encode(&name, NON_ALPHANUMERIC)),
        prev_href: (page > 1).then(|| page_href(&base, page - 1)),
        next_href: found.has_next.then(|| page_href(&base, page + 1)),
        papers: found.items.into_iter().map(PaperLine::from_card).collect(),
        name,
        page,
    })
}
