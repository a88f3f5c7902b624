//! PostgreSQL: app instances that follow the content generation by LISTEN/NOTIFY, so a
//! guest request needs no query to know whether a cached page is still current.
//!
//! The rule that keeps pages fresh across instances: a write is acknowledged (its answer
//! leaves) only after every instance that may serve cached pages has applied it.
//! - Every bump notifies [`CHANNEL`] with `token:seq`, in the bumping transaction.
//! - Each following instance keeps a row in `generation_followers` with the highest
//!   `seq` it has applied and a lease, renewed on its listening connection. It applies a
//!   notification (moves its value) *before* acknowledging it.
//! - The writer then waits ([`Store::await_followers`]) until no row with a live lease
//!   has acknowledged less than its `seq`.
//! - An instance serves its followed value only while its own idea of the lease holds:
//!   from *before* it sent the renewal, plus the lease, minus a margin. So an instance
//!   whose connection stalls stops serving before any writer stops waiting for it. When
//!   it is not live, the web layer reads the generation per request, as before.
//!
//! A follower that loses its connection resubscribes, rereads the value, and drains
//! whatever notifications arrived before it goes live again.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgListener, PgNotification};

use crate::{Backend, Result, Store};

/// The notification channel bumps send on.
pub(crate) const CHANNEL: &str = "shortscience_generation";
/// How long a lease lasts past its renewal, by the database's clock.
const LEASE: Duration = Duration::from_secs(2);
/// How often a follower renews its lease.
const RENEW_EVERY: Duration = Duration::from_millis(500);
/// Taken off the lease on the follower's side, for clock drift and scheduling.
const MARGIN: Duration = Duration::from_millis(300);
/// Wait between tries after a follower lost its connection, doubling up to the most.
const RETRY: Duration = Duration::from_millis(500);
const RETRY_MOST: Duration = Duration::from_secs(5);

/// The database's clock in milliseconds since the epoch, spliced into SQL.
macro_rules! db_now_ms {
    () => {
        "(extract(epoch from clock_timestamp()) * 1000)::bigint"
    };
}

/// One instance's subscription; stops (and gives up its row) when dropped.
#[derive(Debug)]
pub struct Follower {
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
    store: Store,
}

#[derive(Debug)]
struct State {
    id: String,
    token: AtomicI64,
    /// Milliseconds since `epoch` until which `token` may be served; 0 for not live.
    live_until: AtomicU64,
    epoch: Instant,
}

impl State {
    fn millis(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.epoch).as_millis() as u64
    }

    fn stop_serving(&self) {
        self.live_until.store(0, Ordering::SeqCst);
    }
}

impl Follower {
    /// The generation, while this instance follows it live; None means "read it from
    /// the database".
    pub fn current(&self) -> Option<i64> {
        let until = self.state.live_until.load(Ordering::SeqCst);
        // Read the value after the deadline: a value read after the deadline was
        // checked was at least as new as any the lease covered.
        (self.state.millis(Instant::now()) < until).then(|| self.state.token.load(Ordering::SeqCst))
    }

    /// Whether [`Follower::current`] answers now.
    pub fn is_live(&self) -> bool {
        self.current().is_some()
    }
}

impl Follower {
    /// Stops following and gives the row up, so writers need not wait for its lease to
    /// run out. For a server shutting down; dropping does the same in the background.
    pub async fn stop(&self) {
        self.state.stop_serving();
        self.task.abort();
        give_up(&self.store, &self.state.id).await;
    }
}

async fn give_up(store: &Store, id: &str) {
    if let Err(e) = sqlx::query("DELETE FROM generation_followers WHERE id = $1")
        .bind(id)
        .execute(&store.writer)
        .await
    {
        tracing::debug!(error = %e, "follower row left to expire");
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.state.stop_serving();
        self.task.abort();
        let id = self.state.id.clone();
        let store = self.store.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { give_up(&store, &id).await });
        }
    }
}

impl Store {
    /// PostgreSQL: starts following the content generation (needs a Tokio runtime).
    /// None on SQLite, whose one server counts its own writes.
    pub fn follow_generation(&self) -> Option<Follower> {
        if self.backend != Backend::Postgres {
            return None;
        }
        let url = self.watcher.as_ref()?.url.clone();
        let state = Arc::new(State {
            id: hex::encode(crate::generation::fresh_token().to_le_bytes()),
            token: AtomicI64::new(0),
            live_until: AtomicU64::new(0),
            epoch: Instant::now(),
        });
        let task = tokio::spawn(follow(url, state.clone()));
        Some(Follower {
            state,
            task,
            store: self.clone(),
        })
    }

    /// After a committed write that running servers must show: moves the generation on,
    /// then waits until every server following it has applied that.
    pub async fn announce_content_change(&self) -> Result<crate::Bump> {
        let bump = self.bump_content_generation().await?;
        self.await_followers(bump.seq).await?;
        Ok(bump)
    }

    /// Waits until every follower with a live lease has applied bump `seq` (or its lease
    /// ran out). Returns at once on SQLite.
    pub async fn await_followers(&self, seq: i64) -> Result<()> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let give_up = Instant::now() + LEASE + MARGIN;
        // One connection for every look, instead of the pool's ping-acquire-ping each time.
        let mut conn = self.writer.acquire().await?;
        // A notification and its acknowledgement take a few hundred microseconds.
        let mut pause = Duration::from_micros(250);
        loop {
            tokio::time::sleep(pause).await;
            let behind: i64 = sqlx::query_scalar(concat!(
                "SELECT COUNT(*) FROM generation_followers
                 WHERE acked < $1 AND lease_until > ",
                db_now_ms!()
            ))
            .bind(seq)
            .fetch_one(&mut *conn)
            .await?;
            if behind == 0 {
                return Ok(());
            }
            if Instant::now() >= give_up {
                // Their leases are over by the database's clock; they no longer serve.
                tracing::warn!(behind, seq, "followers did not acknowledge a write in time");
                return Ok(());
            }
            pause = (pause * 2).min(Duration::from_millis(2));
        }
    }
}

/// The follower's task: subscribe, serve, and on any failure stop serving and start over.
async fn follow(url: String, state: Arc<State>) {
    let mut retry = RETRY;
    loop {
        let Err(e) = follow_once(&url, &state).await;
        let was_live = state.live_until.load(Ordering::SeqCst) != 0;
        state.stop_serving();
        if was_live {
            retry = RETRY;
            tracing::warn!(error = %e, "stopped following the content generation; reading it per request");
        } else {
            // Still down: say so once, not every few seconds.
            tracing::debug!(error = %e, "cannot follow the content generation yet");
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(RETRY_MOST);
    }
}

/// A query on the listening connection that must answer within a lease: one that hangs
/// (a dead peer without a reset) would otherwise keep this follower down for good.
async fn bounded<T>(work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::time::timeout(LEASE, work).await.map_err(|_| {
        crate::StoreError::Invalid("no answer from the database within the lease".into())
    })?
}

/// Follows until something fails; never returns otherwise.
async fn follow_once(url: &str, state: &State) -> Result<std::convert::Infallible> {
    let (mut listener, mut applied, renewed_at) = bounded(subscribe(url, state)).await?;
    go_live(state, renewed_at);
    let mut next_renewal = renewed_at + RENEW_EVERY;
    loop {
        let notification = tokio::select! {
            n = listener.try_recv() => n?,
            () = tokio::time::sleep_until(next_renewal.into()) => {
                let renewed_at = Instant::now();
                bounded(renew(&mut listener, state)).await?;
                while let Some(n) = listener.next_buffered() {
                    applied = applied.max(apply(state, &n)?);
                    acknowledge(&mut listener, state, applied).await?;
                }
                go_live(state, renewed_at);
                next_renewal = renewed_at + RENEW_EVERY;
                continue;
            }
        };
        let Some(n) = notification else {
            return Err(crate::StoreError::Invalid(
                "listening connection lost".into(),
            ));
        };
        applied = applied.max(apply(state, &n)?);
        acknowledge(&mut listener, state, applied).await?;
        while let Some(n) = listener.next_buffered() {
            applied = applied.max(apply(state, &n)?);
            acknowledge(&mut listener, state, applied).await?;
        }
    }
}

/// Listens, reads the current value, takes a lease and acknowledges what it has seen.
/// Returns the listener, the highest `seq` applied and when the lease was asked for.
async fn subscribe(url: &str, state: &State) -> Result<(PgListener, i64, Instant)> {
    let mut listener = PgListener::connect(url).await?;
    // A lost connection must surface (`try_recv` gives None), never be hidden by a
    // reconnect that lost notifications on the way.
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    // Acknowledgements and leases need not survive a crash.
    sqlx::query("SET synchronous_commit = off")
        .execute(&mut listener)
        .await?;
    // Subscribed first, read second: a bump after this read's snapshot is notified.
    let (token, mut applied): (i64, i64) =
        sqlx::query_as("SELECT n, seq FROM content_generation WHERE id = 1")
            .fetch_optional(&mut listener)
            .await?
            .unwrap_or((0, 0));
    state.token.store(token, Ordering::SeqCst);
    let renewed_at = Instant::now();
    sqlx::query(concat!(
        "INSERT INTO generation_followers (id, acked, lease_until) VALUES ($1, $2, ",
        db_now_ms!(),
        " + $3)
         ON CONFLICT (id) DO UPDATE SET acked = excluded.acked, lease_until = excluded.lease_until"
    ))
    .bind(&state.id)
    .bind(applied)
    .bind(LEASE.as_millis() as i64)
    .execute(&mut listener)
    .await?;
    // Bumps committed while that ran were sent before its answer: apply them first.
    while let Some(n) = listener.next_buffered() {
        applied = applied.max(apply(state, &n)?);
    }
    acknowledge(&mut listener, state, applied).await?;
    Ok((listener, applied, renewed_at))
}

async fn renew(listener: &mut PgListener, state: &State) -> Result<()> {
    let rows = sqlx::query(concat!(
        "UPDATE generation_followers SET lease_until = ",
        db_now_ms!(),
        " + $2 WHERE id = $1"
    ))
    .bind(&state.id)
    .bind(LEASE.as_millis() as i64)
    .execute(listener)
    .await?
    .rows_affected();
    if rows == 0 {
        // Someone removed the row: writers no longer wait for this instance.
        return Err(crate::StoreError::Invalid("follower row gone".into()));
    }
    Ok(())
}

/// Moves the followed value to a notification's; returns its `seq`.
fn apply(state: &State, n: &PgNotification) -> Result<i64> {
    let (token, seq) = parse(n.payload())
        .ok_or_else(|| crate::StoreError::Invalid(format!("bad notification {:?}", n.payload())))?;
    // Notifications come in commit order, so the last one is the current value.
    state.token.store(token, Ordering::SeqCst);
    Ok(seq)
}

fn parse(payload: &str) -> Option<(i64, i64)> {
    let (token, seq) = payload.split_once(':')?;
    Some((token.parse().ok()?, seq.parse().ok()?))
}

async fn acknowledge(listener: &mut PgListener, state: &State, applied: i64) -> Result<()> {
    bounded(async {
        sqlx::query("UPDATE generation_followers SET acked = GREATEST(acked, $2) WHERE id = $1")
            .bind(&state.id)
            .bind(applied)
            .execute(listener)
            .await?;
        Ok(())
    })
    .await
}

fn go_live(state: &State, renewed_at: Instant) {
    let until = renewed_at + LEASE - MARGIN;
    state
        .live_until
        .store(state.millis(until), Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::postgres_database as postgres;

    async fn live(follower: &Follower) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !follower.is_live() {
            assert!(Instant::now() < deadline, "the follower never went live");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn every_follower_has_a_write_before_the_writer_hears_back() {
        let Some(db) = postgres().await else { return };
        let (one, two) = (
            Store::connect(&db.url).await.unwrap(),
            Store::connect(&db.url).await.unwrap(),
        );
        let (a, b) = (
            one.follow_generation().unwrap(),
            two.follow_generation().unwrap(),
        );
        live(&a).await;
        live(&b).await;
        for round in 0..30 {
            let writer = if round % 2 == 0 { &one } else { &two };
            let bump = writer.bump_content_generation().await.unwrap();
            writer.await_followers(bump.seq).await.unwrap();
            // No sleep: acknowledged means applied.
            assert_eq!(a.current(), Some(bump.token), "round {round}");
            assert_eq!(b.current(), Some(bump.token), "round {round}");
            assert_eq!(two.content_generation().await.unwrap(), bump.token);
        }
        // A dropped follower gives its row up, so writers do not wait for it.
        drop(b);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM generation_followers")
                .fetch_one(one.pool())
                .await
                .unwrap();
            if rows == 1 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the dropped follower's row stayed"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn a_stalled_follower_stops_serving_before_writers_stop_waiting() {
        let Some(db) = postgres().await else { return };
        let (one, two) = (
            Store::connect(&db.url).await.unwrap(),
            Store::connect(&db.url).await.unwrap(),
        );
        let stalled = two.follow_generation().unwrap();
        live(&stalled).await;
        // Its task stops answering, as a hung process or a dead network would, but
        // its row and lease stay.
        stalled.task.abort();
        let started = Instant::now();
        let bump = one.bump_content_generation().await.unwrap();
        one.await_followers(bump.seq).await.unwrap();
        assert!(
            started.elapsed() >= RENEW_EVERY,
            "the writer waited for the stalled follower's lease"
        );
        assert_eq!(stalled.current(), None, "a stalled follower must not serve");
        // SQLite has no followers and nothing to wait for.
        let sqlite = crate::testing::test_databases().await.remove(0);
        let store = Store::connect(&sqlite.url).await.unwrap();
        assert!(store.follow_generation().is_none());
        let bump = store.bump_content_generation().await.unwrap();
        store.await_followers(bump.seq).await.unwrap();
    }

    #[test]
    fn payloads_parse_or_are_refused() {
        assert_eq!(super::parse("-42:7"), Some((-42, 7)));
        assert_eq!(super::parse("42"), None);
        assert_eq!(super::parse("x:1"), None);
    }
}
