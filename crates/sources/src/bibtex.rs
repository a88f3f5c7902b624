//! BibTeX reader. Pure.
//!
//! Reads what reference managers, DBLP, Crossref and arXiv export: `@type{key, …}` and
//! `@type(key, …)`, values in braces, quotes, bare numbers and macros, `#`
//! concatenation, `@string` macros (and the month names), `@comment` and `@preamble`.
//! Text between entries is ignored, as BibTeX does. A broken entry becomes a
//! [`BibError`] with its line, and reading goes on at the next `@` that starts a line.
//! Values are kept raw; [`BibEntry::get`] decodes LaTeX to Unicode.

use std::collections::HashMap;
use std::fmt;

use shortscience_ids::{IdKind, PaperRef};

use crate::Record;
use crate::latex::{latex_to_unicode, unescape_verbatim};
use crate::text::leading_year;

/// One entry. `entry_type` and field names are lower-case; values are raw (macros
/// expanded, outer delimiters removed, inner braces and LaTeX kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BibEntry {
    pub entry_type: String,
    pub key: String,
    pub fields: Vec<(String, String)>,
    /// 1-based line of the entry's `@`.
    pub line: usize,
}

/// An entry that could not be read (or turned into a paper), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BibError {
    /// 1-based line where the problem was found.
    pub line: usize,
    /// The entry's key, when it got that far.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for BibError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(k) => write!(f, "line {} (entry {k}): {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for BibError {}

/// Fields whose values are identifiers or links: only BibTeX escapes are undone.
const VERBATIM: &[&str] = &[
    "url", "doi", "eprint", "biburl", "file", "pdf", "isbn", "issn",
];

impl BibEntry {
    /// The raw value of a field (name case-insensitive).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The field as plain text: LaTeX accents to Unicode, braces dropped, whitespace
    /// collapsed; identifier fields (url, doi, eprint…) only lose BibTeX escapes.
    /// `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        let raw = self.raw(name)?;
        let lower = name.to_ascii_lowercase();
        let v = if VERBATIM.contains(&lower.as_str()) {
            unescape_verbatim(raw)
        } else {
            latex_to_unicode(raw)
        };
        (!v.is_empty()).then_some(v)
    }

    /// Authors as display names: `Last, First` becomes `First Last`, `and others` is
    /// dropped.
    pub fn authors(&self) -> Vec<String> {
        self.raw("author").map(split_names).unwrap_or_default()
    }

    /// The identifiers this entry names: a `DBLP:` key, `doi`, an arXiv `eprint`,
    /// DBLP's CoRR volume (`abs/1904.06387`), and links in `url`/`biburl`.
    pub fn ids(&self) -> Vec<PaperRef> {
        let mut r = Record::default();
        if let Some(k) = strip_prefix_ci(&self.key, "DBLP:")
            && let Ok(id) = PaperRef::parse_as(IdKind::Dblp, k)
        {
            r.add_id(id);
        }
        if let Some(doi) = self.get("doi")
            && let Ok(id) = PaperRef::parse_as(IdKind::Doi, &doi)
        {
            r.add_id(id);
        }
        if let Some(e) = self.get("eprint") {
            let prefix = self
                .get("archiveprefix")
                .or_else(|| self.get("eprinttype"))
                .unwrap_or_default();
            if (prefix.is_empty() || prefix.eq_ignore_ascii_case("arxiv"))
                && let Ok(id) = PaperRef::parse_as(IdKind::Arxiv, &e)
            {
                r.add_id(id);
            }
        }
        if self.get("journal").as_deref() == Some("CoRR")
            && let Some(v) = self.get("volume")
            && let Some(a) = v.strip_prefix("abs/")
            && let Ok(id) = PaperRef::parse_as(IdKind::Arxiv, a)
        {
            r.add_id(id);
        }
        for f in ["url", "biburl"] {
            if let Some(u) = self.get(f) {
                r.add_id_text(&u);
            }
        }
        r.ids
    }

    /// The paper this entry describes. Refused without a title or any identifier
    /// (a paper here is always reachable by an id).
    pub fn to_record(&self) -> Result<Record, BibError> {
        let fail = |message: &str| BibError {
            line: self.line,
            key: Some(self.key.clone()),
            message: message.to_owned(),
        };
        let title = self
            .get("title")
            .ok_or_else(|| fail("the entry has no title"))?;
        let ids = self.ids();
        if ids.is_empty() {
            return Err(fail(
                "the entry names no paper identifier: give it a doi, an arXiv eprint, \
                 a DBLP key or a url at arxiv.org, doi.org, dblp.org or openreview.net",
            ));
        }
        let year = self
            .get("year")
            .and_then(|y| leading_year(&y))
            .or_else(|| self.get("date").and_then(|d| leading_year(&d)));
        Ok(Record {
            ids,
            title,
            authors: self.authors(),
            year,
            venue: self.get("journal").or_else(|| self.get("booktitle")),
            abstract_text: self.get("abstract"),
        })
    }
}

/// Reads every entry it can; errors say where the others broke.
pub fn parse(input: &str) -> (Vec<BibEntry>, Vec<BibError>) {
    let mut p = Parser {
        s: input.as_bytes(),
        src: input,
        pos: 0,
        macros: HashMap::new(),
    };
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    while let Some(at) = p.find_at() {
        p.pos = at + 1;
        match p.item(at) {
            Ok(Some(e)) => entries.push(e),
            Ok(None) => {}
            Err((key, message)) => {
                errors.push(BibError {
                    line: p.line_of(at),
                    key,
                    message,
                });
                p.resync(at);
            }
        }
    }
    (entries, errors)
}

type ItemError = (Option<String>, String);

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    pos: usize,
    macros: HashMap<String, String>,
}

impl Parser<'_> {
    fn find_at(&self) -> Option<usize> {
        self.s[self.pos.min(self.s.len())..]
            .iter()
            .position(|&b| b == b'@')
            .map(|p| self.pos + p)
    }

    /// After a broken entry: the next `@` that begins a line (entries in exports do),
    /// else the next `@` at all.
    fn resync(&mut self, failed_at: usize) {
        let from = failed_at + 1;
        let rest = &self.s[from..];
        let at_line_start = rest.windows(2).position(|w| w[0] == b'\n' && w[1] == b'@');
        self.pos = match at_line_start {
            Some(p) => from + p + 1,
            None => self.s.len(),
        };
    }

    fn line_of(&self, pos: usize) -> usize {
        1 + self.s[..pos].iter().filter(|&&b| b == b'\n').count()
    }

    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ident(&mut self) -> &str {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b.is_ascii_whitespace() || b"{}(),=#\"@%'~".contains(&b) {
                break;
            }
            self.pos += 1;
        }
        // Identifiers end at ASCII bytes, so the slice is on char boundaries.
        &self.src[start..self.pos]
    }

    /// One `@…` item starting at `at` (self.pos is just past the `@`).
    fn item(&mut self, at: usize) -> Result<Option<BibEntry>, ItemError> {
        let line = self.line_of(at);
        self.skip_ws();
        let kind = self.ident().to_ascii_lowercase();
        if kind.is_empty() {
            // A stray `@` (an e-mail address in the text between entries).
            return Ok(None);
        }
        self.skip_ws();
        let close = match self.peek() {
            Some(b'{') => b'}',
            Some(b'(') => b')',
            _ => return Ok(None),
        };
        self.pos += 1;
        match kind.as_str() {
            "comment" | "preamble" => {
                self.skip_group(close)
                    .map_err(|m| (None, format!("@{kind}: {m}")))?;
                Ok(None)
            }
            "string" => {
                self.skip_ws();
                let name = self.ident().to_ascii_lowercase();
                self.skip_ws();
                if name.is_empty() || self.peek() != Some(b'=') {
                    return Err((None, "@string needs `name = value`".into()));
                }
                self.pos += 1;
                let value = self.value().map_err(|m| (None, m))?;
                self.skip_ws();
                if self.peek() != Some(close) {
                    return Err((None, format!("@string {name} is not closed")));
                }
                self.pos += 1;
                self.macros.insert(name, value);
                Ok(None)
            }
            _ => self.entry(kind, close, line).map(Some),
        }
    }

    fn entry(&mut self, entry_type: String, close: u8, line: usize) -> Result<BibEntry, ItemError> {
        self.skip_ws();
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b == b',' || b == close || b.is_ascii_whitespace() {
                break;
            }
            self.pos += 1;
        }
        let key = self.src[start..self.pos].to_owned();
        let err = |m: String| (Some(key.clone()), m);
        if key.is_empty() {
            return Err((None, format!("@{entry_type} entry has no key")));
        }
        let mut fields: Vec<(String, String)> = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                Some(b) if b == close => {
                    self.pos += 1;
                    break;
                }
                None => return Err(err("the entry is not closed".into())),
                _ => {}
            }
            let name = self.ident().to_ascii_lowercase();
            if name.is_empty() {
                let found = self.src[self.pos..].chars().next().unwrap_or(' ');
                return Err(err(format!("expected a field name, found {found:?}")));
            }
            self.skip_ws();
            if self.peek() != Some(b'=') {
                return Err(err(format!("field {name} has no `=`")));
            }
            self.pos += 1;
            let value = self
                .value()
                .map_err(|m| err(format!("field {name}: {m}")))?;
            if !fields.iter().any(|(n, _)| *n == name) {
                fields.push((name, value));
            }
        }
        Ok(BibEntry {
            entry_type,
            key,
            fields,
            line,
        })
    }

    /// `part # part # …`, each part braced, quoted, a number or a macro.
    fn value(&mut self) -> Result<String, String> {
        let mut out = String::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    let start = self.pos;
                    self.skip_group(b'}')?;
                    out.push_str(&self.src[start..self.pos - 1]);
                }
                Some(b'"') => {
                    self.pos += 1;
                    let start = self.pos;
                    self.quoted()?;
                    out.push_str(&self.src[start..self.pos - 1]);
                }
                Some(_) => {
                    let word = self.ident().to_owned();
                    if word.is_empty() {
                        return Err("the value is missing".into());
                    }
                    let lower = word.to_ascii_lowercase();
                    match self.macros.get(&lower) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(month(&lower).unwrap_or(&word)),
                    }
                }
                None => return Err("the value is not finished".into()),
            }
            self.skip_ws();
            if self.peek() == Some(b'#') {
                self.pos += 1;
            } else {
                return Ok(out);
            }
        }
    }

    /// Skips to just past the `close` that ends a group opened before self.pos,
    /// honouring nested braces and `\{`.
    fn skip_group(&mut self, close: u8) -> Result<(), String> {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'{' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                _ if b == close && depth == 0 => return Ok(()),
                b'}' => return Err("unbalanced `}`".into()),
                _ => {}
            }
        }
        self.pos = self.s.len();
        Err("a `{` is never closed".into())
    }

    /// Skips a `"…"` value (braces inside may hold quotes).
    fn quoted(&mut self) -> Result<(), String> {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'{' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                b'}' => return Err("unbalanced `}` in a quoted value".into()),
                b'"' if depth == 0 => return Ok(()),
                _ => {}
            }
        }
        self.pos = self.s.len();
        Err("a `\"` is never closed".into())
    }
}

fn month(m: &str) -> Option<&'static str> {
    Some(match m {
        "jan" => "January",
        "feb" => "February",
        "mar" => "March",
        "apr" => "April",
        "may" => "May",
        "jun" => "June",
        "jul" => "July",
        "aug" => "August",
        "sep" => "September",
        "oct" => "October",
        "nov" => "November",
        "dec" => "December",
        _ => return None,
    })
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Splits a BibTeX name list on top-level `and` and turns each name into
/// "First von Last, Jr" display order.
fn split_names(raw: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'\\' => i += 1,
            c if depth == 0 && c.is_ascii_whitespace() => {
                let rest = &bytes[i + 1..];
                if rest.len() > 4
                    && rest[..3].eq_ignore_ascii_case(b"and")
                    && rest[3].is_ascii_whitespace()
                {
                    names.push(&raw[start..i]);
                    start = i + 4;
                    i += 4;
                }
            }
            _ => {}
        }
        i += 1;
    }
    names.push(&raw[start.min(raw.len())..]);
    names
        .into_iter()
        .filter_map(|n| {
            let n = n.trim();
            if n.is_empty() || n.eq_ignore_ascii_case("others") {
                return None;
            }
            let display = display_order(n);
            let text = latex_to_unicode(&display);
            (!text.is_empty()).then_some(text)
        })
        .collect()
}

/// "Last, First" → "First Last"; "Last, Jr, First" → "First Last Jr". Commas inside
/// braces do not count.
fn display_order(name: &str) -> String {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in name.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(name[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(name[start..].trim());
    match parts.as_slice() {
        [last, first] if !first.is_empty() => format!("{first} {last}"),
        [last, jr, first, ..] if !first.is_empty() => format!("{first} {last} {jr}"),
        _ => parts.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> BibEntry {
        let (mut entries, errors) = parse(s);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(entries.len(), 1);
        entries.remove(0)
    }

    #[test]
    fn reads_values_in_every_form() {
        let e = one(
            "@String{ieee = \"IEEE\"}\n@Article(Key:1,\n title = \"Say {\"}hi{\"}\" # { there},\n publisher = ieee # { Press},\n year = 2006, month = aug,\n note = {a {nested {group}} here},\n)",
        );
        assert_eq!(e.entry_type, "article");
        assert_eq!(e.key, "Key:1");
        assert_eq!(e.raw("title"), Some("Say {\"}hi{\"} there"));
        assert_eq!(e.get("title").as_deref(), Some("Say \"hi\" there"));
        assert_eq!(e.get("publisher").as_deref(), Some("IEEE Press"));
        assert_eq!(e.get("year").as_deref(), Some("2006"));
        assert_eq!(e.get("month").as_deref(), Some("August"));
        assert_eq!(e.get("note").as_deref(), Some("a nested group here"));
        assert_eq!(e.line, 2);
    }

    #[test]
    fn names_in_display_order() {
        let e = one(
            r#"@misc{k, author = {M{\"u}ller, J{\"o}rg and Ada Lovelace and {Barack Obama Foundation} and de la Fuente, Jr, Juan and others}}"#,
        );
        assert_eq!(
            e.authors(),
            [
                "Jörg Müller",
                "Ada Lovelace",
                "Barack Obama Foundation",
                "Juan de la Fuente Jr"
            ]
        );
        // "and" inside braces or a word is not a separator.
        let e = one("@misc{k, author = {{Smith and Sons} and Anderson Brandon}}");
        assert_eq!(e.authors(), ["Smith and Sons", "Anderson Brandon"]);
    }

    #[test]
    fn ids_from_every_place() {
        let e = one(
            r"@article{DBLP:journals/corr/abs-1904-06387, journal = {CoRR}, volume = {abs/1904.06387}, title = {T}, url = {http://arxiv.org/abs/1904.06387}, biburl = {https://dblp.org/rec/journals/corr/abs-1904-06387.bib}, doi = {10.48550/arXiv.1904.06387}}",
        );
        let ids: Vec<String> = e.ids().iter().map(ToString::to_string).collect();
        assert_eq!(
            ids,
            [
                "dblp:journals/corr/abs-1904-06387",
                "arxiv:1904.06387",
                "doi:10.48550/arxiv.1904.06387"
            ]
        );
        let e = one(
            "@misc{vaswani2017, title={Attention Is All You Need}, eprint={1706.03762}, archivePrefix={arXiv}, primaryClass={cs.CL}}",
        );
        assert_eq!(e.ids()[0].to_string(), "arxiv:1706.03762");
        let e = one("@misc{x, title={T}, eprint={hep-th/9901001}, archivePrefix={SSRN}}");
        assert!(e.ids().is_empty());
    }

    #[test]
    fn record_needs_title_and_id() {
        let (entries, _) = parse(
            "@misc{a, title={Only a title}}\n@misc{b, doi={10.1000/x}}\n@article{c, title={{T}est}, doi={10.1000/Y}, year={2020a}, booktitle={Conf}, abstract={Ab \\& stract}}",
        );
        let e = entries[0].to_record().unwrap_err();
        assert!(e.message.contains("no paper identifier"), "{e}");
        assert_eq!(e.to_string().split(':').next(), Some("line 1 (entry a)"));
        assert!(
            entries[1]
                .to_record()
                .unwrap_err()
                .message
                .contains("no title")
        );
        let r = entries[2].to_record().unwrap();
        assert_eq!(r.title, "Test");
        assert_eq!(r.ids[0].to_string(), "doi:10.1000/y");
        assert_eq!(r.year, Some(2020));
        assert_eq!(r.venue.as_deref(), Some("Conf"));
        assert_eq!(r.abstract_text.as_deref(), Some("Ab & stract"));
    }

    #[test]
    fn broken_entries_are_reported_and_skipped() {
        let src = "junk text with mail@example.org\n@article{bad, title = {unclosed\n@comment{ignored @ here}\n@preamble{\"\\newcommand\"}\n@misc{good, title = {Fine}}\n@misc{nokey}\n@misc{x, title {no equals}}\n@misc{last, title=\"ok\"}";
        let (entries, errors) = parse(src);
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["good", "nokey", "last"]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].key.as_deref(), Some("bad"));
        assert_eq!(errors[1].key.as_deref(), Some("x"));
        assert!(errors[1].message.contains("no `=`"));
        assert_eq!(errors[1].line, 7);
    }

    #[test]
    fn unclosed_at_end_of_input() {
        let (entries, errors) = parse("@article{k, title = {x}");
        assert!(entries.is_empty());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("not closed"), "{errors:?}");
    }
}
