//! Takeout: a zip of everything a user wrote, in formats that outlive this site.
//!
//! - `summaries/<id>.md`: summary files, the format `shortscience import` reads (TOML
//!   front matter between `+++` lines with the keys and order of the binary's
//!   `summary_file::write`; a test in the root package parses these files with it);
//! - `summaries.json`: each summary's id, permalink, paper and licence;
//! - `comments.json`, `votes.json`: the user's comments (Markdown) and votes.

use std::io::Write as _;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use shortscience_ids::IdKind;
use shortscience_store::{SummaryRecord, Takeout};
use zip::write::SimpleFileOptions;

use super::auth::Reader;
use super::problem::{ApiError, ApiResult};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::feeds::rfc3339;

/// Front matter keys naming the paper, in the order summary files list them.
const ID_KEYS: [(&str, IdKind); 4] = [
    ("arxiv", IdKind::Arxiv),
    ("doi", IdKind::Doi),
    ("dblp", IdKind::Dblp),
    ("openreview", IdKind::OpenReview),
];

/// A TOML basic string on one line, so no value can close the front matter.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_array(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// A summary file for one record: the import format.
pub fn summary_file(r: &SummaryRecord) -> String {
    let mut out = String::from("+++\n");
    let mut line = |key: &str, value: String| {
        out.push_str(key);
        out.push_str(" = ");
        out.push_str(&value);
        out.push('\n');
    };
    for (key, kind) in ID_KEYS {
        let values: Vec<&str> = r
            .paper
            .aliases
            .iter()
            .filter(|a| a.kind() == kind)
            .map(|a| a.value())
            .collect();
        match values.as_slice() {
            [] => {}
            [one] => line(key, toml_string(one)),
            many => line(key, toml_array(many)),
        }
    }
    line("title", toml_string(&r.paper.title));
    if !r.paper.authors.is_empty() {
        let authors: Vec<&str> = r.paper.authors.iter().map(String::as_str).collect();
        line("authors", toml_array(&authors));
    }
    if let Some(year) = r.paper.year {
        line("year", year.to_string());
    }
    if let Some(venue) = &r.paper.venue {
        line("venue", toml_string(venue));
    }
    if let Some(text) = &r.paper.abstract_text {
        line("abstract", toml_string(text));
    }
    line("author", toml_string(&r.author_username));
    if r.private {
        line("private", "true".into());
    }
    if r.anonymous {
        line("anonymous", "true".into());
    }
    // TOML date-times only span years 0–9999.
    for (key, t) in [("created", r.created_at), ("edited", r.edited_at)] {
        if (-62_167_219_200..253_402_300_800).contains(&t) {
            line(key, rfc3339(t));
        }
    }
    format!("{out}+++\n\n{}\n", r.markdown.trim_end())
}

/// The zip, built in memory (a user's own writing is small).
pub fn build_zip(t: &Takeout, base_url: &str) -> Result<Vec<u8>, std::io::Error> {
    let base = base_url.trim_end_matches('/');
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let io = |e: zip::result::ZipError| std::io::Error::other(e.to_string());
    let mut index = Vec::new();
    for (record, licence) in &t.summaries {
        let name = format!("summaries/{}.md", record.id);
        zip.start_file(name.as_str(), opts).map_err(io)?;
        zip.write_all(summary_file(record).as_bytes())?;
        index.push(json!({
            "id": record.id.0,
            "file": name,
            "permalink": format!("{base}/summary/{}", record.id),
            "paper": { "id": record.paper.id.0, "title": record.paper.title },
            "licence": licence.as_str(),
            "private": record.private,
            "anonymous": record.anonymous,
        }));
    }
    for (name, value) in [
        ("summaries.json", serde_json::to_vec_pretty(&index)),
        ("comments.json", serde_json::to_vec_pretty(&t.comments)),
        ("votes.json", serde_json::to_vec_pretty(&t.votes)),
    ] {
        zip.start_file(name, opts).map_err(io)?;
        zip.write_all(&value.map_err(std::io::Error::other)?)?;
    }
    Ok(zip.finish().map_err(io)?.into_inner())
}

fn zip_response(bytes: Vec<u8>, username: &str) -> Response {
    let disposition = format!("attachment; filename=\"shortscience-{username}.zip\"");
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Usernames are ASCII letters, digits and -_. so the header value is always valid.
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// `GET /api/v1/me/takeout` with a token of any scope.
pub async fn get_api_takeout(
    State(state): State<AppState>,
    Reader(who): Reader,
) -> ApiResult<Response> {
    let t = state.store.takeout(who.user.id).await?;
    let bytes = build_zip(&t, &state.config.base_url).map_err(ApiError::internal)?;
    Ok(zip_response(bytes, &who.user.username))
}

/// `GET /settings/takeout.zip` for the signed-in user.
pub async fn get_settings_takeout(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Response> {
    let t = state.store.takeout(user.id).await?;
    let bytes = build_zip(&t, &state.config.base_url).map_err(AppError::internal)?;
    Ok(zip_response(bytes, &user.username))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shortscience_ids::{PaperId, PaperRef, SummaryId};
    use shortscience_store::{Licence, Paper};

    fn record() -> SummaryRecord {
        SummaryRecord {
            id: SummaryId(7),
            paper: Paper {
                id: PaperId(3),
                title: "A \"quoted\"\n+++ title".into(),
                authors: vec!["A. B".into()],
                year: Some(2017),
                venue: None,
                abstract_text: None,
                aliases: vec![PaperRef::parse("arXiv:1706.03762").unwrap()],
            },
            author_username: "ada".into(),
            markdown: "Text with $x^2$.\n\n".into(),
            private: true,
            anonymous: false,
            created_at: 1_488_628_800,
            edited_at: 1_488_628_800,
        }
    }

    #[test]
    fn summary_files_keep_values_on_one_line() {
        let text = summary_file(&record());
        assert!(text.starts_with("+++\narxiv = \"1706.03762\"\ntitle = "));
        assert!(
            text.contains(r#"title = "A \"quoted\"\n+++ title""#),
            "{text}"
        );
        assert_eq!(text.lines().filter(|l| *l == "+++").count(), 2);
        assert!(
            text.contains("private = true\ncreated = 2017-03-04T12:00:00Z\n"),
            "{text}"
        );
        assert!(text.ends_with("+++\n\nText with $x^2$.\n"));
    }

    #[test]
    fn zips_hold_every_part() {
        let t = Takeout {
            summaries: vec![(record(), Licence::CcBySa4)],
            comments: Vec::new(),
            votes: Vec::new(),
        };
        let bytes = build_zip(&t, "https://x.example/").unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned())
            .collect();
        for want in [
            "summaries/7.md",
            "summaries.json",
            "comments.json",
            "votes.json",
        ] {
            assert!(names.iter().any(|n| n == want), "{names:?}");
        }
        let mut index = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("summaries.json").unwrap(), &mut index)
            .unwrap();
        assert!(index.contains("CC-BY-SA-4.0") && index.contains("https://x.example/summary/7"));
    }
}
