//! The HTML error page (rendered by `middleware::render_errors`).

use askama::Template;
use axum::http::StatusCode;

use crate::WebConfig;
use crate::error::{AppError, ErrorPage};
use crate::view::Layout;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorTemplate<'a> {
    pub l: Layout,
    pub status: u16,
    pub heading: &'a str,
    pub message: &'a str,
}

impl<'a> ErrorTemplate<'a> {
    pub fn new(config: &WebConfig, status: StatusCode, page: &'a ErrorPage) -> Self {
        ErrorTemplate {
            l: Layout::error(config, &page.heading, &page.message),
            status: status.as_u16(),
            heading: &page.heading,
            message: &page.message,
        }
    }
}

/// Router fallback: nothing is routed at this address.
pub async fn not_found() -> AppError {
    AppError::not_found(
        "There is nothing at this address. It may have moved, or the link may be mistyped.",
    )
}
