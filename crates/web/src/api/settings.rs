//! Settings for the API and for the user's data: personal tokens (`/settings/tokens`),
//! the licence of new summaries and the takeout download (`/settings/data`).

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use shortscience_store::{ApiToken, Licence, MAX_TOKEN_NAME, TokenScope};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::auth::{private_layout, see_other};
use crate::pages::html;
use crate::view::{Date, Layout};

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub scope: &'static str,
    pub created: Date,
    pub last_used: Option<Date>,
    pub revoked: Option<Date>,
}

impl TokenRow {
    fn new(t: ApiToken) -> TokenRow {
        TokenRow {
            id: t.id,
            name: t.name,
            scope: t.scope.as_str(),
            created: Date::from_unix(t.created_at),
            last_used: t.last_used_at.map(Date::from_unix),
            revoked: t.revoked_at.map(Date::from_unix),
        }
    }
}

#[derive(Template)]
#[template(path = "settings/tokens.html")]
struct TokensPage {
    l: Layout,
    tokens: Vec<TokenRow>,
    /// A token just created: its secret, shown this once.
    new_secret: Option<String>,
    error: Option<String>,
    max_name: usize,
}

async fn tokens_page(
    state: &AppState,
    user: &CurrentUser,
    new_secret: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let tokens = state
        .store
        .api_tokens(user.id)
        .await?
        .into_iter()
        .map(TokenRow::new)
        .collect();
    let mut r = html(&TokensPage {
        l: private_layout(&state.config, Some(user), "API tokens", "/settings/tokens"),
        tokens,
        new_secret,
        error,
        max_name: MAX_TOKEN_NAME,
    })?;
    // The page may hold a secret: never cache it.
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

pub async fn get_tokens(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    tokens_page(&state, &user, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct NewTokenForm {
    name: String,
    scope: String,
}

pub async fn post_tokens(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<Form<NewTokenForm>, FormRejection>,
) -> AppResult<Response> {
    let Form(form) = form.map_err(|e| AppError::bad_request(e.body_text()))?;
    let scope = match TokenScope::parse(&form.scope) {
        Ok(s) => s,
        Err(e) => return tokens_page(&state, &user, None, Some(e.to_string())).await,
    };
    match state
        .store
        .create_api_token(user.id, &form.name, scope)
        .await
    {
        Ok((_, secret)) => tokens_page(&state, &user, Some(secret), None).await,
        Err(shortscience_store::StoreError::Invalid(msg)) => {
            tokens_page(&state, &user, None, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn post_revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    id: Result<Path<i64>, PathRejection>,
) -> AppResult<Response> {
    let Path(id) = id.map_err(|e| AppError::bad_request(e.body_text()))?;
    if !state.store.revoke_api_token(user.id, id).await? {
        return Err(AppError::not_found(
            "You have no live token with that number.",
        ));
    }
    Ok(see_other("/settings/tokens"))
}

pub struct LicenceChoice {
    pub id: &'static str,
    pub name: &'static str,
    pub url: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "settings/data.html")]
struct DataPage {
    l: Layout,
    licences: Vec<LicenceChoice>,
    saved: bool,
}

#[derive(Debug, Deserialize)]
pub struct DataQuery {
    saved: Option<String>,
}

pub async fn get_data(
    State(state): State<AppState>,
    user: CurrentUser,
    q: Result<axum::extract::Query<DataQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Response> {
    let saved = q.is_ok_and(|axum::extract::Query(q)| q.saved.is_some());
    let current = state.store.licence_of(user.id).await?;
    html(&DataPage {
        l: private_layout(&state.config, Some(&user), "Your data", "/settings/data"),
        licences: Licence::ALL
            .into_iter()
            .map(|l| LicenceChoice {
                id: l.as_str(),
                name: l.name(),
                url: l.url(),
                current: l == current,
            })
            .collect(),
        saved,
    })
}

#[derive(Debug, Deserialize)]
pub struct LicenceForm {
    licence: String,
}

pub async fn post_licence(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<Form<LicenceForm>, FormRejection>,
) -> AppResult<Response> {
    let Form(form) = form.map_err(|e| AppError::bad_request(e.body_text()))?;
    let licence = Licence::parse(&form.licence)?;
    state.store.set_licence(user.id, licence).await?;
    Ok(see_other("/settings/data?saved=1"))
}
