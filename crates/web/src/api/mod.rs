//! The JSON API under `/api/v1`: one route table ([`spec::OPERATIONS`]) serves the
//! operations and generates the OpenAPI 3.1 document; errors are RFC 9457 problem
//! documents; reads allow any origin (CORS), writes need a personal token.
//!
//! This router sits outside the HTML pages' middleware (which would turn its error
//! responses into HTML pages) and brings its own: request ids, security headers, body
//! limit, timeout, rate limits, CORS and problem documents for every error.

pub mod auth;
pub mod cursor;
pub mod problem;
pub mod reads;
pub mod reference;
pub mod settings;
pub mod spec;
pub mod takeout;
pub mod types;
pub mod writes;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

use self::auth::Reader;
use self::problem::{ApiError, ApiResult, Kind};
use self::types::{LicenceOut, MeOut};
use crate::AppState;
use crate::auth::client_ip;
use crate::auth::rate_limit::RateLimiter;

/// Largest JSON body accepted (a summary's source is far smaller).
pub const API_BODY_LIMIT: usize = 256 * 1024;
/// Requests that take longer are answered 503.
pub const API_TIMEOUT: Duration = Duration::from_secs(15);

/// Per-process request budgets for the API.
pub struct ApiLimits {
    /// Every request, per client address.
    pub per_ip: RateLimiter,
    /// Writes, per token.
    pub writes: RateLimiter,
}

impl Default for ApiLimits {
    fn default() -> Self {
        ApiLimits {
            per_ip: RateLimiter::new(1200, Duration::from_secs(60)),
            writes: RateLimiter::new(600, Duration::from_secs(60)),
        }
    }
}

/// The API's routes, ready to merge into the site's router.
pub fn routes(state: AppState) -> Router {
    routes_with(state, Arc::new(ApiLimits::default()))
}

pub fn routes_with(state: AppState, limits: Arc<ApiLimits>) -> Router {
    let mut by_path: BTreeMap<&str, MethodRouter<AppState>> = BTreeMap::new();
    for op in spec::OPERATIONS {
        let handler = (op.handler)();
        let merged = match by_path.remove(op.path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(op.path, merged);
    }
    let mut v1 = Router::new().route("/openapi.json", get(get_openapi));
    for (path, methods) in by_path {
        v1 = v1.route(path, methods);
    }
    let v1 = v1
        .fallback(|| async {
            ApiError::not_found(
                "There is no API operation at this address; see /api/v1/openapi.json.",
            )
        })
        .with_state(state.clone());

    Router::new().nest("/api/v1", v1).layer(
        ServiceBuilder::new()
            .layer(from_fn(crate::ops::request_id::track))
            .layer(from_fn(crate::middleware::security_headers))
            .layer(from_fn(problem::ensure_problems))
            .layer(crate::middleware::catch_panics())
            .layer(from_fn(cors))
            .layer(from_fn(move |req: Request, next: Next| {
                let limits = limits.clone();
                let state = state.clone();
                async move { limit(&state, &limits, req, next).await }
            }))
            .layer(CompressionLayer::new())
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                API_TIMEOUT,
            ))
            .layer(DefaultBodyLimit::max(API_BODY_LIMIT)),
    )
}

/// Reads may come from any origin (no credentials: the API ignores cookies). A browser's
/// preflight is answered for reads only, so cross-origin pages cannot write.
async fn cors(request: Request, next: Next) -> Response {
    let is_preflight = request.method() == Method::OPTIONS
        && request.headers().contains_key(header::ORIGIN)
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if is_preflight {
        let wants_read = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|m| m == "GET" || m == "HEAD");
        if !wants_read {
            return problem::response(
                Kind::Forbidden,
                "Cross-origin writes are not allowed; call the API from a server with a token.",
                None,
            );
        }
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        return r;
    }
    let read = matches!(*request.method(), Method::GET | Method::HEAD);
    let mut response = next.run(request).await;
    if read {
        let h = response.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After, Location, X-Request-Id"),
        );
    }
    response
}

async fn limit(state: &AppState, limits: &ApiLimits, request: Request, next: Next) -> Response {
    let ip = client_ip(request.headers(), request.extensions(), &state.config)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    if let Err(wait) = limits.per_ip.check(&ip) {
        return ApiError::rate_limited(wait).into_response();
    }
    let write = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if write {
        // Keyed by the secret's hash, so the limiter holds no live secrets.
        let key = request
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| shortscience_store::tokens::token_hash(&String::from_utf8_lossy(v.as_bytes())))
            .unwrap_or_else(|| format!("ip:{ip}"));
        if let Err(wait) = limits.writes.check(&key) {
            return ApiError::rate_limited(wait).into_response();
        }
    }
    next.run(request).await
}

async fn get_openapi(State(state): State<AppState>) -> Response {
    let doc = spec::openapi(&state.config.base_url, &state.config.site_name);
    let mut r = Json(doc).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}

/// `GET /api/v1/me`.
pub async fn get_me(State(state): State<AppState>, Reader(who): Reader) -> ApiResult<Json<MeOut>> {
    let licence = state.store.licence_of(who.user.id).await?;
    Ok(Json(MeOut {
        username: who.user.username,
        display_name: who.user.display_name,
        scope: who.scope.as_str(),
        licence: LicenceOut::from(licence),
    }))
}

/// The HTML pages that go with the API: the reference, problem types, token and data
/// settings. Merged among the site's pages (their middleware, HTML errors, CSRF checks).
pub fn page_routes() -> Router<AppState> {
    use axum::routing::post;
    Router::new()
        .route("/api", get(reference::get_reference))
        .route("/problems/{kind}", get(reference::get_problem))
        .route(
            "/settings/tokens",
            get(settings::get_tokens).post(settings::post_tokens),
        )
        .route(
            "/settings/tokens/{id}/revoke",
            post(settings::post_revoke_token),
        )
        .route("/settings/data", get(settings::get_data))
        .route("/settings/licence", post(settings::post_licence))
        .route("/settings/takeout.zip", get(takeout::get_settings_takeout))
}
