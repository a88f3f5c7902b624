//! A shutdown that drains within a bound: when the signal comes, the server stops
//! accepting (the listener closes, so new connections are refused) and lets in-flight
//! requests finish; after [`DRAIN_LIMIT`] it stops waiting.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::sync::watch;

/// Longest wait for in-flight requests after a shutdown signal.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// Serves until `signal`, drains, and gives up on stragglers `limit` after the signal.
/// `serve` gets the future that tells the server to stop accepting. Returns true when
/// the server finished draining in time.
pub async fn serve_bounded<S>(
    serve: impl FnOnce(Pin<Box<dyn Future<Output = ()> + Send>>) -> S,
    signal: impl Future<Output = ()>,
    limit: Duration,
) -> std::io::Result<bool>
where
    S: Future<Output = std::io::Result<()>>,
{
    let (tx, mut rx) = watch::channel(false);
    let server = serve(Box::pin(async move {
        // An error means the sender is gone, which only happens once we return.
        let _ = rx.wait_for(|&stop| stop).await;
    }));
    tokio::pin!(server, signal);
    tokio::select! {
        done = &mut server => return done.map(|()| true),
        () = &mut signal => {
            let _ = tx.send(true);
        }
    }
    tokio::select! {
        done = &mut server => done.map(|()| true),
        () = tokio::time::sleep(limit) => {
            tracing::warn!(
                "requests still in flight {} s after the shutdown signal; stopping anyway",
                limit.as_secs()
            );
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn a_quick_server_finishes_before_the_deadline() {
        let finished = serve_bounded(
            |signal| async move {
                signal.await;
                Ok(())
            },
            async {},
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        assert!(finished);
    }

    #[tokio::test]
    async fn a_stuck_server_is_abandoned_at_the_deadline() {
        let start = Instant::now();
        let finished = serve_bounded(
            |signal| async move {
                signal.await;
                std::future::pending::<()>().await;
                Ok(())
            },
            tokio::time::sleep(Duration::from_millis(50)),
            Duration::from_millis(200),
        )
        .await
        .unwrap();
        assert!(!finished);
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(250), "{took:?}");
        assert!(took < Duration::from_secs(3), "{took:?}");
    }

    #[tokio::test]
    async fn nothing_happens_before_the_signal() {
        let outcome = tokio::time::timeout(
            Duration::from_millis(300),
            serve_bounded(
                |signal| async move {
                    signal.await;
                    Ok(())
                },
                std::future::pending::<()>(),
                Duration::from_millis(10),
            ),
        )
        .await;
        assert!(outcome.is_err(), "finished without a signal");
    }
}
