//! arXiv: the API's Atom feed (`/api/query?id_list=…`) and the metadata snapshot
//! (JSON Lines, one paper per line). Both generations of the Atom output (2016: per
//! element namespaces, hard-wrapped text; 2026: namespaces on `<feed>`, DOI as a
//! `rel="related" title="doi"` link) read the same, since only local names count.

use std::io::BufRead;

use serde::Deserialize;
use shortscience_ids::{IdKind, PaperRef};

use crate::latex::latex_to_unicode;
use crate::text::{any_year, collapse_ws, leading_year, non_blank};
use crate::xml::parse_document;
use crate::{Record, SourceError};

const SERVICE: &str = "arXiv";

/// Venue of a preprint that names no journal.
pub(crate) const PREPRINT_VENUE: &str = "arXiv";

/// Every entry of an API feed. An unknown id gives an empty feed (`Ok(vec![])`); the
/// error feed arXiv sends for a malformed id becomes [`SourceError::Rejected`] with
/// arXiv's own words.
pub fn parse_arxiv_atom(body: &[u8]) -> Result<Vec<Record>, SourceError> {
    let feed = parse_document(body).map_err(|m| SourceError::malformed(SERVICE, m))?;
    if feed.name != "feed" {
        return Err(SourceError::malformed(
            SERVICE,
            format!("expected an Atom <feed>, found <{}>", feed.name),
        ));
    }
    let mut records = Vec::new();
    for entry in feed.children_named("entry") {
        let id = collapse_ws(&entry.child_text("id").unwrap_or_default());
        if id.contains("/api/errors") {
            let message = entry
                .child_text("summary")
                .and_then(|s| non_blank(&s))
                .unwrap_or_else(|| "arXiv reported an error without a message".into());
            return Err(SourceError::Rejected {
                service: SERVICE,
                message,
            });
        }
        let arxiv_id = PaperRef::parse_as(IdKind::Arxiv, &id).map_err(|_| {
            SourceError::malformed(SERVICE, format!("an entry's id {id:?} is not an arXiv id"))
        })?;
        let mut r = Record::default();
        r.add_id(arxiv_id);
        for doi in entry.children_named("doi") {
            for token in doi.text().split_whitespace() {
                if let Ok(d) = PaperRef::parse_as(IdKind::Doi, token) {
                    r.add_id(d);
                }
            }
        }
        for link in entry.children_named("link") {
            if link.attr("title") == Some("doi")
                && let Some(href) = link.attr("href")
            {
                r.add_id_text(href);
            }
        }
        r.title = collapse_ws(&entry.child_text("title").unwrap_or_default());
        if r.title.is_empty() {
            return Err(SourceError::malformed(
                SERVICE,
                format!("the entry for {id} has no title"),
            ));
        }
        r.authors = entry
            .children_named("author")
            .filter_map(|a| a.child_text("name"))
            .filter_map(|n| non_blank(&n))
            .collect();
        r.year = entry.child_text("published").and_then(|p| leading_year(&p));
        r.venue = entry
            .child_text("journal_ref")
            .and_then(|j| non_blank(&j))
            .or_else(|| Some(PREPRINT_VENUE.to_owned()));
        r.abstract_text = entry.child_text("summary").and_then(|s| non_blank(&s));
        records.push(r);
    }
    Ok(records)
}

/// Longest snapshot line read (real ones stay under 100 KB).
const MAX_LINE: u64 = 4 << 20;

#[derive(Deserialize)]
struct SnapshotLine {
    id: String,
    title: Option<String>,
    authors: Option<String>,
    authors_parsed: Option<Vec<Vec<String>>>,
    doi: Option<String>,
    #[serde(rename = "journal-ref")]
    journal_ref: Option<String>,
    #[serde(rename = "abstract")]
    abstract_text: Option<String>,
    update_date: Option<String>,
    versions: Option<Vec<SnapshotVersion>>,
}

#[derive(Deserialize)]
struct SnapshotVersion {
    created: Option<String>,
}

/// Records of the arXiv metadata snapshot (Kaggle's `arxiv-metadata-oai-snapshot.json`),
/// one JSON object per line, read one line at a time. A bad line is an `Err` naming
/// its line number, and reading goes on with the next.
pub fn arxiv_snapshot_records<R: BufRead>(
    reader: R,
) -> impl Iterator<Item = Result<Record, SourceError>> {
    SnapshotRecords {
        reader,
        line: String::new(),
        line_no: 0,
        done: false,
    }
}

struct SnapshotRecords<R> {
    reader: R,
    line: String,
    line_no: u64,
    done: bool,
}

impl<R: BufRead> Iterator for SnapshotRecords<R> {
    type Item = Result<Record, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.line.clear();
            self.line_no += 1;
            let fail = |no: u64, message: String| SourceError::Catalog {
                what: format!("arXiv snapshot line {no}"),
                message,
            };
            let read = std::io::Read::take(&mut self.reader, MAX_LINE).read_line(&mut self.line);
            match read {
                Ok(0) => self.done = true,
                Ok(n) => {
                    if n as u64 == MAX_LINE && !self.line.ends_with('\n') {
                        // Skip the rest of the overlong line.
                        if let Err(e) = self.reader.skip_until(b'\n') {
                            self.done = true;
                            return Some(Err(fail(self.line_no, e.to_string())));
                        }
                        return Some(Err(fail(
                            self.line_no,
                            format!("the line is longer than {MAX_LINE} bytes"),
                        )));
                    }
                    if self.line.trim().is_empty() {
                        continue;
                    }
                    return Some(snapshot_record(&self.line).map_err(|m| fail(self.line_no, m)));
                }
                Err(e) => {
                    // Invalid UTF-8 loses only this line (read_line has consumed it);
                    // other I/O errors end reading.
                    if e.kind() == std::io::ErrorKind::InvalidData {
                        return Some(Err(fail(
                            self.line_no,
                            "the line is not valid UTF-8".into(),
                        )));
                    }
                    self.done = true;
                    return Some(Err(fail(self.line_no, e.to_string())));
                }
            }
        }
        None
    }
}

fn snapshot_record(line: &str) -> Result<Record, String> {
    let l: SnapshotLine =
        serde_json::from_str(line).map_err(|e| format!("not an arXiv metadata object: {e}"))?;
    let id = PaperRef::parse_as(IdKind::Arxiv, &l.id)
        .map_err(|_| format!("{:?} is not an arXiv id", l.id))?;
    let title = l
        .title
        .as_deref()
        .and_then(non_blank)
        .ok_or_else(|| format!("arXiv:{} has no title", id.value()))?;
    let mut r = Record::default();
    r.add_id(id.clone());
    for token in l.doi.as_deref().unwrap_or("").split_whitespace() {
        if let Ok(d) = PaperRef::parse_as(IdKind::Doi, token) {
            r.add_id(d);
        }
    }
    r.title = title;
    r.authors = match &l.authors_parsed {
        Some(parsed) if !parsed.is_empty() => {
            parsed.iter().filter_map(|p| parsed_name(p)).collect()
        }
        _ => split_author_string(l.authors.as_deref().unwrap_or("")),
    };
    r.year = l
        .versions
        .as_ref()
        .and_then(|v| v.first())
        .and_then(|v| v.created.as_deref())
        .and_then(any_year)
        .or_else(|| year_from_id(id.value()))
        .or_else(|| l.update_date.as_deref().and_then(leading_year));
    r.venue = l
        .journal_ref
        .as_deref()
        .and_then(non_blank)
        .or_else(|| Some(PREPRINT_VENUE.to_owned()));
    r.abstract_text = l.abstract_text.as_deref().and_then(non_blank);
    Ok(r)
}

/// `["Balázs", "C.", ""]` → "C. Balázs"; a 3rd element is a suffix ("II").
fn parsed_name(parts: &[String]) -> Option<String> {
    let last = parts.first().map(String::as_str).unwrap_or("");
    let first = parts.get(1).map(String::as_str).unwrap_or("");
    let suffix = parts.get(2).map(String::as_str).unwrap_or("");
    // The snapshot's parser splits hyphenated initials: "C. -P." is "C.-P.".
    let name = format!("{first} {last} {suffix}").replace(". -", ".-");
    let name = if name.contains(['\\', '{']) {
        latex_to_unicode(&name)
    } else {
        collapse_ws(&name)
    };
    (!name.is_empty()).then_some(name)
}

/// "C. Bal\'azs, E. L. Berger and C.-P. Yuan" → names.
fn split_author_string(s: &str) -> Vec<String> {
    latex_to_unicode(s)
        .split(',')
        .flat_map(|part| part.split(" and "))
        .filter_map(non_blank)
        .collect()
}

/// New-style ids start with YYMM (2007 on), old-style ones end with YYMMNNN.
fn year_from_id(id: &str) -> Option<i32> {
    let digits = match id.rsplit_once('/') {
        Some((_, n)) => n,
        None => id,
    };
    let yy: i32 = digits.get(..2)?.parse().ok()?;
    Some(if yy >= 91 { 1900 + yy } else { 2000 + yy })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(r: &Record) -> Vec<String> {
        r.ids.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn minimal_feed() {
        let feed = br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/hep-th/9901001v3</id><title>T</title><published>1999-01-01T00:00:00Z</published><author><name>A  B</name><affiliation>X</affiliation></author></entry></feed>"#;
        let r = &parse_arxiv_atom(feed).unwrap()[0];
        assert_eq!(ids(r), ["arxiv:hep-th/9901001"]);
        assert_eq!(r.authors, ["A B"]);
        assert_eq!(r.year, Some(1999));
        assert_eq!(r.venue.as_deref(), Some("arXiv"));
        assert_eq!(r.abstract_text, None);
    }

    #[test]
    fn not_a_feed() {
        for body in [&b"<html><body>503</body></html>"[..], b"{}", b""] {
            let e = parse_arxiv_atom(body).unwrap_err();
            assert!(matches!(e, SourceError::Malformed { .. }), "{e}");
        }
        let e = parse_arxiv_atom(b"<feed><entry><id>nonsense</id><title>T</title></entry></feed>")
            .unwrap_err();
        assert!(e.to_string().contains("not an arXiv id"), "{e}");
    }

    #[test]
    fn snapshot_line_fallbacks() {
        let r = snapshot_record(
            r#"{"id":"hep-th/9901001","title":"T\n  two","authors":"A. M\\\"uller and B. C","doi":"10.1000/a 10.2000/b","update_date":"2008-01-01"}"#,
        )
        .unwrap();
        assert_eq!(
            ids(&r),
            ["arxiv:hep-th/9901001", "doi:10.1000/a", "doi:10.2000/b"]
        );
        assert_eq!(r.title, "T two");
        assert_eq!(r.authors, ["A. Müller", "B. C"]);
        assert_eq!(r.year, Some(1999));
        assert!(snapshot_record(r#"{"id":"x","title":"T"}"#).is_err());
        assert!(snapshot_record(r#"{"id":"0704.0001"}"#).is_err());
        assert!(snapshot_record("[]").is_err());
    }

    #[test]
    fn snapshot_reader_reports_and_continues() {
        let input = b"{\"id\":\"0704.0001\",\"title\":\"One\"}\n\nnot json\n\xff\xfe\n{\"id\":\"0704.0002\",\"title\":\"Two\"}";
        let out: Vec<_> = arxiv_snapshot_records(&input[..]).collect();
        assert_eq!(out.len(), 4);
        assert_eq!(out[0].as_ref().unwrap().year, Some(2007));
        let e = out[1].as_ref().unwrap_err().to_string();
        assert!(e.starts_with("arXiv snapshot line 3:"), "{e}");
        assert!(out[2].as_ref().unwrap_err().to_string().contains("UTF-8"));
        assert_eq!(out[3].as_ref().unwrap().title, "Two");
    }
}
