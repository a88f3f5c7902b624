//! `GET/POST /login`, `POST /logout`.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use shortscience_store::{Account, SessionInfo};

use super::{private_layout, see_other, with_status};
use crate::auth::rate_limit::too_many_requests;
use crate::auth::{
    ClientIp, CurrentUser, Registration, clear_session_cookie, is_local_path, password,
    session_cookie, session_token,
};
use crate::error::AppResult;
use crate::pages::html;
use crate::view::Layout;
use crate::{AppState, WebConfig};

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    l: Layout,
    login: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
    offer_resend: bool,
    can_sign_up: bool,
}

impl LoginPage {
    fn new(config: &WebConfig, login: String, next: String) -> LoginPage {
        LoginPage {
            l: private_layout(config, None, "Log in", "/login"),
            login,
            next,
            error: None,
            notice: None,
            offer_resend: false,
            can_sign_up: config.registration != Registration::Closed,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    confirmed: Option<String>,
    #[serde(default)]
    reset: Option<String>,
}

/// The per-account rate-limit key for password checks.
pub fn account_limit_key(id: shortscience_ids::UserId) -> String {
    format!("user:{}", id.0)
}

/// Where to go after logging in: `next` when it is a path on this site, else home.
pub fn safe_next(next: &str) -> &str {
    if is_local_path(next) { next } else { "/" }
}

pub async fn get_login(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> AppResult<Response> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    if viewer.is_some() {
        return Ok(see_other(safe_next(&query.next)));
    }
    let mut page = LoginPage::new(
        &state.config,
        String::new(),
        safe_next(&query.next).to_owned(),
    );
    if query.confirmed.is_some() {
        page.notice = Some("Your e-mail address is confirmed. You can log in now.".into());
    } else if query.reset.is_some() {
        page.notice = Some("Your password is changed. Log in with the new one.".into());
    }
    html(&page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn post_login(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let login = form.login.trim().to_owned();
    let next = safe_next(&form.next).to_owned();
    let limits = &state.auth.limits;
    if let Err(wait) = limits.login_ip.check(&ip.key()) {
        return Ok(too_many_requests(wait));
    }
    let found = if login.is_empty() {
        None
    } else {
        state.store.login_lookup(&login).await?
    };
    let (account, hash) = match found {
        Some((account, hash)) => (Some(account), hash),
        None => (None, None),
    };
    // Name and e-mail of one account share a bucket.
    let account_key = match &account {
        Some(a) => account_limit_key(a.id),
        None => format!("login:{}", login.to_lowercase()),
    };
    if let Err(wait) = limits.login_account.peek(&account_key) {
        return Ok(too_many_requests(wait));
    }
    // Unknown accounts verify against a dummy hash: same time, same answer.
    let ok = password::verify(form.password, hash).await?;
    let mut page = LoginPage::new(&state.config, login, next.clone());
    let account: Account = match account {
        Some(a) if ok => a,
        _ => {
            // Only failures count against the account.
            let _ = limits.login_account.check(&account_key);
            page.error = Some("Wrong username, e-mail or password.".into());
            return with_status(html(&page)?, StatusCode::UNAUTHORIZED);
        }
    };
    // Only someone who knows the password learns the account's state.
    if account.suspended_at.is_some() {
        page.error = Some("This account is suspended. Contact the site's moderators.".into());
        return with_status(html(&page)?, StatusCode::FORBIDDEN);
    }
    if account.email_confirmed_at.is_none() {
        page.error =
            Some("Please confirm your e-mail address first: open the link we sent you.".into());
        page.offer_resend = true;
        return with_status(html(&page)?, StatusCode::FORBIDDEN);
    }
    if account.pending {
        page.error = Some("Your account is waiting for an administrator's approval.".into());
        return with_status(html(&page)?, StatusCode::FORBIDDEN);
    }

    // A fresh session id at every login; a session the browser already had ends.
    if let Some(old) = session_token(&headers) {
        state.store.delete_session(&old).await?;
    }
    let info = SessionInfo {
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ip: ip.0.map(|ip| ip.to_string()),
    };
    let token = state.store.create_session_with(account.id, &info).await?;
    let mut response = see_other(&next);
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&token, &state.config));
    Ok(response)
}

/// Ends this browser's session. POST only: a link or image cannot log anyone out.
pub async fn post_logout(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    if let Some(token) = session_token(&headers) {
        state.store.delete_session(&token).await?;
    }
    let mut response = see_other("/");
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_session_cookie(&state.config));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_the_site() {
        assert_eq!(safe_next("/paper/3"), "/paper/3");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next(""), "/");
    }
}
