//! DBLP XML: the dump (`dblp.xml[.gz]`, ISO-8859-1, named entities from `dblp.dtd`)
//! read as a stream, and the per-record answer of `https://dblp.org/rec/{key}.xml`
//! (US-ASCII, numeric references, `<dblp>` root). One event loop reads both.

use std::io::{self, BufRead, Read};

use quick_xml::Reader;
use quick_xml::events::Event;
use shortscience_ids::{IdKind, PaperRef};

use crate::text::{collapse_ws, leading_year, strip_final_period};
use crate::xml::{attributes, local_name, resolve_entity};
use crate::{Record, SourceError};

const SERVICE: &str = "DBLP";

/// Elements of `dblp.dtd` that are bibliographic records.
const RECORD_KINDS: &[&str] = &[
    "article",
    "inproceedings",
    "proceedings",
    "book",
    "incollection",
    "phdthesis",
    "mastersthesis",
    "www",
    "person",
    "data",
];

/// Skipped in dumps: author home pages and person records are not papers, and a
/// proceedings volume is what its papers cite (`crossref`), not a paper itself.
const NOT_PAPERS_IN_DUMP: &[&str] = &["www", "person", "proceedings"];

/// Records of a DBLP XML dump, one at a time in constant memory. The text is read as
/// ISO-8859-1 when the XML declaration says so (DBLP's dumps do), else as UTF-8; the
/// DTD's character entities (`&uuml;` …) are built in, so `dblp.dtd` is not needed.
///
/// Author home pages (`www`), `person` records and `proceedings` volumes are skipped. A
/// record without a key or title is an `Err` naming the record, and reading goes on;
/// broken XML is an `Err` naming the byte offset, and reading stops.
pub fn dblp_records<R: BufRead>(reader: R) -> impl Iterator<Item = Result<Record, SourceError>> {
    DblpRecords::new(reader, NOT_PAPERS_IN_DUMP)
}

/// The record in a `https://dblp.org/rec/{key}.xml` answer (any record kind but
/// `www`/`person`, so proceedings volumes resolve too).
pub fn parse_dblp_record_xml(body: &[u8]) -> Result<Record, SourceError> {
    let mut records = DblpRecords::new(body, &["www", "person"]);
    match records.next() {
        Some(Ok(r)) => Ok(r),
        Some(Err(e)) => Err(SourceError::malformed(SERVICE, catalog_message(e))),
        None => Err(SourceError::malformed(
            SERVICE,
            format!(
                "no DBLP record in the answer: {}",
                crate::text::snippet(body)
            ),
        )),
    }
}

fn catalog_message(e: SourceError) -> String {
    match e {
        SourceError::Catalog { what, message } => format!("{what}: {message}"),
        other => other.to_string(),
    }
}

/// Fields of one record as read, before they become a [`Record`].
#[derive(Default)]
struct Raw {
    kind: String,
    key: Option<String>,
    authors: Vec<String>,
    title: Option<String>,
    year: Option<String>,
    journal: Option<String>,
    booktitle: Option<String>,
    ee: Vec<String>,
}

struct Field {
    name: String,
    text: String,
    /// Inline markup (`<i>`, `<sub>`) open inside the field.
    nested: usize,
}

struct DblpRecords<R: BufRead> {
    xml: Reader<Transcode<R>>,
    buf: Vec<u8>,
    skip: &'static [&'static str],
    record: Option<Raw>,
    field: Option<Field>,
    done: bool,
}

impl<R: BufRead> DblpRecords<R> {
    fn new(reader: R, skip: &'static [&'static str]) -> Self {
        DblpRecords {
            xml: Reader::from_reader(Transcode::new(reader)),
            buf: Vec::with_capacity(4096),
            skip,
            record: None,
            field: None,
            done: false,
        }
    }

    fn fatal(&mut self, message: String) -> Option<Result<Record, SourceError>> {
        self.done = true;
        Some(Err(SourceError::Catalog {
            what: "DBLP XML".into(),
            message,
        }))
    }
}

impl<R: BufRead> Iterator for DblpRecords<R> {
    type Item = Result<Record, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => {
                    let at = self.xml.error_position();
                    return self.fatal(format!("broken XML near byte {at}: {e}"));
                }
            };
            match event {
                Event::Start(e) => {
                    let name = local_name(&e);
                    if let Some(f) = self.field.as_mut() {
                        f.nested += 1;
                    } else if self.record.is_some() {
                        self.field = Some(Field {
                            name,
                            text: String::new(),
                            nested: 0,
                        });
                    } else if RECORD_KINDS.contains(&name.as_str()) {
                        let key = attributes(&e)
                            .into_iter()
                            .find(|(n, _)| n == "key")
                            .map(|(_, v)| v);
                        self.record = Some(Raw {
                            kind: name,
                            key,
                            ..Raw::default()
                        });
                    }
                }
                Event::End(_) => {
                    if let Some(f) = self.field.as_mut() {
                        if f.nested > 0 {
                            f.nested -= 1;
                            continue;
                        }
                        let f = self.field.take().expect("checked above");
                        if let Some(r) = self.record.as_mut() {
                            r.add_field(f);
                        }
                    } else if let Some(raw) = self.record.take() {
                        if self.skip.contains(&raw.kind.as_str()) {
                            continue;
                        }
                        return Some(raw.into_record());
                    }
                }
                Event::Text(t) => {
                    push_text(&mut self.field, &t.xml10_content());
                }
                Event::CData(t) => {
                    push_text(&mut self.field, &t.xml10_content());
                }
                Event::GeneralRef(r) => {
                    let name = r.xml10_content();
                    match resolve_entity(&name) {
                        Some(c) => push_text(&mut self.field, c.encode_utf8(&mut [0; 4])),
                        // An entity from a newer DTD: keep it visible rather than lose text.
                        None => {
                            push_text(&mut self.field, &format!("&{name};"));
                        }
                    }
                }
                Event::Eof => {
                    if self.record.is_some() {
                        return self.fatal("the file ends inside a record".into());
                    }
                    self.done = true;
                }
                Event::Empty(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::DocType(_) => {}
            }
        }
        None
    }
}

/// Text belongs to the open field; text between fields and records is layout.
fn push_text(field: &mut Option<Field>, s: &str) {
    if let Some(f) = field.as_mut() {
        f.text.push_str(s);
    }
}

impl Raw {
    fn add_field(&mut self, f: Field) {
        let text = collapse_ws(&f.text);
        if text.is_empty() {
            return;
        }
        match f.name.as_str() {
            "author" => self.authors.push(without_homonym_number(&text)),
            "title" => self.title = Some(text),
            "year" => self.year = Some(text),
            "journal" => self.journal = Some(text),
            "booktitle" => self.booktitle = Some(text),
            "ee" => self.ee.push(text),
            _ => {}
        }
    }

    fn into_record(self) -> Result<Record, SourceError> {
        let what = match &self.key {
            Some(k) => format!("DBLP record {k}"),
            None => format!("a DBLP <{}> record", self.kind),
        };
        let fail = |message: &str| SourceError::Catalog {
            what: what.clone(),
            message: message.to_owned(),
        };
        let key = self.key.as_deref().ok_or_else(|| fail("it has no key"))?;
        let id = PaperRef::parse_as(IdKind::Dblp, key)
            .map_err(|e| fail(&format!("its key is not usable: {e}")))?;
        let title = self
            .title
            .as_deref()
            .map(strip_final_period)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| fail("it has no title"))?;
        let mut r = Record::default();
        r.add_id(id);
        for link in &self.ee {
            r.add_id_text(link);
        }
        r.title = title;
        r.authors = self.authors;
        r.year = self.year.as_deref().and_then(leading_year);
        r.venue = self.journal.or(self.booktitle);
        Ok(r)
    }
}

/// DBLP tells namesakes apart with a number: "Zoltán Fülöp 0001".
fn without_homonym_number(name: &str) -> String {
    match name.rsplit_once(' ') {
        Some((rest, n)) if n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()) => rest.to_owned(),
        _ => name.to_owned(),
    }
}

/// Passes UTF-8 through and turns ISO-8859-1 into UTF-8 (each byte is its code point),
/// deciding from the XML declaration at the start.
struct Transcode<R> {
    inner: R,
    latin1: Option<bool>,
    out: Vec<u8>,
    pos: usize,
}

impl<R: BufRead> Transcode<R> {
    fn new(inner: R) -> Self {
        Transcode {
            inner,
            latin1: None,
            out: Vec::new(),
            pos: 0,
        }
    }
}

/// Whether the XML declaration at the start of `head` names Latin-1.
fn declares_latin1(head: &[u8]) -> bool {
    let head = &head[..head.len().min(200)];
    let Some(end) = head.windows(2).position(|w| w == b"?>") else {
        return false;
    };
    let decl = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
    if !decl.trim_start().starts_with("<?xml") {
        return false;
    }
    ["iso-8859-1", "iso8859-1", "latin1", "latin-1", "iso_8859-1"]
        .iter()
        .any(|name| decl.contains(&format!("\"{name}\"")) || decl.contains(&format!("'{name}'")))
}

impl<R: BufRead> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> Transcode<R> {
    /// Reads the XML declaration (up to 256 bytes) into `out` and decides the encoding.
    fn decide(&mut self) -> io::Result<bool> {
        let mut head = Vec::new();
        while head.len() < 256 && !head.windows(2).any(|w| w == b"?>") {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len().min(256 - head.len());
            head.extend_from_slice(&chunk[..n]);
            self.inner.consume(n);
        }
        let latin1 = declares_latin1(&head);
        self.out = if latin1 { latin1_to_utf8(&head) } else { head };
        self.pos = 0;
        Ok(latin1)
    }
}

fn latin1_to_utf8(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 8);
    push_latin1(&mut out, bytes);
    out
}

fn push_latin1(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        if b < 0x80 {
            out.push(b);
        } else {
            out.push(0xC0 | (b >> 6));
            out.push(0x80 | (b & 0x3F));
        }
    }
}

impl<R: BufRead> BufRead for Transcode<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let latin1 = match self.latin1 {
            Some(l) => l,
            None => {
                let l = self.decide()?;
                self.latin1 = Some(l);
                l
            }
        };
        if self.pos >= self.out.len() {
            if !latin1 {
                return self.inner.fill_buf();
            }
            let chunk = self.inner.fill_buf()?;
            let n = chunk.len();
            self.out.clear();
            push_latin1(&mut self.out, chunk);
            self.pos = 0;
            self.inner.consume(n);
        }
        Ok(&self.out[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        // Mirrors fill_buf: bytes come from `out` while it holds any.
        if self.pos < self.out.len() {
            self.pos = (self.pos + amt).min(self.out.len());
        } else {
            self.inner.consume(amt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> Vec<Result<Record, SourceError>> {
        dblp_records(input).collect()
    }

    #[test]
    fn latin1_bytes_and_entities() {
        let input = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!DOCTYPE dblp SYSTEM \"dblp.dtd\">\n<dblp><article key=\"journals/x/A1\" mdate=\"2020-01-01\"><author>J\xfcrgen M&uuml;ller 0002</author><title>On <i>x<sub>2</sub></i> &amp; Caf&eacute;.</title><year>2001</year><journal>X</journal><ee>https://arxiv.org/abs/2001.00001</ee><ee>https://example.org/x</ee></article></dblp>";
        let out = all(input);
        let r = out[0].as_ref().unwrap();
        assert_eq!(r.authors, ["Jürgen Müller"]);
        assert_eq!(r.title, "On x2 & Café");
        assert_eq!(r.year, Some(2001));
        let ids: Vec<String> = r.ids.iter().map(ToString::to_string).collect();
        assert_eq!(ids, ["dblp:journals/x/A1", "arxiv:2001.00001"]);
    }

    #[test]
    fn utf8_without_declaration() {
        let out =
            all("<dblp><book key=\"books/x/Y\"><title>Ünïcödé</title></book></dblp>".as_bytes());
        assert_eq!(out[0].as_ref().unwrap().title, "Ünïcödé");
    }

    #[test]
    fn skips_non_papers_and_reports_bad_records() {
        let input = b"<dblp><www key=\"homepages/1/A\"><title>Home Page</title></www><proceedings key=\"conf/x/2020\"><title>Proc.</title></proceedings><article key=\"journals/b/C\"><author>N</author></article><article><title>No key</title></article><article key=\"journals/b/D\"><title>Fine</title></article></dblp>";
        let out = all(input);
        assert_eq!(out.len(), 3);
        let e = out[0].as_ref().unwrap_err().to_string();
        assert_eq!(e, "DBLP record journals/b/C: it has no title");
        assert!(out[1].as_ref().unwrap_err().to_string().contains("no key"));
        assert_eq!(out[2].as_ref().unwrap().title, "Fine");
    }

    #[test]
    fn broken_xml_stops_with_an_error() {
        let out = all(b"<dblp><article key=\"journals/b/C\"><title>T</titel></article></dblp>");
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("broken XML")
        );
        let out = all(b"<dblp><article key=\"journals/b/C\"><title>T</title>");
        assert!(
            out[0]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("ends inside a record")
        );
        assert!(all(b"").is_empty());
    }

    #[test]
    fn unknown_entities_are_kept() {
        let out = all(
            b"<dblp><article key=\"journals/b/C\"><title>A &newthing; B</title></article></dblp>",
        );
        assert_eq!(out[0].as_ref().unwrap().title, "A &newthing; B");
    }

    #[test]
    fn homonym_numbers() {
        assert_eq!(without_homonym_number("Manish Singh 0001"), "Manish Singh");
        assert_eq!(without_homonym_number("Jo 12345"), "Jo 12345");
        assert_eq!(without_homonym_number("Plato"), "Plato");
    }

    #[test]
    fn transcoding_reads_in_small_chunks() {
        let text = b"<?xml version='1.0' encoding='iso-8859-1'?><a>\xe9\xe8</a>";
        let inner = io::BufReader::with_capacity(3, &text[..]);
        let mut s = String::new();
        Transcode::new(inner).read_to_string(&mut s).unwrap();
        assert!(s.ends_with("<a>éè</a>"));
        assert!(!declares_latin1(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        ));
        assert!(!declares_latin1(b"<a encoding=\"ISO-8859-1\">"));
    }

    #[test]
    fn per_record_answers() {
        let r = parse_dblp_record_xml(b"<?xml version=\"1.0\" encoding=\"US-ASCII\"?>\n<dblp>\n<proceedings key=\"conf/x/2024\" mdate=\"2024-01-01\"><title>Proc</title><year>2024</year></proceedings></dblp>").unwrap();
        assert_eq!(r.ids[0].to_string(), "dblp:conf/x/2024");
        for bad in [
            &b"<html><body>Error 404</body></html>"[..],
            b"",
            b"<dblp><article key=\"journals/x/y\"></article></dblp>",
        ] {
            let e = parse_dblp_record_xml(bad).unwrap_err();
            assert!(matches!(e, SourceError::Malformed { .. }), "{e}");
        }
    }
}
