//! Read operations. Visibility is the store's: a token lets its owner see their own
//! private summaries; everyone else sees what the pages show.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shortscience_ids::{PaperId, PaperRef, SummaryId};
use shortscience_store::{HomeList, SearchQuery, SummarySort};

use super::auth::Token;
use super::cursor::Cursor;
use super::problem::{ApiError, ApiResult};
use super::types::{
    CommentOut, List, PaperCardOut, PaperOut, RevisionOut, SearchHitOut, SummaryOut, Urls, UserOut,
    VenueDetailOut, VenueOut, VenuePaperOut, VenueYearOut,
};
use crate::AppState;
use crate::extract::clip;
use crate::pages::lookup::moved_permanently;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 20;
/// Largest `limit`.
pub const MAX_LIMIT: u32 = 100;
/// Longest search text accepted.
pub const MAX_QUERY_CHARS: usize = 1000;

pub(crate) fn path<T>(p: Result<Path<T>, PathRejection>) -> ApiResult<T> {
    p.map(|Path(t)| t)
        .map_err(|e| ApiError::bad_request(format!("Bad address: {}", e.body_text())))
}

pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// `cursor` and `limit`, checked.
#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    cursor: Option<String>,
    limit: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub cursor: Option<Cursor>,
    pub limit: u32,
}

impl Paging {
    pub fn window(&self) -> ApiResult<Window> {
        let limit = match self.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "`limit` must be a whole number from 1 to {MAX_LIMIT}, not “{}”.",
                        clip(raw, 20)
                    ))
                })?,
        };
        let cursor = self.cursor.as_deref().map(Cursor::decode).transpose()?;
        Ok(Window { cursor, limit })
    }
}

impl Window {
    fn offset(&self) -> u64 {
        self.cursor.map_or(0, Cursor::as_offset)
    }
    /// The store's 1-based page for this window (cursors we give out are aligned).
    fn page(&self) -> u32 {
        u32::try_from(self.offset() / u64::from(self.limit) + 1)
            .unwrap_or(u32::MAX)
            .min(10_000_000)
    }
    fn next(&self, has_next: bool) -> Option<String> {
        has_next.then(|| Cursor::offset(u64::from(self.page()) * u64::from(self.limit)).encode())
    }
    /// A window over a list held in full.
    fn slice<T>(&self, all: Vec<T>) -> (Vec<T>, Option<String>) {
        let start = usize::try_from(self.offset())
            .unwrap_or(usize::MAX)
            .min(all.len());
        let end = start.saturating_add(self.limit as usize).min(all.len());
        let next = (end < all.len()).then(|| Cursor::offset(end as u64).encode());
        let items = all.into_iter().skip(start).take(end - start).collect();
        (items, next)
    }
}

fn urls(state: &AppState) -> Urls<'_> {
    Urls(&state.config.base_url)
}

/// A paper named by its number or any identifier (arXiv id, DOI, DBLP key, URL…).
pub(crate) async fn resolve_paper(state: &AppState, raw: &str) -> ApiResult<PaperId> {
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
        return match raw.parse::<i64>() {
            Ok(n) if n > 0 && !raw.starts_with('0') => Ok(PaperId(n)),
            _ => Err(ApiError::bad_request(format!(
                "“{}” is not a paper number.",
                clip(raw, 40)
            ))),
        };
    }
    let r = PaperRef::parse(raw).map_err(|e| {
        ApiError::bad_request(format!(
            "“{}” is not a paper identifier: {e}",
            clip(raw, 80)
        ))
    })?;
    state
        .store
        .find_paper(&r)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("No paper is known here for {}.", r.label())))
}

pub(crate) fn summary_id(raw: &str) -> ApiResult<SummaryId> {
    crate::extract::parse_row_id::<SummaryId>(raw).map_err(ApiError::from)
}

pub async fn get_paper(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Response> {
    let id = resolve_paper(&state, &path(id)?).await?;
    match state.store.paper(id).await? {
        Some(paper) => Ok(Json(PaperOut::new(paper, &urls(&state))).into_response()),
        None => missing_paper(&state, id, "", None).await,
    }
}

/// The answer for `/api/v1/papers/{id}{rest}` when paper `id` is not here: while a merge
/// of it stands, 301 to the same address (query kept) under the kept paper, as the pages
/// do; otherwise a not-found problem.
async fn missing_paper(
    state: &AppState,
    id: PaperId,
    rest: &str,
    query: Option<&str>,
) -> ApiResult<Response> {
    match state.store.merged_into(id).await? {
        Some(into) => {
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            Ok(moved_permanently(&format!(
                "/api/v1/papers/{into}{rest}{query}"
            )))
        }
        None => Err(ApiError::not_found(format!(
            "There is no paper number {id} here."
        ))),
    }
}

/// Paper `id`, or the one it was merged into while that merge stands. A lookup answers
/// what the identifier names now, with no redirect: a merged paper's other identifiers
/// already lead to the kept paper, so its number does too, and `id` in the body is the
/// number to use from then on.
async fn paper_out(state: &AppState, id: PaperId) -> ApiResult<Json<PaperOut>> {
    let mut paper = state.store.paper(id).await?;
    if paper.is_none()
        && let Some(into) = state.store.merged_into(id).await?
    {
        paper = state.store.paper(into).await?;
    }
    let paper =
        paper.ok_or_else(|| ApiError::not_found(format!("There is no paper number {id} here.")))?;
    Ok(Json(PaperOut::new(paper, &urls(state))))
}

#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    id: Option<String>,
}

pub async fn get_paper_lookup(
    State(state): State<AppState>,
    q: Result<Query<LookupQuery>, QueryRejection>,
) -> ApiResult<Json<PaperOut>> {
    let raw = query(q)?.id.ok_or_else(|| {
        ApiError::bad_request("Give the identifier as `?id=`, e.g. ?id=arXiv:1706.03762.")
    })?;
    let id = resolve_paper(&state, &raw).await?;
    paper_out(&state, id).await
}

#[derive(Debug, Deserialize)]
pub struct PaperSummariesQuery {
    sort: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

pub async fn get_paper_summaries(
    State(state): State<AppState>,
    token: Token,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw_query): RawQuery,
    q: Result<Query<PaperSummariesQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let q = query(q)?;
    let window = q.paging.window()?;
    let sort = match q.sort.as_deref() {
        None | Some("best") => SummarySort::Best,
        Some("new") => SummarySort::New,
        Some("top") => SummarySort::Top,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "`sort` is best, new or top, not “{}”.",
                clip(other, 20)
            )));
        }
    };
    let id = resolve_paper(&state, &path(id)?).await?;
    if state.store.paper(id).await?.is_none() {
        return missing_paper(&state, id, "/summaries", raw_query.as_deref()).await;
    }
    let all = state
        .store
        .paper_summaries(id, token.viewer(), sort)
        .await?;
    let (views, next_cursor) = window.slice(all);
    let u = urls(&state);
    Ok(Json(List {
        items: views
            .into_iter()
            .map(|v| SummaryOut::new(v, None, &u))
            .collect(),
        next_cursor,
    })
    .into_response())
}

pub async fn get_summary(
    State(state): State<AppState>,
    token: Token,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<SummaryOut>> {
    let id = summary_id(&path(id)?)?;
    let view = state
        .store
        .summary(id, token.viewer())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("There is no summary number {id} here.")))?;
    let markdown = state.store.summary_markdown(id).await?;
    Ok(Json(SummaryOut::new(view, markdown, &urls(&state))))
}

pub async fn get_summary_revisions(
    State(state): State<AppState>,
    token: Token,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<Paging>, QueryRejection>,
) -> ApiResult<Json<List<RevisionOut>>> {
    let window = query(q)?.window()?;
    let id = summary_id(&path(id)?)?;
    let all = state
        .store
        .revisions(id, token.viewer(), None)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("There is no summary number {id} here.")))?;
    let (items, next_cursor) = window.slice(all);
    let u = urls(&state);
    Ok(Json(List {
        items: items.into_iter().map(|r| RevisionOut::new(r, &u)).collect(),
        next_cursor,
    }))
}

pub async fn get_summary_comments(
    State(state): State<AppState>,
    token: Token,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<Paging>, QueryRejection>,
) -> ApiResult<Json<List<CommentOut>>> {
    let window = query(q)?.window()?;
    let id = summary_id(&path(id)?)?;
    let all = state
        .store
        .summary_comments(id, token.viewer(), None)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("There is no summary number {id} here.")))?;
    let (items, next_cursor) = window.slice(all);
    let u = urls(&state);
    Ok(Json(List {
        items: items.into_iter().map(|c| CommentOut::new(c, &u)).collect(),
        next_cursor,
    }))
}

async fn user(state: &AppState, name: &str) -> ApiResult<shortscience_store::User> {
    state.store.user_by_name(name).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "There is no user called “{}” here.",
            clip(name, 60)
        ))
    })
}

pub async fn get_user(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<UserOut>> {
    let user = user(&state, &path(name)?).await?;
    Ok(Json(UserOut::new(user, &urls(&state))))
}

/// A user's summaries, last edit first. The cursor holds the last item's (edit time, id),
/// so summaries saved meanwhile neither repeat nor push others off the next page.
pub async fn get_user_summaries(
    State(state): State<AppState>,
    token: Token,
    name: Result<Path<String>, PathRejection>,
    q: Result<Query<Paging>, QueryRejection>,
) -> ApiResult<Json<List<SummaryOut>>> {
    let window = query(q)?.window()?;
    let user = user(&state, &path(name)?).await?;
    let all = state.store.user_summaries(user.id, token.viewer()).await?;
    let after = |v: &shortscience_store::SummaryView| match window.cursor {
        None => true,
        Some(c) => (v.edited_at, v.id.0) < (c.a, c.b),
    };
    let mut rest: Vec<_> = all.into_iter().filter(after).collect();
    let has_next = rest.len() > window.limit as usize;
    rest.truncate(window.limit as usize);
    let next_cursor = has_next
        .then(|| {
            rest.last().map(|v| {
                Cursor {
                    a: v.edited_at,
                    b: v.id.0,
                }
                .encode()
            })
        })
        .flatten();
    let u = urls(&state);
    Ok(Json(List {
        items: rest
            .into_iter()
            .map(|v| SummaryOut::new(v, None, &u))
            .collect(),
        next_cursor,
    }))
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    venue: Option<String>,
    year_from: Option<String>,
    year_to: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

fn year(name: &str, raw: Option<&str>) -> ApiResult<Option<i32>> {
    raw.map(|r| {
        r.parse::<i32>()
            .ok()
            .filter(|y| (1000..=9999).contains(y))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "`{name}` must be a four-digit year, not “{}”.",
                    clip(r, 20)
                ))
            })
    })
    .transpose()
}

pub async fn get_search(
    State(state): State<AppState>,
    q: Result<Query<SearchParams>, QueryRejection>,
) -> ApiResult<Json<List<SearchHitOut>>> {
    let q = query(q)?;
    let window = q.paging.window()?;
    let text = q.q.unwrap_or_default();
    for (name, value) in [("q", Some(&text)), ("venue", q.venue.as_ref())] {
        if value.is_some_and(|v| v.chars().count() > MAX_QUERY_CHARS) {
            return Err(ApiError::bad_request(format!(
                "`{name}` is at most {MAX_QUERY_CHARS} characters."
            )));
        }
    }
    let search = SearchQuery {
        text,
        year_from: year("year_from", q.year_from.as_deref())?,
        year_to: year("year_to", q.year_to.as_deref())?,
        venue: q.venue.filter(|v| !v.trim().is_empty()),
        has_summaries: false,
        page: window.page(),
        per_page: window.limit,
    };
    let page = state.store.search(&search).await?;
    let u = urls(&state);
    Ok(Json(List {
        next_cursor: window.next(page.has_next),
        items: page
            .items
            .into_iter()
            .map(|h| SearchHitOut {
                paper: PaperCardOut::new(h.paper, &u),
                exact: h.exact,
            })
            .collect(),
    }))
}

pub async fn get_home(
    State(state): State<AppState>,
    list: Result<Path<String>, PathRejection>,
    q: Result<Query<Paging>, QueryRejection>,
) -> ApiResult<Json<List<SummaryOut>>> {
    let window = query(q)?.window()?;
    let list = match path(list)?.as_str() {
        "popular" => HomeList::Popular,
        "recent" => HomeList::Recent,
        "top" => HomeList::Top,
        other => {
            return Err(ApiError::not_found(format!(
                "There is no list “{}”: use popular, recent or top.",
                clip(other, 20)
            )));
        }
    };
    let page = state.store.home(list, window.page(), window.limit).await?;
    let u = urls(&state);
    Ok(Json(List {
        next_cursor: window.next(page.has_next),
        items: page
            .items
            .into_iter()
            .map(|v| SummaryOut::new(v, None, &u))
            .collect(),
    }))
}

pub async fn get_venues(
    State(state): State<AppState>,
    q: Result<Query<Paging>, QueryRejection>,
) -> ApiResult<Json<List<VenueOut>>> {
    let window = query(q)?.window()?;
    let u = urls(&state);
    let all: Vec<VenueOut> = state
        .store
        .venues()
        .await?
        .into_iter()
        .map(|(name, papers)| VenueOut {
            url: u.abs(&crate::pages::search::venue_url(&name)),
            name,
            papers,
        })
        .collect();
    let (items, next_cursor) = window.slice(all);
    Ok(Json(List { items, next_cursor }))
}

#[derive(Debug, Deserialize)]
pub struct VenueParams {
    year: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

pub async fn get_venue(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    q: Result<Query<VenueParams>, QueryRejection>,
) -> ApiResult<Json<VenueDetailOut>> {
    let name = path(name)?;
    let q = query(q)?;
    let window = q.paging.window()?;
    let years = state.store.venue_years(&name).await?;
    if years.is_empty() {
        return Err(ApiError::not_found(format!(
            "No paper here appeared at “{}”.",
            clip(&name, 80)
        )));
    }
    let year = match q.year.as_deref() {
        Some("none") => None,
        Some(raw) => year("year", Some(raw))?,
        None => years[0].0,
    };
    let page = state
        .store
        .venue_papers(&name, year, window.page(), window.limit)
        .await?;
    let u = urls(&state);
    Ok(Json(VenueDetailOut {
        years: years
            .into_iter()
            .map(|(year, papers)| VenueYearOut { year, papers })
            .collect(),
        year,
        next_cursor: window.next(page.has_next),
        items: page
            .items
            .into_iter()
            .map(|(card, top)| VenuePaperOut {
                paper: PaperCardOut::new(card, &u),
                top_summary: top.map(|t| t.id.0),
            })
            .collect(),
        name,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paging(cursor: Option<&str>, limit: Option<&str>) -> Paging {
        Paging {
            cursor: cursor.map(str::to_owned),
            limit: limit.map(str::to_owned),
        }
    }

    #[test]
    fn limits_are_checked() {
        assert_eq!(paging(None, None).window().unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(paging(None, Some("100")).window().unwrap().limit, 100);
        for bad in ["0", "101", "-1", "ten", ""] {
            assert!(paging(None, Some(bad)).window().is_err(), "{bad}");
        }
        assert!(paging(Some("nope"), None).window().is_err());
    }

    #[test]
    fn slices_hand_out_the_rest_by_cursor() {
        let w = paging(None, Some("2")).window().unwrap();
        let (items, next) = w.slice(vec![1, 2, 3, 4, 5]);
        assert_eq!(items, [1, 2]);
        let w2 = paging(next.as_deref(), Some("2")).window().unwrap();
        let (items, next) = w2.slice(vec![1, 2, 3, 4, 5]);
        assert_eq!(items, [3, 4]);
        let w3 = paging(next.as_deref(), Some("2")).window().unwrap();
        assert_eq!(w3.slice(vec![1, 2, 3, 4, 5]), (vec![5], None));
    }

    #[test]
    fn pages_follow_the_cursor() {
        let w = paging(None, Some("10")).window().unwrap();
        assert_eq!(w.page(), 1);
        let next = w.next(true).unwrap();
        assert_eq!(paging(Some(&next), Some("10")).window().unwrap().page(), 2);
        assert_eq!(w.next(false), None);
    }
}
