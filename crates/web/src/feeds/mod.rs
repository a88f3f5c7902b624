//! Atom and RSS feeds, the sitemap, robots.txt and JSON-LD: the site as data for feed
//! readers and crawlers. Feeds carry each summary's full HTML, maths as MathML, so it
//! reads the same outside the browser; private summaries never appear and anonymous
//! ones are credited to "Anonymous".

pub mod jsonld;
pub mod xml;

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use shortscience_ids::PaperId;
use shortscience_store::{HomeList, SearchQuery, SummarySort, SummaryView};

use self::xml::{Entry, Feed};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, clip};
use crate::pages::search::venue_url;
use crate::view::{civil_from_unix, user_url};

/// Entries per feed.
pub const FEED_ENTRIES: u32 = 50;

pub const ATOM: &str = "application/atom+xml; charset=utf-8";
pub const RSS: &str = "application/rss+xml; charset=utf-8";

/// Feed, sitemap and robots routes, merged among the site's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feeds/latest.atom", get(get_latest_atom))
        .route("/feeds/latest.rss", get(get_latest_rss))
        .route("/paper/{id}/feed.atom", get(get_paper_feed))
        .route("/user/{username}/feed.atom", get(get_user_feed))
        .route("/venue/{name}/feed.atom", get(get_venue_feed))
        .route("/search/feed.atom", get(get_search_feed))
        .route("/sitemap.xml", get(crate::pages::sitemap::get_sitemap))
        .route(
            "/sitemap/{part}",
            get(crate::pages::sitemap::get_sitemap_part),
        )
        .route("/robots.txt", get(crate::pages::robots::get_robots))
}

/// A `<link rel="alternate">` a page offers in its head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    pub title: String,
    pub href: String,
}

/// The feed of the latest summaries, linked from every page.
pub fn latest_link() -> FeedLink {
    FeedLink {
        title: "Latest summaries".into(),
        href: "/feeds/latest.atom".into(),
    }
}

fn abs(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.config.base_url.trim_end_matches('/'))
}

fn entry(state: &AppState, v: SummaryView) -> Entry {
    let author = if v.anonymous {
        None
    } else {
        v.author.map(|b| b.display_name)
    };
    Entry {
        url: abs(state, &format!("/summary/{}", v.id)),
        paper_url: abs(state, &format!("/paper/{}", v.paper_id)),
        title: format!("Summary of “{}”", v.paper_title),
        author,
        html: v.html,
        excerpt: v.excerpt,
        published: v.created_at,
        updated: v.edited_at,
        licence_url: v.licence.url().to_owned(),
        licence_name: v.licence.name().to_owned(),
    }
}

fn feed(
    state: &AppState,
    self_path: &str,
    page_path: &str,
    title: String,
    subtitle: String,
    views: Vec<SummaryView>,
) -> Feed {
    Feed {
        self_url: abs(state, self_path),
        page_url: abs(state, page_path),
        title: format!("{title} · {}", state.config.site_name),
        subtitle,
        site_name: state.config.site_name.clone(),
        // Views come from public reads (no viewer), so private ones are already absent.
        entries: views
            .into_iter()
            .filter(|v| !v.private)
            .take(FEED_ENTRIES as usize)
            .map(|v| entry(state, v))
            .collect(),
    }
}

fn respond(body: String, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}

async fn latest(state: &AppState) -> AppResult<Feed> {
    let page = state.store.home(HomeList::Recent, 1, FEED_ENTRIES).await?;
    Ok(feed(
        state,
        "/feeds/latest.atom",
        "/?list=recent",
        "Latest summaries".into(),
        "The newest and newly edited summaries of research papers.".into(),
        page.items,
    ))
}

pub async fn get_latest_atom(State(state): State<AppState>) -> AppResult<Response> {
    Ok(respond(latest(&state).await?.atom(), ATOM))
}

pub async fn get_latest_rss(State(state): State<AppState>) -> AppResult<Response> {
    let mut f = latest(&state).await?;
    f.self_url = abs(&state, "/feeds/latest.rss");
    Ok(respond(f.rss(), RSS))
}

pub async fn get_paper_feed(
    State(state): State<AppState>,
    IdPath(id): IdPath<PaperId>,
) -> AppResult<Response> {
    let Some(paper) = state.store.paper(id).await? else {
        return crate::pages::paper::missing_paper(&state, id, "/feed.atom").await;
    };
    let views = state
        .store
        .paper_summaries(id, None, SummarySort::New)
        .await?;
    let f = feed(
        &state,
        &format!("/paper/{id}/feed.atom"),
        &format!("/paper/{id}"),
        format!("Summaries of “{}”", paper.title),
        format!("New summaries of “{}”.", paper.title),
        views,
    );
    Ok(respond(f.atom(), ATOM))
}

pub async fn get_user_feed(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> AppResult<Response> {
    let Path(name) = name.map_err(|e| AppError::bad_request(e.body_text()))?;
    let user = state.store.user_by_name(&name).await?.ok_or_else(|| {
        AppError::not_found(format!(
            "There is no user called “{}” here.",
            clip(&name, 60)
        ))
    })?;
    // Public, signed summaries only: a user's feed never reveals their anonymous ones.
    let views = state.store.user_summaries(user.id, None).await?;
    let path = user_url(&user.username);
    let f = feed(
        &state,
        &format!("{path}/feed.atom"),
        &path,
        format!("Summaries by {}", user.display_name),
        format!("Summaries of research papers by {}.", user.display_name),
        views,
    );
    Ok(respond(f.atom(), ATOM))
}

pub async fn get_venue_feed(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> AppResult<Response> {
    let Path(name) = name.map_err(|e| AppError::bad_request(e.body_text()))?;
    if state.store.venue_years(&name).await?.is_empty() {
        return Err(AppError::not_found(format!(
            "No paper here appeared at “{}”.",
            clip(&name, 80)
        )));
    }
    let mut views = Vec::new();
    for id in state
        .store
        .venue_summary_ids(&name, i64::from(FEED_ENTRIES))
        .await?
    {
        if let Some(v) = state.store.summary(id, None).await? {
            views.push(v);
        }
    }
    let path = venue_url(&name);
    let f = feed(
        &state,
        &format!("{path}/feed.atom"),
        &path,
        format!("Summaries of {name} papers"),
        format!("New summaries of papers that appeared at {name}."),
        views,
    );
    Ok(respond(f.atom(), ATOM))
}

#[derive(Debug, Deserialize)]
pub struct SearchFeedQuery {
    q: Option<String>,
}

/// Summaries of the papers a search finds (its first page), newest first.
pub async fn get_search_feed(
    State(state): State<AppState>,
    q: Result<Query<SearchFeedQuery>, QueryRejection>,
) -> AppResult<Response> {
    let Query(q) = q.map_err(|e| AppError::bad_request(e.body_text()))?;
    let text = q.q.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(AppError::bad_request("Give the search as ?q=…"));
    }
    if text.chars().count() > 1000 {
        return Err(AppError::bad_request(
            "A search is at most 1000 characters.",
        ));
    }
    let hits = state
        .store
        .search(&SearchQuery {
            text: text.clone(),
            has_summaries: true,
            ..SearchQuery::default()
        })
        .await?;
    let mut views = Vec::new();
    for hit in hits.items.iter().filter(|h| h.paper.summaries > 0) {
        views.extend(
            state
                .store
                .paper_summaries(hit.paper.id, None, SummarySort::New)
                .await?,
        );
    }
    views.sort_by_key(|v| std::cmp::Reverse((v.edited_at, v.id.0)));
    let query = search_query_string(&text);
    let f = feed(
        &state,
        &format!("/search/feed.atom?{query}"),
        &format!("/search?{query}"),
        format!("Summaries matching “{}”", clip(&text, 80)),
        format!("Summaries of papers matching “{}”.", clip(&text, 200)),
        views,
    );
    Ok(respond(f.atom(), ATOM))
}

/// `q=…`, percent-encoded.
pub fn search_query_string(text: &str) -> String {
    format!(
        "q={}",
        percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// RFC 3339 in UTC: `2017-03-04T12:00:00Z` (Atom dates, API dates, TOML date-times).
pub fn rfc3339(secs: i64) -> String {
    let (y, m, d) = civil_from_unix(secs);
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t % 3600 / 60,
        t % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_488_628_800), "2017-03-04T12:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }
}
