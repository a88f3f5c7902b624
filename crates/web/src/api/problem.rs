//! Errors as `application/problem+json` (RFC 9457). Every kind has a stable `type`,
//! a path under `/problems/` on this site that the API reference documents.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shortscience_store::StoreError;

use crate::error::AppError;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// The kinds of error the API answers with; each has its own `type` and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    BadRequest,
    MalformedJson,
    InvalidBody,
    UnsupportedMediaType,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    TooLarge,
    RateLimited,
    Unavailable,
    Internal,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::BadRequest,
        Kind::MalformedJson,
        Kind::InvalidBody,
        Kind::UnsupportedMediaType,
        Kind::Unauthorized,
        Kind::Forbidden,
        Kind::NotFound,
        Kind::MethodNotAllowed,
        Kind::Conflict,
        Kind::TooLarge,
        Kind::RateLimited,
        Kind::Unavailable,
        Kind::Internal,
    ];

    /// The last segment of the `type` URL.
    pub fn slug(self) -> &'static str {
        match self {
            Kind::BadRequest => "bad-request",
            Kind::MalformedJson => "malformed-json",
            Kind::InvalidBody => "invalid-body",
            Kind::UnsupportedMediaType => "unsupported-media-type",
            Kind::Unauthorized => "unauthorized",
            Kind::Forbidden => "forbidden",
            Kind::NotFound => "not-found",
            Kind::MethodNotAllowed => "method-not-allowed",
            Kind::Conflict => "conflict",
            Kind::TooLarge => "too-large",
            Kind::RateLimited => "rate-limited",
            Kind::Unavailable => "unavailable",
            Kind::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Kind::BadRequest | Kind::MalformedJson => StatusCode::BAD_REQUEST,
            Kind::InvalidBody => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::Unauthorized => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::BadRequest => "Bad request",
            Kind::MalformedJson => "Malformed JSON",
            Kind::InvalidBody => "Invalid request body",
            Kind::UnsupportedMediaType => "Unsupported media type",
            Kind::Unauthorized => "Unauthorized",
            Kind::Forbidden => "Forbidden",
            Kind::NotFound => "Not found",
            Kind::MethodNotAllowed => "Method not allowed",
            Kind::Conflict => "Conflict",
            Kind::TooLarge => "Request too large",
            Kind::RateLimited => "Too many requests",
            Kind::Unavailable => "Service unavailable",
            Kind::Internal => "Internal error",
        }
    }

    /// When a client sees it, in the reference's words.
    pub fn meaning(self) -> &'static str {
        match self {
            Kind::BadRequest => "A path segment or query parameter is malformed or out of range.",
            Kind::MalformedJson => "The body is not syntactically valid JSON.",
            Kind::InvalidBody => {
                "The JSON has a field of the wrong type, lacks a required field, has an unknown one, or a value the site refuses."
            }
            Kind::UnsupportedMediaType => {
                "A body was sent without `Content-Type: application/json`."
            }
            Kind::Unauthorized => {
                "The operation needs a token, or the `Authorization` header holds a malformed, unknown or revoked one."
            }
            Kind::Forbidden => "The token is valid but its scope or its account may not do this.",
            Kind::NotFound => "Nothing visible to you exists at this address.",
            Kind::MethodNotAllowed => "The address exists but does not accept this method.",
            Kind::Conflict => {
                "The change clashes with what exists (e.g. you already summarised the paper)."
            }
            Kind::TooLarge => "The body is larger than the API accepts.",
            Kind::RateLimited => {
                "Too many requests in a short time; wait for `Retry-After` seconds."
            }
            Kind::Unavailable => "The database is busy or down; try again shortly.",
            Kind::Internal => "Our fault; it has been logged.",
        }
    }

    pub fn type_url(self) -> String {
        format!("/problems/{}", self.slug())
    }

    fn for_status(status: StatusCode) -> Kind {
        Kind::ALL
            .into_iter()
            .find(|k| k.status() == status)
            .unwrap_or(if status.is_server_error() {
                Kind::Internal
            } else {
                Kind::BadRequest
            })
    }
}

/// The body of a problem response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_url: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

/// An API handler's error.
#[derive(Debug)]
pub struct ApiError {
    pub kind: Kind,
    pub detail: String,
    pub retry_after: Option<Duration>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(kind: Kind, detail: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            detail: detail.into(),
            retry_after: None,
        }
    }
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(Kind::BadRequest, detail)
    }
    pub fn invalid(detail: impl Into<String>) -> ApiError {
        ApiError::new(Kind::InvalidBody, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(Kind::NotFound, detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> ApiError {
        ApiError::new(Kind::Unauthorized, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(Kind::Forbidden, detail)
    }
    pub fn rate_limited(wait: Duration) -> ApiError {
        ApiError {
            kind: Kind::RateLimited,
            detail: "Too many requests from here; retry after the Retry-After seconds.".into(),
            retry_after: Some(wait),
        }
    }
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "API request failed");
        ApiError::new(
            Kind::Internal,
            "The server could not complete this request.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ApiError::not_found("Nothing visible to you exists here."),
            StoreError::Invalid(msg) => ApiError::invalid(msg),
            db if db.is_unavailable() => {
                tracing::warn!(error = %db, "database unavailable");
                ApiError::new(Kind::Unavailable, "The database is unavailable; try again.")
            }
            db => ApiError::internal(db),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::BadRequest(m) => ApiError::bad_request(m),
            AppError::NotFound(m) => ApiError::not_found(m),
            AppError::Forbidden(m) => ApiError::forbidden(m),
            AppError::Internal(e) => ApiError::internal(e),
        }
    }
}

/// A problem response for `kind`.
pub fn response(kind: Kind, detail: &str, retry_after: Option<Duration>) -> Response {
    let problem = Problem {
        type_url: kind.type_url(),
        title: kind.title().to_owned(),
        status: kind.status().as_u16(),
        detail: detail.to_owned(),
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut r = (kind.status(), body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Some(wait) = retry_after {
        let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        response(self.kind, &self.detail, self.retry_after)
    }
}

/// Middleware: error statuses that other layers answered without a problem document
/// (unknown routes, wrong methods, body limits, timeouts) get one, keeping their headers.
pub async fn ensure_problems(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if status.as_u16() < 400 || is_problem(&response) {
        return response;
    }
    let kind = Kind::for_status(status);
    let detail = match kind {
        Kind::NotFound => "There is no API operation at this address; see /api/v1/openapi.json.",
        Kind::MethodNotAllowed => "This address does not accept that method; see the Allow header.",
        Kind::TooLarge => "The request body is larger than the API accepts.",
        Kind::Unavailable => "The server took too long to answer; try again.",
        _ => kind.title(),
    };
    let (parts, _) = response.into_parts();
    let mut fresh = response_with_status(kind, detail, status);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.headers_mut().append(name.clone(), value.clone());
        }
    }
    fresh
}

fn response_with_status(kind: Kind, detail: &str, status: StatusCode) -> Response {
    let mut r = response(kind, detail, None);
    *r.status_mut() = status;
    if status != kind.status() {
        // Keep the body honest about the status actually sent.
        let problem = Problem {
            type_url: kind.type_url(),
            title: kind.title().to_owned(),
            status: status.as_u16(),
            detail: detail.to_owned(),
        };
        *r.body_mut() = Body::from(serde_json::to_vec(&problem).unwrap_or_default());
    }
    r
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(CONTENT_TYPE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_type_and_a_status_of_its_class() {
        let mut slugs: Vec<&str> = Kind::ALL.iter().map(|k| k.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), Kind::ALL.len());
        for k in Kind::ALL {
            let s = k.status().as_u16();
            assert!((400..600).contains(&s), "{k:?}");
            assert_eq!(Kind::for_status(k.status()).status(), k.status(), "{k:?}");
        }
    }

    #[test]
    fn store_errors_become_problems() {
        assert_eq!(ApiError::from(StoreError::NotFound).kind, Kind::NotFound);
        assert_eq!(
            ApiError::from(StoreError::Invalid("empty".into())).kind,
            Kind::InvalidBody
        );
        let down = ApiError::from(StoreError::Db(sqlx::Error::PoolTimedOut));
        assert_eq!(down.kind, Kind::Unavailable);
        let hidden = ApiError::from(StoreError::Db(sqlx::Error::RowNotFound));
        assert_eq!(hidden.kind, Kind::Internal);
        assert!(!hidden.detail.contains("row"), "{}", hidden.detail);
    }

    #[test]
    fn responses_carry_the_media_type_and_retry_after() {
        let r = ApiError::rate_limited(Duration::from_millis(1200)).into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::CONTENT_TYPE], CONTENT_TYPE);
        assert_eq!(r.headers()[header::RETRY_AFTER], "2");
    }
}
