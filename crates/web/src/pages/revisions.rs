//! `GET /summary/{id}/revisions[?from=R&to=R][&share=SECRET]` — every saved version of a
//! summary, and a line diff between any two (by default the last two). Readable by
//! whoever may read the summary; editors of anonymous summaries are not named.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use shortscience_ids::{RevisionId, SummaryId};
use shortscience_store::RevisionInfo;

use super::comment::share_query;
use super::html;
use super::revisions_diff::{Change, Shown, diff_lines, stats, with_context};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, parse_row_id};
use crate::view::{AuthorLink, Date, Layout, Nav, user_url};

/// Unchanged lines kept around each change.
const CONTEXT_LINES: usize = 3;

/// One version in the list.
struct RevisionRow {
    id: i64,
    number: u32,
    date: Date,
    time: String,
    size: String,
    editor: Option<AuthorLink>,
    private: bool,
    anonymous: bool,
    is_from: bool,
    is_to: bool,
}

/// One line of the diff as shown.
pub enum DiffRow {
    Same(String),
    Added(String),
    Removed(String),
    Folded(usize),
}

struct DiffView {
    from: u32,
    to: u32,
    added: usize,
    removed: usize,
    rows: Vec<DiffRow>,
}

#[derive(Template)]
#[template(path = "revisions.html")]
struct RevisionsPage {
    l: Layout,
    action: String,
    summary_url: String,
    paper_title: String,
    paper_url: String,
    rows: Vec<RevisionRow>,
    diff: Option<DiffView>,
    share: String,
}

#[derive(Deserialize)]
pub struct RevisionsQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    share: String,
}

/// "2 345 bytes" style sizes, with a thin grouping space.
fn size_label(bytes: i64) -> String {
    let digits = bytes.max(0).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    format!("{out} {}", if bytes == 1 { "byte" } else { "bytes" })
}

/// "14:05 UTC" of a Unix time.
fn time_label(secs: i64) -> String {
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02} UTC", day / 3600, day % 3600 / 60)
}

/// The chosen version: `raw` when given (must be one of `list`), else `default`.
fn pick(raw: &str, list: &[RevisionInfo], default: Option<usize>) -> AppResult<Option<usize>> {
    if raw.trim().is_empty() {
        return Ok(default);
    }
    let id: RevisionId = parse_row_id(raw.trim())?;
    list.iter()
        .position(|r| r.id == id)
        .map(Some)
        .ok_or_else(|| AppError::not_found(format!("This summary has no version {id}.")))
}

pub async fn get_revisions(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    IdPath(id): IdPath<SummaryId>,
    query: Result<Query<RevisionsQuery>, QueryRejection>,
) -> AppResult<Response> {
    let Query(query) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let share = Some(query.share.as_str()).filter(|s| !s.is_empty());
    let viewer_id = viewer.as_ref().map(|v| v.id);
    let missing = || AppError::not_found(format!("There is no summary number {id} here."));
    let view = state
        .store
        .summary_for(id, viewer_id, share)
        .await?
        .ok_or_else(missing)?;
    let list = state
        .store
        .revisions(id, viewer_id, share)
        .await?
        .ok_or_else(missing)?;
    let last = list.len().checked_sub(1);
    let to = pick(&query.to, &list, last)?;
    let from = pick(&query.from, &list, to.and_then(|t| t.checked_sub(1)))?;

    let diff = match (from, to) {
        (Some(f), Some(t)) => {
            let text = |i: usize| {
                let state = &state;
                let rev = list[i].id;
                async move {
                    state
                        .store
                        .revision(id, rev, viewer_id, share)
                        .await?
                        .ok_or_else(missing)
                }
            };
            let (old, new) = (text(f).await?, text(t).await?);
            let lines = diff_lines(&old.markdown, &new.markdown);
            let (added, removed) = stats(&lines);
            let rows = with_context(lines, CONTEXT_LINES)
                .into_iter()
                .map(|s| match s {
                    Shown::Folded(n) => DiffRow::Folded(n),
                    Shown::Line(l) => match l.change {
                        Change::Same => DiffRow::Same(l.text.to_owned()),
                        Change::Added => DiffRow::Added(l.text.to_owned()),
                        Change::Removed => DiffRow::Removed(l.text.to_owned()),
                    },
                })
                .collect();
            Some(DiffView {
                from: old.info.number,
                to: new.info.number,
                added,
                removed,
                rows,
            })
        }
        _ => None,
    };

    let rows = list
        .iter()
        .enumerate()
        .rev()
        .map(|(i, r)| RevisionRow {
            id: r.id.0,
            number: r.number,
            date: Date::from_unix(r.created_at),
            time: time_label(r.created_at),
            size: size_label(r.bytes),
            editor: r.editor.as_ref().map(|b| AuthorLink {
                name: b.display_name.clone(),
                url: user_url(&b.username),
            }),
            private: r.private,
            anonymous: r.anonymous,
            is_from: from == Some(i),
            is_to: to == Some(i),
        })
        .collect();
    let summary_url = format!("/summary/{id}{}", share_query(share));
    let title = format!("History of a summary of “{}”", view.paper_title);
    let mut l = Layout::new(
        &state.config,
        viewer.as_ref(),
        Some(&title),
        &title,
        &format!("/summary/{id}/revisions"),
        Nav::None,
    );
    // Old versions are for readers who ask, not for search engines.
    l.canonical = None;
    html(&RevisionsPage {
        l,
        action: format!("/summary/{id}/revisions"),
        summary_url,
        paper_url: format!("/paper/{}", view.paper_id),
        paper_title: view.paper_title,
        rows,
        diff,
        share: share.unwrap_or_default().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_group_digits() {
        assert_eq!(size_label(1), "1 byte");
        assert_eq!(size_label(999), "999 bytes");
        assert_eq!(size_label(12_345), "12\u{2009}345 bytes");
        assert_eq!(size_label(1_234_567), "1\u{2009}234\u{2009}567 bytes");
    }

    #[test]
    fn times_are_utc_clock_times() {
        assert_eq!(time_label(0), "00:00 UTC");
        assert_eq!(time_label(86_399), "23:59 UTC");
        assert_eq!(time_label(1_709_208_000 + 3_723), "13:02 UTC");
    }

    fn info(id: i64, number: u32) -> RevisionInfo {
        RevisionInfo {
            id: RevisionId(id),
            number,
            created_at: 0,
            bytes: 0,
            private: false,
            anonymous: false,
            editor: None,
        }
    }

    #[test]
    fn versions_are_picked_from_the_list_only() {
        let list = vec![info(10, 1), info(14, 2)];
        assert_eq!(pick("", &list, Some(1)).unwrap(), Some(1));
        assert_eq!(pick("10", &list, None).unwrap(), Some(0));
        assert!(matches!(
            pick("11", &list, None),
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            pick("x", &list, None),
            Err(AppError::BadRequest(_))
        ));
    }
}
