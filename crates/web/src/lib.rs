//! The web face: axum router, extractors, errors, askama pages, static files.

use shortscience_store::Store;

pub mod api;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod citation;
pub mod error;
pub mod extract;
pub mod feeds;
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
    /// Mailer and rate limits.
    pub auth: auth::Auth,
    /// Live lookup of papers not yet stored (`/paper?id=`); None: unknown ids are 404s.
    pub sources: Option<shortscience_sources::Resolver>,
    /// Rendered pages for guests.
    pub cache: cache::PageCache,
}

impl AppState {
    /// The mailer follows `config.smtp_url` (logging when unset). Call inside a tokio
    /// runtime: the mail worker starts here.
    pub fn new(store: Store, config: WebConfig) -> Result<AppState, auth::mail::MailError> {
        let mailer =
            auth::mail::Mailer::from_config(config.smtp_url.as_deref(), &config.mail_from)?;
        Ok(AppState::with_mailer(store, config, mailer))
    }

    /// With a given mailer (tests use `Mailer::capture()`).
    pub fn with_mailer(store: Store, config: WebConfig, mailer: auth::mail::Mailer) -> AppState {
        AppState {
            cache: cache::PageCache::new(store.clone(), config.page_cache.clone()),
            store,
            config: std::sync::Arc::new(config),
            auth: auth::Auth::new(mailer),
            sources: None,
        }
    }

    /// Looks unknown paper ids up at their source (arXiv, Crossref, DataCite, DBLP,
    /// OpenReview) and stores what it finds.
    pub fn with_sources(mut self, resolver: shortscience_sources::Resolver) -> AppState {
        self.sources = Some(resolver);
        self
    }
}

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Public origin used in absolute links (OpenGraph, canonical), e.g. "http://127.0.0.1:8080".
    pub base_url: String,
    /// Name shown in the header and titles.
    pub site_name: String,
    /// Who may sign up.
    pub registration: auth::Registration,
    /// `smtp://[user:pass@]host[:port][?tls=required]` or `smtps://…`; None logs mail instead.
    pub smtp_url: Option<String>,
    /// Sender of the site's mail, e.g. "ShortScience <noreply@example.org>".
    pub mail_from: String,
    /// Take the client address from `X-Forwarded-For` (only behind a reverse proxy).
    pub trusted_proxy: bool,
    /// The in-memory cache of guests' pages.
    pub page_cache: cache::CacheSettings,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            base_url: "http://127.0.0.1:8080".into(),
            site_name: "ShortScience".into(),
            registration: auth::Registration::Open,
            smtp_url: None,
            mail_from: "ShortScience <noreply@localhost>".into(),
            trusted_proxy: false,
            page_cache: cache::CacheSettings::default(),
        }
    }
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
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
