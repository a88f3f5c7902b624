//! `shortscience copy-db --from URL --to URL`: every row of one database into another,
//! empty one — how a site moves from SQLite to PostgreSQL. Reads one snapshot of the
//! source (the site may keep serving, but writes after the snapshot are not copied:
//! stop it for the final copy), keeps ids, moves PostgreSQL sequences past them, and
//! checks row counts on both sides.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shortscience::settings::redact_url;
use shortscience_store::{CopyReport, Store};

use crate::CopyDbArgs;

pub async fn run(args: CopyDbArgs) -> anyhow::Result<ExitCode> {
    if args.from == args.to {
        anyhow::bail!("--from and --to name the same database");
    }
    let source = Store::connect(&args.from)
        .await
        .with_context(|| format!("cannot open {}", redact_url(&args.from)))?;
    let target = Store::connect(&args.to)
        .await
        .with_context(|| format!("cannot open {}", redact_url(&args.to)))?;
    let started = Instant::now();
    let report = copy_with_progress(&source, &target, args.batch).await?;
    let rows: i64 = report.tables.iter().map(|(_, n)| n).sum();
    for (table, n) in &report.tables {
        println!("{table:<24} {n:>10}");
    }
    println!(
        "copied {rows} rows in {} tables from {} to {} in {:.1} s; row counts verified",
        report.tables.len(),
        redact_url(&args.from),
        redact_url(&args.to),
        started.elapsed().as_secs_f64()
    );
    source.close().await;
    target.close().await;
    Ok(ExitCode::SUCCESS)
}

/// [`Store::copy_into`] with one progress bar per table on a terminal.
pub async fn copy_with_progress(
    source: &Store,
    target: &Store,
    batch: usize,
) -> anyhow::Result<CopyReport> {
    let terminal = std::io::stderr().is_terminal();
    let style = ProgressStyle::with_template("{msg:24} {bar:30} {pos}/{len}").ok();
    let mut bar: Option<ProgressBar> = None;
    let report = source
        .copy_into(target, batch, |p| {
            if p.copied == 0 {
                if let Some(done) = bar.take() {
                    done.finish();
                }
                let b = if terminal {
                    ProgressBar::with_draw_target(Some(p.total), ProgressDrawTarget::stderr())
                } else {
                    ProgressBar::hidden()
                };
                if let Some(style) = &style {
                    b.set_style(style.clone());
                }
                b.set_message(p.table.to_owned());
                bar = Some(b);
            } else if let Some(b) = &bar {
                b.set_position(p.copied);
            }
        })
        .await
        .context("copy failed; the target was left as it was")?;
    if let Some(done) = bar.take() {
        done.finish();
    }
    Ok(report)
}
