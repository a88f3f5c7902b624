//! Operations: the readiness probe, request ids with one log line per request,
//! Prometheus metrics, and a shutdown that drains within a bound.
//!
//! `/healthz` (liveness) lives with the pages; `/readyz` is merged outside the page
//! middleware so its 503 stays a short text body for load balancers.

pub mod metrics;
pub mod request_id;
pub mod shutdown;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// How long `/readyz` waits for the database before calling it unreachable.
pub const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Routes that answer plain text whatever their status: `/readyz`.
pub fn probe_routes(state: AppState) -> Router {
    Router::new()
        .route("/readyz", get(get_readyz))
        .with_state(state)
}

/// `GET /readyz`: 200 when the database answers and its migrations are the ones this
/// binary ships; 503 with a one-line reason otherwise.
pub async fn get_readyz(State(state): State<AppState>) -> Response {
    let check = async {
        state.store.ping().await?;
        state.store.migrations_current().await
    };
    let (status, body) = match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(true)) => (StatusCode::OK, "ready\n"),
        Ok(Ok(false)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: database migrations differ from this binary's\n",
        ),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: database unreachable\n",
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: database did not answer in time\n",
        ),
    };
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
