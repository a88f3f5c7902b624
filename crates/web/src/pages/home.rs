//! `GET /` — the three lists: Popular, Most recent, Highest rated.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use shortscience_store::HomeList;

use super::{Tab, html};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::clip;
use crate::view::{Layout, Nav, SummaryItem};

pub const PER_PAGE: u32 = 10;
/// Deeper pages are refused: nobody reads them and OFFSET grows linearly.
pub const MAX_PAGE: u32 = 10_000;

const LISTS: [(HomeList, &str, &str, &str); 3] = [
    (
        HomeList::Popular,
        "popular",
        "Popular",
        "Well-rated summaries, fresher ones first.",
    ),
    (
        HomeList::Recent,
        "recent",
        "Most recent",
        "Newly written or edited summaries.",
    ),
    (
        HomeList::Top,
        "top",
        "Highest rated",
        "The best-rated summaries of all time.",
    ),
];

#[derive(Deserialize)]
pub struct HomeQuery {
    list: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    tabs: Vec<Tab>,
    tabs_label: &'static str,
    list_heading: &'static str,
    list_note: &'static str,
    summaries: Vec<SummaryItem>,
    page: u32,
    first_href: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub async fn get_home(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    query: Result<Query<HomeQuery>, QueryRejection>,
) -> AppResult<Response> {
    let Query(query) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let list = parse_list(query.list.as_deref())?;
    let page = parse_page(query.page.as_deref())?;
    let found = state.store.home(list, page, PER_PAGE).await?;
    if found.items.is_empty() && page > 1 {
        return Err(AppError::not_found(format!(
            "This list has no page {page}."
        )));
    }
    let (_, key, label, note) = *LISTS
        .iter()
        .find(|l| l.0 == list)
        .expect("every list is in LISTS");
    let tabs = LISTS
        .iter()
        .map(|&(l, key, label, _)| Tab {
            label,
            href: href(key, 1),
            current: l == list,
        })
        .collect();
    let title = (list != HomeList::Popular || page > 1).then(|| match page {
        1 => label.to_owned(),
        n => format!("{label}, page {n}"),
    });
    let description = "Short summaries of research papers, with the maths intact, written and ranked by researchers.";
    let l = Layout::new(
        &state.config,
        viewer.as_ref(),
        title.as_deref(),
        description,
        &href(key, page),
        Nav::Home,
    );
    html(&HomePage {
        l,
        tabs,
        tabs_label: "Summary lists",
        list_heading: label,
        list_note: note,
        summaries: found
            .items
            .into_iter()
            .map(SummaryItem::from_view)
            .collect(),
        page,
        first_href: href(key, 1),
        prev_href: (page > 1).then(|| href(key, page - 1)),
        next_href: found.has_next.then(|| href(key, page + 1)),
    })
}

fn parse_list(raw: Option<&str>) -> AppResult<HomeList> {
    let Some(raw) = raw else {
        return Ok(HomeList::Popular);
    };
    LISTS
        .iter()
        .find(|l| l.1 == raw)
        .map(|l| l.0)
        .ok_or_else(|| {
            AppError::bad_request(format!(
                "There is no list called “{}”. Choose list=popular, list=recent or list=top.",
                clip(raw, 40)
            ))
        })
}

fn parse_page(raw: Option<&str>) -> AppResult<u32> {
    let Some(raw) = raw else { return Ok(1) };
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) && raw.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(AppError::bad_request(format!(
            "“{}” is not a page number: use page=1 up to page={MAX_PAGE}.",
            clip(raw, 40)
        ))),
    }
}

/// The URL of one page of a list; defaults are left out so `/` stays canonical.
fn href(list: &str, page: u32) -> String {
    match (list, page) {
        ("popular", 1) => "/".to_owned(),
        (list, 1) => format!("/?list={list}"),
        (list, page) => format!("/?list={list}&page={page}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse() {
        assert_eq!(parse_list(None).unwrap(), HomeList::Popular);
        assert_eq!(parse_list(Some("recent")).unwrap(), HomeList::Recent);
        assert_eq!(parse_list(Some("top")).unwrap(), HomeList::Top);
        let AppError::BadRequest(msg) = parse_list(Some("hot")).unwrap_err() else {
            panic!()
        };
        assert!(
            msg.contains("“hot”") && msg.contains("list=recent"),
            "{msg}"
        );
    }

    #[test]
    fn pages_parse() {
        assert_eq!(parse_page(None).unwrap(), 1);
        assert_eq!(parse_page(Some("3")).unwrap(), 3);
        for bad in ["0", "-1", "+2", "x", "", "10001", "4294967296"] {
            assert!(
                matches!(parse_page(Some(bad)), Err(AppError::BadRequest(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn hrefs_leave_defaults_out() {
        assert_eq!(href("popular", 1), "/");
        assert_eq!(href("popular", 2), "/?list=popular&page=2");
        assert_eq!(href("top", 1), "/?list=top");
    }
}
