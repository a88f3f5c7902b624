//! `POST /summary/{id}/vote` — up, none or down, then back to the page the vote came
//! from. And [`annotate`], which gives a page's summaries their vote buttons, the
//! viewer's own vote state and their comment counts.

use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shortscience_ids::SummaryId;

use super::auth::see_other;
use crate::AppState;
use crate::auth::{CurrentUser, is_local_path, login_url};
use crate::error::{AppError, AppResult};
use crate::extract::IdPath;
use crate::view::{SummaryItem, votes_label};

/// The vote controls of one summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteBox {
    pub action: String,
    /// Where the form returns to (a local path).
    pub back: String,
    /// The viewer's vote: 1, 0 or −1.
    pub value: i8,
    /// Signed in and not the author.
    pub can_vote: bool,
    /// The viewer wrote it: no buttons.
    pub own: bool,
    /// For guests: log in, then come back here.
    pub login: Option<String>,
}

impl VoteBox {
    /// The value the up button sends: pressing it again withdraws the vote.
    pub fn up_value(&self) -> &'static str {
        if self.value > 0 { "none" } else { "up" }
    }
    pub fn down_value(&self) -> &'static str {
        if self.value < 0 { "none" } else { "down" }
    }
    pub fn up_pressed(&self) -> &'static str {
        if self.value > 0 { "true" } else { "false" }
    }
    pub fn down_pressed(&self) -> &'static str {
        if self.value < 0 { "true" } else { "false" }
    }
}

/// Fills in vote controls (from the viewer's votes) and comment counts for a page's
/// summaries. `back` is the page's own path, where votes return to.
pub async fn annotate(
    state: &AppState,
    viewer: Option<&CurrentUser>,
    items: &mut [SummaryItem],
    back: &str,
) -> AppResult<()> {
    let ids: Vec<SummaryId> = items.iter().map(|s| SummaryId(s.id)).collect();
    let votes = match viewer {
        Some(user) => state.store.votes_of(user.id, &ids).await?,
        None => Default::default(),
    };
    // Paper pages and permalinks read the counts with the summaries.
    let comments = if items.iter().all(|s| s.comments.is_some()) {
        Default::default()
    } else {
        state.store.comment_counts(&ids).await?
    };
    let back = if is_local_path(back) { back } else { "/" };
    for s in items.iter_mut() {
        let id = SummaryId(s.id);
        // Private summaries take no votes (the store refuses them too).
        let votable = !s.private;
        s.vote = Some(VoteBox {
            action: format!("/summary/{id}/vote"),
            back: back.to_owned(),
            value: votes.get(&id).copied().unwrap_or(0),
            can_vote: viewer.is_some() && !s.is_own && votable,
            own: s.is_own,
            login: viewer
                .is_none()
                .then(|| login_url(Some(&format!("{back}#summary-{id}")))),
        });
        if s.comments.is_none() {
            s.comments = Some(comments.get(&id).copied().unwrap_or(0));
        }
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    value: String,
    #[serde(default)]
    back: String,
}

/// "up" → 1, "none" → 0, "down" → −1.
pub fn parse_vote(value: &str) -> Option<i8> {
    match value {
        "up" => Some(1),
        "none" => Some(0),
        "down" => Some(-1),
        _ => None,
    }
}

/// Where to go after voting: `back` when it is a path on this site, else the summary;
/// always at the summary's place on that page.
pub fn return_to(back: &str, id: SummaryId) -> String {
    let page = if is_local_path(back) {
        back.split('#').next().unwrap_or(back)
    } else {
        ""
    };
    if page.is_empty() {
        format!("/summary/{id}#summary-{id}")
    } else {
        format!("{page}#summary-{id}")
    }
}

pub async fn post_vote(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<SummaryId>,
    headers: HeaderMap,
    Form(form): Form<VoteForm>,
) -> AppResult<Response> {
    let value = parse_vote(&form.value)
        .ok_or_else(|| AppError::bad_request("A vote is “up”, “none” or “down”.".to_owned()))?;
    // Someone else's private summary looks exactly like a missing one.
    let view = state
        .store
        .summary(id, Some(user.id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no summary number {id} here.")))?;
    if view.is_own {
        return Err(AppError::forbidden(
            "You cannot vote on your own summary.".to_owned(),
        ));
    }
    if view.private {
        return Err(AppError::forbidden(
            "Private summaries take no votes.".to_owned(),
        ));
    }
    state.store.set_vote(user.id, id, value).await?;
    if wants_json(&headers) {
        let now = state
            .store
            .summary(id, Some(user.id))
            .await?
            .ok_or_else(|| AppError::not_found("The summary is gone."))?;
        let body = serde_json::json!({
            "value": value,
            "up": now.up,
            "down": now.down,
            "label": votes_label(now.up - now.down),
        });
        return Ok(axum::Json(body).into_response());
    }
    Ok(see_other(&return_to(&form.back, id)))
}

/// The in-place enhancement asks for JSON; forms get a redirect.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote_box(value: i8) -> VoteBox {
        VoteBox {
            action: String::new(),
            back: String::new(),
            value,
            can_vote: true,
            own: false,
            login: None,
        }
    }

    #[test]
    fn votes_parse() {
        assert_eq!(parse_vote("up"), Some(1));
        assert_eq!(parse_vote("none"), Some(0));
        assert_eq!(parse_vote("down"), Some(-1));
        for bad in ["", "Up", "1", "+1", "upp"] {
            assert_eq!(parse_vote(bad), None, "{bad}");
        }
    }

    #[test]
    fn pressing_a_pressed_button_withdraws() {
        let up = vote_box(1);
        assert_eq!((up.up_value(), up.down_value()), ("none", "down"));
        assert_eq!((up.up_pressed(), up.down_pressed()), ("true", "false"));
        let down = vote_box(-1);
        assert_eq!((down.up_value(), down.down_value()), ("up", "none"));
        let none = vote_box(0);
        assert_eq!((none.up_value(), none.down_value()), ("up", "down"));
        assert_eq!((none.up_pressed(), none.down_pressed()), ("false", "false"));
    }

    #[test]
    fn returns_only_to_local_pages() {
        let id = SummaryId(7);
        assert_eq!(
            return_to("/paper/3?sort=new", id),
            "/paper/3?sort=new#summary-7"
        );
        assert_eq!(return_to("/paper/3#summary-1", id), "/paper/3#summary-7");
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "javascript:x",
        ] {
            assert_eq!(return_to(bad, id), "/summary/7#summary-7", "{bad}");
        }
    }
}
