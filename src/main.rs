//! `shortscience`: run the site, import and export summary files, preview a render.
//!
//! Exit status: 0 on success, 1 when anything failed (bad input, unreachable
//! database, a file that could not be imported), 2 for command-line usage errors.

mod cmd;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use shortscience::settings::{self, LogFormat};

#[derive(Debug, Parser)]
#[command(
    name = "shortscience",
    version,
    about = "Short summaries of research papers: a self-hostable site."
)]
struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    command: Option<Command>,
    /// Log lines as `text` or `json` (one object per line) [default: the `log_format` setting, else text]
    #[arg(
        long,
        global = true,
        env = "SHORTSCIENCE_LOG_FORMAT",
        value_name = "FORMAT"
    )]
    log_format: Option<LogFormat>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web site (the default when no command is given)
    Serve(ServeArgs),
    /// Import summary files (Markdown with TOML front matter between `+++` lines)
    Import(ImportArgs),
    /// Write every summary as a summary file into a folder
    Export(ExportArgs),
    /// Print the HTML a summary file renders to, without a database
    Render(RenderArgs),
    /// Manage accounts: add (with --password-stdin), promote, suspend, list
    User(cmd::user::UserArgs),
    /// Copy a live SQLite database into a new file (PostgreSQL: use pg_dump)
    Backup(BackupArgs),
    /// Bring a backup made by `backup` back as the site's database, or load a folder
    /// written by `dump` into an empty one
    Restore(RestoreArgs),
    /// Write all public content (JSON Lines and summary files) into a folder
    Dump(DumpArgs),
    /// Copy every row of one database into another, empty one (e.g. SQLite to PostgreSQL)
    CopyDb(CopyDbArgs),
    /// Import a paper catalog: the DBLP XML dump, the arXiv metadata snapshot, or BibTeX
    ImportCatalog(cmd::catalog::ImportCatalogArgs),
    /// Write a synthetic DBLP-like dump of N records (benchmarks)
    #[command(hide = true)]
    GenDblp(cmd::bench::GenDblpArgs),
    /// Time search, typeahead and id lookups, after seeding summaries (benchmarks)
    #[command(hide = true)]
    BenchSearch(cmd::bench::BenchSearchArgs),
    /// Fill a database with a synthetic site: papers, summaries, users, votes, comments (benchmarks)
    #[command(hide = true)]
    GenSite(cmd::gen_site::GenSiteArgs),
}

#[derive(Debug, Clone, Args)]
struct BackupArgs {
    /// The backup file to create (must not exist)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Clone, Args)]
struct RestoreArgs {
    /// A backup file made by `backup`, or a folder written by `dump`
    #[arg(value_name = "FILE|DIR")]
    file: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
    /// Replace a database that already holds data (stop the server first)
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Clone, Args)]
struct DumpArgs {
    /// Folder to write into (created if missing; files of an older dump are replaced)
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Clone, Args)]
struct CopyDbArgs {
    /// Database to read: sqlite://PATH or postgres://…
    #[arg(long, value_name = "URL")]
    from: String,
    /// Database to fill: it must have no rows (a new one is created and migrated)
    #[arg(long, value_name = "URL")]
    to: String,
    /// Rows per INSERT
    #[arg(long, value_name = "N", default_value_t = 500)]
    batch: usize,
}

/// Where the data lives. Flags beat SHORTSCIENCE_* variables, which beat the settings file.
#[derive(Debug, Clone, Default, Args)]
struct StoreArgs {
    /// Database URL: sqlite://PATH or postgres://USER:PASS@HOST/DB [default: sqlite://shortscience.db]
    #[arg(long, env = "SHORTSCIENCE_DB", value_name = "URL")]
    db: Option<String>,
    /// Settings file (TOML) [default: ./shortscience.toml when it exists]
    #[arg(long, env = "SHORTSCIENCE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Args)]
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on; port 0 picks a free one [default: 127.0.0.1:8080]
    #[arg(long, env = "SHORTSCIENCE_BIND", value_name = "ADDR")]
    bind: Option<String>,
    /// Do not load demo content, even into a new, empty database
    #[arg(long)]
    no_demo: bool,
}

#[derive(Debug, Clone, Args)]
struct ImportArgs {
    /// Summary files, or folders searched recursively for *.md (README.md files are skipped)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    store: StoreArgs,
    /// Username that owns summaries whose front matter has no `author`
    #[arg(long = "as", value_name = "USERNAME", default_value = "imported")]
    as_user: String,
}

#[derive(Debug, Clone, Args)]
struct ExportArgs {
    /// Folder to write `<summary id>-<title slug>.md` files into (created if missing)
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Clone, Args)]
struct RenderArgs {
    /// Summary file (front matter optional), or `-` for standard input
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    let log_format = cli.log_format.unwrap_or_else(|| match &command {
        // The settings file may ask for JSON; a broken file is reported by `serve` itself.
        Command::Serve(args) => settings::load(args.store.config.as_deref(), &Default::default())
            .map(|s| s.log_format)
            .unwrap_or_default(),
        _ => LogFormat::Text,
    });
    init_tracing(matches!(command, Command::Serve(_)), log_format);
    log_panics();
    if let Command::Render(args) = &command {
        return cmd::render::run(&args.file);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Serve(args) => cmd::serve::run(args).await,
            Command::Import(args) => cmd::import::run(args).await,
            Command::Export(args) => cmd::export::run(args).await,
            Command::Backup(args) => cmd::backup::run(args).await,
            Command::Restore(args) if args.file.is_dir() => cmd::restore_dump::run(args).await,
            Command::Restore(args) => cmd::restore::run(args).await,
            Command::Dump(args) => cmd::dump::run(args).await,
            Command::CopyDb(args) => cmd::migrate_db::run(args).await,
            Command::User(args) => cmd::user::run(args).await,
            Command::ImportCatalog(args) => cmd::catalog::run(args).await,
            Command::GenDblp(args) => cmd::bench::gen_dblp(args),
            Command::BenchSearch(args) => cmd::bench::bench_search(args).await,
            Command::GenSite(args) => cmd::gen_site::run(args).await,
            Command::Render(_) => unreachable!("handled above"),
        }
    });
    // Tasks still running after a bounded drain are not waited for.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; `RUST_LOG` overrides the level. Batch commands stay quiet
/// unless something is wrong, so their one-line results are easy to read.
/// With `json`, one object per line: `timestamp`, `level`, `target`, the event's fields
/// (`message`, …) and `span` (with `request_id` inside a request).
fn init_tracing(server: bool, format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let default = if server { "info,sqlx=warn" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

/// Panics (bugs) go to the log like other errors, so a JSON log stays one object per
/// line, and a request's panic carries its request id.
fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or("(no message)");
        let location = info.location().map(|l| l.to_string()).unwrap_or_default();
        let backtrace = std::backtrace::Backtrace::capture();
        if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
            tracing::error!(%location, %backtrace, "panic: {message}");
        } else {
            tracing::error!(%location, "panic: {message}");
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_arguments_means_serve() {
        let cli = Cli::try_parse_from(["shortscience"]).unwrap();
        assert!(cli.command.is_none());
    }

    #[test]
    fn flags_parse_as_documented() {
        let cli = Cli::try_parse_from([
            "shortscience",
            "serve",
            "--db",
            "postgres://x@h/db",
            "--bind",
            "0.0.0.0:80",
            "--no-demo",
        ])
        .unwrap();
        let Some(Command::Serve(s)) = cli.command else {
            panic!("expected serve")
        };
        assert_eq!(s.store.db.as_deref(), Some("postgres://x@h/db"));
        assert_eq!(s.bind.as_deref(), Some("0.0.0.0:80"));
        assert!(s.no_demo);

        let cli =
            Cli::try_parse_from(["shortscience", "import", "a.md", "dir", "--as", "ann"]).unwrap();
        let Some(Command::Import(i)) = cli.command else {
            panic!("expected import")
        };
        assert_eq!(i.paths, [PathBuf::from("a.md"), PathBuf::from("dir")]);
        assert_eq!(i.as_user, "ann");

        assert!(Cli::try_parse_from(["shortscience", "import"]).is_err());
        assert!(Cli::try_parse_from(["shortscience", "export"]).is_err());
        assert!(Cli::try_parse_from(["shortscience", "render", "-"]).is_ok());
    }
}
