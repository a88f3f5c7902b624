//! `GET /account` and its forms: change password, change e-mail (confirmed by a link
//! to the new address), log out everywhere, delete the account. Each change asks for
//! the current password, so an unattended browser cannot take the account over.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use shortscience_store::{DeleteSummaries, Taken, TokenPurpose, check_email};

use super::confirm::{TokenQuery, invalid_link};
use super::{message, private_layout, see_other, site_link, with_status};
use crate::AppState;
use crate::auth::mail::Mail;
use crate::auth::password::{self, MIN_PASSWORD_CHARS, check_password};
use crate::auth::rate_limit::too_many_requests;
use crate::auth::{CurrentUser, clear_session_cookie, session_token};
use crate::error::{AppError, AppResult};
use crate::pages::html;
use crate::view::{Layout, user_url};

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    l: Layout,
    username: String,
    profile_url: String,
    email: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    min_password: usize,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<AccountPage> {
    let account = state
        .store
        .account(user.id)
        .await?
        .ok_or_else(|| AppError::not_found("This account no longer exists."))?;
    Ok(AccountPage {
        l: private_layout(&state.config, Some(user), "Account settings", "/account"),
        profile_url: user_url(&account.username),
        username: account.username,
        email: account.email,
        notice,
        error,
        min_password: MIN_PASSWORD_CHARS,
    })
}

pub async fn get_account(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> AppResult<Response> {
    let done = query.map(|Query(q)| q.done).unwrap_or_default();
    let notice = match done.as_str() {
        "password" => Some("Your password is changed. Other browsers were logged out."),
        "email-sent" => {
            Some("We sent a link to the new address. Your address changes when you open it.")
        }
        "email" => Some("Your e-mail address is changed."),
        _ => None,
    };
    html(&page(&state, &user, notice.map(str::to_owned), None).await?)
}

/// Checks the current password (rate limited per account like logins).
/// `Err(response)` is the page to answer with.
async fn check_current(
    state: &AppState,
    user: &CurrentUser,
    current: String,
) -> AppResult<Result<(), Response>> {
    let limiter = &state.auth.limits.login_account;
    let key = super::login::account_limit_key(user.id);
    if let Err(wait) = limiter.peek(&key) {
        return Ok(Err(too_many_requests(wait)));
    }
    let hash = state.store.password_hash(user.id).await?;
    if password::verify(current, hash).await? {
        Ok(Ok(()))
    } else {
        let _ = limiter.check(&key);
        let p = page(
            state,
            user,
            None,
            Some("Your current password was not right.".into()),
        )
        .await?;
        Ok(Err(with_status(html(&p)?, StatusCode::FORBIDDEN)?))
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
}

pub async fn post_password(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    if let Err(e) = check_password(&form.password) {
        let p = page(&state, &user, None, Some(format!("New password: {e}."))).await?;
        return with_status(html(&p)?, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if let Err(r) = check_current(&state, &user, form.current).await? {
        return Ok(r);
    }
    let hash = password::hash(form.password).await?;
    state.store.set_password_hash(user.id, &hash).await?;
    match session_token(&headers) {
        Some(token) => state.store.delete_other_sessions(user.id, &token).await?,
        None => state.store.delete_user_sessions(user.id).await?,
    };
    Ok(see_other("/account?done=password"))
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current: String,
}

pub async fn post_email(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<EmailForm>,
) -> AppResult<Response> {
    let Ok(email) = check_email(&form.email) else {
        let p = page(
            &state,
            &user,
            None,
            Some("Enter an e-mail address like name@example.org.".into()),
        )
        .await?;
        return with_status(html(&p)?, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let email = email.to_owned();
    if let Err(r) = check_current(&state, &user, form.current).await? {
        return Ok(r);
    }
    let config = &state.config;
    if state.store.account_by_email(&email).await?.is_some() {
        // Whose address it is stays private; its owner hears about the attempt.
        state.auth.mailer.send(Mail {
            to: email,
            subject: format!("Your address on {}", config.site_name),
            body: format!(
                "Hello,\n\nsomeone tried to move another account on {site} to this e-mail \
                 address, which already belongs to an account. Nothing was changed.\n",
                site = config.site_name
            ),
        });
    } else {
        let token = state
            .store
            .create_token(user.id, TokenPurpose::ChangeEmail, Some(&email))
            .await?;
        state.auth.mailer.send(Mail {
            to: email,
            subject: format!("Confirm your new e-mail address for {}", config.site_name),
            body: format!(
                "Hello {name},\n\nopen this link within 48 hours to use this address for your \
                 account on {site}:\n\n{link}\n\nIf you did not ask for this, ignore this message.\n",
                name = user.username,
                site = config.site_name,
                link = site_link(config, &format!("/account/email/confirm?token={token}")),
            ),
        });
    }
    Ok(see_other("/account?done=email-sent"))
}

pub async fn get_email_confirm(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> AppResult<Response> {
    let token = query.map(|Query(q)| q.token).unwrap_or_default();
    let Some(used) = state
        .store
        .consume_token(token.trim(), TokenPurpose::ChangeEmail)
        .await?
    else {
        return invalid_link(&state, viewer.as_ref());
    };
    let Some(email) = used.new_email else {
        return invalid_link(&state, viewer.as_ref());
    };
    match state.store.set_email(used.user, &email).await? {
        Ok(()) if viewer.is_some() => Ok(see_other("/account?done=email")),
        Ok(()) => message(
            &state.config,
            None,
            StatusCode::OK,
            "E-mail address changed",
            &["Your account now uses the new address."],
            Some(("/login", "Log in")),
        ),
        Err(Taken::Email | Taken::Username) => message(
            &state.config,
            viewer.as_ref(),
            StatusCode::CONFLICT,
            "Address already in use",
            &["Another account started using this address meanwhile; nothing was changed."],
            None,
        ),
    }
}

pub async fn post_logout_all(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Response> {
    state.store.delete_user_sessions(user.id).await?;
    let mut response = see_other("/login");
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_session_cookie(&state.config));
    Ok(response)
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    summaries: String,
}

pub async fn post_delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let summaries = match form.summaries.as_str() {
        "delete" => DeleteSummaries::Delete,
        "keep" => DeleteSummaries::KeepAnonymous,
        _ => {
            let p = page(
                &state,
                &user,
                None,
                Some("Choose what happens to your summaries.".into()),
            )
            .await?;
            return with_status(html(&p)?, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    if let Err(r) = check_current(&state, &user, form.current).await? {
        return Ok(r);
    }
    state.store.delete_account(user.id, summaries).await?;
    let mut response = see_other(match summaries {
        DeleteSummaries::Delete => "/account/deleted?summaries=deleted",
        DeleteSummaries::KeepAnonymous => "/account/deleted?summaries=kept",
    });
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_session_cookie(&state.config));
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct DeletedQuery {
    #[serde(default)]
    summaries: String,
}

pub async fn get_deleted(
    State(state): State<AppState>,
    query: Result<Query<DeletedQuery>, QueryRejection>,
) -> AppResult<Response> {
    let kept = query.map(|Query(q)| q.summaries == "kept").unwrap_or(false);
    message(
        &state.config,
        None,
        StatusCode::OK,
        "Account deleted",
        &[if kept {
            "Your account is deleted. Your summaries stay, published anonymously."
        } else {
            "Your account and your summaries are deleted."
        }],
        Some(("/", "Go to the home page")),
    )
}
