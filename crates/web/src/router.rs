//! The one route table, and the middleware stack around it.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::pages::{
    about, author, cite, error, health, home, lookup, paper, random, search, summary, user, venue,
};
use crate::{AppState, assets, middleware};

/// Largest request body accepted (forms, later uploads go elsewhere).
pub const BODY_LIMIT: usize = 256 * 1024;
/// A request that takes longer is answered with 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

pub fn build(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(home::get_home))
        .route("/paper", get(lookup::get_paper_lookup))
        .route("/paper/{id}", get(paper::get_paper))
        .route("/abs/{*id}", get(lookup::get_abs))
        .route("/summary/{id}", get(summary::get_summary))
        .route("/user/{username}", get(user::get_user))
        .route("/about", get(about::get_about))
        .route("/search", get(search::get_search))
        .route("/search/typeahead", get(search::get_typeahead))
        .route("/venue/{name}", get(venue::get_venue))
        .route("/author/{name}", get(author::get_author))
        .route("/random", get(random::get_random))
        .route("/paper/{id}/cite.bib", get(cite::get_bibtex))
        .route("/paper/{id}/cite.ris", get(cite::get_ris))
        .route("/paper/{id}/cite.json", get(cite::get_csl_json))
        .route("/user/{username}/papers.bib", get(cite::get_user_bibtex))
        .route("/static/{*path}", get(assets::get_static))
        .route("/healthz", get(health::get_healthz))
        .merge(crate::pages::auth::routes())
        .merge(crate::pages::profile::routes())
        .merge(crate::pages::moderation::routes())
        .merge(crate::pages::paper_merge::routes())
        .merge(crate::api::page_routes())
        .merge(crate::feeds::routes())
        .merge(crate::pages::write::routes())
        .fallback(error::not_found)
        .with_state(state.clone());

    // The browser's Origin for forms posted from our own pages.
    let origin = state.config.base_url.trim_end_matches('/');
    let csrf = CsrfLayer::new().add_trusted_origin(origin).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "base_url is not a browser origin; CSRF checks rely on Sec-Fetch-Site");
        CsrfLayer::new()
    });

    let probes = crate::ops::probe_routes(state.clone());
    let state_for_api = state.clone();
    let cache = state.cache.clone();
    // Outermost first.
    routes
        .layer(
            ServiceBuilder::new()
                .layer(from_fn(crate::ops::request_id::track))
                .layer(from_fn(middleware::security_headers))
                // Outside compression, so a cached page is compressed once.
                .layer(from_fn_with_state(
                    cache.clone(),
                    crate::cache::serve_cached,
                ))
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
                .layer(from_fn_with_state(state.clone(), middleware::render_errors))
                .layer(middleware::catch_panics())
                .layer(from_fn_with_state(state, crate::auth::middleware))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    REQUEST_TIMEOUT,
                ))
                .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
                .layer(csrf),
        )
        .merge(probes)
        .merge(crate::api::routes(state_for_api))
        .layer(from_fn_with_state(cache, crate::cache::note_writes))
}
