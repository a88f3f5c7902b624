//! `GET /paper/{id}` — the canonical paper page with all its visible summaries.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use shortscience_ids::PaperId;
use shortscience_store::SummarySort;

use super::cite::CiteLinks;
use super::vote;
use super::write::WriteLink;
use super::{Tab, html};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, clip};
use crate::view::{Layout, Nav, PaperHead, SummaryItem};

const SORTS: [(SummarySort, &str, &str); 3] = [
    (SummarySort::Best, "best", "Best"),
    (SummarySort::New, "new", "Newest"),
    (SummarySort::Top, "top", "Most votes"),
];

#[derive(Deserialize)]
pub struct PaperQuery {
    sort: Option<String>,
}

#[derive(Template)]
#[template(path = "paper.html")]
struct PaperPage {
    l: Layout,
    p: PaperHead,
    link_title: bool,
    summaries_heading: String,
    tabs: Vec<Tab>,
    tabs_label: &'static str,
    summaries: Vec<SummaryItem>,
    write: WriteLink,
    cite: CiteLinks,
    /// Moderators get the "merge this paper into…" form.
    merge_from: Option<PaperId>,
}

/// The answer for `/paper/{id}{rest}` when paper `id` is not here: while a merge of it
/// stands, 301 to the same address under the kept paper, so old links keep working;
/// otherwise 404.
pub(crate) async fn missing_paper(
    state: &AppState,
    id: PaperId,
    rest: &str,
) -> AppResult<Response> {
    match state.store.merged_into(id).await? {
        Some(into) => Ok(super::lookup::moved_permanently(&format!(
            "/paper/{into}{rest}"
        ))),
        None => Err(AppError::not_found(format!(
            "There is no paper number {id} here."
        ))),
    }
}

pub async fn get_paper(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    IdPath(id): IdPath<PaperId>,
    query: Result<Query<PaperQuery>, QueryRejection>,
) -> AppResult<Response> {
    let Query(query) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let sort = parse_sort(query.sort.as_deref())?;
    let Some(paper) = state.store.paper(id).await? else {
        // A merged paper's address keeps the chosen sort across the 301.
        let rest = match query.sort {
            Some(_) => format!("?sort={}", sort_key(sort)),
            None => String::new(),
        };
        return missing_paper(&state, id, &rest).await;
    };
    let mut summaries: Vec<SummaryItem> = state
        .store
        .paper_summaries(id, viewer.as_ref().map(|v| v.id), sort)
        .await?
        .into_iter()
        .map(SummaryItem::from_view)
        .collect();

    let description = paper
        .abstract_text
        .clone()
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| format!("Summaries of “{}”.", paper.title));
    let cite = CiteLinks::new(&paper, &state.config.base_url);
    let json_ld = crate::feeds::jsonld::paper(&paper, &summaries, &state.config.base_url);
    let head = PaperHead::from_paper(paper);
    let mut l = Layout::new(
        &state.config,
        viewer.as_ref(),
        Some(&head.title),
        &description,
        &head.url,
        Nav::None,
    );
    l.json_ld = Some(json_ld);
    l.feeds.push(crate::feeds::FeedLink {
        title: format!("Summaries of “{}”", head.title),
        href: format!("{}/feed.atom", head.url),
    });
    let tabs: Vec<Tab> = SORTS
        .iter()
        .map(|&(s, key, label)| Tab {
            label,
            href: if s == SummarySort::Best {
                head.url.clone()
            } else {
                format!("{}?sort={key}", head.url)
            },
            current: s == sort,
        })
        .collect();
    // Votes come back to this page, in this sort.
    let back = tabs
        .iter()
        .find(|t| t.current)
        .map_or_else(|| head.url.clone(), |t| t.href.clone());
    vote::annotate(&state, viewer.as_ref(), &mut summaries, &back).await?;
    let has_own = summaries.iter().any(|s| s.is_own);
    let write = WriteLink::new(&head.url, viewer.is_some(), has_own);
    let summaries_heading = match summaries.len() {
        0 => "Summaries".to_owned(),
        1 => "1 summary".to_owned(),
        n => format!("{n} summaries"),
    };
    html(&PaperPage {
        l,
        p: head,
        link_title: false,
        summaries_heading,
        tabs,
        tabs_label: "Sort summaries",
        write,
        summaries,
        cite,
        merge_from: viewer
            .as_ref()
            .is_some_and(CurrentUser::is_moderator)
            .then_some(id),
    })
}

fn sort_key(sort: SummarySort) -> &'static str {
    SORTS
        .iter()
        .find(|&&(s, _, _)| s == sort)
        .map_or("best", |&(_, key, _)| key)
}

fn parse_sort(raw: Option<&str>) -> AppResult<SummarySort> {
    let Some(raw) = raw else {
        return Ok(SummarySort::Best);
    };
    SORTS
        .iter()
        .find(|s| s.1 == raw)
        .map(|s| s.0)
        .ok_or_else(|| {
            AppError::bad_request(format!(
                "Summaries cannot be sorted by “{}”. Choose sort=best, sort=new or sort=top.",
                clip(raw, 40)
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_parse() {
        assert_eq!(parse_sort(None).unwrap(), SummarySort::Best);
        assert_eq!(parse_sort(Some("new")).unwrap(), SummarySort::New);
        assert_eq!(parse_sort(Some("top")).unwrap(), SummarySort::Top);
        assert!(matches!(
            parse_sort(Some("Best")),
            Err(AppError::BadRequest(_))
        ));
    }
}
