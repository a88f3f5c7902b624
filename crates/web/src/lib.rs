//! The web face: axum router, extractors, errors, askama pages, static files.

use shortscience_store::Store;

pub mod assets;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod ops;
pub mod pages;
pub mod publish;
mod router;
pub mod view;

pub use error::{AppError, AppResult};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: std::sync::Arc<WebConfig>,
}

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Public origin used in absolute links (OpenGraph, canonical), e.g. "http://127.0.0.1:8080".
    pub base_url: String,
    /// Name shown in the header and titles.
    pub site_name: String,
}

/// The whole site: one route table, middleware (compression, limits, timeouts,
/// security headers, CSRF), static assets.
pub fn router(state: AppState) -> axum::Router {
    router::build(state)
}

/// Serve until `shutdown` resolves, then drain in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
