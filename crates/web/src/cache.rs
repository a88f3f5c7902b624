//! The page cache: rendered pages for guests, kept in memory and served while the
//! database's content generation (see `shortscience_store`'s `generation` module) is the
//! one they were rendered under.
//!
//! Correctness rules, in order of importance:
//! - A page is stored under the generation read *before* it was rendered, so a write
//!   that commits during rendering makes the new entry stale at once.
//! - Every successful unsafe request (POST, PUT, PATCH, DELETE) moves the generation on
//!   before its answer leaves, so whoever saw the answer finds the next page fresh, on
//!   this instance or any other sharing the database.
//! - On PostgreSQL, where several instances may share the database, each instance
//!   follows the generation by notification (`shortscience_store`'s `followers`): a
//!   write's answer waits until every following instance has applied it, so a guest
//!   request compares against a value in memory and costs no query. While an instance is
//!   not following live (starting, reconnecting, its lease lapsed), each request reads
//!   the generation from a round trip that *started after it arrived*; concurrent
//!   requests share one round trip ([`Coalescer`]).
//! - On SQLite the serving process is alone with its database, so its own writes move a
//!   counter in memory and a guest request costs no query at all. Writes by other
//!   processes (command-line imports, `user suspend`) move the database's value, which a
//!   background task reads every [`POLL_INTERVAL`]: they show within that time.
//! - Entries also expire after a time to live: Popular decays with age, and nothing
//!   time-based (expiring share links, suspensions) stays wrong for longer than that.
//!
//! Only guests' `GET`s are cached (any session cookie bypasses it), only 200 answers
//! with a text type, no `Set-Cookie` and no `private`/`no-store`. The key is the path,
//! the query and the `Accept-Encoding` header: the compression layer inside makes
//! each variant once.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shortscience_store::{Backend, Follower, Store};
use tokio::sync::watch;

use crate::ops::metrics::{CacheOutcome, global as metrics};

/// Longest a request waits for another one rendering the same page.
const FILL_WAIT: Duration = Duration::from_secs(5);

/// Response header saying how the cache answered: `hit`, `miss` or `bypass`.
pub const CACHE_HEADER: &str = "x-cache";
/// How often a SQLite server looks for writes made by other processes.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// How long a generation read may take before the request skips the cache.
const GENERATION_TIMEOUT: Duration = Duration::from_millis(500);
/// After a failed generation read, requests skip the cache without asking for this long,
/// so a database outage costs each page only its own (failing) queries.
const SKIP_AFTER_FAILURE: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheSettings {
    pub enabled: bool,
    /// Longest an entry is served, whatever the generation says.
    pub ttl: Duration,
    /// Memory for bodies and keys; one page may take at most an eighth of it.
    pub max_bytes: usize,
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings {
            enabled: true,
            ttl: Duration::from_secs(60),
            max_bytes: 32 << 20,
        }
    }
}

/// One process's page cache; cheap to clone.
#[derive(Clone)]
pub struct PageCache {
    inner: Arc<Inner>,
}

struct Inner {
    settings: CacheSettings,
    store: Store,
    watch: Watch,
    entries: RwLock<HashMap<String, Arc<Entry>>>,
    bytes: AtomicUsize,
    /// Pages being rendered now.
    filling: Mutex<HashMap<String, Render>>,
}

/// A render in progress: its generation, and a flag set once it is done.
type Render = (i64, Arc<watch::Sender<bool>>);

enum Claim<'a> {
    /// This request renders the page; dropping the guard releases the waiters.
    Mine(Filling<'a>),
    /// Another request renders it; wait, then look again.
    Wait(watch::Receiver<bool>),
}

struct Filling<'a> {
    cache: &'a PageCache,
    key: String,
    done: Arc<watch::Sender<bool>>,
}

impl Drop for Filling<'_> {
    fn drop(&mut self) {
        if let Ok(mut filling) = self.cache.inner.filling.lock()
            && filling
                .get(&self.key)
                .is_some_and(|(_, d)| Arc::ptr_eq(d, &self.done))
        {
            filling.remove(&self.key);
        }
        self.done.send_replace(true);
    }
}

/// How this instance learns that the content changed.
enum Watch {
    /// PostgreSQL: the value this instance follows by notification (no query), or while
    /// it does not follow live, the database's value read for the request; none until
    /// the given moment after a failed read.
    Shared {
        follower: Option<Follower>,
        reads: Arc<Coalescer>,
        skip_until: Mutex<Option<Instant>>,
    },
    /// SQLite: a counter this process moves on its own writes, and on changes of the
    /// database's value that the poller notices.
    Local {
        counter: AtomicI64,
        /// The database's value as last seen or written here.
        token: AtomicI64,
        /// Local writes not yet published to the database.
        pending: AtomicUsize,
    },
}

struct Entry {
    generation: i64,
    stored: Instant,
    headers: HeaderMap,
    body: Bytes,
    size: usize,
}

impl PageCache {
    pub fn new(store: Store, settings: CacheSettings) -> PageCache {
        let reader = store.clone();
        let read: ReadFn = Arc::new(move || {
            let store = reader.clone();
            Box::pin(async move {
                match tokio::time::timeout(GENERATION_TIMEOUT, store.content_generation()).await {
                    Ok(Ok(n)) => Some(n),
                    Ok(Err(e)) => {
                        tracing::debug!(error = %e, "content generation unreadable; cache skipped");
                        None
                    }
                    Err(_) => None,
                }
            })
        });
        let shared = store.backend() == Backend::Postgres;
        let watch = if shared {
            Watch::Shared {
                // Without a runtime (some tests) there is no task to follow with.
                follower: if settings.enabled && tokio::runtime::Handle::try_current().is_ok() {
                    store.follow_generation()
                } else {
                    None
                },
                reads: Coalescer::new(read),
                skip_until: Mutex::new(None),
            }
        } else {
            Watch::Local {
                counter: AtomicI64::new(0),
                token: AtomicI64::new(0),
                pending: AtomicUsize::new(0),
            }
        };
        let cache = PageCache {
            inner: Arc::new(Inner {
                settings,
                store,
                watch,
                entries: RwLock::default(),
                bytes: AtomicUsize::new(0),
                filling: Mutex::default(),
            }),
        };
        if !shared && cache.inner.settings.enabled {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(poll(Arc::downgrade(&cache.inner)));
                }
                Err(_) => tracing::warn!(
                    "no async runtime: writes by other processes reach cached pages only when they expire"
                ),
            }
        }
        cache
    }

    /// The generation pages are rendered and kept under now; None skips the cache.
    async fn generation(&self) -> Option<i64> {
        match &self.inner.watch {
            Watch::Shared {
                follower,
                reads,
                skip_until,
            } => {
                if let Some(n) = follower.as_ref().and_then(Follower::current) {
                    return Some(n);
                }
                let skipping = skip_until
                    .lock()
                    .ok()
                    .and_then(|s| *s)
                    .is_some_and(|until| Instant::now() < until);
                if skipping {
                    return None;
                }
                let found = reads.current().await;
                if found.is_none()
                    && let Ok(mut s) = skip_until.lock()
                {
                    *s = Some(Instant::now() + SKIP_AFTER_FAILURE);
                }
                found
            }
            Watch::Local { counter, .. } => Some(counter.load(Ordering::SeqCst)),
        }
    }

    /// PostgreSQL: stops following the generation, so writers on other instances do not
    /// wait for this one. Call when the server stops.
    pub async fn stop_following(&self) {
        if let Watch::Shared {
            follower: Some(follower),
            ..
        } = &self.inner.watch
        {
            follower.stop().await;
        }
    }

    /// Marks every cached page, here and on other instances, as stale. Call after a
    /// committed write that did not come through an unsafe request (a paper created by a
    /// `GET` lookup, a CLI command).
    pub async fn note_write(&self) {
        if let Watch::Local {
            counter, pending, ..
        } = &self.inner.watch
        {
            counter.fetch_add(1, Ordering::SeqCst);
            // Other processes on this file learn of it through the database, without
            // making this answer wait for one more commit. One database write at a time
            // stands for all local writes made meanwhile (SQLite has one writer).
            if pending.fetch_add(1, Ordering::SeqCst) == 0 {
                tokio::spawn(publish(self.inner.clone()));
            }
            return;
        }
        // The answer leaves once every instance serving from its followed value has moved
        // past this write.
        if let Err(e) = self.inner.store.announce_content_change().await {
            // Other instances may serve old pages until their entries expire; this one
            // forgets its own.
            tracing::warn!(error = %e, "could not move the content generation on");
            self.clear();
        }
    }

    fn clear(&self) {
        if let Ok(mut entries) = self.inner.entries.write() {
            entries.clear();
            self.inner.bytes.store(0, Ordering::Relaxed);
        }
    }

    fn get(&self, key: &str, generation: i64) -> Option<Arc<Entry>> {
        let entries = self.inner.entries.read().ok()?;
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.stored.elapsed() < self.inner.settings.ttl)
            .then(|| entry.clone())
    }

    fn claim(&self, key: &str, generation: i64) -> Claim<'_> {
        let mut filling = match self.inner.filling.lock() {
            Ok(f) => f,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some((g, done)) = filling.get(key)
            && *g == generation
        {
            return Claim::Wait(done.subscribe());
        }
        // A render under an older generation is left to finish; this one takes over.
        let done = Arc::new(watch::Sender::new(false));
        filling.insert(key.to_owned(), (generation, done.clone()));
        Claim::Mine(Filling {
            cache: self,
            key: key.to_owned(),
            done,
        })
    }

    fn put(&self, key: String, entry: Entry) {
        let max = self.inner.settings.max_bytes;
        if entry.size > max / 8 {
            return;
        }
        let Ok(mut entries) = self.inner.entries.write() else {
            return;
        };
        let mut bytes = self.inner.bytes.load(Ordering::Relaxed);
        if bytes + entry.size > max {
            // Stale and expired entries go first; if that is not enough, all of them.
            let ttl = self.inner.settings.ttl;
            entries.retain(|_, e| e.generation == entry.generation && e.stored.elapsed() < ttl);
            bytes = entries.values().map(|e| e.size).sum();
            if bytes + entry.size > max {
                entries.clear();
                bytes = 0;
            }
        }
        bytes += entry.size;
        if let Some(old) = entries.insert(key, Arc::new(entry)) {
            bytes -= old.size;
        }
        self.inner.bytes.store(bytes, Ordering::Relaxed);
    }
}

/// Middleware serving and filling the cache; see the module docs for the rules.
pub async fn serve_cached(
    State(cache): State<PageCache>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let eligible = cache.inner.settings.enabled
        && (method == Method::GET || method == Method::HEAD)
        && crate::auth::session_token(request.headers()).is_none()
        && !request.uri().path().starts_with("/static/");
    if !eligible {
        metrics().record_cache(CacheOutcome::Bypass);
        return next.run(request).await;
    }
    let Some(generation) = cache.generation().await else {
        metrics().record_cache(CacheOutcome::Bypass);
        return labelled(next.run(request).await, "bypass");
    };
    let key = key(&request);
    if let Some(entry) = cache.get(&key, generation) {
        metrics().record_cache(CacheOutcome::Hit);
        return replay(&entry, method == Method::HEAD);
    }
    // One request renders a missing page; others asking for it under the same generation
    // wait for that page instead of rendering it again (after every write, all pages miss
    // at once).
    let filling = if method == Method::GET {
        match cache.claim(&key, generation) {
            Claim::Mine(guard) => Some(guard),
            Claim::Wait(mut done) => {
                let _ = tokio::time::timeout(FILL_WAIT, done.wait_for(|d| *d)).await;
                if let Some(entry) = cache.get(&key, generation) {
                    metrics().record_cache(CacheOutcome::Hit);
                    return replay(&entry, false);
                }
                None
            }
        }
    } else {
        None
    };
    metrics().record_cache(CacheOutcome::Miss);
    let response = next.run(request).await;
    if method == Method::HEAD || !cacheable(&response) {
        drop(filling);
        return labelled(response, "miss");
    }
    let (mut parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "page body failed while being cached");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let size = key.len() + body.len() + 256;
    cache.put(
        key,
        Entry {
            generation,
            stored: Instant::now(),
            headers: parts.headers.clone(),
            body: body.clone(),
            size,
        },
    );
    drop(filling);
    labelled(Response::from_parts(parts, Body::from(body)), "miss")
}

/// Moves the content generation on after every successful unsafe request, before the
/// answer leaves. Wraps every route, the API's included.
pub async fn note_writes(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let response = next.run(request).await;
    // Failed requests change nothing (their transactions roll back), and bumping on
    // them would let anyone empty the cache with junk posts.
    if unsafe_method && response.status().as_u16() < 400 {
        cache.note_write().await;
    }
    response
}

fn key(request: &Request) -> String {
    let target = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let encoding = request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .map_or(&b""[..], |v| v.as_bytes());
    let mut key = String::with_capacity(target.len() + encoding.len() + 1);
    key.push_str(target);
    key.push('\n');
    key.push_str(&String::from_utf8_lossy(encoding));
    key
}

fn cacheable(response: &Response) -> bool {
    let h = response.headers();
    let text_type = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            [
                "text/",
                "application/atom+xml",
                "application/rss+xml",
                "application/xml",
            ]
            .iter()
            .any(|t| ct.starts_with(t))
        });
    let private = h
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("private") || v.contains("no-store"));
    response.status() == StatusCode::OK
        && text_type
        && !private
        && !h.contains_key(header::SET_COOKIE)
}

fn replay(entry: &Entry, head: bool) -> Response {
    let body = if head {
        Body::empty()
    } else {
        Body::from(entry.body.clone())
    };
    let mut response = Response::new(body);
    *response.headers_mut() = entry.headers.clone();
    if head {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(entry.body.len()));
    }
    labelled(response, "hit")
}

fn labelled(mut response: Response, how: &'static str) -> Response {
    response
        .headers_mut()
        .insert(CACHE_HEADER, HeaderValue::from_static(how));
    response
}

/// Writes the local writes' change to the database for other processes on the same
/// SQLite file; runs while local writes keep arriving.
async fn publish(inner: Arc<Inner>) {
    let Watch::Local { token, pending, .. } = &inner.watch else {
        return;
    };
    loop {
        let seen = pending.load(Ordering::SeqCst);
        match inner.store.bump_content_generation().await {
            Ok(bump) => token.store(bump.token, Ordering::SeqCst),
            Err(e) => tracing::warn!(error = %e, "could not move the content generation on"),
        }
        // Writes that arrived during the bump need one more.
        if pending.fetch_sub(seen, Ordering::SeqCst) == seen {
            return;
        }
    }
}

/// The SQLite poller: moves the local counter when another process changed the
/// database's generation. Ends with the cache.
async fn poll(inner: std::sync::Weak<Inner>) {
    let mut tick = tokio::time::interval(POLL_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        let Watch::Local { counter, token, .. } = &inner.watch else {
            return;
        };
        if let Ok(Ok(n)) =
            tokio::time::timeout(GENERATION_TIMEOUT, inner.store.content_generation()).await
            && token.swap(n, Ordering::SeqCst) != n
        {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    }
}

type ReadFn = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Option<i64>> + Send>> + Send + Sync>;

/// Shares generation reads between concurrent requests without ever answering a request
/// from a read that started before the request arrived.
///
/// Reads are numbered. A request arriving while read k runs waits for read k + 1, which
/// starts as soon as k ends; one arriving while none runs starts a read itself. So at
/// most one read runs at a time, and under load each read serves every request that
/// arrived while the previous one ran.
pub struct Coalescer {
    read: ReadFn,
    state: Mutex<Rounds>,
    done: watch::Sender<Done>,
}

#[derive(Default)]
struct Rounds {
    /// Number of the latest read started.
    started: u64,
    /// Highest read number some request waits for.
    wanted: u64,
    running: bool,
}

#[derive(Clone, Copy, Default)]
struct Done {
    round: u64,
    value: Option<i64>,
}

impl Coalescer {
    pub fn new(read: ReadFn) -> Arc<Coalescer> {
        Arc::new(Coalescer {
            read,
            state: Mutex::default(),
            done: watch::Sender::new(Done::default()),
        })
    }

    /// The generation, from a read that started after this call; None if it failed.
    pub async fn current(self: &Arc<Self>) -> Option<i64> {
        let mut rounds = self.done.subscribe();
        let need = {
            let mut s = self.state.lock().ok()?;
            let need = s.started + 1;
            s.wanted = s.wanted.max(need);
            if !s.running {
                s.running = true;
                s.started = need;
                tokio::spawn(self.clone().drive());
            }
            need
        };
        // A later round may answer: it too started after this request arrived.
        let done = rounds.wait_for(|d| d.round >= need).await.ok()?;
        done.value
    }

    async fn drive(self: Arc<Self>) {
        // Should this task die, waiting requests get "unknown" and later ones start anew.
        let mut guard = Unstick {
            coalescer: &self,
            finished: false,
        };
        loop {
            let round = match self.state.lock() {
                Ok(s) => s.started,
                Err(_) => return,
            };
            let value = (self.read)().await;
            self.done.send_replace(Done { round, value });
            let Ok(mut s) = self.state.lock() else { return };
            if s.wanted > s.started {
                s.started += 1;
            } else {
                s.running = false;
                guard.finished = true;
                return;
            }
        }
    }
}

struct Unstick<'a> {
    coalescer: &'a Coalescer,
    finished: bool,
}

impl Drop for Unstick<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Ok(mut s) = self.coalescer.state.lock() {
            s.running = false;
            let round = s.wanted.max(s.started);
            s.started = round;
            self.coalescer
                .done
                .send_replace(Done { round, value: None });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    /// A read that counts calls and returns the value of `source` when it *starts*,
    /// after a pause, the way a database round trip would.
    fn slow_counter(source: Arc<AtomicI64>, calls: Arc<AtomicU64>) -> ReadFn {
        Arc::new(move || {
            let source = source.clone();
            let calls = calls.clone();
            Box::pin(async move {
                calls.fetch_add(1, Ordering::SeqCst);
                let seen = source.load(Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Some(seen)
            })
        })
    }

    #[tokio::test]
    async fn concurrent_requests_share_reads() {
        let source = Arc::new(AtomicI64::new(7));
        let calls = Arc::new(AtomicU64::new(0));
        let c = Coalescer::new(slow_counter(source, calls.clone()));
        let waiters: Vec<_> = (0..50)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { c.current().await })
            })
            .collect();
        for w in waiters {
            assert_eq!(w.await.unwrap(), Some(7));
        }
        // One read for the first arrivals, one for all who came while it ran.
        let n = calls.load(Ordering::SeqCst);
        assert!((1..=2).contains(&n), "{n} reads for 50 requests");
    }

    #[tokio::test]
    async fn a_request_never_gets_a_read_that_started_before_it() {
        let source = Arc::new(AtomicI64::new(1));
        let calls = Arc::new(AtomicU64::new(0));
        let c = Coalescer::new(slow_counter(source.clone(), calls));
        // A read starts and sees 1; while it runs, a write moves the source to 2.
        let early = tokio::spawn({
            let c = c.clone();
            async move { c.current().await }
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        source.store(2, Ordering::SeqCst);
        // This request arrived after the write: it must not take the running read's 1.
        let late = c.current().await;
        assert_eq!(early.await.unwrap(), Some(1));
        assert_eq!(late, Some(2));
    }

    #[tokio::test]
    async fn a_failed_read_is_none_and_the_next_one_recovers() {
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let read: ReadFn = {
            let fail = fail.clone();
            Arc::new(move || {
                let fail = fail.load(Ordering::SeqCst);
                Box::pin(async move { (!fail).then_some(3) })
            })
        };
        let c = Coalescer::new(read);
        assert_eq!(c.current().await, None);
        fail.store(false, Ordering::SeqCst);
        assert_eq!(c.current().await, Some(3));
    }

    #[test]
    fn only_plain_successful_text_is_cacheable() {
        let page = |status: StatusCode, headers: &[(header::HeaderName, &'static str)]| {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = status;
            for (name, value) in headers {
                r.headers_mut()
                    .append(name.clone(), HeaderValue::from_static(value));
            }
            r
        };
        let html = (header::CONTENT_TYPE, "text/html; charset=utf-8");
        let html_only = std::slice::from_ref(&html);
        assert!(cacheable(&page(StatusCode::OK, html_only)));
        assert!(cacheable(&page(
            StatusCode::OK,
            &[(header::CONTENT_TYPE, "application/atom+xml")]
        )));
        assert!(!cacheable(&page(StatusCode::NOT_FOUND, html_only)));
        assert!(!cacheable(&page(StatusCode::SEE_OTHER, html_only)));
        assert!(!cacheable(&page(
            StatusCode::OK,
            &[(header::CONTENT_TYPE, "application/zip")]
        )));
        assert!(!cacheable(&page(
            StatusCode::OK,
            &[html.clone(), (header::SET_COOKIE, "a=b")]
        )));
        assert!(!cacheable(&page(
            StatusCode::OK,
            &[html.clone(), (header::CACHE_CONTROL, "private, no-cache")]
        )));
        assert!(!cacheable(&page(
            StatusCode::OK,
            &[html, (header::CACHE_CONTROL, "no-store")]
        )));
    }
}
