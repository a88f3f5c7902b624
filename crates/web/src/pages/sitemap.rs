//! `GET /sitemap.xml`: every public page worth indexing — home, about, the API reference,
//! papers with public summaries, public summaries, and users with signed summaries.
//! Past [`MAX_URLS`] URLs it becomes a sitemap index of `/sitemap/{n}.xml` parts.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::feeds::rfc3339;
use crate::feeds::xml::escape;
use crate::view::user_url;

/// The protocol's limit per file.
pub const MAX_URLS: usize = 50_000;

/// A URL with its last change, if known.
pub type Url = (String, Option<i64>);

pub fn urls(base: &str, data: &shortscience_store::SitemapData) -> Vec<Url> {
    let base = base.trim_end_matches('/');
    let mut out: Vec<Url> = ["/", "/about", "/api"]
        .iter()
        .map(|p| (format!("{base}{p}"), None))
        .collect();
    out.extend(
        data.papers
            .iter()
            .map(|(id, t)| (format!("{base}/paper/{id}"), Some(*t))),
    );
    out.extend(
        data.summaries
            .iter()
            .map(|(id, t)| (format!("{base}/summary/{id}"), Some(*t))),
    );
    out.extend(
        data.users
            .iter()
            .map(|u| (format!("{base}{}", user_url(u)), None)),
    );
    out
}

pub fn urlset(urls: &[Url]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, t) in urls {
        x.push_str("  <url><loc>");
        x.push_str(&escape(loc));
        x.push_str("</loc>");
        if let Some(t) = t {
            x.push_str("<lastmod>");
            x.push_str(&rfc3339(*t));
            x.push_str("</lastmod>");
        }
        x.push_str("</url>\n");
    }
    x.push_str("</urlset>\n");
    x
}

pub fn index(base: &str, parts: usize) -> String {
    let base = base.trim_end_matches('/');
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for n in 1..=parts {
        x.push_str(&format!(
            "  <sitemap><loc>{}</loc></sitemap>\n",
            escape(&format!("{base}/sitemap/{n}.xml"))
        ));
    }
    x.push_str("</sitemapindex>\n");
    x
}

fn xml(body: String) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

pub async fn get_sitemap(State(state): State<AppState>) -> AppResult<Response> {
    let all = urls(&state.config.base_url, &state.store.sitemap_data().await?);
    if all.len() <= MAX_URLS {
        return Ok(xml(urlset(&all)));
    }
    Ok(xml(index(
        &state.config.base_url,
        all.len().div_ceil(MAX_URLS),
    )))
}

/// `GET /sitemap/{n}.xml`, 1-based.
pub async fn get_sitemap_part(
    State(state): State<AppState>,
    part: Result<Path<String>, PathRejection>,
) -> AppResult<Response> {
    let Path(part) = part.map_err(|e| AppError::bad_request(e.body_text()))?;
    let missing = || AppError::not_found("There is no such sitemap part.");
    let n: usize = part
        .strip_suffix(".xml")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 1)
        .ok_or_else(missing)?;
    let all = urls(&state.config.base_url, &state.store.sitemap_data().await?);
    let chunk = all.chunks(MAX_URLS).nth(n - 1).ok_or_else(missing)?;
    Ok(xml(urlset(chunk)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_sites_are_split() {
        let data = shortscience_store::SitemapData {
            papers: Vec::new(),
            summaries: (1..=MAX_URLS as i64).map(|i| (i, 0)).collect(),
            users: vec!["a&b".into()],
        };
        let all = urls("https://x.example", &data);
        assert_eq!(all.len(), MAX_URLS + 4);
        assert_eq!(all.chunks(MAX_URLS).count(), 2);
        let ix = index("https://x.example", 2);
        assert!(ix.contains("<loc>https://x.example/sitemap/2.xml</loc>"));
        let set = urlset(&all[MAX_URLS..]);
        assert!(set.contains("/user/a&amp;b"), "{set}");
    }
}
