//! Prometheus metrics in the text exposition format, kept by hand (a few counters and
//! one histogram do not need a metrics crate).
//!
//! Recording is always on and cheap (one short lock per request); *serving* is off by
//! default. With `metrics = true` the binary serves `GET /metrics` on its own address
//! (`metrics_bind`, loopback by default), never on the public port: behind a reverse
//! proxy every request comes from loopback, so a loopback check on the public port
//! would publish the metrics to everyone.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use shortscience_store::Store;

/// Upper bounds of the latency histogram, in seconds.
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default)]
struct Histogram {
    /// Observations at or below each bound (not cumulative; summed when written).
    counts: [u64; BUCKETS.len()],
    over: u64,
    sum: f64,
}

/// Counters for one process.
#[derive(Debug)]
pub struct Metrics {
    /// (route template, status class "2xx"…) → requests.
    requests: Mutex<BTreeMap<(String, &'static str), u64>>,
    latency: Mutex<Histogram>,
    errors: AtomicU64,
    in_flight: AtomicI64,
    started: u64,
    /// Page cache answers: hit, miss, bypass.
    cache: [AtomicU64; 3],
}

/// How the page cache answered a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    Hit = 0,
    Miss = 1,
    Bypass = 2,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: Mutex::default(),
            latency: Mutex::default(),
            errors: AtomicU64::new(0),
            in_flight: AtomicI64::new(0),
            cache: Default::default(),
            started: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }
}

/// The process's metrics, recorded by `request_id::track`.
pub fn global() -> &'static Metrics {
    static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::default);
    &METRICS
}

/// Counts a request as in flight until dropped.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

impl Metrics {
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// One finished request. `route` is a template, so the label set stays small.
    pub fn record(&self, route: &str, status: u16, elapsed: Duration) {
        let class = status_class(status);
        if status >= 500 {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(mut requests) = self.requests.lock() {
            match requests.get_mut(&(route.to_owned(), class)) {
                Some(n) => *n += 1,
                None => {
                    requests.insert((route.to_owned(), class), 1);
                }
            }
        }
        let secs = elapsed.as_secs_f64();
        if let Ok(mut h) = self.latency.lock() {
            match BUCKETS.iter().position(|&b| secs <= b) {
                Some(i) => h.counts[i] += 1,
                None => h.over += 1,
            }
            h.sum += secs;
        }
    }

    pub fn record_cache(&self, outcome: CacheOutcome) {
        self.cache[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Requests recorded for a route and status class (tests and diagnostics).
    pub fn requests(&self, route: &str, class: &str) -> u64 {
        self.requests.lock().map_or(0, |r| {
            r.iter()
                .filter(|((rt, c), _)| rt == route && *c == class)
                .map(|(_, n)| *n)
                .sum()
        })
    }

    /// The exposition text; `pool` is (connections, idle connections).
    pub fn render(&self, pool: Option<(u32, usize)>) -> String {
        let mut out = String::new();
        let w = &mut out;
        help(
            w,
            "shortscience_http_requests_total",
            "counter",
            "HTTP requests answered, by route template and status class.",
        );
        if let Ok(requests) = self.requests.lock() {
            for ((route, class), n) in requests.iter() {
                let _ = writeln!(
                    w,
                    "shortscience_http_requests_total{{route=\"{}\",status=\"{class}\"}} {n}",
                    escape_label(route)
                );
            }
        }
        help(
            w,
            "shortscience_http_request_duration_seconds",
            "histogram",
            "Time from receiving a request to its response headers.",
        );
        if let Ok(h) = self.latency.lock() {
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                cumulative += n;
                let _ = writeln!(
                    w,
                    "shortscience_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
                );
            }
            let count = cumulative + h.over;
            let _ = writeln!(
                w,
                "shortscience_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                w,
                "shortscience_http_request_duration_seconds_sum {}",
                h.sum
            );
            let _ = writeln!(
                w,
                "shortscience_http_request_duration_seconds_count {count}"
            );
        }
        help(
            w,
            "shortscience_http_errors_total",
            "counter",
            "Requests answered with a 5xx status.",
        );
        let _ = writeln!(
            w,
            "shortscience_http_errors_total {}",
            self.errors.load(Ordering::Relaxed)
        );
        help(
            w,
            "shortscience_http_requests_in_flight",
            "gauge",
            "Requests being handled now.",
        );
        let _ = writeln!(
            w,
            "shortscience_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        if let Some((size, idle)) = pool {
            help(
                w,
                "shortscience_db_pool_connections",
                "gauge",
                "Database connections the pool holds.",
            );
            let _ = writeln!(w, "shortscience_db_pool_connections {size}");
            help(
                w,
                "shortscience_db_pool_idle_connections",
                "gauge",
                "Database connections idle in the pool.",
            );
            let _ = writeln!(w, "shortscience_db_pool_idle_connections {idle}");
        }
        help(
            w,
            "shortscience_page_cache_requests_total",
            "counter",
            "Requests by how the page cache answered: hit, miss (rendered, then kept when cacheable) or bypass (signed in, not GET, or the check failed).",
        );
        for (label, n) in ["hit", "miss", "bypass"].iter().zip(&self.cache) {
            let _ = writeln!(
                w,
                "shortscience_page_cache_requests_total{{outcome=\"{label}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        help(
            w,
            "shortscience_process_start_time_seconds",
            "gauge",
            "Start time of the process, Unix seconds.",
        );
        let _ = writeln!(
            w,
            "shortscience_process_start_time_seconds {}",
            self.started
        );
        out
    }
}

fn help(w: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(w, "# HELP {name} {text}");
    let _ = writeln!(w, "# TYPE {name} {kind}");
}

/// Label values escape backslash, double quote and newline.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The metrics listener's router: `GET /metrics` and nothing else.
pub fn router(store: Store) -> Router {
    Router::new()
        .route("/metrics", get(get_metrics))
        .with_state(store)
}

/// Serves [`router`] on its own listener until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, store: Store) {
    if let Err(e) = axum::serve(listener, router(store)).await {
        tracing::error!(error = %e, "the metrics listener stopped");
    }
}

async fn get_metrics(State(store): State<Store>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        global().render(Some(store.pool_size())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_route_and_class() {
        let m = Metrics::default();
        m.record("/paper/{id}", 200, Duration::from_millis(3));
        m.record("/paper/{id}", 200, Duration::from_millis(30));
        m.record("/paper/{id}", 404, Duration::from_millis(2));
        m.record("unmatched", 503, Duration::from_secs(20));
        assert_eq!(m.requests("/paper/{id}", "2xx"), 2);
        assert_eq!(m.requests("/paper/{id}", "4xx"), 1);
        let text = m.render(Some((4, 3)));
        assert!(text.contains(
            "shortscience_http_requests_total{route=\"/paper/{id}\",status=\"2xx\"} 2\n"
        ));
        assert!(text.contains("shortscience_http_errors_total 1\n"));
        // Cumulative buckets: 2 at or under 5 ms, 3 under 50 ms, 4 in all.
        assert!(
            text.contains("duration_seconds_bucket{le=\"0.005\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("duration_seconds_bucket{le=\"0.05\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("duration_seconds_bucket{le=\"10\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("duration_seconds_bucket{le=\"+Inf\"} 4\n"),
            "{text}"
        );
        assert!(text.contains("duration_seconds_count 4\n"));
        assert!(text.contains("shortscience_db_pool_connections 4\n"));
        assert!(text.contains("shortscience_db_pool_idle_connections 3\n"));
    }

    #[test]
    fn every_sample_line_is_well_formed() {
        let m = Metrics::default();
        m.record("/a\"b\\c\nd", 301, Duration::from_millis(1));
        let _in_flight = m.start();
        for line in m.render(None).lines() {
            if line.starts_with('#') {
                assert!(
                    line.starts_with("# HELP ") || line.starts_with("# TYPE "),
                    "{line}"
                );
                continue;
            }
            let (name, value) = line.rsplit_once(' ').expect("name value");
            assert!(value.parse::<f64>().is_ok(), "{line}");
            assert!(name.starts_with("shortscience_"), "{line}");
            assert!(!name.contains('\n'));
        }
        assert!(m.render(None).contains("route=\"/a\\\"b\\\\c\\nd\""));
        assert!(
            m.render(None)
                .contains("shortscience_http_requests_in_flight 1\n")
        );
    }
}
