//! `shortscience render FILE`: the HTML a summary file renders to, with no database.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use shortscience::summary_file::{self, locate_render_error};
use shortscience_render::{NoPapers, render};

pub fn run(file: &Path) -> ExitCode {
    let stdin = file == Path::new("-");
    let name = if stdin {
        "<stdin>".to_string()
    } else {
        file.display().to_string()
    };
    let text = if stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map(|_| s)
    } else {
        std::fs::read_to_string(file)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: cannot read: {e}");
            return ExitCode::FAILURE;
        }
    };
    let parts = match summary_file::parse_lenient(&text) {
        Ok((_, parts)) => parts,
        Err(e) => {
            eprintln!("{name}:{}: {}", e.line, e.kind);
            return ExitCode::FAILURE;
        }
    };
    match render(parts.body, &NoPapers) {
        Ok(rendered) => {
            for w in &rendered.warnings {
                let line = parts.body_line + w.line.saturating_sub(1);
                eprintln!("{name}:{line}: warning: {}", w.message);
            }
            let mut html = rendered.html;
            if !html.ends_with('\n') {
                html.push('\n');
            }
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::stdout().lock().write_all(html.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            let (line, message) = locate_render_error(&e, parts.body_line);
            eprintln!("{name}:{line}: {message}");
            ExitCode::FAILURE
        }
    }
}
