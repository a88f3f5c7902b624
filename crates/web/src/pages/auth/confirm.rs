//! `GET /confirm?token=…` (the e-mailed link), `POST /confirm/resend`.

use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shortscience_store::TokenPurpose;

use super::{confirm_mail, message, see_other};
use crate::AppState;
use crate::auth::rate_limit::{check_all, too_many_requests};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppResult;

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    pub token: String,
}

/// Following the link confirms the address once; it does not log anyone in.
pub async fn get_confirm(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> AppResult<Response> {
    let token = query.map(|Query(q)| q.token).unwrap_or_default();
    match state
        .store
        .consume_token(token.trim(), TokenPurpose::Confirm)
        .await?
    {
        Some(used) => {
            state.store.confirm_email(used.user).await?;
            Ok(see_other(if viewer.is_some() {
                "/account"
            } else {
                "/login?confirmed=1"
            }))
        }
        None => invalid_link(&state, viewer.as_ref()),
    }
}

pub(super) fn invalid_link(state: &AppState, viewer: Option<&CurrentUser>) -> AppResult<Response> {
    message(
        &state.config,
        viewer,
        StatusCode::BAD_REQUEST,
        "This link does not work",
        &[
            "The link is incomplete, has already been used, or has expired.",
            "Copy the whole link from the e-mail, or ask for a new one.",
        ],
        Some(("/login", "Go to the login page")),
    )
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    login: String,
}

/// Sends a fresh confirmation link to an unconfirmed account. The answer is the same
/// whether or not the account exists.
pub async fn post_resend(
    State(state): State<AppState>,
    ip: ClientIp,
    Form(form): Form<ResendForm>,
) -> AppResult<Response> {
    let login = form.login.trim();
    let limits = &state.auth.limits;
    if let Err(wait) = check_all(&[
        (&limits.reset_ip, &ip.key()),
        (&limits.reset_account, &login.to_lowercase()),
    ]) {
        return Ok(too_many_requests(wait));
    }
    if let Some((account, _)) = state.store.login_lookup(login).await?
        && account.email_confirmed_at.is_none()
        && let Some(email) = &account.email
    {
        let token = state
            .store
            .create_token(account.id, TokenPurpose::Confirm, None)
            .await?;
        state.auth.mailer.send(confirm_mail(
            &state.config,
            &account.username,
            email,
            &token,
        ));
    }
    Ok(see_other("/signup/sent"))
}
