//! Summary files: TOML front matter between `+++` lines, then the Markdown body.
//!
//! ```text
//! +++
//! arxiv = "1609.00150"
//! title = "Reward Augmented Maximum Likelihood for Neural Structured Prediction"
//! authors = ["Mohammad Norouzi", "Samy Bengio"]
//! year = 2016
//! author = "someone"
//! created = 2017-03-04T12:00:00Z
//! +++
//!
//! The summary, in Markdown with LaTeX maths.
//! ```
//!
//! Parsing is strict (unknown keys are errors, so typos are not silently ignored) and
//! every error carries the 1-based line of the whole file it points at. [`write`] is the
//! inverse: `parse(&write(&parse(x)?))? == parse(x)?`.

use serde::Deserialize;
use shortscience_ids::{IdError, IdKind, PaperRef};
use shortscience_render::RenderError;
use shortscience_store::{StoreError, check_username};
use toml::Spanned;
use toml::value::Value;

use crate::dates::{self, DateError};

/// The line that opens and closes the front matter.
pub const FENCE: &str = "+++";

/// Front matter keys that name the paper, with the scheme each is parsed as.
pub const ID_KEYS: [(&str, IdKind); 4] = [
    ("arxiv", IdKind::Arxiv),
    ("doi", IdKind::Doi),
    ("dblp", IdKind::Dblp),
    ("openreview", IdKind::OpenReview),
];

/// Every accepted front matter key, in the order [`write`] emits them.
pub const KEYS: [&str; 14] = [
    "arxiv",
    "doi",
    "dblp",
    "openreview",
    "title",
    "authors",
    "year",
    "venue",
    "abstract",
    "author",
    "private",
    "anonymous",
    "created",
    "edited",
];

/// Plausible publication years.
pub const YEARS: std::ops::RangeInclusive<i64> = 1600..=2200;

/// A parsed summary file.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryFile {
    pub meta: FrontMatter,
    /// The summary text: leading blank lines and trailing whitespace removed.
    pub markdown: String,
    /// 1-based line of the file where `markdown` starts; maps renderer lines back.
    pub body_line: usize,
}

/// What the front matter says about the paper and the summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrontMatter {
    /// At least one; grouped by kind in [`ID_KEYS`] order, as written within a kind.
    pub refs: Vec<PaperRef>,
    pub title: String,
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub venue: Option<String>,
    pub abstract_text: Option<String>,
    /// Username of the summary's author; None means "whoever imports it".
    pub author: Option<String>,
    pub private: bool,
    pub anonymous: bool,
    /// Unix seconds.
    pub created: Option<i64>,
    /// Unix seconds.
    pub edited: Option<i64>,
}

/// A problem with a summary file, at a 1-based line of the whole file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct ParseError {
    pub line: usize,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    #[error("expected `+++` on the first line, opening the TOML front matter")]
    NoFrontMatter,
    #[error("the front matter is never closed: add a `+++` line after it")]
    Unclosed,
    #[error("front matter: {0}")]
    Toml(String),
    #[error("{}", unknown_keys_message(.keys))]
    UnknownKeys { keys: Vec<String> },
    #[error("front matter has no `title`")]
    MissingTitle,
    #[error("`title` is empty")]
    EmptyTitle,
    #[error("no paper identifier: add at least one of `arxiv`, `doi`, `dblp`, `openreview`")]
    NoPaperId,
    #[error("`{key}` must be a string or an array of strings")]
    IdType { key: &'static str },
    #[error("`{key}`: {source}")]
    InvalidId {
        key: &'static str,
        #[source]
        source: IdError,
    },
    #[error("`year` {year} is not a plausible publication year ({}–{})", YEARS.start(), YEARS.end())]
    Year { year: i64 },
    #[error("`{key}` must be an RFC 3339 date-time or a YYYY-MM-DD date, not a {found}")]
    DateType {
        key: &'static str,
        found: &'static str,
    },
    #[error("`{key}`: {source}")]
    Date {
        key: &'static str,
        #[source]
        source: DateError,
    },
    /// The store's own rule, so a file is rejected here with a line rather than later.
    #[error("`author`: {0}")]
    Author(String),
    #[error("the summary text after the front matter is empty")]
    EmptyBody,
}

fn unknown_keys_message(keys: &[String]) -> String {
    let list = keys
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let noun = if keys.len() == 1 { "key" } else { "keys" };
    let hint = match keys {
        [one] => closest_key(one)
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default(),
        _ => String::new(),
    };
    format!(
        "unknown front matter {noun} {list}{hint}; allowed: {}",
        KEYS.join(", ")
    )
}

/// The allowed key within two edits of a typo, if any.
fn closest_key(typo: &str) -> Option<&'static str> {
    KEYS.iter()
        .map(|k| (edit_distance(typo, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The raw pieces of a file: front matter text (if any) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts<'a> {
    /// TOML text between the fences; it starts on line 2.
    pub front: Option<&'a str>,
    pub body: &'a str,
    pub body_line: usize,
}

/// Splits front matter from body. A file without `+++` on line 1 is all body.
pub fn split(input: &str) -> Result<Parts<'_>, ParseError> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut lines = LineIter {
        rest: input,
        pos: 0,
    };
    let Some((first, _)) = lines.next() else {
        return Ok(Parts {
            front: None,
            body: "",
            body_line: 1,
        });
    };
    let (front, after, after_line) = if is_fence(first) {
        let start = lines.pos;
        let mut line_no = 1;
        let mut closing = None;
        for (line, line_start) in lines.by_ref() {
            line_no += 1;
            if is_fence(line) {
                closing = Some(line_start);
                break;
            }
        }
        let Some(end) = closing else {
            return Err(ParseError {
                line: 1,
                kind: ErrorKind::Unclosed,
            });
        };
        (Some(&input[start..end]), lines.pos, line_no + 1)
    } else {
        (None, 0, 1)
    };
    let (body, skipped) = skip_blank_lines(&input[after..]);
    let body = body.trim_end();
    // An empty body is reported where it should have started.
    let skipped = if body.is_empty() { 0 } else { skipped };
    Ok(Parts {
        front,
        body,
        body_line: after_line + skipped,
    })
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == FENCE
}

/// Yields each line (without its terminator) and the byte offset it starts at.
struct LineIter<'a> {
    rest: &'a str,
    pos: usize,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (&'a str, usize);
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let start = self.pos;
        let (line, consumed) = match self.rest.find('\n') {
            Some(i) => (&self.rest[..i], i + 1),
            None => (self.rest, self.rest.len()),
        };
        self.rest = &self.rest[consumed..];
        self.pos += consumed;
        Some((line, start))
    }
}

fn skip_blank_lines(s: &str) -> (&str, usize) {
    let mut rest = s;
    let mut skipped = 0;
    while let Some(i) = rest.find('\n') {
        if !rest[..i].trim().is_empty() {
            break;
        }
        rest = &rest[i + 1..];
        skipped += 1;
    }
    (rest, skipped)
}

/// Parses a summary file; front matter and a non-empty body are required.
pub fn parse(input: &str) -> Result<SummaryFile, ParseError> {
    let parts = split(input)?;
    let Some(front) = parts.front else {
        return Err(ParseError {
            line: 1,
            kind: ErrorKind::NoFrontMatter,
        });
    };
    let meta = parse_front_matter(front)?;
    if parts.body.is_empty() {
        return Err(ParseError {
            line: parts.body_line,
            kind: ErrorKind::EmptyBody,
        });
    }
    Ok(SummaryFile {
        meta,
        markdown: parts.body.to_string(),
        body_line: parts.body_line,
    })
}

/// Like [`parse`], but front matter is optional and the body may be empty
/// (for previewing a bare Markdown file).
pub fn parse_lenient(input: &str) -> Result<(Option<FrontMatter>, Parts<'_>), ParseError> {
    let parts = split(input)?;
    let meta = parts.front.map(parse_front_matter).transpose()?;
    Ok((meta, parts))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    arxiv: Option<Spanned<Value>>,
    doi: Option<Spanned<Value>>,
    dblp: Option<Spanned<Value>>,
    openreview: Option<Spanned<Value>>,
    title: Option<Spanned<String>>,
    #[serde(default)]
    authors: Vec<String>,
    year: Option<Spanned<i64>>,
    venue: Option<String>,
    #[serde(rename = "abstract")]
    abstract_text: Option<String>,
    author: Option<Spanned<String>>,
    #[serde(default)]
    private: bool,
    #[serde(default)]
    anonymous: bool,
    created: Option<Spanned<Value>>,
    edited: Option<Spanned<Value>>,
}

/// Parses the TOML between the fences (`front` starts on line 2 of the file).
pub fn parse_front_matter(front: &str) -> Result<FrontMatter, ParseError> {
    // Spans are byte offsets into `front`, whose first line is line 2 of the file.
    let err = |offset: usize, kind: ErrorKind| ParseError {
        line: 2 + front[..offset.min(front.len())].matches('\n').count(),
        kind,
    };
    let whole = |kind: ErrorKind| ParseError { line: 1, kind };
    let toml_err = |e: toml::de::Error| {
        let offset = e.span().map_or(0, |s| s.start);
        err(offset, ErrorKind::Toml(e.message().trim().to_string()))
    };

    let table = toml::de::DeTable::parse(front).map_err(toml_err)?;
    let mut unknown: Vec<(usize, String)> = table
        .get_ref()
        .iter()
        .filter(|(k, _)| !KEYS.contains(&&**k.get_ref()))
        .map(|(k, _)| (k.span().start, k.get_ref().to_string()))
        .collect();
    if !unknown.is_empty() {
        unknown.sort();
        let offset = unknown[0].0;
        let keys = unknown.into_iter().map(|(_, k)| k).collect();
        return Err(err(offset, ErrorKind::UnknownKeys { keys }));
    }
    // serde's type errors do not say which key they are about; the value spans do.
    let value_spans: Vec<(std::ops::Range<usize>, String)> = table
        .get_ref()
        .iter()
        .map(|(k, v)| (v.span(), k.get_ref().to_string()))
        .collect();
    let raw = RawFrontMatter::deserialize(toml::de::Deserializer::from(table)).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().trim();
        let message = match value_spans.iter().find(|(span, _)| span.contains(&offset)) {
            Some((_, key)) => format!("`{key}`: {message}"),
            None => message.to_string(),
        };
        err(offset, ErrorKind::Toml(message))
    })?;

    let mut refs = Vec::new();
    for ((key, kind), value) in
        ID_KEYS
            .iter()
            .zip([&raw.arxiv, &raw.doi, &raw.dblp, &raw.openreview])
    {
        let Some(value) = value else { continue };
        let offset = value.span().start;
        let texts: Vec<&str> = match value.get_ref() {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str())
                .collect::<Option<_>>()
                .ok_or_else(|| err(offset, ErrorKind::IdType { key }))?,
            _ => return Err(err(offset, ErrorKind::IdType { key })),
        };
        for text in texts {
            let r = PaperRef::parse_as(*kind, text)
                .map_err(|source| err(offset, ErrorKind::InvalidId { key, source }))?;
            if !refs.contains(&r) {
                refs.push(r);
            }
        }
    }
    if refs.is_empty() {
        return Err(whole(ErrorKind::NoPaperId));
    }

    let title = match raw.title {
        None => return Err(whole(ErrorKind::MissingTitle)),
        Some(t) if t.get_ref().trim().is_empty() => {
            return Err(err(t.span().start, ErrorKind::EmptyTitle));
        }
        Some(t) => t.into_inner().trim().to_string(),
    };
    let year = match raw.year {
        None => None,
        Some(y) => {
            let (offset, year) = (y.span().start, y.into_inner());
            if !YEARS.contains(&year) {
                return Err(err(offset, ErrorKind::Year { year }));
            }
            Some(year as i32)
        }
    };
    let author = match raw.author {
        None => None,
        Some(a) => {
            let name = check_username(a.get_ref())
                .map_err(|e| err(a.span().start, ErrorKind::Author(invalid_message(e))))?;
            Some(name.to_string())
        }
    };
    let date =
        |key: &'static str, value: Option<Spanned<Value>>| -> Result<Option<i64>, ParseError> {
            let Some(value) = value else { return Ok(None) };
            let offset = value.span().start;
            let secs = match value.get_ref() {
                Value::Datetime(dt) => dates::unix_from_datetime(dt),
                Value::String(s) => dates::unix_from_str(s),
                other => {
                    return Err(err(
                        offset,
                        ErrorKind::DateType {
                            key,
                            found: other.type_str(),
                        },
                    ));
                }
            };
            secs.map(Some)
                .map_err(|source| err(offset, ErrorKind::Date { key, source }))
        };
    let created = date("created", raw.created)?;
    let edited = date("edited", raw.edited)?;

    Ok(FrontMatter {
        refs,
        title,
        authors: raw
            .authors
            .iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect(),
        year,
        venue: non_empty(raw.venue),
        abstract_text: non_empty(raw.abstract_text),
        author,
        private: raw.private,
        anonymous: raw.anonymous,
        created,
        edited,
    })
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn invalid_message(e: StoreError) -> String {
    match e {
        StoreError::Invalid(message) => message,
        other => other.to_string(),
    }
}

/// Writes a summary file: keys in [`KEYS`] order, one per line. Strings are written as
/// single-line TOML basic strings so no value can put a `+++` line into the front matter.
/// Dates outside years 0–9999 cannot be written in TOML and are left out.
pub fn write(meta: &FrontMatter, markdown: &str) -> String {
    let mut out = String::from(FENCE);
    out.push('\n');
    let mut line = |key: &str, value: String| {
        out.push_str(key);
        out.push_str(" = ");
        out.push_str(&value);
        out.push('\n');
    };
    for (key, kind) in ID_KEYS {
        let values: Vec<&str> = meta
            .refs
            .iter()
            .filter(|r| r.kind() == kind)
            .map(|r| r.value())
            .collect();
        match values.as_slice() {
            [] => {}
            [one] => line(key, toml_string(one)),
            many => line(key, toml_array(many)),
        }
    }
    line("title", toml_string(&meta.title));
    if !meta.authors.is_empty() {
        line("authors", toml_array(&meta.authors));
    }
    if let Some(year) = meta.year {
        line("year", year.to_string());
    }
    if let Some(venue) = &meta.venue {
        line("venue", toml_string(venue));
    }
    if let Some(text) = &meta.abstract_text {
        line("abstract", toml_string(text));
    }
    if let Some(author) = &meta.author {
        line("author", toml_string(author));
    }
    if meta.private {
        line("private", "true".into());
    }
    if meta.anonymous {
        line("anonymous", "true".into());
    }
    if let Some(dt) = meta.created.and_then(dates::datetime_from_unix) {
        line("created", dt.to_string());
    }
    if let Some(dt) = meta.edited.and_then(dates::datetime_from_unix) {
        line("edited", dt.to_string());
    }
    format!("{out}{FENCE}\n\n{}\n", markdown.trim_end())
}

/// A TOML basic string on one line: quotes, backslashes and control characters escaped.
pub fn toml_string(s: &str) -> String {
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

fn toml_array<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|s| toml_string(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// Where (file line) and what a renderer rejection is, for `path:line: message` reports.
/// Errors at a line display as `line N: …` (renderer contract); N is relative to the body.
pub fn locate_render_error(err: &RenderError, body_line: usize) -> (usize, String) {
    let text = err.to_string();
    let at_line = text
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
        .and_then(|(n, message)| Some((n.parse::<usize>().ok()?, message)));
    match at_line {
        Some((line, message)) => (body_line + line.saturating_sub(1), message.to_string()),
        None => (body_line, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LENET: &str = "+++\n\
arxiv = \"1512.03385\"\n\
doi = \"10.1109/CVPR.2016.90\"\n\
title = \"Deep Residual Learning for Image Recognition\"\n\
authors = [\"Kaiming He\", \"Xiangyu Zhang\", \"Shaoqing Ren\", \"Jian Sun\"]\n\
year = 2016\n\
venue = \"CVPR 2016\"\n\
author = \"resnet-fan\"\n\
created = 2017-01-05T09:15:00Z\n\
edited = 2017-02-01\n\
+++\n\
\n\
Residual blocks learn $F(x) = H(x) - x$ instead of $H(x)$.\n\
\n\
Deeper nets then train as easily as shallow ones.\n";

    fn err_of(input: &str) -> ParseError {
        parse(input).expect_err("input should be rejected")
    }

    #[test]
    fn parses_front_matter_and_body() {
        let f = parse(LENET).unwrap();
        assert_eq!(f.meta.title, "Deep Residual Learning for Image Recognition");
        assert_eq!(f.meta.authors.len(), 4);
        assert_eq!(f.meta.year, Some(2016));
        assert_eq!(f.meta.venue.as_deref(), Some("CVPR 2016"));
        assert_eq!(f.meta.author.as_deref(), Some("resnet-fan"));
        assert_eq!(
            f.meta.created,
            dates::unix_from_str("2017-01-05T09:15:00Z").ok()
        );
        assert_eq!(f.meta.edited, dates::unix_from_str("2017-02-01").ok());
        assert!(!f.meta.private && !f.meta.anonymous);
        let kinds: Vec<IdKind> = f.meta.refs.iter().map(|r| r.kind()).collect();
        assert_eq!(kinds, [IdKind::Arxiv, IdKind::Doi]);
        assert_eq!(f.meta.refs[0].value(), "1512.03385");
        assert!(f.markdown.starts_with("Residual blocks"));
        assert!(f.markdown.ends_with("shallow ones."));
        assert_eq!(f.body_line, 13);
    }

    #[test]
    fn round_trip_write_then_parse() {
        let first = parse(LENET).unwrap();
        let written = write(&first.meta, &first.markdown);
        let second = parse(&written).unwrap();
        assert_eq!(
            second,
            SummaryFile {
                body_line: second.body_line,
                ..first.clone()
            }
        );
        // Writing is a fixed point after one round.
        assert_eq!(write(&second.meta, &second.markdown), written);
    }

    #[test]
    fn round_trip_keeps_flags_lists_and_awkward_strings() {
        let meta = FrontMatter {
            refs: vec![
                PaperRef::parse_as(IdKind::Doi, "10.1000/xyz123").unwrap(),
                PaperRef::parse_as(IdKind::Doi, "10.1000/abc999").unwrap(),
                PaperRef::parse_as(IdKind::OpenReview, "rJxYz0VtDB").unwrap(),
            ],
            title: "Quotes \"inside\", a backslash \\ and +++".into(),
            authors: vec!["Ada Lovelace".into()],
            year: Some(1843),
            venue: None,
            abstract_text: Some("Line one.\n+++\nLine two with 'quotes'.".into()),
            author: Some("ada".into()),
            private: true,
            anonymous: true,
            created: Some(-3_600),
            edited: Some(1_700_000_000),
        };
        let body = "+++\nnot a fence inside the body? it is: only the first closing line counts";
        let text = write(&meta, body);
        let back = parse(&text).unwrap();
        assert_eq!(back.meta, meta);
        assert_eq!(back.markdown, body);
    }

    #[test]
    fn file_without_front_matter_is_rejected_by_parse_but_fine_leniently() {
        let e = err_of("# Just markdown\n");
        assert_eq!((e.line, e.kind), (1, ErrorKind::NoFrontMatter));
        let (meta, parts) = parse_lenient("\n\n# Just markdown\n").unwrap();
        assert!(meta.is_none());
        assert_eq!(parts.body, "# Just markdown");
        assert_eq!(parts.body_line, 3);
    }

    #[test]
    fn unclosed_front_matter() {
        let e = err_of("+++\ntitle = \"x\"\narxiv = \"1512.03385\"\n");
        assert_eq!((e.line, e.kind), (1, ErrorKind::Unclosed));
    }

    #[test]
    fn toml_syntax_error_points_at_its_line() {
        let e =
            err_of("+++\narxiv = \"1512.03385\"\ntitle = \"unterminated\nyear = 2016\n+++\nbody\n");
        assert_eq!(e.line, 3);
        assert!(matches!(e.kind, ErrorKind::Toml(_)), "{e}");
    }

    #[test]
    fn wrong_type_points_at_its_line() {
        let e =
            err_of("+++\narxiv = \"1512.03385\"\ntitle = \"T\"\n\nyear = \"2016\"\n+++\nbody\n");
        assert_eq!(e.line, 5);
        assert!(
            matches!(&e.kind, ErrorKind::Toml(m) if m.starts_with("`year`: ")),
            "{e}"
        );
    }

    #[test]
    fn unknown_keys_are_all_named_with_a_hint() {
        let e = err_of("+++\narxiv = \"1512.03385\"\ntitel = \"T\"\n+++\nbody\n");
        assert_eq!(e.line, 3);
        let msg = e.kind.to_string();
        assert!(
            msg.contains("`titel`") && msg.contains("did you mean `title`?"),
            "{msg}"
        );

        let e =
            err_of("+++\narxiv = \"1512.03385\"\ntitle = \"T\"\nyaer = 1\nzzz = 2\n+++\nbody\n");
        assert_eq!(e.line, 4);
        assert_eq!(
            e.kind,
            ErrorKind::UnknownKeys {
                keys: vec!["yaer".into(), "zzz".into()]
            }
        );
        let e = err_of("+++\narxiv = \"1512.03385\"\ntitle = \"T\"\n[paper]\nx = 1\n+++\nbody\n");
        assert_eq!(e.line, 4);
    }

    #[test]
    fn invalid_id_names_key_and_line() {
        let e = err_of("+++\ntitle = \"T\"\n\narxiv = \"not an id\"\n+++\nbody\n");
        assert_eq!(e.line, 4);
        assert!(
            matches!(e.kind, ErrorKind::InvalidId { key: "arxiv", .. }),
            "{e}"
        );
        let e = err_of("+++\ntitle = \"T\"\ndoi = 10\n+++\nbody\n");
        assert_eq!((e.line, e.kind), (3, ErrorKind::IdType { key: "doi" }));
    }

    #[test]
    fn required_pieces() {
        let e = err_of("+++\ntitle = \"T\"\n+++\nbody\n");
        assert_eq!(e.kind, ErrorKind::NoPaperId);
        let e = err_of("+++\narxiv = \"1512.03385\"\n+++\nbody\n");
        assert_eq!(e.kind, ErrorKind::MissingTitle);
        let e = err_of("+++\narxiv = \"1512.03385\"\ntitle = \"  \"\n+++\nbody\n");
        assert_eq!((e.line, e.kind), (3, ErrorKind::EmptyTitle));
        let e = err_of("+++\narxiv = \"1512.03385\"\ntitle = \"T\"\n+++\n\n  \n");
        assert_eq!((e.line, e.kind), (5, ErrorKind::EmptyBody));
    }

    #[test]
    fn year_author_and_dates_are_checked() {
        let base = "+++\narxiv = \"1512.03385\"\ntitle = \"T\"\n";
        let e = err_of(&format!("{base}year = 20160\n+++\nbody\n"));
        assert_eq!((e.line, e.kind), (4, ErrorKind::Year { year: 20160 }));
        let e = err_of(&format!("{base}author = \"two words\"\n+++\nbody\n"));
        assert_eq!(e.line, 4);
        assert!(matches!(e.kind, ErrorKind::Author(_)));
        let e = err_of(&format!("{base}created = 2017-01-05T09:15:00\n+++\nbody\n"));
        assert_eq!(
            (e.line, e.kind),
            (
                4,
                ErrorKind::Date {
                    key: "created",
                    source: DateError::NoOffset
                }
            )
        );
        let e = err_of(&format!("{base}edited = \"yesterday\"\n+++\nbody\n"));
        assert!(matches!(e.kind, ErrorKind::Date { key: "edited", .. }));
        let e = err_of(&format!("{base}edited = 5\n+++\nbody\n"));
        assert!(matches!(e.kind, ErrorKind::DateType { key: "edited", .. }));
        // Quoted RFC 3339 strings are accepted like bare TOML date-times.
        let f = parse(&format!(
            "{base}created = \"2017-01-05T10:15:00+01:00\"\n+++\nbody\n"
        ))
        .unwrap();
        assert_eq!(
            f.meta.created,
            dates::unix_from_str("2017-01-05T09:15:00Z").ok()
        );
    }

    #[test]
    fn crlf_bom_and_duplicate_ids() {
        let text = "\u{feff}+++\r\narxiv = [\"1512.03385\", \"1512.03385v2\"]\r\ntitle = \"T\"\r\n+++\r\n\r\nbody\r\n";
        let f = parse(text).unwrap();
        assert_eq!(f.meta.refs.len(), 1);
        assert_eq!(f.markdown, "body");
        assert_eq!(f.body_line, 6);
    }

    #[test]
    fn render_errors_map_to_file_lines() {
        let deep = RenderError::TooDeep {
            line: 3,
            depth: 40,
            max: 32,
        };
        let (line, msg) = locate_render_error(&deep, 10);
        assert_eq!(line, 12);
        assert!(
            msg.contains("40 levels") && !msg.starts_with("line"),
            "{msg}"
        );
        let nested = RenderError::TooNested {
            line: 1,
            depth: 200,
            max: 100,
        };
        assert_eq!(locate_render_error(&nested, 10).0, 10);
        let long = RenderError::TooLong { len: 5, max: 4 };
        assert_eq!(
            locate_render_error(&long, 7),
            (7, "summary is 5 bytes; the limit is 4".to_string())
        );
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("titel", "title"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(closest_key("auhtors"), Some("authors"));
        assert_eq!(closest_key("completely-different"), None);
    }
}

#[cfg(test)]
mod round_trip {
    use super::*;
    use proptest::prelude::*;

    const POOL: [(IdKind, &str); 5] = [
        (IdKind::OpenReview, "rJxYz0VtDB"),
        (IdKind::Arxiv, "1706.03762"),
        (IdKind::Doi, "10.1109/cvpr.2016.90"),
        (IdKind::Dblp, "conf/nips/VaswaniSPUJGKP17"),
        (IdKind::Arxiv, "1512.03385"),
    ];

    fn meta() -> impl Strategy<Value = FrontMatter> {
        let refs =
            proptest::sample::subsequence(POOL.to_vec(), 1..=POOL.len()).prop_map(|picked| {
                picked
                    .into_iter()
                    .map(|(k, v)| PaperRef::parse_as(k, v).unwrap())
                    .collect::<Vec<_>>()
            });
        let text = || any::<String>();
        let dates = || proptest::option::of(-2_000_000_000i64..4_000_000_000);
        (
            refs,
            text().prop_filter("a title", |t| !t.trim().is_empty()),
            proptest::collection::vec(text(), 0..4),
            proptest::option::of(YEARS.start().to_owned() as i32..=*YEARS.end() as i32),
            (proptest::option::of(text()), proptest::option::of(text())),
            proptest::option::of("[a-z0-9][a-z0-9_.-]{0,20}"),
            (any::<bool>(), any::<bool>()),
            (dates(), dates()),
        )
            .prop_map(
                |(
                    refs,
                    title,
                    authors,
                    year,
                    (venue, abstract_text),
                    author,
                    (private, anonymous),
                    (created, edited),
                )| {
                    FrontMatter {
                        refs,
                        title,
                        authors,
                        year,
                        venue,
                        abstract_text,
                        author,
                        private,
                        anonymous,
                        created,
                        edited,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn write_parse_is_stable(meta in meta(), body in any::<String>().prop_filter("a body", |b| !b.trim().is_empty())) {
            let first = parse(&write(&meta, &body)).expect("what write produces parses");
            // Values come back as parse normalises them: trimmed, empty ones dropped.
            prop_assert_eq!(&first.meta.title, meta.title.trim());
            prop_assert_eq!(first.meta.abstract_text.as_deref(), meta.abstract_text.as_deref().map(str::trim).filter(|s| !s.is_empty()));
            prop_assert_eq!(first.meta.refs.len(), meta.refs.len());
            prop_assert_eq!((first.meta.year, first.meta.private, first.meta.anonymous), (meta.year, meta.private, meta.anonymous));
            prop_assert_eq!((first.meta.created, first.meta.edited), (meta.created, meta.edited));
            prop_assert_eq!(&first.meta.author, &meta.author);
            prop_assert_eq!(first.markdown.trim(), body.trim());
            // And after one round it is a fixed point.
            let again = parse(&write(&first.meta, &first.markdown)).expect("parses again");
            prop_assert_eq!(&again.meta, &first.meta);
            prop_assert_eq!(&again.markdown, &first.markdown);
        }
    }
}
