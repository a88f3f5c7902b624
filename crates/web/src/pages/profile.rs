//! Profiles: `GET/POST /settings/profile` (display name, bio, ORCID iD),
//! `GET /user/{name}/avatar.svg` (a locally drawn identicon), the owner-only
//! `GET /user/{name}/liked` and `/disliked`, and the directory `GET /users`.

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use shortscience_render::{NoPapers, render};
use shortscience_store::{MAX_BIO_BYTES, ProfileUpdate, StoreError};

use super::auth::{private_layout, see_other, with_status};
use super::html;
use super::profile_avatar::identicon_svg;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::clip;
use crate::view::{Layout, Nav, SummaryItem, user_url};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/settings/profile",
            get(get_profile_settings).post(post_profile_settings),
        )
        .route("/user/{username}/avatar.svg", get(get_avatar))
        .route("/user/{username}/liked", get(get_liked))
        .route("/user/{username}/disliked", get(get_disliked))
        .route("/users", get(get_users))
}

/// "1.5", "-2", "0": a user's average net votes per public summary.
pub fn score_label(score: f64) -> String {
    let rounded = (score * 10.0).round() / 10.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

#[derive(Template)]
#[template(path = "settings/profile.html")]
struct SettingsPage {
    l: Layout,
    error: Option<String>,
    saved: bool,
    display_name: String,
    bio: String,
    orcid: String,
    max_bio: usize,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn get_profile_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let p = state
        .store
        .profile(&user.username)
        .await?
        .ok_or_else(|| AppError::not_found("Your account is gone."))?;
    html(&SettingsPage {
        l: private_layout(&state.config, Some(&user), "Profile", "/settings/profile"),
        error: None,
        saved: q.saved.is_some(),
        display_name: p.user.display_name,
        bio: p.bio_markdown,
        orcid: p.orcid.unwrap_or_default(),
        max_bio: MAX_BIO_BYTES,
    })
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    orcid: String,
}

pub async fn post_profile_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let refuse = |msg: String, form: &ProfileForm| -> AppResult<Response> {
        let page = SettingsPage {
            l: private_layout(&state.config, Some(&user), "Profile", "/settings/profile"),
            error: Some(msg),
            saved: false,
            display_name: form.display_name.clone(),
            bio: form.bio.clone(),
            orcid: form.orcid.clone(),
            max_bio: MAX_BIO_BYTES,
        };
        with_status(html(&page)?, StatusCode::BAD_REQUEST)
    };
    if form.bio.len() > MAX_BIO_BYTES {
        return refuse(format!("A bio has at most {MAX_BIO_BYTES} bytes."), &form);
    }
    let bio_html = match render(&form.bio, &NoPapers) {
        Ok(r) => r.html,
        Err(e) => return refuse(format!("The bio could not be rendered: {e}"), &form),
    };
    let update = ProfileUpdate {
        display_name: form.display_name.clone(),
        bio_markdown: form.bio.clone(),
        bio_html,
        orcid: Some(form.orcid.clone()),
    };
    match state.store.update_profile(user.id, &update).await {
        Ok(()) => Ok(see_other("/settings/profile?saved=1")),
        Err(StoreError::Invalid(msg)) => refuse(msg, &form),
        Err(e) => Err(e.into()),
    }
}

pub async fn get_avatar(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> AppResult<Response> {
    let Path(username) = path.map_err(|e| AppError::bad_request(e.body_text()))?;
    let user = state
        .store
        .user_by_name(&username)
        .await?
        .ok_or_else(|| AppError::not_found("No such user."))?;
    // Seeded by the account id too, so a name taken again later draws another picture.
    let svg = identicon_svg(&format!(
        "{}#{}",
        user.id.0,
        user.username.to_ascii_lowercase()
    ));
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "user_votes.html")]
struct VotesPage {
    l: Layout,
    heading: String,
    username: String,
    liked: bool,
    summaries: Vec<SummaryItem>,
}

async fn voted(
    state: AppState,
    viewer: Option<CurrentUser>,
    username: String,
    value: i8,
) -> AppResult<Response> {
    // Only the owner: everyone else gets the same 404 as for an unknown page.
    let owner = viewer.filter(|v| v.username.eq_ignore_ascii_case(&username));
    let Some(owner) = owner else {
        return Err(AppError::not_found("There is no such page."));
    };
    let summaries = state
        .store
        .voted_summaries(owner.id, value)
        .await?
        .into_iter()
        .map(SummaryItem::from_view)
        .collect();
    let (heading, path) = if value > 0 {
        ("Summaries you liked", "liked")
    } else {
        ("Summaries you disliked", "disliked")
    };
    let url = format!("{}/{path}", user_url(&owner.username));
    html(&VotesPage {
        l: private_layout(&state.config, Some(&owner), heading, &url),
        heading: heading.to_owned(),
        username: owner.username.clone(),
        liked: value > 0,
        summaries,
    })
}

pub async fn get_liked(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    path: Result<Path<String>, PathRejection>,
) -> AppResult<Response> {
    let Path(username) = path.map_err(|e| AppError::bad_request(e.body_text()))?;
    voted(state, viewer, username, 1).await
}

pub async fn get_disliked(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    path: Result<Path<String>, PathRejection>,
) -> AppResult<Response> {
    let Path(username) = path.map_err(|e| AppError::bad_request(e.body_text()))?;
    voted(state, viewer, username, -1).await
}

pub struct DirectoryRow {
    pub username: String,
    pub display_name: String,
    pub url: String,
    pub summaries: i64,
    pub score: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    rows: Vec<DirectoryRow>,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

const DIRECTORY_PER_PAGE: u32 = 50;

pub async fn get_users(
    State(state): State<AppState>,
    viewer: Option<CurrentUser>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let page = match q.page.as_deref() {
        None | Some("") => 1,
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=10_000).contains(p))
            .ok_or_else(|| {
                AppError::bad_request(format!("page {:?} is not a page number", clip(p, 20)))
            })?,
    };
    let list = state.store.user_directory(page, DIRECTORY_PER_PAGE).await?;
    let rows = list
        .items
        .into_iter()
        .map(|e| DirectoryRow {
            url: user_url(&e.user.username),
            username: e.user.username,
            display_name: e.user.display_name,
            summaries: e.public_summaries,
            score: score_label(e.sciscore),
        })
        .collect();
    let path = if page == 1 {
        "/users".to_owned()
    } else {
        format!("/users?page={page}")
    };
    html(&UsersPage {
        l: Layout::new(
            &state.config,
            viewer.as_ref(),
            Some("Users"),
            "Authors of summaries, by their average votes per public summary.",
            &path,
            Nav::None,
        ),
        rows,
        prev: (page > 1).then(|| format!("/users?page={}", page - 1)),
        next: list.has_next.then(|| format!("/users?page={}", page + 1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_labels() {
        assert_eq!(score_label(1.0), "1");
        assert_eq!(score_label(1.25), "1.3");
        assert_eq!(score_label(-2.0), "-2");
        assert_eq!(score_label(0.0), "0");
    }
}
