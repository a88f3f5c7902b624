//! Live lookups: one HTTP client with timeouts and retries, a source per service, and
//! the [`Resolver`] that routes an identifier to the service that owns it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use shortscience_ids::{IdKind, PaperRef};
use tokio::time::Instant;

use crate::text::{encode_path, encode_query};
use crate::{
    MetadataSource, Record, SourceError, parse_arxiv_atom, parse_crossref_work, parse_datacite_doi,
    parse_dblp_record_xml, parse_openreview_note,
};

/// Largest response body read; metadata answers are a few kilobytes.
const MAX_BODY: usize = 8 << 20;

/// Where and how to look papers up. `Default` gives the public services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcesConfig {
    /// arXiv API (`{base}/api/query?id_list=…`).
    pub arxiv_base: String,
    /// Crossref REST API (`{base}/works/{doi}`).
    pub crossref_base: String,
    /// DataCite REST API (`{base}/dois/{doi}`).
    pub datacite_base: String,
    /// DBLP (`{base}/rec/{key}.xml`).
    pub dblp_base: String,
    /// OpenReview API v2 (`{base}/notes?id=…`).
    pub openreview_base: String,
    /// No request is ever sent; lookups fail with [`SourceError::Offline`].
    pub offline: bool,
    /// Contact address sent in the User-Agent, as Crossref and arXiv ask of clients.
    pub mailto: Option<String>,
    /// Per request, connecting and reading the body included.
    pub timeout: Duration,
    /// Further attempts after a 5xx, 429, timeout or connection failure.
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub retry_backoff: Duration,
    /// Longest `Retry-After` a lookup waits out. A service that asks for more is left
    /// alone for as long as it asked, and lookups to it fail at once meanwhile.
    pub max_retry_after: Duration,
    /// Least time between two requests to arXiv (its terms ask for 3 s).
    pub arxiv_interval: Duration,
    /// How long a found paper is remembered.
    pub cache_ttl: Duration,
    /// How long "no such paper" is remembered.
    pub negative_cache_ttl: Duration,
    /// Most lookups remembered at once.
    pub cache_capacity: usize,
}

impl Default for SourcesConfig {
    fn default() -> Self {
        SourcesConfig {
            arxiv_base: "https://export.arxiv.org".into(),
            crossref_base: "https://api.crossref.org".into(),
            datacite_base: "https://api.datacite.org".into(),
            dblp_base: "https://dblp.org".into(),
            openreview_base: "https://api2.openreview.net".into(),
            offline: false,
            mailto: None,
            timeout: Duration::from_secs(10),
            max_retries: 2,
            retry_backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(5),
            arxiv_interval: Duration::from_secs(3),
            cache_ttl: Duration::from_secs(24 * 3600),
            negative_cache_ttl: Duration::from_secs(3600),
            cache_capacity: 1000,
        }
    }
}

impl SourcesConfig {
    /// Every base URL pointed at one server (tests, a local mirror).
    pub fn with_base(base: &str) -> SourcesConfig {
        let base = base.trim_end_matches('/').to_owned();
        SourcesConfig {
            arxiv_base: base.clone(),
            crossref_base: base.clone(),
            datacite_base: base.clone(),
            dblp_base: base.clone(),
            openreview_base: base,
            ..SourcesConfig::default()
        }
    }

    fn user_agent(&self) -> String {
        let version = env!("CARGO_PKG_VERSION");
        match self.mailto.as_deref().filter(|m| !m.trim().is_empty()) {
            Some(m) => format!(
                "shortscience/{version} (paper summaries; mailto:{})",
                m.trim()
            ),
            None => format!("shortscience/{version} (paper summaries)"),
        }
    }
}

/// An answer with a status the caller interprets.
struct Answer {
    status: u16,
    body: Vec<u8>,
    /// The service's `Retry-After`, on a 429 or 503.
    retry_after: Option<Duration>,
}

/// The shared HTTP client: timeouts, retries with backoff, capped bodies.
struct Http {
    client: reqwest::Client,
    config: SourcesConfig,
    /// Per service, the time before which it asked not to be called again.
    quiet_until: Mutex<HashMap<&'static str, Instant>>,
}

impl Http {
    fn new(config: SourcesConfig) -> Result<Http, SourceError> {
        // reqwest is built without a default crypto provider (ring is cheaper to build
        // than aws-lc); installing fails harmlessly if one is already in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent())
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .gzip(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| SourceError::Unreachable {
                service: "the lookup client",
                message: format!("could not be set up: {}", innermost(&e)),
            })?;
        Ok(Http {
            client,
            config,
            quiet_until: Mutex::new(HashMap::new()),
        })
    }

    /// GET with retries on 5xx, 429, timeouts and connection failures, waiting as long as
    /// the service's `Retry-After` asks (up to `max_retry_after`). `gate` is waited on
    /// before every attempt.
    async fn get(
        &self,
        service: &'static str,
        url: &str,
        gate: Option<&RateGate>,
    ) -> Result<Answer, SourceError> {
        if self.config.offline {
            return Err(SourceError::Offline {
                service,
                what: url.to_owned(),
            });
        }
        let mut attempt = 0;
        loop {
            self.wait_for_quiet_end(service).await?;
            if let Some(g) = gate {
                g.wait().await;
            }
            let result = self.attempt(service, url).await;
            let asked = result.as_ref().ok().and_then(|a| a.retry_after);
            if let Some(asked) = asked {
                self.keep_quiet(service, asked);
                if asked > self.config.max_retry_after {
                    return Err(busy(service, asked));
                }
            }
            let retryable = match &result {
                Ok(a) => a.status >= 500 || a.status == 429,
                Err(e) => matches!(
                    e,
                    SourceError::Timeout { .. } | SourceError::Unreachable { .. }
                ),
            };
            if !retryable || attempt >= self.config.max_retries {
                return match result {
                    Ok(a) if a.status >= 500 || a.status == 429 => Err(SourceError::Status {
                        service,
                        status: a.status,
                    }),
                    other => other,
                };
            }
            // The quiet time the service asked for is waited out at the loop's top.
            let wait = self
                .config
                .retry_backoff
                .saturating_mul(1 << attempt.min(16));
            tracing::debug!(service, url, attempt, ?wait, "retrying a lookup");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Records that `service` asked for no calls during `asked` from now.
    fn keep_quiet(&self, service: &'static str, asked: Duration) {
        let until = Instant::now() + asked;
        let mut quiet = self
            .quiet_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = quiet.entry(service).or_insert(until);
        *entry = (*entry).max(until);
    }

    /// Sleeps through a quiet time the service asked for, or fails at once when what is
    /// left of it is longer than a lookup waits.
    async fn wait_for_quiet_end(&self, service: &'static str) -> Result<(), SourceError> {
        let until = {
            let quiet = self
                .quiet_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            quiet.get(service).copied()
        };
        let Some(until) = until else { return Ok(()) };
        let left = until.saturating_duration_since(Instant::now());
        if left > self.config.max_retry_after {
            return Err(busy(service, left));
        }
        tokio::time::sleep_until(until).await;
        Ok(())
    }

    async fn attempt(&self, service: &'static str, url: &str) -> Result<Answer, SourceError> {
        let to_error = |e: reqwest::Error| {
            if e.is_timeout() {
                SourceError::Timeout {
                    service,
                    seconds: self.config.timeout.as_secs_f64().ceil() as u64,
                }
            } else {
                SourceError::Unreachable {
                    service,
                    message: innermost(&e),
                }
            }
        };
        let mut resp = self.client.get(url).send().await.map_err(to_error)?;
        let status = resp.status().as_u16();
        let retry_after = match status {
            429 | 503 => resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, std::time::SystemTime::now())),
            _ => None,
        };
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(to_error)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(SourceError::malformed(
                    service,
                    format!("the answer is larger than {} MB", MAX_BODY >> 20),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            body,
            retry_after,
        })
    }
}

/// The service asked for `quiet` without calls; whole seconds, rounded up.
fn busy(service: &'static str, quiet: Duration) -> SourceError {
    SourceError::Busy {
        service,
        seconds: quiet.as_secs_f64().ceil() as u64,
    }
}

/// A `Retry-After` value: delta-seconds or an HTTP date, read at `now`. A date in the
/// past means "now"; anything unreadable is ignored, as RFC 9110 lets clients do.
/// Capped at a day, so a broken header cannot silence a service for longer.
pub(crate) fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    const DAY: Duration = Duration::from_secs(24 * 3600);
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits to parse still means "a long time".
        Duration::from_secs(value.parse().unwrap_or(u64::MAX))
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(DAY))
}

/// The deepest cause of an error: "Connection refused (os error 111)" rather than
/// "error sending request for url (…)".
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Spaces requests to one service: each caller gets the next free slot, at least
/// `interval` after the previous one, and sleeps until it.
#[derive(Debug)]
pub(crate) struct RateGate {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateGate {
    pub(crate) fn new(interval: Duration) -> RateGate {
        RateGate {
            interval,
            next: Mutex::new(None),
        }
    }

    pub(crate) async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let slot = next.filter(|&n| n > now).unwrap_or(now);
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

fn unexpected(service: &'static str, status: u16) -> SourceError {
    SourceError::Status { service, status }
}

/// arXiv's API. Requests pass a shared gate (one per `arxiv_interval`).
#[derive(Clone)]
pub struct ArxivSource {
    http: Arc<Http>,
    gate: Arc<RateGate>,
}

impl MetadataSource for ArxivSource {
    async fn fetch(&self, id: &PaperRef) -> Result<Option<Record>, SourceError> {
        const SERVICE: &str = "arXiv";
        if id.kind() != IdKind::Arxiv {
            return Ok(None);
        }
        let url = format!(
            "{}/api/query?id_list={}&max_results=1",
            self.http.config.arxiv_base,
            encode_query(id.value())
        );
        let a = self.http.get(SERVICE, &url, Some(&self.gate)).await?;
        match a.status {
            200 => {
                let records = parse_arxiv_atom(&a.body)?;
                Ok(records.into_iter().find(|r| r.ids.contains(id)))
            }
            // arXiv explains a malformed id in an error feed.
            400 => Err(parse_arxiv_atom(&a.body)
                .err()
                .unwrap_or(unexpected(SERVICE, 400))),
            404 => Ok(None),
            s => Err(unexpected(SERVICE, s)),
        }
    }
}

/// Crossref's works API (DOIs of journals, proceedings, books).
#[derive(Clone)]
pub struct CrossrefSource {
    http: Arc<Http>,
}

impl MetadataSource for CrossrefSource {
    async fn fetch(&self, id: &PaperRef) -> Result<Option<Record>, SourceError> {
        const SERVICE: &str = "Crossref";
        if id.kind() != IdKind::Doi {
            return Ok(None);
        }
        let url = format!(
            "{}/works/{}",
            self.http.config.crossref_base,
            encode_path(id.value())
        );
        let a = self.http.get(SERVICE, &url, None).await?;
        match a.status {
            200 => parse_crossref_work(&a.body).map(Some),
            404 => Ok(None),
            s => Err(unexpected(SERVICE, s)),
        }
    }
}

/// DataCite's DOI API (arXiv's DOIs, datasets, Zenodo).
#[derive(Clone)]
pub struct DataciteSource {
    http: Arc<Http>,
}

impl MetadataSource for DataciteSource {
    async fn fetch(&self, id: &PaperRef) -> Result<Option<Record>, SourceError> {
        const SERVICE: &str = "DataCite";
        if id.kind() != IdKind::Doi {
            return Ok(None);
        }
        let url = format!(
            "{}/dois/{}",
            self.http.config.datacite_base,
            encode_path(id.value())
        );
        let a = self.http.get(SERVICE, &url, None).await?;
        match a.status {
            200 => parse_datacite_doi(&a.body).map(Some),
            404 => Ok(None),
            s => Err(unexpected(SERVICE, s)),
        }
    }
}

/// DBLP's per-record XML.
#[derive(Clone)]
pub struct DblpSource {
    http: Arc<Http>,
}

impl MetadataSource for DblpSource {
    async fn fetch(&self, id: &PaperRef) -> Result<Option<Record>, SourceError> {
        const SERVICE: &str = "DBLP";
        if id.kind() != IdKind::Dblp {
            return Ok(None);
        }
        let url = format!(
            "{}/rec/{}.xml",
            self.http.config.dblp_base,
            encode_path(id.value())
        );
        let a = self.http.get(SERVICE, &url, None).await?;
        match a.status {
            200 => parse_dblp_record_xml(&a.body).map(Some),
            404 | 410 => Ok(None),
            s => Err(unexpected(SERVICE, s)),
        }
    }
}

/// OpenReview's API v2 notes.
#[derive(Clone)]
pub struct OpenReviewSource {
    http: Arc<Http>,
}

impl MetadataSource for OpenReviewSource {
    async fn fetch(&self, id: &PaperRef) -> Result<Option<Record>, SourceError> {
        const SERVICE: &str = "OpenReview";
        if id.kind() != IdKind::OpenReview {
            return Ok(None);
        }
        let url = format!(
            "{}/notes?id={}",
            self.http.config.openreview_base,
            encode_query(id.value())
        );
        let a = self.http.get(SERVICE, &url, None).await?;
        match a.status {
            200 => parse_openreview_note(&a.body),
            404 => Ok(None),
            403 => Err(SourceError::Rejected {
                service: SERVICE,
                message: "this submission is not public".into(),
            }),
            s => Err(unexpected(SERVICE, s)),
        }
    }
}

struct CacheEntry {
    at: Instant,
    value: Option<Record>,
}

/// Routes each identifier to the service that owns it, and remembers answers.
///
/// arXiv ids go to the arXiv API; DOIs `10.48550/arXiv.*` to DataCite, other DOIs to
/// Crossref and, if Crossref does not know them, DataCite; DBLP keys to DBLP;
/// OpenReview ids to OpenReview. Found papers and "not found" are cached (errors are
/// not). Cloning is cheap and clones share the client, the arXiv gate and the cache.
#[derive(Clone)]
pub struct Resolver {
    arxiv: ArxivSource,
    crossref: CrossrefSource,
    datacite: DataciteSource,
    dblp: DblpSource,
    openreview: OpenReviewSource,
    cache: Arc<Mutex<HashMap<PaperRef, CacheEntry>>>,
    config: Arc<SourcesConfig>,
}

impl Resolver {
    pub fn new(config: SourcesConfig) -> Result<Resolver, SourceError> {
        let http = Arc::new(Http::new(config.clone())?);
        Ok(Resolver {
            arxiv: ArxivSource {
                http: http.clone(),
                gate: Arc::new(RateGate::new(config.arxiv_interval)),
            },
            crossref: CrossrefSource { http: http.clone() },
            datacite: DataciteSource { http: http.clone() },
            dblp: DblpSource { http: http.clone() },
            openreview: OpenReviewSource { http },
            cache: Arc::new(Mutex::new(HashMap::new())),
            config: Arc::new(config),
        })
    }

    pub fn config(&self) -> &SourcesConfig {
        &self.config
    }

    /// The paper `id` names, from the service that owns it. `Ok(None)` when that
    /// service says it does not know the id. The record's ids always include `id`.
    pub async fn resolve(&self, id: &PaperRef) -> Result<Option<Record>, SourceError> {
        if self.config.offline {
            return Err(SourceError::Offline {
                service: service_of(id),
                what: id.label(),
            });
        }
        if let Some(hit) = self.cached(id) {
            return Ok(hit);
        }
        let mut found = match id.kind() {
            IdKind::Arxiv => self.arxiv.fetch(id).await?,
            IdKind::Doi if is_arxiv_doi(id) => self.datacite.fetch(id).await?,
            IdKind::Doi => match self.crossref.fetch(id).await? {
                Some(r) => Some(r),
                None => self.datacite.fetch(id).await?,
            },
            IdKind::Dblp => self.dblp.fetch(id).await?,
            IdKind::OpenReview => self.openreview.fetch(id).await?,
        };
        if let Some(r) = found.as_mut()
            && !r.ids.contains(id)
        {
            r.ids.insert(0, id.clone());
        }
        self.remember(id, found.clone());
        Ok(found)
    }

    fn cached(&self, id: &PaperRef) -> Option<Option<Record>> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let e = cache.get(id)?;
        let ttl = if e.value.is_some() {
            self.config.cache_ttl
        } else {
            self.config.negative_cache_ttl
        };
        (e.at.elapsed() < ttl).then(|| e.value.clone())
    }

    fn remember(&self, id: &PaperRef, value: Option<Record>) {
        let capacity = self.config.cache_capacity;
        if capacity == 0 {
            return;
        }
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= capacity && !cache.contains_key(id) {
            let (pos, neg) = (self.config.cache_ttl, self.config.negative_cache_ttl);
            cache.retain(|_, e| e.at.elapsed() < if e.value.is_some() { pos } else { neg });
            if cache.len() >= capacity
                && let Some(oldest) = cache
                    .iter()
                    .min_by_key(|(_, e)| e.at)
                    .map(|(k, _)| k.clone())
            {
                cache.remove(&oldest);
            }
        }
        cache.insert(
            id.clone(),
            CacheEntry {
                at: Instant::now(),
                value,
            },
        );
    }
}

impl MetadataSource for Resolver {
    async fn fetch(&self, id: &PaperRef) -> Result<Option<Record>, SourceError> {
        self.resolve(id).await
    }
}

fn is_arxiv_doi(id: &PaperRef) -> bool {
    id.value().starts_with("10.48550/arxiv.")
}

/// The service a lookup of `id` asks first (for messages).
fn service_of(id: &PaperRef) -> &'static str {
    match id.kind() {
        IdKind::Arxiv => "arXiv",
        IdKind::Doi if is_arxiv_doi(id) => "DataCite",
        IdKind::Doi => "Crossref",
        IdKind::Dblp => "DBLP",
        IdKind::OpenReview => "OpenReview",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn gate_spaces_requests() {
        let gate = Arc::new(RateGate::new(Duration::from_secs(3)));
        let start = Instant::now();
        gate.wait().await;
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "the first request goes at once"
        );
        // Three callers at once get slots 3 s apart, in arrival order.
        let mut handles = Vec::new();
        for _ in 0..3 {
            let g = gate.clone();
            handles.push(tokio::spawn(async move {
                g.wait().await;
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for h in handles {
            times.push(h.await.unwrap() - start);
        }
        times.sort();
        assert_eq!(
            times,
            [3, 6, 9].map(Duration::from_secs),
            "each waits for its own slot"
        );
        // After a quiet spell longer than the interval, no wait at all.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let before = Instant::now();
        gate.wait().await;
        assert_eq!(before.elapsed(), Duration::ZERO);
        // Just after, the next one waits the full interval.
        let before = Instant::now();
        gate.wait().await;
        assert_eq!(before.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn cache_entries_expire() {
        let r = Resolver::new(SourcesConfig {
            cache_ttl: Duration::from_secs(60),
            negative_cache_ttl: Duration::from_secs(5),
            cache_capacity: 2,
            ..SourcesConfig::with_base("http://127.0.0.1:9")
        })
        .unwrap();
        let a = PaperRef::parse("arXiv:1609.00150").unwrap();
        let b = PaperRef::parse("10.1000/b").unwrap();
        let c = PaperRef::parse("conf/nips/X17").unwrap();
        let rec = Record {
            title: "T".into(),
            ..Record::default()
        };
        r.remember(&a, Some(rec.clone()));
        r.remember(&b, None);
        assert_eq!(r.cached(&a), Some(Some(rec.clone())));
        assert_eq!(r.cached(&b), Some(None));
        tokio::time::advance(Duration::from_secs(6)).await;
        assert_eq!(r.cached(&b), None, "negative answers expire sooner");
        assert_eq!(r.cached(&a), Some(Some(rec.clone())));
        // Full: the expired entry makes room first.
        r.remember(&c, None);
        assert_eq!(r.cached(&a), Some(Some(rec)));
        assert_eq!(r.cache.lock().unwrap().len(), 2);
        tokio::time::advance(Duration::from_secs(60)).await;
        assert_eq!(r.cached(&a), None);
    }

    #[test]
    fn user_agent_names_a_contact() {
        let mut c = SourcesConfig::default();
        assert!(!c.user_agent().contains("mailto"));
        c.mailto = Some(" admin@example.org ".into());
        assert!(c.user_agent().ends_with("mailto:admin@example.org)"));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        use std::time::UNIX_EPOCH;
        // Sun, 06 Nov 1994 08:49:37 GMT
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        let secs = |n| Some(Duration::from_secs(n));
        assert_eq!(parse_retry_after("120", now), secs(120));
        assert_eq!(parse_retry_after(" 0 ", now), secs(0));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            secs(30)
        );
        // A date already past means "now".
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            secs(0)
        );
        // Capped at a day, however large.
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            secs(86_400)
        );
        for junk in ["", "-5", "1.5", "soon", "Sun, 99 Nov 1994"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk:?}");
        }
    }

    #[test]
    fn routes() {
        let p = |s| PaperRef::parse(s).unwrap();
        assert_eq!(service_of(&p("10.48550/arXiv.1904.06387")), "DataCite");
        assert_eq!(service_of(&p("10.1145/3448016.3452841")), "Crossref");
        assert_eq!(service_of(&p("openreview:rJl-b3RcF7")), "OpenReview");
    }
}
