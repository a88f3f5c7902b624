//! `GET /robots.txt`: everything public may be crawled; the JSON API, settings, account
//! and random pages are not for crawlers (the API's data is in the sitemap's pages).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub fn robots_txt(base_url: &str) -> String {
    format!(
        "User-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /settings/\nDisallow: /account\n\
         Disallow: /admin/\nDisallow: /random\nDisallow: /search/typeahead\n\n\
         Sitemap: {}/sitemap.xml\n",
        base_url.trim_end_matches('/')
    )
}

pub async fn get_robots(State(state): State<AppState>) -> Response {
    let mut r = robots_txt(&state.config.base_url).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_to_the_sitemap() {
        let t = robots_txt("https://x.example/");
        assert!(t.contains("Sitemap: https://x.example/sitemap.xml\n"));
        assert!(t.contains("Disallow: /api/\n"));
        assert!(t.starts_with("User-agent: *\nAllow: /\n"));
    }
}
