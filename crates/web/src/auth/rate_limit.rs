//! In-memory token buckets, per client address and per account. A refused request
//! gets an honest `429 Too Many Requests` with `Retry-After` and an HTML page.
//!
//! Limits live in one process: behind several replicas each counts on its own, which
//! only makes the limits looser by the number of replicas.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::{client_ip, session_token};
use crate::error::ErrorPage;

/// Past this many keys, full buckets (indistinguishable from absent ones) are dropped.
const PRUNE_AT: usize = 10_000;

/// One limit: `burst` requests at once, refilled evenly over `per`.
pub struct RateLimiter {
    burst: f64,
    per_token: Duration,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub fn new(burst: u32, per: Duration) -> RateLimiter {
        let burst = burst.max(1);
        RateLimiter {
            burst: f64::from(burst),
            per_token: per / burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; `Err(wait)` when none is left.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    /// Whether `key` has a token left, without taking it (for limits that count only
    /// failures: peek first, [`RateLimiter::check`] after a failure).
    pub fn peek(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        match buckets.get(key).map(|b| self.refill(*b, now)) {
            Some(b) if b.tokens < 1.0 => Err(self.per_token.mul_f64(1.0 - b.tokens)),
            _ => Ok(()),
        }
    }

    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= PRUNE_AT {
            buckets.retain(|_, b| self.refill(*b, now).tokens < self.burst);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        *bucket = self.refill(*bucket, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(self.per_token.mul_f64(1.0 - bucket.tokens))
        }
    }

    fn refill(&self, b: Bucket, now: Instant) -> Bucket {
        let elapsed = now.saturating_duration_since(b.at);
        let gained = elapsed.as_secs_f64() / self.per_token.as_secs_f64().max(f64::MIN_POSITIVE);
        Bucket {
            tokens: (b.tokens + gained).min(self.burst),
            at: now,
        }
    }
}

/// Every limit the site applies.
pub struct Limits {
    pub login_ip: RateLimiter,
    /// Counts failed password checks only (peek before, take after a failure).
    pub login_account: RateLimiter,
    pub signup_ip: RateLimiter,
    pub reset_ip: RateLimiter,
    pub reset_account: RateLimiter,
    pub write_ip: RateLimiter,
    pub write_session: RateLimiter,
}

impl Default for Limits {
    fn default() -> Self {
        const MIN: Duration = Duration::from_secs(60);
        Limits {
            login_ip: RateLimiter::new(20, 10 * MIN),
            login_account: RateLimiter::new(5, 15 * MIN),
            signup_ip: RateLimiter::new(5, 60 * MIN),
            reset_ip: RateLimiter::new(5, 60 * MIN),
            reset_account: RateLimiter::new(3, 60 * MIN),
            write_ip: RateLimiter::new(60, MIN),
            write_session: RateLimiter::new(30, MIN),
        }
    }
}

/// The 429 page, with `Retry-After` in whole seconds (at least 1).
pub fn too_many_requests(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    let when = if secs < 90 {
        format!("{secs} seconds")
    } else {
        format!("{} minutes", secs.div_ceil(60))
    };
    let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response.extensions_mut().insert(ErrorPage {
        heading: "Too many requests".into(),
        message: format!(
            "Too many attempts from here in a short time. Please wait {when} and try again."
        ),
    });
    response
}

/// Checks several limits in order; the first refusal (how long to wait) wins.
pub fn check_all(checks: &[(&RateLimiter, &str)]) -> Result<(), Duration> {
    for (limiter, key) in checks {
        limiter.check(key)?;
    }
    Ok(())
}

/// Every request that can change something (anything but GET, HEAD and OPTIONS)
/// counts against its client address and, when signed in, its session. `Err` says
/// how long to wait.
pub fn limit_write(state: &AppState, request: &Request) -> Result<(), Duration> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(());
    }
    // Live previews change nothing and come often while typing: they have their own limit.
    if crate::pages::write::is_preview_path(request.uri().path()) {
        return Ok(());
    }
    let ip = client_ip(request.headers(), request.extensions(), &state.config)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let limits = &state.auth.limits;
    limits.write_ip.check(&ip)?;
    if let Some(token) = session_token(request.headers()) {
        // Keyed by the secret's hash, so the limiter's memory holds no live secrets.
        let key = shortscience_store::tokens::token_hash(&token);
        limits.write_session.check(&key)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills() {
        let l = RateLimiter::new(3, Duration::from_secs(30));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check_at("a", t0).is_ok());
        }
        let wait = l.check_at("a", t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        // Other keys have their own bucket.
        assert!(l.check_at("b", t0).is_ok());
        // One token back after a third of the period.
        assert!(l.check_at("a", t0 + Duration::from_secs(5)).is_err());
        assert!(l.check_at("a", t0 + Duration::from_secs(10)).is_ok());
        assert!(l.check_at("a", t0 + Duration::from_secs(10)).is_err());
        // Never more than the burst, however long the pause.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(l.check_at("a", later).is_ok());
        }
        assert!(l.check_at("a", later).is_err());
    }

    #[test]
    fn peeking_takes_nothing() {
        let l = RateLimiter::new(1, Duration::from_secs(60));
        assert!(l.peek("a").is_ok());
        assert!(l.peek("a").is_ok());
        l.check("a").unwrap();
        assert!(l.peek("a").is_err());
    }

    #[test]
    fn the_page_says_when_to_retry() {
        let r = too_many_requests(Duration::from_millis(1500));
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "2");
        let page = r.extensions().get::<ErrorPage>().unwrap();
        assert!(page.message.contains("2 seconds"), "{}", page.message);
        let r = too_many_requests(Duration::from_secs(600));
        assert_eq!(r.headers()[header::RETRY_AFTER], "600");
        assert!(
            r.extensions()
                .get::<ErrorPage>()
                .unwrap()
                .message
                .contains("10 minutes")
        );
    }

    #[test]
    fn pruning_keeps_only_spent_buckets() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..PRUNE_AT {
            l.check_at(&format!("k{i}"), t0).unwrap();
        }
        l.check_at("spent", t0).unwrap();
        l.check_at("spent", t0).unwrap();
        // Much later every bucket is full again and can go.
        l.check_at("fresh", t0 + Duration::from_secs(600)).unwrap();
        assert!(l.buckets.lock().unwrap().len() < 10);
    }
}
