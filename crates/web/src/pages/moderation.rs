//! Reports and moderation: `POST /report` (anyone signed in), and for moderators the
//! queue `GET /moderation`, the actions `POST /moderation/act` and the audit log
//! `GET /moderation/log`. Guests are sent to log in; other users get 403.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use shortscience_ids::{CommentId, SummaryId, UserId};
use shortscience_store::{MAX_REASON_CHARS, StoreError, TargetKind};

use super::auth::{message, private_layout, see_other};
use super::html;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::clip;
use crate::view::{Date, Layout};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/report", post(post_report))
        .route("/moderation", get(get_queue))
        .route("/moderation/log", get(get_log))
        .route("/moderation/act", post(post_act))
}

fn require_moderator(user: &CurrentUser) -> AppResult<()> {
    if user.is_moderator() {
        Ok(())
    } else {
        Err(AppError::forbidden("Only moderators can see this page."))
    }
}

fn parse_id(raw: &str) -> AppResult<i64> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::bad_request(format!("{:?} is not an id", clip(raw, 20))))
}

fn parse_kind(raw: &str) -> AppResult<TargetKind> {
    TargetKind::parse(raw).map_err(|e| AppError::bad_request(e.to_string()))
}

fn invalid_to_400(e: StoreError) -> AppError {
    match e {
        StoreError::Invalid(msg) => AppError::bad_request(msg),
        StoreError::NotFound => AppError::not_found("There is nothing with that id."),
        other => other.into(),
    }
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    reason: String,
}

pub async fn post_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    let kind = parse_kind(&form.kind)?;
    let id = parse_id(&form.id)?;
    if form.reason.trim().chars().count() > MAX_REASON_CHARS {
        return Err(AppError::bad_request(format!(
            "A reason has at most {MAX_REASON_CHARS} characters."
        )));
    }
    // Only what the reporter may see can be reported (no probing for hidden ids).
    let visible = match kind {
        TargetKind::Summary => state
            .store
            .summary(SummaryId(id), Some(user.id))
            .await?
            .is_some(),
        TargetKind::Comment => match state.store.comment_meta(CommentId(id)).await? {
            Some(meta) => state
                .store
                .summary(meta.summary_id, Some(user.id))
                .await?
                .is_some(),
            None => false,
        },
        TargetKind::User => state.store.account(UserId(id)).await?.is_some(),
    };
    if !visible {
        return Err(AppError::not_found("There is nothing with that id."));
    }
    state
        .store
        .report(user.id, kind, id, &form.reason)
        .await
        .map_err(invalid_to_400)?;
    tracing::info!(reporter = %user.username, kind = kind.as_str(), target = id, "report filed");
    message(
        &state.config,
        Some(&user),
        axum::http::StatusCode::OK,
        "Thank you",
        &["Your report reached the moderators."],
        Some(("/", "Back to the home page")),
    )
}

pub struct QueueRow {
    pub id: i64,
    pub kind: &'static str,
    pub target_id: i64,
    pub link: Option<String>,
    /// Sanitised HTML of the reported summary or comment (rendered by our renderer).
    pub content_html: String,
    pub target_hidden: bool,
    pub reason: String,
    pub reporter: String,
    pub at: Date,
}

#[derive(Template)]
#[template(path = "moderation/queue.html")]
struct QueuePage {
    l: Layout,
    rows: Vec<QueueRow>,
}

pub async fn get_queue(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    require_moderator(&user)?;
    let mut rows = Vec::new();
    for r in state.store.open_reports(200).await? {
        let (link, content_html, target_hidden) = match r.kind {
            TargetKind::Summary => {
                let s = state
                    .store
                    .summary_for_moderator(SummaryId(r.target_id))
                    .await?;
                let hidden = state.store.summary_hidden(SummaryId(r.target_id)).await?;
                (
                    Some(format!("/summary/{}", r.target_id)),
                    s.map(|s| s.html).unwrap_or_default(),
                    hidden,
                )
            }
            TargetKind::Comment => {
                let meta = state.store.comment_meta(CommentId(r.target_id)).await?;
                let c = state
                    .store
                    .comment_for_moderator(CommentId(r.target_id))
                    .await?;
                (
                    c.as_ref()
                        .map(|(s, _)| format!("/summary/{s}#comment-{}", r.target_id)),
                    c.map(|(_, html)| html).unwrap_or_default(),
                    meta.is_some_and(|m| m.hidden),
                )
            }
            TargetKind::User => {
                let a = state.store.account(UserId(r.target_id)).await?;
                (
                    a.as_ref().map(|a| crate::view::user_url(&a.username)),
                    String::new(),
                    a.is_some_and(|a| a.suspended_at.is_some()),
                )
            }
        };
        rows.push(QueueRow {
            id: r.id,
            kind: r.kind.as_str(),
            target_id: r.target_id,
            link,
            content_html,
            target_hidden,
            reason: r.reason,
            reporter: r.reporter.unwrap_or_else(|| "(deleted account)".into()),
            at: Date::from_unix(r.created_at),
        });
    }
    html(&QueuePage {
        l: private_layout(&state.config, Some(&user), "Moderation", "/moderation"),
        rows,
    })
}

pub struct LogRow {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub reason: String,
    pub at: Date,
}

#[derive(Template)]
#[template(path = "moderation/log.html")]
struct LogPage {
    l: Layout,
    rows: Vec<LogRow>,
}

pub async fn get_log(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    require_moderator(&user)?;
    let rows = state
        .store
        .moderation_log(500)
        .await?
        .into_iter()
        .map(|e| LogRow {
            actor: e.actor.unwrap_or_else(|| "(deleted account)".into()),
            action: e.action,
            target: format!("{} {}", e.target_kind, e.target_id),
            reason: e.reason,
            at: Date::from_unix(e.created_at),
        })
        .collect();
    html(&LogPage {
        l: private_layout(
            &state.config,
            Some(&user),
            "Moderation log",
            "/moderation/log",
        ),
        rows,
    })
}

#[derive(Deserialize)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    reason: String,
}

/// One form for every action: `action` is hide, restore, suspend, unsuspend or dismiss;
/// `kind`/`id` name the target (for dismiss, `id` is the report's).
pub async fn post_act(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ActForm>,
) -> AppResult<Response> {
    require_moderator(&user)?;
    let id = parse_id(&form.id)?;
    let store = &state.store;
    let reason = form.reason.as_str();
    let done = match (form.action.as_str(), form.kind.as_str()) {
        ("dismiss", _) => store.dismiss_report(user.id, id, reason).await,
        (action @ ("hide" | "restore"), kind) => {
            let hidden = action == "hide";
            match parse_kind(kind)? {
                TargetKind::Summary => {
                    store
                        .set_summary_hidden(user.id, SummaryId(id), hidden, reason)
                        .await
                }
                TargetKind::Comment => {
                    store
                        .set_comment_hidden(user.id, CommentId(id), hidden, reason)
                        .await
                }
                TargetKind::User => {
                    return Err(AppError::bad_request("Users are suspended, not hidden."));
                }
            }
        }
        (action @ ("suspend" | "unsuspend"), _) => {
            // Moderators cannot act on admins or other moderators: an admin can.
            let target = store
                .account(UserId(id))
                .await?
                .ok_or_else(|| AppError::not_found("There is no such account."))?;
            if target.role.is_moderator() && !user.is_admin() {
                return Err(AppError::forbidden(
                    "Only an administrator can suspend a moderator.",
                ));
            }
            store
                .moderate_user(user.id, UserId(id), action == "suspend", reason)
                .await
        }
        (other, _) => {
            return Err(AppError::bad_request(format!(
                "unknown action {:?}",
                clip(other, 20)
            )));
        }
    };
    done.map_err(invalid_to_400)?;
    tracing::info!(moderator = %user.username, action = %form.action, kind = %form.kind, target = id, "moderation");
    Ok(see_other("/moderation"))
}
