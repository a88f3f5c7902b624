//! `GET /venue/{name}` — a venue's years as tabs, each listing its papers with their
//! best summary; `?year=YYYY` (or `none`) picks the tab, newest year by default.

use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::html;
use super::search::{PaperLine, TopSummary, venue_url};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::clip;
use crate::view::{Layout, Nav};

pub const PER_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 2_000;

#[derive(Deserialize)]
pub struct VenueQuery {
    year: Option<String>,
    page: Option<String>,
}

/// A tab of years; labels are not static, unlike the home lists'.
pub struct YearTab {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "venue.html")]
struct VenuePage {
    l: Layout,
    venue: String,
    total_note: String,
    tabs: Vec<YearTab>,
    tabs_label: &'static str,
    year_label: String,
    papers: Vec<PaperLine>,
    page: u32,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// `year=` as given: absent, a year, or `none` for papers without one.
fn parse_year(raw: Option<&str>) -> AppResult<Option<Option<i32>>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("none") => Ok(Some(None)),
        Some(y) => match y.parse::<i32>() {
            Ok(n) if (0..=9999).contains(&n) => Ok(Some(Some(n))),
            _ => Err(AppError::bad_request(format!(
                "“{}” is not a year: use year=2017, or year=none for papers without one.",
                clip(y, 40)
            ))),
        },
    }
}

pub(crate) fn parse_page(raw: Option<&str>, max: u32) -> AppResult<u32> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(p) => match p.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(AppError::bad_request(format!(
                "“{}” is not a page number here: pages run from 1 to {max}.",
                clip(p, 40)
            ))),
        },
    }
}

fn year_href(base: &str, year: Option<i32>, page: u32) -> String {
    let year = year.map_or_else(|| "none".to_owned(), |y| y.to_string());
    if page > 1 {
        format!("{base}?year={year}&page={page}")
    } else {
        format!("{base}?year={year}")
    }
}

fn papers_label(n: i64) -> String {
    if n == 1 {
        "1 paper".into()
    } else {
        format!("{n} papers")
    }
}

pub async fn get_venue(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<VenueQuery>, QueryRejection>,
) -> AppResult<Response> {
    let Path(venue) = path.map_err(|e| AppError::bad_request(e.body_text()))?;
    let Query(query) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let asked = parse_year(query.year.as_deref())?;
    let page = parse_page(query.page.as_deref(), MAX_PAGE)?;
    let years = state.store.venue_years(&venue).await?;
    let missing = || {
        AppError::not_found(format!(
            "No paper here was published in “{}”. Venue names must match exactly.",
            clip(&venue, 100)
        ))
    };
    let Some(&(newest, _)) = years.first() else {
        return Err(missing());
    };
    let year = asked.unwrap_or(newest);
    let Some(&(_, in_year)) = years.iter().find(|(y, _)| *y == year) else {
        return Err(AppError::not_found(format!(
            "“{}” has no papers from {}.",
            clip(&venue, 100),
            year.map_or_else(|| "an unknown year".to_owned(), |y| y.to_string())
        )));
    };
    let found = state
        .store
        .venue_papers(&venue, year, page, PER_PAGE)
        .await?;
    if found.items.is_empty() && page > 1 {
        return Err(AppError::not_found(format!(
            "This year of “{}” has no page {page}.",
            clip(&venue, 100)
        )));
    }
    let base = venue_url(&venue);
    let tabs = years
        .iter()
        .map(|(y, _)| YearTab {
            label: y.map_or_else(|| "No year".to_owned(), |y| y.to_string()),
            href: year_href(&base, *y, 1),
            current: *y == year,
        })
        .collect();
    let total: i64 = years.iter().map(|(_, n)| n).sum();
    let total_note = match years.len() {
        1 => papers_label(total),
        n => format!("{} over {n} years", papers_label(total)),
    };
    let year_label = match year {
        Some(y) => format!("{y}: {}", papers_label(in_year)),
        None => format!("Without a year: {}", papers_label(in_year)),
    };
    let papers = found
        .items
        .into_iter()
        .map(|(card, top)| PaperLine {
            top: top.map(TopSummary::from_view),
            ..PaperLine::from_card(card)
        })
        .collect();
    let mut l = Layout::new(
        &state.config,
        viewer.as_ref(),
        Some(&venue),
        &format!("Papers of {venue}, by year, with their best summaries."),
        &year_href(&base, year, page),
        Nav::None,
    );
    l.feeds.push(crate::feeds::FeedLink {
        title: format!("Summaries of {venue} papers"),
        href: format!("{}/feed.atom", venue_url(&venue)),
    });
    html(&VenuePage {
        l,
        prev_href: (page > 1).then(|| year_href(&base, year, page - 1)),
        next_href: found.has_next.then(|| year_href(&base, year, page + 1)),
        venue,
        total_note,
        tabs,
        tabs_label: "Years",
        year_label,
        papers,
        page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_parse() {
        assert_eq!(parse_year(None).unwrap(), None);
        assert_eq!(parse_year(Some("")).unwrap(), None);
        assert_eq!(parse_year(Some("none")).unwrap(), Some(None));
        assert_eq!(parse_year(Some("2017")).unwrap(), Some(Some(2017)));
        assert!(parse_year(Some("20x7")).is_err());
        assert!(parse_year(Some("-1")).is_err());
    }

    #[test]
    fn hrefs_name_year_and_page() {
        assert_eq!(
            year_href("/venue/ICML", Some(2017), 1),
            "/venue/ICML?year=2017"
        );
        assert_eq!(
            year_href("/venue/ICML", None, 3),
            "/venue/ICML?year=none&page=3"
        );
    }
}
