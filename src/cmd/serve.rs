//! `shortscience serve` (and no command at all): the web site.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use shortscience::demo::{self, DEMO_AUTHOR, DEMO_FILES};
use shortscience::settings::{self, Overrides};
use shortscience::summary_file;
use shortscience_sources::{Resolver, SourcesConfig};
use shortscience_store::Store;
use shortscience_web::auth::Registration;
use shortscience_web::cache::CacheSettings;
use shortscience_web::{AppState, WebConfig, ops};
use tracing::{info, warn};

use super::{import_text, open_store, rerender};
use crate::ServeArgs;

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    // Handlers first: a signal that arrives during start-up must still stop us cleanly.
    let shutdown = shutdown_signal().context("cannot listen for shutdown signals")?;
    let overrides = Overrides {
        bind: args.bind.clone(),
        demo: args.no_demo.then_some(false),
        ..Overrides::default()
    };
    let (settings, store) = open_store(&args.store, overrides).await?;
    info!("database {}", settings::redact_url(&settings.db));

    if settings.demo
        && store
            .is_empty()
            .await
            .context("cannot inspect the database")?
    {
        load_demo(&store).await?;
    }
    let rerendered = rerender(&store).await?;
    if rerendered > 0 {
        info!("re-rendered {rerendered} summaries");
    }

    let listener = tokio::net::TcpListener::bind(&settings.bind)
        .await
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let addr = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let base_url = if settings.base_url.is_empty() {
        format!("http://{addr}")
    } else {
        settings.base_url.trim_end_matches('/').to_string()
    };
    let config = WebConfig {
        base_url,
        site_name: settings.site_name.clone(),
        registration: Registration::parse(&settings.registration).map_err(anyhow::Error::msg)?,
        smtp_url: Some(settings.smtp_url.clone()).filter(|u| !u.trim().is_empty()),
        mail_from: settings.mail_from.clone(),
        trusted_proxy: settings.trusted_proxy,
        page_cache: CacheSettings {
            enabled: settings.page_cache,
            ttl: Duration::from_secs(settings.page_cache_ttl),
            max_bytes: usize::try_from(settings.page_cache_mb.saturating_mul(1 << 20))
                .unwrap_or(usize::MAX),
        },
    };
    if config.smtp_url.is_none() {
        info!("no smtp_url set: account e-mails (with their links) are written to this log");
    }
    let sources = Resolver::new(SourcesConfig {
        offline: settings.offline,
        mailto: Some(settings.contact_email.clone()).filter(|m| !m.trim().is_empty()),
        ..SourcesConfig::default()
    })
    .context("cannot set up the metadata sources")?;
    let state = AppState::new(store, config)
        .context("invalid mail settings")?
        .with_sources(sources);
    if settings.metrics {
        let metrics = tokio::net::TcpListener::bind(&settings.metrics_bind)
            .await
            .with_context(|| format!("cannot listen on {} for metrics", settings.metrics_bind))?;
        if let Ok(at) = metrics.local_addr() {
            info!("metrics on http://{at}/metrics");
        }
        tokio::spawn(ops::metrics::serve(metrics, state.store.clone()));
    }
    info!("listening on http://{addr}");
    let cache = state.cache.clone();
    let drained = ops::shutdown::serve_bounded(
        |signal| shortscience_web::serve(listener, state, signal),
        shutdown,
        ops::shutdown::DRAIN_LIMIT,
    )
    .await
    .context("the server stopped with an error")?;
    cache.stop_following().await;
    if drained {
        info!("stopped");
    } else {
        warn!("stopped before every request finished");
    }
    Ok(ExitCode::SUCCESS)
}

/// Imports the embedded demo files through the same path as `import`, with their dates
/// moved near today, then casts the demo votes. A demo file that fails is logged and
/// skipped.
async fn load_demo(store: &Store) -> anyhow::Result<()> {
    let newest = DEMO_FILES
        .iter()
        .filter_map(|(_, text)| summary_file::parse(text).ok())
        .filter_map(|f| f.meta.edited.or(f.meta.created))
        .max();
    let shift = demo::date_shift(newest, unix_now());
    let mut summaries = HashMap::new();
    for (name, text) in DEMO_FILES {
        match import_text(store, text, DEMO_AUTHOR, shift).await {
            Ok(done) => {
                summaries.insert(*name, done.summary);
            }
            Err(f) => warn!("{}", f.report(&format!("demo/summaries/{name}"))),
        }
    }
    let mut cast = 0;
    for (voter, file, value) in demo::DEMO_VOTES {
        let Some(summary) = summaries.get(file) else {
            continue;
        };
        let voter = store
            .ensure_user(voter)
            .await
            .context("cannot create demo voter")?;
        // A refused vote only makes the demo a little flatter.
        match store.set_vote(voter, *summary, *value).await {
            Ok(()) => cast += 1,
            Err(e) => warn!("demo vote on {file} not cast: {e}"),
        }
    }
    info!("loaded {} demo summaries and {cast} votes", summaries.len());
    Ok(())
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Resolves on Ctrl-C or SIGTERM. The signal handlers are installed right away.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => info!("interrupted; shutting down"),
                _ = terminate.recv() => info!("terminated; shutting down"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            info!("interrupted; shutting down");
        })
    }
}
