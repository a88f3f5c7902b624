//! Account pages: sign up, confirm, log in and out, reset and change the password,
//! change the e-mail address, delete the account, and the admin's account list.
//! Every change is a POST answered with a 303; forms work without JavaScript.

pub mod account;
pub mod admin;
pub mod confirm;
pub mod login;
pub mod reset;
pub mod signup;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::html;
use crate::auth::CurrentUser;
use crate::auth::mail::Mail;
use crate::error::AppResult;
use crate::view::{Layout, Nav};
use crate::{AppState, WebConfig};

/// The account routes, merged into the one route table.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signup", get(signup::get_signup).post(signup::post_signup))
        .route("/signup/sent", get(signup::get_signup_sent))
        .route("/login", get(login::get_login).post(login::post_login))
        .route("/logout", post(login::post_logout))
        .route("/confirm", get(confirm::get_confirm))
        .route("/confirm/resend", post(confirm::post_resend))
        .route("/reset", get(reset::get_reset).post(reset::post_reset))
        .route("/reset/sent", get(reset::get_reset_sent))
        .route(
            "/reset/password",
            get(reset::get_new_password).post(reset::post_new_password),
        )
        .route("/account", get(account::get_account))
        .route("/account/password", post(account::post_password))
        .route("/account/email", post(account::post_email))
        .route("/account/email/confirm", get(account::get_email_confirm))
        .route("/account/logout-all", post(account::post_logout_all))
        .route("/account/delete", post(account::post_delete))
        .route("/account/deleted", get(account::get_deleted))
        .route("/admin/accounts", get(admin::get_accounts))
        .route("/admin/accounts/{id}/approve", post(admin::post_approve))
        .route("/admin/invites", post(admin::post_invite))
}

/// A page of a few sentences and an optional button link.
#[derive(Template)]
#[template(path = "auth/message.html")]
pub struct MessagePage {
    pub l: Layout,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub link: Option<(String, String)>,
}

/// Renders a [`MessagePage`] (not indexed) with `status`.
pub fn message(
    config: &WebConfig,
    viewer: Option<&CurrentUser>,
    status: StatusCode,
    heading: &str,
    paragraphs: &[&str],
    link: Option<(&str, &str)>,
) -> AppResult<Response> {
    let page = MessagePage {
        l: private_layout(config, viewer, heading, "/"),
        heading: heading.to_owned(),
        paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
        link: link.map(|(h, t)| (h.to_owned(), t.to_owned())),
    };
    with_status(html(&page)?, status)
}

/// Layout for account pages: no canonical URL, not indexed.
pub fn private_layout(
    config: &WebConfig,
    viewer: Option<&CurrentUser>,
    title: &str,
    path: &str,
) -> Layout {
    Layout {
        canonical: None,
        ..Layout::new(config, viewer, Some(title), title, path, Nav::None)
    }
}

pub fn with_status(mut response: Response, status: StatusCode) -> AppResult<Response> {
    *response.status_mut() = status;
    Ok(response)
}

/// An absolute link into the site for e-mails.
pub fn site_link(config: &WebConfig, path_and_query: &str) -> String {
    format!("{}{path_and_query}", config.base_url.trim_end_matches('/'))
}

/// The confirmation e-mail sent after sign-up (and on request).
pub fn confirm_mail(config: &WebConfig, username: &str, to: &str, token: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: format!("Confirm your e-mail address for {}", config.site_name),
        body: format!(
            "Hello {username},\n\nplease confirm your e-mail address for {site} by opening this \
             link within 48 hours:\n\n{link}\n\nIf you did not create an account, ignore this \
             message; nothing happens without the link.\n",
            site = config.site_name,
            link = site_link(config, &format!("/confirm?token={token}")),
        ),
    }
}

/// A redirect that also answers HEAD and keeps the 303 semantics for forms.
pub fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}
