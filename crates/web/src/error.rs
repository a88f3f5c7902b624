//! One error type for handlers. Responses carry an [`ErrorPage`] extension and no body;
//! `middleware::render_errors` (which knows the site's name) turns it into the HTML page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shortscience_store::StoreError;

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong; the message says how, in words a visitor understands.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Names what was looked for ("No paper is known here for arXiv:…").
    #[error("not found: {0}")]
    NotFound(String),
    /// Signed in, but not allowed to do this; the message says why.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Our fault. Logged with its cause; the visitor sees a generic message.
    #[error("internal error: {0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        AppError::BadRequest(msg.into())
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }
    pub fn forbidden(msg: impl Into<String>) -> Self {
        AppError::Forbidden(msg.into())
    }
    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError::Internal(err.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            // The database is down, full or restarting: tell the visitor to retry.
            AppError::Internal(cause)
                if cause
                    .downcast_ref::<StoreError>()
                    .is_some_and(StoreError::is_unavailable) =>
            {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::not_found("That page does not exist."),
            StoreError::Invalid(msg) => AppError::BadRequest(msg),
            db @ StoreError::Db(_) => AppError::internal(db),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> Self {
        AppError::internal(err)
    }
}

/// What the error page shows. Attached to a body-less response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPage {
    pub heading: String,
    pub message: String,
}

impl ErrorPage {
    /// The standard page for a status that came without an explanation
    /// (router 404/405, CSRF 403, timeouts, body limits).
    pub fn for_status(status: StatusCode) -> ErrorPage {
        let (heading, message) = match status.as_u16() {
            400 => ("Bad request", "The request could not be understood."),
            403 => (
                "Forbidden",
                "This request was refused. Forms must be sent from this site's own pages.",
            ),
            404 => ("Page not found", "There is nothing at this address."),
            405 => (
                "Method not allowed",
                "This address does not accept that kind of request.",
            ),
            408 => ("Request timeout", "The request took too long to arrive."),
            413 => (
                "Request too large",
                "The request body is larger than this site accepts.",
            ),
            503 => (
                "Service unavailable",
                "The server took too long to answer. Please try again in a moment.",
            ),
            s if s >= 500 => (
                "Something went wrong",
                "The server could not complete this request. It has been logged.",
            ),
            _ => ("Request failed", "The request could not be completed."),
        };
        ErrorPage {
            heading: heading.to_owned(),
            message: message.to_owned(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let page = match self {
            AppError::BadRequest(message) => ErrorPage {
                heading: "Bad request".into(),
                message,
            },
            AppError::NotFound(message) => ErrorPage {
                heading: "Not found".into(),
                message,
            },
            AppError::Forbidden(message) => ErrorPage {
                heading: "Not allowed".into(),
                message,
            },
            AppError::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                ErrorPage::for_status(status)
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_map_to_statuses() {
        assert_eq!(
            AppError::from(StoreError::NotFound).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            AppError::from(StoreError::Invalid("no".into())).status(),
            StatusCode::BAD_REQUEST
        );
        let db = StoreError::Db(sqlx::Error::RowNotFound);
        assert_eq!(
            AppError::from(db).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let down = StoreError::Db(sqlx::Error::PoolTimedOut);
        assert_eq!(
            AppError::from(down).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let response =
            AppError::internal("SELECT * FROM secret_table at /var/lib/db").into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let page = response
            .extensions()
            .get::<ErrorPage>()
            .expect("page attached");
        assert!(!page.message.contains("secret_table"));
        assert!(!page.heading.contains("secret_table"));
    }

    #[test]
    fn not_found_keeps_its_message() {
        let response = AppError::not_found("No paper arXiv:1234.5678").into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let page = response
            .extensions()
            .get::<ErrorPage>()
            .expect("page attached");
        assert_eq!(page.message, "No paper arXiv:1234.5678");
    }
}
