//! Request ids and the one log line per request.
//!
//! An incoming `X-Request-Id` is kept when it is short and plain (so a proxy's id links
//! its logs to ours); otherwise a new one is made. It goes on the response and into the
//! `request` span that every log line of the request carries.
//!
//! The log line holds the method, the route *template* (`/summary/{id}`), the status and
//! the time taken — never the query string, headers, cookies or body, where tokens and
//! passwords travel.

use std::hash::{BuildHasher, RandomState};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use super::metrics;

pub const HEADER: &str = "x-request-id";
/// Longest id taken from a client.
pub const MAX_LEN: usize = 64;

/// The id given to this request, as a request extension (handlers may log or show it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// A client's id is kept when it is 1–64 characters of letters, digits and `-_.:`.
pub fn is_sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// 16 hex digits: a per-process keyed hash of a counter, so ids never repeat within a
/// process and are not guessable across restarts.
pub fn new_id() -> String {
    static KEY: LazyLock<RandomState> = LazyLock::new(RandomState::new);
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:016x}", KEY.hash_one(n))
}

/// Outermost middleware: id, span, metrics and the request log line.
pub async fn track(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v))
        .map_or_else(new_id, str::to_owned);
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().clone();
    request.extensions_mut().insert(RequestId(id.clone()));

    let span = tracing::info_span!("request", request_id = %id);
    let started = Instant::now();
    let in_flight = metrics::global().start();
    let mut response = next.run(request).instrument(span.clone()).await;
    drop(in_flight);
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    metrics::global().record(&route, status, elapsed);

    let ms = elapsed.as_secs_f64() * 1000.0;
    span.in_scope(|| {
        // Probes would drown everything else at info.
        if route == "/healthz" {
            tracing::debug!(%method, route, status, ms, "request");
        } else if status >= 500 {
            tracing::warn!(%method, route, status, ms, "request");
        } else {
            tracing::info!(%method, route, status, ms, "request");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_are_short_and_plain() {
        assert!(is_sane("abc-123_x.y:z"));
        assert!(is_sane(&"a".repeat(MAX_LEN)));
        assert!(!is_sane(""));
        assert!(!is_sane(&"a".repeat(MAX_LEN + 1)));
        assert!(!is_sane("has space"));
        assert!(!is_sane("new\nline"));
        assert!(!is_sane("quote\"d"));
        assert!(!is_sane("é"));
    }

    #[test]
    fn new_ids_are_sane_and_distinct() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| is_sane(id) && id.len() == 16));
    }
}
