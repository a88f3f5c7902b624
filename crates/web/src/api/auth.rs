//! `Authorization: Bearer ss_…`: personal API tokens. The API never reads the session
//! cookie, so a browser's ambient login cannot be used against it (no CSRF surface).
//! Secrets are never logged; a bad one is a 401 whatever the operation.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use shortscience_ids::UserId;
use shortscience_store::TokenScope;

use super::problem::ApiError;
use crate::AppState;
use crate::auth::CurrentUser;

/// The account behind the request's token, if it sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUser {
    pub user: CurrentUser,
    pub scope: TokenScope,
}

/// The optional token of a read (a malformed, unknown or revoked one is refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token(pub Option<ApiUser>);

impl Token {
    pub fn viewer(&self) -> Option<UserId> {
        self.0.as_ref().map(|u| u.user.id)
    }
}

/// A token with the `write` scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer(pub CurrentUser);

/// A token of any scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader(pub ApiUser);

/// The secret of a `Bearer` Authorization header; Err when the header is present but
/// not of that form.
pub fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| malformed())?;
    let (scheme, secret) = text.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") || secret.trim().is_empty() {
        return Err(malformed());
    }
    Ok(Some(secret.trim()))
}

fn malformed() -> ApiError {
    ApiError::unauthorized(
        "The Authorization header must be `Bearer ss_…` with a personal API token.",
    )
}

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<ApiUser>, ApiError> {
    if let Some(done) = parts.extensions.get::<Token>() {
        return Ok(done.0.clone());
    }
    let user = match bearer(parts)? {
        None => None,
        Some(secret) => {
            let (account, scope) = state.store.api_token_user(secret).await?.ok_or_else(|| {
                ApiError::unauthorized("This token is unknown or has been revoked.")
            })?;
            Some(ApiUser {
                user: CurrentUser::from(account),
                scope,
            })
        }
    };
    parts.extensions.insert(Token(user.clone()));
    Ok(user)
}

impl FromRequestParts<AppState> for Token {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        resolve(parts, state).await.map(Token)
    }
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        resolve(parts, state)
            .await?
            .map(Reader)
            .ok_or_else(|| ApiError::unauthorized("This operation needs a personal API token."))
    }
}

impl FromRequestParts<AppState> for Writer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Reader(u) = Reader::from_request_parts(parts, state).await?;
        match u.scope {
            TokenScope::Write => Ok(Writer(u.user)),
            TokenScope::Read => Err(ApiError::forbidden(
                "This token may only read; create one with the write scope.",
            )),
        }
    }
}
