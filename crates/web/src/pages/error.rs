//! The HTML error page (rendered by `middleware::render_errors`).

use askama::Template;
use axum::http::StatusCode;

use crate::WebConfig;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorPage};
use crate::view::{Layout, Viewer};

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorTemplate<'a> {
    pub l: Layout,
    pub status: u16,
    pub heading: &'a str,
    pub message: &'a str,
}

impl<'a> ErrorTemplate<'a> {
    pub fn new(
        config: &WebConfig,
        viewer: Option<&CurrentUser>,
        status: StatusCode,
        page: &'a ErrorPage,
    ) -> Self {
        let mut l = Layout::error(config, &page.heading, &page.message);
        l.viewer = viewer.map(Viewer::from_user);
        ErrorTemplate {
            l,
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
