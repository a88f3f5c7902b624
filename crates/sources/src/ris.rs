//! RIS reader (`TY  - JOUR` … `ER  -`), as exported by publishers and reference
//! managers. Pure. Lines that are not `XX  - value` continue the previous value.

use std::fmt;

use shortscience_ids::{IdKind, PaperRef};

use crate::Record;
use crate::text::{collapse_ws, leading_year};

/// One record: its `TY` and every other tag in file order (tags upper-case, values
/// trimmed; repeated tags such as `AU` appear once per line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RisEntry {
    pub entry_type: String,
    pub fields: Vec<(String, String)>,
    /// 1-based line of the `TY`.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RisError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for RisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for RisError {}

impl RisEntry {
    /// The first non-empty value of `tag`.
    pub fn get(&self, tag: &str) -> Option<&str> {
        self.all(tag).next()
    }

    /// Every non-empty value of `tag`, in order.
    pub fn all<'a>(&'a self, tag: &str) -> impl Iterator<Item = &'a str> + 'a {
        let tag = tag.to_owned();
        self.fields
            .iter()
            .filter(move |(t, v)| *t == tag && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    fn first_of(&self, tags: &[&str]) -> Option<String> {
        tags.iter()
            .find_map(|t| self.get(t))
            .map(collapse_ws)
            .filter(|v| !v.is_empty())
    }

    /// DOIs in `DO`, and `doi: …` notes in `M3`/`N1`, and links in `UR`.
    pub fn ids(&self) -> Vec<PaperRef> {
        let mut r = Record::default();
        for v in self.all("DO") {
            if let Ok(id) = PaperRef::parse_as(IdKind::Doi, v) {
                r.add_id(id);
            }
        }
        for tag in ["M3", "N1"] {
            for v in self.all(tag) {
                if v.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("doi:"))
                    && let Ok(id) = PaperRef::parse_as(IdKind::Doi, v)
                {
                    r.add_id(id);
                }
            }
        }
        for v in self.all("UR") {
            r.add_id_text(v);
        }
        r.ids
    }

    /// The paper this record describes; refused without a title or an identifier.
    pub fn to_record(&self) -> Result<Record, RisError> {
        let fail = |message: &str| RisError {
            line: self.line,
            message: message.to_owned(),
        };
        let title = self
            .first_of(&["TI", "T1", "CT"])
            .ok_or_else(|| fail("the record has no title (TI or T1)"))?;
        let ids = self.ids();
        if ids.is_empty() {
            return Err(fail(
                "the record names no paper identifier: it needs a DOI (DO) or a link (UR) \
                 to arxiv.org, doi.org, dblp.org or openreview.net",
            ));
        }
        let authors = ["AU", "A1"]
            .iter()
            .flat_map(|t| self.all(t))
            .map(display_name)
            .filter(|n| !n.is_empty())
            .collect();
        let year = ["PY", "Y1", "DA"]
            .iter()
            .flat_map(|t| self.all(t))
            .find_map(leading_year);
        Ok(Record {
            ids,
            title,
            authors,
            year,
            venue: self.first_of(&["JF", "JO", "T2", "JA", "BT"]),
            abstract_text: self.first_of(&["AB", "N2"]),
        })
    }
}

/// "Kriegeskorte, Nikolaus" → "Nikolaus Kriegeskorte"; "Last, First, Jr." →
/// "First Last Jr.".
fn display_name(v: &str) -> String {
    let parts: Vec<&str> = v.split(',').map(str::trim).collect();
    let name = match parts.as_slice() {
        [last, first] if !first.is_empty() => format!("{first} {last}"),
        [last, first, suffix] if !first.is_empty() => format!("{first} {last} {suffix}"),
        _ => parts.join(" "),
    };
    collapse_ws(&name)
}

/// `XX  - value`: two upper-case letters or digits, two spaces, a hyphen. Writers
/// are sloppy with the spaces after it (`ER  -` has none).
fn tag_line(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    if b.len() < 5
        || !b[0].is_ascii_uppercase()
        || !(b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
    {
        return None;
    }
    let rest = &line[2..];
    let after = rest.trim_start_matches(' ');
    let spaces = rest.len() - after.len();
    if !(1..=2).contains(&spaces) {
        return None;
    }
    let value = after.strip_prefix('-')?;
    Some((&line[..2], value.trim()))
}

/// Reads every record; errors name lines that could not belong to one.
pub fn parse(input: &str) -> (Vec<RisEntry>, Vec<RisError>) {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut current: Option<RisEntry> = None;
    for (n, raw) in input.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.trim_end_matches('\r');
        match tag_line(line) {
            Some(("TY", ty)) => {
                if let Some(open) = current.take() {
                    errors.push(RisError {
                        line: line_no,
                        message: format!(
                            "a new record starts before the one at line {} ended (no ER)",
                            open.line
                        ),
                    });
                    entries.push(open);
                }
                current = Some(RisEntry {
                    entry_type: ty.to_owned(),
                    fields: Vec::new(),
                    line: line_no,
                });
            }
            Some(("ER", _)) => match current.take() {
                Some(e) => entries.push(e),
                None => errors.push(RisError {
                    line: line_no,
                    message: "ER without a record (no TY before it)".into(),
                }),
            },
            Some((tag, value)) => match current.as_mut() {
                Some(e) => e.fields.push((tag.to_owned(), value.to_owned())),
                None => errors.push(RisError {
                    line: line_no,
                    message: format!("{tag} outside a record (no TY before it)"),
                }),
            },
            None if line.trim().is_empty() => {}
            // A wrapped value: part of the previous tag's text.
            None => match current.as_mut().and_then(|e| e.fields.last_mut()) {
                Some((_, v)) => {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                None => errors.push(RisError {
                    line: line_no,
                    message: "text outside a record".into(),
                }),
            },
        }
    }
    // A last record without ER is kept: the intent is clear.
    entries.extend(current);
    (entries, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_continuations() {
        let (entries, errors) = parse(
            "\u{feff}TY  - JOUR\r\nTI  - A title\r\n  that wraps\r\nAU  - Doe, Jane\r\nAU  - Roe, R., Jr.\r\nPY  - 2016/12//\r\nDO  - doi:10.1000/ABC\r\nUR  - https://arxiv.org/abs/1609.00150v2\r\nER  -\r\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let r = entries[0].to_record().unwrap();
        assert_eq!(r.title, "A title that wraps");
        assert_eq!(r.authors, ["Jane Doe", "R. Roe Jr."]);
        assert_eq!(r.year, Some(2016));
        let ids: Vec<String> = r.ids.iter().map(ToString::to_string).collect();
        assert_eq!(ids, ["doi:10.1000/abc", "arxiv:1609.00150"]);
    }

    #[test]
    fn errors_for_orphans_and_missing_er() {
        let (entries, errors) = parse(
            "AU  - Lost\nTY  - JOUR\nTI  - One\nTY  - JOUR\nTI  - Two\nER  - \nER  - \nstray",
        );
        assert_eq!(entries.len(), 2);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 4, 7, 8]);
        assert!(
            entries[0]
                .to_record()
                .unwrap_err()
                .message
                .contains("no paper identifier")
        );
    }

    #[test]
    fn not_a_tag_line() {
        assert_eq!(tag_line("TY  - JOUR"), Some(("TY", "JOUR")));
        assert_eq!(tag_line("ER  -"), Some(("ER", "")));
        assert_eq!(tag_line("T2  - "), Some(("T2", "")));
        assert_eq!(tag_line("ty  - x"), None);
        assert_eq!(tag_line("TY    - x"), None);
        assert_eq!(tag_line("TYé -"), None);
    }
}
