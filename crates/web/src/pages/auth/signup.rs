//! `GET/POST /signup`, `GET /signup/sent`.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shortscience_store::{
    NewAccount, Role, StoreError, Taken, TokenPurpose, check_email, check_username,
};

use super::{confirm_mail, message, private_layout, see_other, site_link, with_status};
use crate::auth::mail::Mail;
use crate::auth::password::{self, MIN_PASSWORD_CHARS, check_password};
use crate::auth::{ClientIp, CurrentUser, Registration};
use crate::error::AppResult;
use crate::pages::html;
use crate::view::Layout;
use crate::{AppState, WebConfig};

/// One message per field that needs fixing.
#[derive(Debug, Default)]
pub struct SignupErrors {
    pub general: Option<String>,
    pub invite: Option<String>,
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
}

impl SignupErrors {
    fn any(&self) -> bool {
        self.general.is_some()
            || self.invite.is_some()
            || self.username.is_some()
            || self.email.is_some()
            || self.password.is_some()
    }
}

#[derive(Template)]
#[template(path = "auth/signup.html")]
struct SignupPage {
    l: Layout,
    closed: bool,
    approval: bool,
    invite_required: bool,
    username: String,
    email: String,
    invite: String,
    errors: SignupErrors,
    min_password: usize,
}

impl SignupPage {
    fn new(config: &WebConfig, viewer: Option<&CurrentUser>) -> SignupPage {
        SignupPage {
            l: private_layout(config, viewer, "Sign up", "/signup"),
            closed: config.registration == Registration::Closed,
            approval: config.registration == Registration::Approval,
            invite_required: config.registration == Registration::Invite,
            username: String::new(),
            email: String::new(),
            invite: String::new(),
            errors: SignupErrors::default(),
            min_password: MIN_PASSWORD_CHARS,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct SignupQuery {
    #[serde(default)]
    invite: String,
}

pub async fn get_signup(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    query: Result<Query<SignupQuery>, QueryRejection>,
) -> AppResult<Response> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let mut page = SignupPage::new(&state.config, viewer.as_ref());
    page.invite = query.invite.trim().to_owned();
    html(&page)
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    invite: String,
}

pub async fn post_signup(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    ip: ClientIp,
    Form(form): Form<SignupForm>,
) -> AppResult<Response> {
    let config = &state.config;
    let mut page = SignupPage::new(config, viewer.as_ref());
    if page.closed {
        return with_status(html(&page)?, StatusCode::FORBIDDEN);
    }
    if let Err(wait) = state.auth.limits.signup_ip.check(&ip.key()) {
        return Ok(crate::auth::rate_limit::too_many_requests(wait));
    }
    page.username = form.username.trim().to_owned();
    page.email = form.email.trim().to_owned();
    page.invite = form.invite.trim().to_owned();

    let mut errors = SignupErrors::default();
    if let Err(StoreError::Invalid(msg)) = check_username(&form.username) {
        errors.username = Some(capitalise(&msg));
    }
    if check_email(&form.email).is_err() {
        errors.email = Some("Enter an e-mail address like name@example.org.".into());
    }
    if let Err(e) = check_password(&form.password) {
        errors.password = Some(capitalise(&e.to_string()));
    }
    let invite = (config.registration == Registration::Invite).then_some(page.invite.as_str());
    if let Some(code) = invite
        && !state.store.invite_valid(code).await?
    {
        errors.invite =
            Some("This invitation code is not valid (unknown, used or expired).".into());
    }
    if errors.any() {
        page.errors = errors;
        return with_status(html(&page)?, StatusCode::UNPROCESSABLE_ENTITY);
    }

    let new = NewAccount {
        username: page.username.clone(),
        email: page.email.clone(),
        password_hash: password::hash(form.password).await?,
        role: Role::User,
        email_confirmed: false,
        pending: config.registration == Registration::Approval,
    };
    match state.store.create_account_with_invite(&new, invite).await {
        Ok(Ok(id)) => {
            let token = state
                .store
                .create_token(id, TokenPurpose::Confirm, None)
                .await?;
            state
                .auth
                .mailer
                .send(confirm_mail(config, &new.username, &new.email, &token));
        }
        Ok(Err(Taken::Username)) => {
            page.errors.username = Some("That username is taken. Choose another one.".into());
            return with_status(html(&page)?, StatusCode::UNPROCESSABLE_ENTITY);
        }
        // Saying "taken" would tell anyone which addresses have accounts: answer as
        // for a new account, and tell the address's owner instead.
        Ok(Err(Taken::Email)) => state
            .auth
            .mailer
            .send(already_registered_mail(config, &new.email)),
        Err(StoreError::Invalid(msg)) if invite.is_some() => {
            page.errors.invite = Some(capitalise(&msg));
            return with_status(html(&page)?, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(see_other("/signup/sent"))
}

pub async fn get_signup_sent(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
) -> AppResult<Response> {
    let mut paragraphs = vec![
        "We sent a link to the address you gave. Open it within 48 hours to confirm your address, then log in.",
        "Nothing arrived? Check your spam folder; from the login page you can ask for a new link.",
    ];
    if state.config.registration == Registration::Approval {
        paragraphs.push("An administrator will also approve your account before you can log in.");
    }
    message(
        &state.config,
        viewer.as_ref(),
        StatusCode::OK,
        "Check your e-mail",
        &paragraphs,
        Some(("/login", "Go to the login page")),
    )
}

fn already_registered_mail(config: &WebConfig, to: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: format!("Your account on {}", config.site_name),
        body: format!(
            "Hello,\n\nsomeone (perhaps you) tried to create an account on {site} with this \
             e-mail address, which already has one.\n\nTo log in: {login}\nForgotten your \
             password? {reset}\n\nIf it was not you, ignore this message.\n",
            site = config.site_name,
            login = site_link(config, "/login"),
            reset = site_link(config, "/reset"),
        ),
    }
}

/// First letter upper-cased, so store messages read as sentences.
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_start_upper_case() {
        assert_eq!(capitalise("invalid username"), "Invalid username");
        assert_eq!(capitalise(""), "");
    }
}
