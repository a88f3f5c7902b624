//! Admin pages for accounts: `GET /admin/accounts` (pending approvals),
//! `POST /admin/accounts/{id}/approve`, `POST /admin/invites` (a new invitation code).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use shortscience_ids::UserId;

use super::{private_layout, see_other, site_link};
use crate::AppState;
use crate::auth::{CurrentUser, Registration};
use crate::error::{AppError, AppResult};
use crate::extract::IdPath;
use crate::pages::html;
use crate::view::{Date, Layout};

pub struct PendingRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub confirmed: bool,
    pub since: Date,
}

#[derive(Template)]
#[template(path = "auth/admin.html")]
struct AdminPage {
    l: Layout,
    registration: &'static str,
    pending: Vec<PendingRow>,
    new_invite: Option<String>,
    invite_link: String,
}

fn require_admin(user: &CurrentUser) -> AppResult<()> {
    if user.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Only administrators can manage accounts.",
        ))
    }
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    new_invite: Option<String>,
) -> AppResult<Response> {
    let pending = state
        .store
        .pending_accounts()
        .await?
        .into_iter()
        .map(|a| PendingRow {
            id: a.id.0,
            username: a.username,
            email: a.email.unwrap_or_default(),
            confirmed: a.email_confirmed_at.is_some(),
            since: Date::from_unix(a.created_at),
        })
        .collect();
    let registration = match state.config.registration {
        Registration::Open => "open",
        Registration::Approval => "by approval",
        Registration::Invite => "by invitation",
        Registration::Closed => "closed",
    };
    let invite_link = new_invite
        .as_deref()
        .map(|c| site_link(&state.config, &format!("/signup?invite={c}")))
        .unwrap_or_default();
    html(&AdminPage {
        l: private_layout(&state.config, Some(user), "Accounts", "/admin/accounts"),
        registration,
        pending,
        new_invite,
        invite_link,
    })
}

pub async fn get_accounts(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    require_admin(&user)?;
    render(&state, &user, None).await
}

pub async fn post_approve(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<UserId>,
) -> AppResult<Response> {
    require_admin(&user)?;
    state.store.approve_account(id).await?;
    tracing::info!(admin = %user.username, account = id.0, "account approved");
    Ok(see_other("/admin/accounts"))
}

/// Shows the new code once, in the response to the POST (not in a URL, where it
/// would stay in histories and logs).
pub async fn post_invite(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    require_admin(&user)?;
    let code = state.store.create_invite(user.id).await?;
    tracing::info!(admin = %user.username, "invitation code created");
    render(&state, &user, Some(code)).await
}
