//! `GET /search` — full-text search with filters; `GET /search/typeahead` — titles for
//! the search box, as JSON. Text that is a paper identifier goes to that paper.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use shortscience_ids::PaperRef;
use shortscience_store::{PaperCard, SearchQuery, SummaryView};

use super::html;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::clip;
use crate::view::{AuthorLink, Layout, Nav, SummaryItem, paper_meta};

pub const PER_PAGE: u32 = 20;
/// Deeper pages are refused: OFFSET grows linearly and nobody reads them.
pub const MAX_PAGE: u32 = 500;
/// Longest query text used; the rest is ignored (search uses the first words anyway).
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Titles the typeahead offers.
pub const TYPEAHEAD_ITEMS: usize = 8;

#[derive(Deserialize, Default)]
pub struct SearchParams {
    q: Option<String>,
    year_from: Option<String>,
    year_to: Option<String>,
    venue: Option<String>,
    has_summaries: Option<String>,
    page: Option<String>,
}

/// The parsed, checked request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub text: String,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub venue: Option<String>,
    pub has_summaries: bool,
    pub page: u32,
}

fn blank_to_none(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn parse_year(name: &str, raw: Option<&str>) -> AppResult<Option<i32>> {
    let Some(raw) = blank_to_none(raw) else {
        return Ok(None);
    };
    match raw.parse::<i32>() {
        Ok(y) if (0..=9999).contains(&y) => Ok(Some(y)),
        _ => Err(AppError::bad_request(format!(
            "“{}” is not a year: give {name} as four digits, like 2017.",
            clip(raw, 40)
        ))),
    }
}

pub fn parse_params(p: &SearchParams) -> AppResult<Parsed> {
    let text: String =
        p.q.as_deref()
            .unwrap_or_default()
            .chars()
            .take(MAX_QUERY_CHARS)
            .collect();
    let has_summaries = match blank_to_none(p.has_summaries.as_deref()) {
        None | Some("0") => false,
        Some("1" | "on" | "true") => true,
        Some(other) => {
            return Err(AppError::bad_request(format!(
                "has_summaries must be 1 or 0, not “{}”.",
                clip(other, 40)
            )));
        }
    };
    let page = match blank_to_none(p.page.as_deref()) {
        None => 1,
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                return Err(AppError::bad_request(format!(
                    "“{}” is not a page number here: pages run from 1 to {MAX_PAGE}.",
                    clip(raw, 40)
                )));
            }
        },
    };
    Ok(Parsed {
        text: text.trim().to_owned(),
        year_from: parse_year("year_from", p.year_from.as_deref())?,
        year_to: parse_year("year_to", p.year_to.as_deref())?,
        venue: blank_to_none(p.venue.as_deref()).map(|v| clip(v, 300)),
        has_summaries,
        page,
    })
}

/// `/search?…` for these parameters on another page; empty ones are left out.
pub fn search_href(p: &Parsed, page: u32) -> String {
    let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    let mut pairs = vec![format!("q={}", enc(&p.text))];
    if let Some(y) = p.year_from {
        pairs.push(format!("year_from={y}"));
    }
    if let Some(y) = p.year_to {
        pairs.push(format!("year_to={y}"));
    }
    if let Some(v) = &p.venue {
        pairs.push(format!("venue={}", enc(v)));
    }
    if p.has_summaries {
        pairs.push("has_summaries=1".into());
    }
    if page > 1 {
        pairs.push(format!("page={page}"));
    }
    format!("/search?{}", pairs.join("&"))
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    l: Layout,
    q: String,
    year_from: String,
    year_to: String,
    venue: String,
    has_summaries: bool,
    searched: bool,
    heading: String,
    hits: Vec<PaperLine>,
    page: u32,
    /// Number of the first hit on this page.
    start: u32,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn see_other(location: &str) -> AppResult<Response> {
    let value = HeaderValue::from_str(location)
        .map_err(|_| AppError::bad_request("That address cannot be opened."))?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response())
}

pub async fn get_search(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    query: Result<Query<SearchParams>, QueryRejection>,
) -> AppResult<Response> {
    let Query(params) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let p = parse_params(&params)?;

    // A pasted identifier opens its paper; unknown ones go to the lookup, which says so
    // (or fetches the paper from its source).
    if let Ok(r) = PaperRef::parse(&p.text) {
        return match state.store.find_paper(&r).await? {
            Some(id) => see_other(&format!("/paper/{id}")),
            None => see_other(&format!(
                "/paper?id={}",
                utf8_percent_encode(&p.text, NON_ALPHANUMERIC)
            )),
        };
    }

    let searched = !p.text.is_empty() || p.venue.is_some() || p.has_summaries;
    let found = state
        .store
        .search(&SearchQuery {
            text: p.text.clone(),
            year_from: p.year_from,
            year_to: p.year_to,
            venue: p.venue.clone(),
            has_summaries: p.has_summaries,
            page: p.page,
            per_page: PER_PAGE,
        })
        .await?;
    let hits: Vec<PaperLine> = found
        .items
        .into_iter()
        .map(|h| PaperLine::from_card(h.paper))
        .collect();
    let heading = match (searched, hits.is_empty(), p.page) {
        (false, _, _) => "Search papers".to_owned(),
        (true, true, 1) => "No papers found".to_owned(),
        (true, true, _) => format!("No more papers: page {} is past the end", p.page),
        (true, false, _) if p.text.is_empty() => "Papers".to_owned(),
        (true, false, _) => format!("Papers matching “{}”", clip(&p.text, 80)),
    };
    let title = if p.text.is_empty() {
        "Search".to_owned()
    } else {
        format!("Search: {}", clip(&p.text, 60))
    };
    let mut l = Layout::new(
        &state.config,
        viewer.as_ref(),
        Some(&title),
        "Search research papers by title, author, abstract and summary text.",
        &search_href(&p, p.page),
        Nav::None,
    );
    if !p.text.trim().is_empty() {
        l.feeds.push(crate::feeds::FeedLink {
            title: format!("Summaries matching “{}”", clip(&p.text, 80)),
            href: format!(
                "/search/feed.atom?{}",
                crate::feeds::search_query_string(&p.text)
            ),
        });
    }
    html(&SearchPage {
        l,
        prev_href: (p.page > 1).then(|| search_href(&p, p.page - 1)),
        next_href: found.has_next.then(|| search_href(&p, p.page + 1)),
        q: p.text.clone(),
        year_from: p.year_from.map(|y| y.to_string()).unwrap_or_default(),
        year_to: p.year_to.map(|y| y.to_string()).unwrap_or_default(),
        venue: p.venue.clone().unwrap_or_default(),
        has_summaries: p.has_summaries,
        searched,
        heading,
        hits,
        page: p.page,
        start: (p.page - 1) * PER_PAGE + 1,
    })
}

#[derive(Deserialize)]
pub struct TypeaheadParams {
    q: Option<String>,
}

#[derive(serde::Serialize)]
struct Suggestion {
    id: i64,
    title: String,
    url: String,
}

/// `GET /search/typeahead?q=` → `[{"id", "title", "url"}]`, best first.
pub async fn get_typeahead(
    State(state): State<AppState>,
    query: Result<Query<TypeaheadParams>, QueryRejection>,
) -> AppResult<Response> {
    let Query(params) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let text: String = params
        .q
        .unwrap_or_default()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let found = state.store.typeahead(&text, TYPEAHEAD_ITEMS).await?;
    let items: Vec<Suggestion> = found
        .into_iter()
        .map(|(id, title)| Suggestion {
            id: id.0,
            url: format!("/paper/{id}"),
            title,
        })
        .collect();
    let body = serde_json::to_string(&items).map_err(AppError::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            // Same answer for a while: let the browser keep it as the user types back.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=60"),
            ),
        ],
        body,
    )
        .into_response())
}

/// Unreserved characters stay; everything else is escaped in a path segment.
const SEGMENT: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn author_url(name: &str) -> String {
    format!("/author/{}", utf8_percent_encode(name, SEGMENT))
}

pub fn venue_url(venue: &str) -> String {
    format!("/venue/{}", utf8_percent_encode(venue, SEGMENT))
}

/// A link with its text.
pub struct Link {
    pub text: String,
    pub url: String,
}

/// A paper in a list (search hits, venue and author pages).
pub struct PaperLine {
    pub url: String,
    pub title: String,
    pub authors: Vec<Link>,
    /// "2017 · NeurIPS", possibly empty.
    pub meta: String,
    pub venue: Option<Link>,
    pub year: Option<i32>,
    /// "1 summary", "3 summaries", or empty.
    pub summaries: String,
    /// Venue pages show each paper's best summary.
    pub top: Option<TopSummary>,
}

/// The best summary of a paper, as a list shows it under the paper.
pub struct TopSummary {
    pub author: Option<AuthorLink>,
    pub votes: String,
    pub votes_title: String,
    pub excerpt: String,
    pub permalink: String,
}

impl TopSummary {
    pub fn from_view(v: SummaryView) -> TopSummary {
        let excerpt = v.excerpt.clone();
        let item = SummaryItem::from_view(v);
        TopSummary {
            author: item.author,
            votes: item.votes,
            votes_title: item.votes_title,
            excerpt,
            permalink: item.permalink,
        }
    }
}

impl PaperLine {
    pub fn from_card(c: PaperCard) -> PaperLine {
        PaperLine {
            url: format!("/paper/{}", c.id),
            meta: paper_meta(c.year, c.venue.as_deref()),
            authors: c
                .authors
                .iter()
                .map(|a| Link {
                    url: author_url(a),
                    text: a.clone(),
                })
                .collect(),
            venue: c.venue.as_deref().map(|v| Link {
                url: venue_url(v),
                text: v.to_owned(),
            }),
            year: c.year,
            summaries: match c.summaries {
                0 => String::new(),
                1 => "1 summary".into(),
                n => format!("{n} summaries"),
            },
            title: c.title,
            top: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> SearchParams {
        let mut p = SearchParams::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "q" => p.q = v,
                "year_from" => p.year_from = v,
                "year_to" => p.year_to = v,
                "venue" => p.venue = v,
                "has_summaries" => p.has_summaries = v,
                "page" => p.page = v,
                _ => unreachable!(),
            }
        }
        p
    }

    #[test]
    fn empty_form_fields_mean_no_filter() {
        let p = parse_params(&params(&[
            ("q", " gans "),
            ("year_from", ""),
            ("year_to", " "),
            ("venue", ""),
            ("has_summaries", ""),
            ("page", ""),
        ]))
        .unwrap();
        assert_eq!(
            p,
            Parsed {
                text: "gans".into(),
                year_from: None,
                year_to: None,
                venue: None,
                has_summaries: false,
                page: 1
            }
        );
    }

    #[test]
    fn bad_values_are_400s() {
        for bad in [
            params(&[("year_from", "twenty")]),
            params(&[("year_to", "99999")]),
            params(&[("page", "0")]),
            params(&[("page", "100000")]),
            params(&[("has_summaries", "maybe")]),
        ] {
            assert!(matches!(parse_params(&bad), Err(AppError::BadRequest(_))));
        }
    }

    #[test]
    fn hrefs_keep_the_filters() {
        let p = parse_params(&params(&[
            ("q", "a&b c"),
            ("year_from", "2010"),
            ("venue", "NeurIPS"),
            ("has_summaries", "on"),
        ]))
        .unwrap();
        assert_eq!(
            search_href(&p, 2),
            "/search?q=a%26b%20c&year_from=2010&venue=NeurIPS&has_summaries=1&page=2"
        );
        assert_eq!(
            search_href(&p, 1),
            "/search?q=a%26b%20c&year_from=2010&venue=NeurIPS&has_summaries=1"
        );
    }

    #[test]
    fn names_become_path_segments() {
        assert_eq!(
            author_url("Björn Müller"),
            "/author/Bj%C3%B6rn%20M%C3%BCller"
        );
        assert_eq!(venue_url("a/b?c#d"), "/venue/a%2Fb%3Fc%23d");
        assert_eq!(venue_url("Proc. VLDB"), "/venue/Proc.%20VLDB");
    }

    #[test]
    fn long_queries_are_cut() {
        let long = "x".repeat(20_000);
        let p = parse_params(&params(&[("q", &long)])).unwrap();
        assert_eq!(p.text.chars().count(), MAX_QUERY_CHARS);
    }
}
