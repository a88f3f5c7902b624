//! `shortscience import-catalog dblp|arxiv|bibtex FILE`: paper catalogs into the
//! database, in batches of one transaction each.
//!
//! A reader thread parses the file (the sources crate's streaming readers) and hands
//! batches to the importer through a channel of two, so parsing and writing overlap on
//! two cores and memory stays flat whatever the file size. Re-importing a file adds
//! nothing. Exit status 1 when the file cannot be opened or read to its end.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal as _, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use flate2::read::MultiGzDecoder;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shortscience::settings::Overrides;
use shortscience_sources::{Record, SourceError, arxiv_snapshot_records, bibtex, dblp_records};
use shortscience_store::{BatchOutcome, NewPaper, Store};
use tokio::sync::mpsc;

use super::open_store;
use crate::StoreArgs;

/// Records per transaction unless `--batch` says otherwise. Fewer, larger commits
/// rewrite each hot index page (and flush a full-text segment) less often: 1M DBLP
/// records on SQLite took 51 s at 5,000, 40 s at 10,000 and 35 s at 20,000 (peak
/// memory 115, 135 and 185 MB). A batch of 10,000 holds the write lock for about
/// 0.4 s, which the site's own writes wait out; readers never wait.
pub const DEFAULT_BATCH: u32 = 10_000;
/// Rejection reasons printed at the end (all are counted).
const SHOWN_REASONS: usize = 10;
/// Read buffer: large reads keep a multi-gigabyte dump from costing syscalls.
const BUFFER: usize = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// The DBLP XML dump (dblp.xml or dblp.xml.gz)
    Dblp,
    /// The arXiv metadata snapshot, one JSON object per line (.json, .jsonl, .gz)
    Arxiv,
    /// A BibTeX file (.bib)
    Bibtex,
}

#[derive(Debug, Clone, Args)]
pub struct ImportCatalogArgs {
    /// What kind of catalog the file is
    #[arg(value_enum, value_name = "FORMAT")]
    pub format: CatalogFormat,
    /// The file; `.gz` files are unpacked as they are read
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Records per transaction
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BATCH,
          value_parser = clap::value_parser!(u32).range(1..=50_000))]
    pub batch: u32,
}

/// One record as read: a paper, or why it is not one.
type Item = Result<NewPaper, String>;

/// Counts the bytes read from the file itself (compressed ones for `.gz`), for progress.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Remembers the first I/O error the parser saw from below, so a reader that stops
/// early on a damaged file is told apart from one that reached the end.
struct Watched<R> {
    inner: R,
    failed: Arc<std::sync::Mutex<Option<String>>>,
}

impl<R> Watched<R> {
    fn note(&self, e: &std::io::Error) {
        if let Ok(mut slot) = self.failed.lock() {
            slot.get_or_insert_with(|| e.to_string());
        }
    }
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| self.note(e))
    }
}

impl<R: BufRead> BufRead for Watched<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        // Borrowing rules: look at the error before handing out the buffer.
        if let Err(e) = self.inner.fill_buf() {
            self.note(&e);
            return Err(e);
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt)
    }
}

/// An open catalog file: a buffered reader over its (unpacked) text, the file's size
/// and the count of its bytes read so far.
///
/// Opened here rather than with `shortscience_sources::open_catalog_file` so the
/// progress bar can count the file's own (compressed) bytes.
fn open(path: &Path) -> anyhow::Result<(Box<dyn BufRead + Send>, u64, Arc<AtomicU64>)> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read {}", path.display()))?;
    if meta.is_dir() {
        anyhow::bail!("cannot read {}: it is a folder", path.display());
    }
    let read = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: file,
        read: read.clone(),
    };
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let reader: Box<dyn BufRead + Send> = if gz {
        Box::new(BufReader::with_capacity(
            BUFFER,
            MultiGzDecoder::new(BufReader::with_capacity(BUFFER, counting)),
        ))
    } else {
        Box::new(BufReader::with_capacity(BUFFER, counting))
    };
    Ok((reader, meta.len(), read))
}

/// How the DBLP reader's error for broken XML (after which it stops) begins.
const DBLP_BROKEN: &str = "DBLP XML: ";

fn to_item(r: Result<Record, SourceError>) -> Item {
    r.map(Record::into_new_paper).map_err(|e| e.to_string())
}

/// Reads the file on this (blocking) thread, sending batches until the end or until
/// the importer hangs up. Returns a fatal error: the file stopped being readable.
fn read_batches(
    format: CatalogFormat,
    reader: Box<dyn BufRead + Send>,
    batch: usize,
    tx: &mpsc::Sender<Vec<Item>>,
) -> Option<String> {
    let failed = Arc::new(std::sync::Mutex::new(None));
    let watched = Watched {
        inner: reader,
        failed: failed.clone(),
    };
    let mut fatal = None;
    let items: Box<dyn Iterator<Item = Item>> = match format {
        CatalogFormat::Dblp => Box::new(dblp_records(watched).map(to_item)),
        CatalogFormat::Arxiv => Box::new(arxiv_snapshot_records(watched).map(to_item)),
        CatalogFormat::Bibtex => {
            let mut bytes = Vec::new();
            let mut watched = watched;
            if let Err(e) = watched.read_to_end(&mut bytes) {
                return Some(e.to_string());
            }
            // BibTeX files from older tools may be Latin-1: each byte is its code point.
            let text = String::from_utf8(bytes)
                .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| char::from(b)).collect());
            let (entries, errors) = bibtex::parse(&text);
            let mut all: Vec<(usize, Item)> = entries
                .iter()
                .map(|e| {
                    (
                        e.line,
                        e.to_record()
                            .map(Record::into_new_paper)
                            .map_err(|err| err.to_string()),
                    )
                })
                .collect();
            all.extend(errors.iter().map(|e| (e.line, Err(e.to_string()))));
            all.sort_by_key(|(line, _)| *line);
            Box::new(all.into_iter().map(|(_, item)| item))
        }
    };
    let mut buf = Vec::with_capacity(batch);
    for item in items {
        // Broken XML ends a DBLP dump: the rest of the file cannot be read.
        if let Err(msg) = &item
            && msg.starts_with(DBLP_BROKEN)
        {
            fatal = Some(msg.clone());
        }
        buf.push(item);
        if buf.len() == batch {
            let full = std::mem::replace(&mut buf, Vec::with_capacity(batch));
            if tx.blocking_send(full).is_err() {
                return None;
            }
        }
    }
    if !buf.is_empty() {
        let _ = tx.blocking_send(buf);
    }
    let io = failed.lock().ok().and_then(|mut f| f.take());
    io.or(fatal)
}

/// Totals of a whole run.
#[derive(Debug, Default)]
pub struct Tally {
    pub records: u64,
    pub outcome: BatchOutcome,
    /// (record number from 1, reason) of the first few rejected records.
    pub shown: Vec<(u64, String)>,
    pub rejected: u64,
}

impl Tally {
    fn reject(&mut self, record: u64, reason: String) {
        self.rejected += 1;
        if self.shown.len() < SHOWN_REASONS {
            self.shown.push((record, reason));
        }
    }

    pub fn summary(&self) -> String {
        format!(
            "added {}, merged {} ({} updated), rejected {}",
            self.outcome.added, self.outcome.merged, self.outcome.updated, self.rejected
        )
    }
}

/// Imports one batch; reader rejections and store rejections are counted alike.
async fn import_batch(store: &Store, items: Vec<Item>, tally: &mut Tally) -> anyhow::Result<()> {
    let first = tally.records + 1;
    tally.records += items.len() as u64;
    let mut papers = Vec::with_capacity(items.len());
    let mut numbers = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Ok(p) => {
                papers.push(p);
                numbers.push(first + i as u64);
            }
            Err(reason) => tally.reject(first + i as u64, reason),
        }
    }
    let outcome = store
        .import_papers(&papers)
        .await
        .context("cannot store a batch of papers")?;
    for (i, reason) in &outcome.rejected {
        tally.reject(numbers[*i], reason.clone());
    }
    tally.outcome.added += outcome.added;
    tally.outcome.merged += outcome.merged;
    tally.outcome.updated += outcome.updated;
    Ok(())
}

/// Streams `file` into the store; returns the tally and a fatal read error, if any.
pub async fn import_file(
    store: &Store,
    format: CatalogFormat,
    file: &Path,
    batch: usize,
    bar: &ProgressBar,
) -> anyhow::Result<(Tally, Option<String>)> {
    let (reader, size, read) = open(file)?;
    bar.set_length(size);
    let (tx, mut rx) = mpsc::channel::<Vec<Item>>(2);
    let reading = std::thread::Builder::new()
        .name("catalog-reader".into())
        .spawn(move || read_batches(format, reader, batch, &tx))
        .context("cannot start the reader thread")?;
    let started = Instant::now();
    let mut tally = Tally::default();
    while let Some(items) = rx.recv().await {
        import_batch(store, items, &mut tally).await?;
        bar.set_position(read.load(Ordering::Relaxed));
        let secs = started.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!(
            "{} records, {:.0}/s",
            tally.records,
            tally.records as f64 / secs
        ));
    }
    let fatal = reading
        .join()
        .map_err(|_| anyhow::anyhow!("the reader thread panicked"))?;
    Ok((tally, fatal))
}

pub async fn run(args: ImportCatalogArgs) -> anyhow::Result<ExitCode> {
    // Fail on an unreadable file before touching the database.
    drop(open(&args.file)?);
    let (_, store) = open_store(&args.store, Overrides::default()).await?;
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta} {wide_msg}",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(250));
    let started = Instant::now();
    let (tally, fatal) =
        import_file(&store, args.format, &args.file, args.batch as usize, &bar).await?;
    bar.finish_and_clear();

    let name = args.file.display().to_string();
    for (record, reason) in &tally.shown {
        eprintln!("{name}: record {record}: {reason}");
    }
    if tally.rejected > tally.shown.len() as u64 {
        eprintln!(
            "{name}: … and {} more rejected records",
            tally.rejected - tally.shown.len() as u64
        );
    }
    println!(
        "{name}: {} records in {:.1} s: {}",
        tally.records,
        started.elapsed().as_secs_f64(),
        tally.summary()
    );
    super::announce_write(&store).await;
    match fatal {
        Some(e) => {
            eprintln!("error: {name} could not be read to the end: {e}");
            Ok(ExitCode::FAILURE)
        }
        None => Ok(ExitCode::SUCCESS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_keeps_the_first_reasons_and_counts_all() {
        let mut t = Tally::default();
        for i in 0..25 {
            t.reject(i, format!("reason {i}"));
        }
        assert_eq!(t.rejected, 25);
        assert_eq!(t.shown.len(), SHOWN_REASONS);
        assert_eq!(t.shown[0], (0, "reason 0".into()));
        assert_eq!(t.summary(), "added 0, merged 0 (0 updated), rejected 25");
    }

    #[test]
    fn unreadable_files_fail_before_anything() {
        let dir = tempfile::tempdir().unwrap();
        assert!(open(&dir.path().join("missing.xml")).is_err());
        assert!(open(dir.path()).is_err());
        let f = dir.path().join("a.bib");
        std::fs::write(&f, "@misc{k, title={T}}").unwrap();
        let (mut r, size, _) = open(&f).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!((s.len() as u64, size), (19, 19));
    }
}
