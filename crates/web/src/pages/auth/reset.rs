//! Forgotten password: `GET/POST /reset` asks for the account and mails a link;
//! `GET/POST /reset/password?token=…` sets the new password, once.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shortscience_store::TokenPurpose;

use super::confirm::{TokenQuery, invalid_link};
use super::{message, private_layout, see_other, site_link, with_status};
use crate::AppState;
use crate::auth::mail::Mail;
use crate::auth::password::{self, MIN_PASSWORD_CHARS, check_password};
use crate::auth::rate_limit::{check_all, too_many_requests};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppResult;
use crate::pages::html;
use crate::view::Layout;

#[derive(Template)]
#[template(path = "auth/reset_request.html")]
struct ResetRequestPage {
    l: Layout,
}

#[derive(Template)]
#[template(path = "auth/new_password.html")]
struct NewPasswordPage {
    l: Layout,
    username: String,
    token: String,
    error: Option<String>,
    min_password: usize,
}

pub async fn get_reset(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
) -> AppResult<Response> {
    html(&ResetRequestPage {
        l: private_layout(
            &state.config,
            viewer.as_ref(),
            "Forgotten password",
            "/reset",
        ),
    })
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    login: String,
}

/// Mails a reset link if the account exists; the answer never says whether it does.
pub async fn post_reset(
    State(state): State<AppState>,
    ip: ClientIp,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let login = form.login.trim();
    let limits = &state.auth.limits;
    if let Err(wait) = check_all(&[
        (&limits.reset_ip, &ip.key()),
        (&limits.reset_account, &login.to_lowercase()),
    ]) {
        return Ok(too_many_requests(wait));
    }
    if !login.is_empty()
        && let Some((account, _)) = state.store.login_lookup(login).await?
        && account.suspended_at.is_none()
        && let Some(email) = &account.email
    {
        let token = state
            .store
            .create_token(account.id, TokenPurpose::Reset, None)
            .await?;
        let config = &state.config;
        state.auth.mailer.send(Mail {
            to: email.clone(),
            subject: format!("Set a new password for {}", config.site_name),
            body: format!(
                "Hello {name},\n\nsomeone (hopefully you) asked to set a new password for your \
                 account on {site}. Open this link within one hour to choose one:\n\n{link}\n\n\
                 The link works once. If you did not ask, ignore this message: your password \
                 stays as it is.\n",
                name = account.username,
                site = config.site_name,
                link = site_link(config, &format!("/reset/password?token={token}")),
            ),
        });
    }
    Ok(see_other("/reset/sent"))
}

pub async fn get_reset_sent(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
) -> AppResult<Response> {
    message(
        &state.config,
        viewer.as_ref(),
        StatusCode::OK,
        "Check your e-mail",
        &[
            "If an account matches what you entered, a link to set a new password is on its way. It works once, for one hour.",
        ],
        Some(("/login", "Go to the login page")),
    )
}

pub async fn get_new_password(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> AppResult<Response> {
    let token = query.map(|Query(q)| q.token).unwrap_or_default();
    let token = token.trim();
    match state.store.peek_token(token, TokenPurpose::Reset).await? {
        Some(account) => html(&NewPasswordPage {
            l: private_layout(
                &state.config,
                viewer.as_ref(),
                "New password",
                "/reset/password",
            ),
            username: account.username,
            token: token.to_owned(),
            error: None,
            min_password: MIN_PASSWORD_CHARS,
        }),
        None => invalid_link(&state, viewer.as_ref()),
    }
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// Sets the password and ends every session of the account. The token is consumed
/// by one atomic update, so two posts of the same link cannot both succeed.
pub async fn post_new_password(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    Form(form): Form<NewPasswordForm>,
) -> AppResult<Response> {
    let token = form.token.trim();
    if let Err(e) = check_password(&form.password) {
        let Some(account) = state.store.peek_token(token, TokenPurpose::Reset).await? else {
            return invalid_link(&state, viewer.as_ref());
        };
        let page = NewPasswordPage {
            l: private_layout(
                &state.config,
                viewer.as_ref(),
                "New password",
                "/reset/password",
            ),
            username: account.username,
            token: token.to_owned(),
            error: Some(e.to_string()),
            min_password: MIN_PASSWORD_CHARS,
        };
        return with_status(html(&page)?, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let hash = password::hash(form.password).await?;
    let Some(used) = state
        .store
        .consume_token(token, TokenPurpose::Reset)
        .await?
    else {
        return invalid_link(&state, viewer.as_ref());
    };
    state.store.set_password_hash(used.user, &hash).await?;
    state.store.delete_user_sessions(used.user).await?;
    // The link arrived by e-mail, which proves the address as well.
    state.store.confirm_email(used.user).await?;
    let mut response = see_other("/login?reset=1");
    response.headers_mut().insert(
        axum::http::header::SET_COOKIE,
        crate::auth::clear_session_cookie(&state.config),
    );
    Ok(response)
}
