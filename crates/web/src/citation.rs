//! Citation formats for a paper: BibTeX, RIS, CSL-JSON, Highwire `citation_*` meta tags
//! and a COinS span. Pure: a [`Paper`] in, text out.
//!
//! Decisions:
//! - BibTeX keys are `AuthorYearWord` (first author's family name and the first
//!   significant title word, folded to ASCII): `Vaswani2017Attention`. A file of many
//!   entries makes them unique with `a`, `b`… suffixes.
//! - BibTeX values keep non-ASCII text as UTF-8 (biber, bibtex8, Zotero and our own
//!   importer read it); only characters special to (La)TeX are escaped, in forms the
//!   importer reads back unchanged.
//! - Identifiers travel in the fields readers look at: `doi`, `eprint` with
//!   `archivePrefix = {arXiv}`, DBLP's `biburl`, and `url` (OpenReview forum, else the
//!   arXiv or DOI landing page). The abstract is left out of BibTeX (as DBLP does: its
//!   paragraphs would not survive BibTeX's whitespace rules) and kept in RIS and CSL-JSON.

use std::collections::HashMap;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use shortscience_ids::{IdKind, PaperRef};
use shortscience_store::Paper;

/// What kind of publication a paper is, from its identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A DBLP `conf/…` key.
    Conference,
    /// Any other paper with a venue.
    Journal,
    /// No venue (preprints, mostly).
    Preprint,
}

pub fn kind(p: &Paper) -> Kind {
    let conf = p
        .aliases
        .iter()
        .any(|r| r.kind() == IdKind::Dblp && r.value().starts_with("conf/"));
    match (conf, venue(p)) {
        (true, Some(_)) => Kind::Conference,
        (false, Some(_)) => Kind::Journal,
        (_, None) => Kind::Preprint,
    }
}

fn venue(p: &Paper) -> Option<&str> {
    p.venue.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn alias(p: &Paper, kind: IdKind) -> Option<&PaperRef> {
    p.aliases.iter().find(|r| r.kind() == kind)
}

/// The paper's main landing page elsewhere: OpenReview forum, arXiv, DOI, DBLP.
pub fn landing_url(p: &Paper) -> Option<String> {
    [IdKind::OpenReview, IdKind::Arxiv, IdKind::Doi, IdKind::Dblp]
        .into_iter()
        .find_map(|k| alias(p, k))
        .map(PaperRef::external_url)
}

pub fn pdf_url(p: &Paper) -> Option<String> {
    alias(p, IdKind::Arxiv).map(|r| format!("https://arxiv.org/pdf/{}", r.value()))
}

/// (given, family) by the last space; a single word is a family name alone.
fn split_name(name: &str) -> (Option<&str>, &str) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((given, family)) if !given.trim().is_empty() => (Some(given.trim()), family),
        _ => (None, name),
    }
}

/// Letters and digits folded to ASCII (common Latin accents), everything else dropped.
fn ascii_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            continue;
        }
        let folded = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
            'ç' | 'ć' | 'č' => "c",
            'Ç' | 'Ć' | 'Č' => "C",
            'ď' | 'đ' => "d",
            'Ď' | 'Đ' => "D",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
            'ğ' => "g",
            'Ğ' => "G",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'İ' => "I",
            'ł' | 'ľ' => "l",
            'Ł' | 'Ľ' => "L",
            'ñ' | 'ń' | 'ň' => "n",
            'Ñ' | 'Ń' | 'Ň' => "N",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
            'ř' => "r",
            'Ř' => "R",
            'ś' | 'š' | 'ş' => "s",
            'Ś' | 'Š' | 'Ş' => "S",
            'ť' | 'ţ' => "t",
            'Ť' | 'Ţ' => "T",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' | 'Ÿ' => "Y",
            'ź' | 'ż' | 'ž' => "z",
            'Ź' | 'Ż' | 'Ž' => "Z",
            'ß' => "ss",
            'æ' => "ae",
            'Æ' => "AE",
            'œ' => "oe",
            'Œ' => "OE",
            _ => "",
        };
        out.push_str(folded);
    }
    out
}

const SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "by", "at", "is",
    "are", "via", "towards", "toward",
];

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `AuthorYearWord`, ASCII letters and digits only; never empty.
pub fn cite_key(p: &Paper) -> String {
    let author = p
        .authors
        .first()
        .map(|a| capitalised(&ascii_fold(split_name(a).1)))
        .unwrap_or_default();
    let word = p
        .title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !SMALL_WORDS.contains(&w.to_lowercase().as_str()))
        .map(ascii_fold)
        .find(|w| !w.is_empty())
        .map(|w| capitalised(&w))
        .unwrap_or_default();
    let year = p.year.map(|y| y.to_string()).unwrap_or_default();
    let key = format!("{author}{year}{word}");
    if key.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        key
    } else {
        format!("Paper{}{key}", p.id)
    }
}

/// Text for a BibTeX value in braces: TeX specials escaped so LaTeX prints them and
/// our importer (and BibTeX readers generally) read back the same text.
pub fn bibtex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\^{}"),
            // "--", "''" and "``" are ligatures (dashes, quotes) in TeX: keep them apart.
            '-' | '\'' | '`' if chars.peek() == Some(&c) => {
                out.push(c);
                out.push_str("{}");
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Identifier and link fields: only what would break the entry is escaped.
fn bibtex_verbatim(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '{' | '}' | '%' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One author for BibTeX's `and`-separated list, braced when a comma or a lone "and"
/// would otherwise split it.
fn bibtex_name(name: &str) -> String {
    let escaped = bibtex_escape(name.trim());
    let splits = name.contains(',')
        || name
            .split_whitespace()
            .any(|w| w.eq_ignore_ascii_case("and"));
    if splits {
        format!("{{{escaped}}}")
    } else {
        escaped
    }
}

/// One BibTeX entry, ending with a newline.
pub fn bibtex(p: &Paper, key: &str) -> String {
    let (entry, venue_field) = match kind(p) {
        Kind::Conference => ("inproceedings", "booktitle"),
        Kind::Journal => ("article", "journal"),
        Kind::Preprint => ("misc", ""),
    };
    let mut fields: Vec<(&str, String)> = vec![("title", bibtex_escape(&p.title))];
    if !p.authors.is_empty() {
        let names: Vec<String> = p.authors.iter().map(|a| bibtex_name(a)).collect();
        fields.push(("author", names.join(" and ")));
    }
    if let Some(v) = venue(p).filter(|_| !venue_field.is_empty()) {
        fields.push((venue_field, bibtex_escape(v)));
    }
    if let Some(y) = p.year {
        fields.push(("year", y.to_string()));
    }
    if let Some(d) = alias(p, IdKind::Doi) {
        fields.push(("doi", bibtex_verbatim(d.value())));
    }
    if let Some(a) = alias(p, IdKind::Arxiv) {
        fields.push(("eprint", bibtex_verbatim(a.value())));
        fields.push(("archivePrefix", "arXiv".into()));
    }
    if let Some(url) = landing_url(p) {
        fields.push(("url", bibtex_verbatim(&url)));
    }
    if let Some(d) = alias(p, IdKind::Dblp) {
        fields.push((
            "biburl",
            bibtex_verbatim(&format!("https://dblp.org/rec/{}.bib", d.value())),
        ));
    }
    let mut out = format!("@{entry}{{{key},\n");
    for (name, value) in fields {
        out.push_str(&format!("  {name} = {{{value}}},\n"));
    }
    out.push_str("}\n");
    out
}

/// Many entries, keys made unique (`…a`, `…b` after the first), separated by blank lines.
pub fn bibtex_file(papers: &[Paper]) -> String {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = String::new();
    for p in papers {
        let base = cite_key(p);
        let n = seen.entry(base.clone()).or_insert(0);
        let key = if *n == 0 {
            base.clone()
        } else {
            format!("{base}{}", suffix(*n))
        };
        *n += 1;
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&bibtex(p, &key));
    }
    out
}

/// a, b, …, z, aa, ab…
fn suffix(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        n -= 1;
        s.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// RIS wants one line per value.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An RIS record (CRLF line ends, as the format specifies).
pub fn ris(p: &Paper, page_url: &str) -> String {
    let ty = match kind(p) {
        Kind::Conference => "CPAPER",
        Kind::Journal => "JOUR",
        Kind::Preprint => "GEN",
    };
    let mut lines = vec![("TY", ty.to_owned()), ("TI", one_line(&p.title))];
    for a in &p.authors {
        let a = one_line(a);
        // "Family, Given" is RIS's form; names that already hold a comma stay whole.
        let name = match split_name(&a) {
            (Some(given), family) if !a.contains(',') => format!("{family}, {given}"),
            _ => a.clone(),
        };
        lines.push(("AU", name));
    }
    if let Some(y) = p.year {
        lines.push(("PY", y.to_string()));
    }
    if let Some(v) = venue(p) {
        lines.push(("T2", one_line(v)));
    }
    if let Some(d) = alias(p, IdKind::Doi) {
        lines.push(("DO", d.value().to_owned()));
    }
    for r in &p.aliases {
        lines.push(("UR", r.external_url()));
    }
    lines.push(("UR", page_url.to_owned()));
    if let Some(a) = p.abstract_text.as_deref().filter(|a| !a.trim().is_empty()) {
        lines.push(("AB", one_line(a)));
    }
    let mut out = String::new();
    for (tag, value) in lines {
        out.push_str(&format!("{tag}  - {value}\r\n"));
    }
    out.push_str("ER  - \r\n");
    out
}

/// A CSL-JSON item (what citeproc processors, Zotero and Mendeley read).
pub fn csl_item(p: &Paper, key: &str) -> serde_json::Value {
    use serde_json::{Value, json};
    let ty = match kind(p) {
        Kind::Conference => "paper-conference",
        Kind::Journal => "article-journal",
        Kind::Preprint => "article",
    };
    let authors: Vec<Value> = p
        .authors
        .iter()
        .map(|a| match split_name(a) {
            (Some(given), family) => json!({ "family": family, "given": given }),
            (None, name) => json!({ "literal": name }),
        })
        .collect();
    let mut item = json!({ "id": key, "type": ty, "title": p.title });
    let obj = item.as_object_mut().expect("built as an object");
    if !authors.is_empty() {
        obj.insert("author".into(), Value::Array(authors));
    }
    if let Some(y) = p.year {
        obj.insert("issued".into(), json!({ "date-parts": [[y]] }));
    }
    if let Some(v) = venue(p) {
        obj.insert("container-title".into(), json!(v));
    }
    if let Some(d) = alias(p, IdKind::Doi) {
        obj.insert("DOI".into(), json!(d.value()));
    }
    if let Some(a) = alias(p, IdKind::Arxiv)
        && kind(p) == Kind::Preprint
    {
        obj.insert("publisher".into(), json!("arXiv"));
        obj.insert("number".into(), json!(format!("arXiv:{}", a.value())));
    }
    if let Some(url) = landing_url(p) {
        obj.insert("URL".into(), json!(url));
    }
    if let Some(a) = p.abstract_text.as_deref().filter(|a| !a.trim().is_empty()) {
        obj.insert("abstract".into(), json!(a));
    }
    item
}

/// A CSL-JSON file: an array of items.
pub fn csl_json(p: &Paper, key: &str) -> String {
    serde_json::Value::Array(vec![csl_item(p, key)]).to_string()
}

/// Highwire Press `citation_*` meta tags (Google Scholar, Zotero), as (name, content).
/// `page_url` is the absolute URL of the paper page.
pub fn highwire(p: &Paper, page_url: &str) -> Vec<(&'static str, String)> {
    let mut tags = vec![("citation_title", p.title.clone())];
    for a in &p.authors {
        tags.push(("citation_author", a.clone()));
    }
    if let Some(y) = p.year {
        tags.push(("citation_publication_date", y.to_string()));
    }
    if let Some(v) = venue(p) {
        let name = match kind(p) {
            Kind::Conference => "citation_conference_title",
            _ => "citation_journal_title",
        };
        tags.push((name, v.to_owned()));
    }
    if let Some(d) = alias(p, IdKind::Doi) {
        tags.push(("citation_doi", d.value().to_owned()));
    }
    if let Some(a) = alias(p, IdKind::Arxiv) {
        tags.push(("citation_arxiv_id", a.value().to_owned()));
    }
    if let Some(pdf) = pdf_url(p) {
        tags.push(("citation_pdf_url", pdf));
    }
    if let Some(a) = p.abstract_text.as_deref().filter(|a| !a.trim().is_empty()) {
        tags.push(("citation_abstract", one_line(a)));
    }
    tags.push(("citation_abstract_html_url", page_url.to_owned()));
    tags
}

/// Everything but unreserved characters is percent-encoded in OpenURL values.
const KEV: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The `title` of a COinS span (`<span class="Z3988" title="…">`): an OpenURL 1.0
/// ContextObject in key/encoded-value form. Not HTML-escaped: the template does that.
pub fn coins(p: &Paper) -> String {
    let enc = |s: &str| utf8_percent_encode(s, KEV).to_string();
    let genre = match kind(p) {
        Kind::Conference => "proceeding",
        Kind::Journal => "article",
        Kind::Preprint => "preprint",
    };
    let mut kev = vec![
        "ctx_ver=Z39.88-2004".to_owned(),
        format!("rft_val_fmt={}", enc("info:ofi/fmt:kev:mtx:journal")),
        format!("rft.genre={genre}"),
        format!("rft.atitle={}", enc(&p.title)),
    ];
    if let Some(v) = venue(p) {
        kev.push(format!("rft.jtitle={}", enc(v)));
    }
    if let Some(y) = p.year {
        kev.push(format!("rft.date={y}"));
    }
    for a in &p.authors {
        kev.push(format!("rft.au={}", enc(a)));
    }
    if let Some(d) = alias(p, IdKind::Doi) {
        kev.push(format!(
            "rft_id={}",
            enc(&format!("info:doi/{}", d.value()))
        ));
    }
    if let Some(a) = alias(p, IdKind::Arxiv) {
        kev.push(format!(
            "rft_id={}",
            enc(&format!("info:arxiv/{}", a.value()))
        ));
    }
    if let Some(url) = landing_url(p) {
        kev.push(format!("rft_id={}", enc(&url)));
    }
    kev.join("&")
}

#[cfg(test)]
mod tests {
    use shortscience_ids::PaperId;

    use super::*;

    fn paper() -> Paper {
        Paper {
            id: PaperId(7),
            title: "Attention Is All You Need".into(),
            authors: vec!["Ashish Vaswani".into(), "Noam Shazeer".into()],
            year: Some(2017),
            venue: Some("NeurIPS".into()),
            abstract_text: Some("The dominant\n\nsequence models.".into()),
            aliases: vec![
                PaperRef::parse("arXiv:1706.03762").unwrap(),
                PaperRef::parse("conf/nips/VaswaniSPUJGKP17").unwrap(),
            ],
        }
    }

    #[test]
    fn keys_are_author_year_word() {
        assert_eq!(cite_key(&paper()), "Vaswani2017Attention");
        let p = Paper {
            title: "On the Ünreasonable Effectiveness".into(),
            authors: vec!["Björn Müller".into()],
            ..paper()
        };
        assert_eq!(cite_key(&p), "Muller2017Unreasonable");
        let p = Paper {
            title: "注意力".into(),
            authors: vec![],
            year: None,
            ..paper()
        };
        assert_eq!(cite_key(&p), "Paper7");
    }

    #[test]
    fn unique_keys_in_files() {
        let file = bibtex_file(&[paper(), paper(), paper()]);
        assert!(file.contains("{Vaswani2017Attention,"));
        assert!(file.contains("{Vaswani2017Attentiona,"));
        assert!(file.contains("{Vaswani2017Attentionb,"));
        assert_eq!(suffix(1), "a");
        assert_eq!(suffix(26), "z");
        assert_eq!(suffix(27), "aa");
    }

    #[test]
    fn bibtex_entry_carries_every_identifier() {
        let b = bibtex(&paper(), "K");
        assert!(b.starts_with("@inproceedings{K,\n"), "{b}");
        assert!(b.contains("  author = {Ashish Vaswani and Noam Shazeer},\n"));
        assert!(b.contains("  booktitle = {NeurIPS},\n"));
        assert!(b.contains("  eprint = {1706.03762},\n  archivePrefix = {arXiv},\n"));
        assert!(b.contains("  url = {https://arxiv.org/abs/1706.03762},\n"));
        assert!(b.contains("  biburl = {https://dblp.org/rec/conf/nips/VaswaniSPUJGKP17.bib},\n"));
        assert!(!b.contains("abstract"));
        assert!(b.ends_with("}\n"));
    }

    #[test]
    fn bibtex_escapes_tex_specials_and_keeps_unicode() {
        assert_eq!(
            bibtex_escape(r"50% of {x} & $y_1$ #1 ~ ^ \ -- '' `` é"),
            r"50\% of \{x\} \& \$y\_1\$ \#1 \textasciitilde{} \^{} \textbackslash{} -{}- '{}' `{}` é"
        );
        assert_eq!(bibtex_name("Smith, Jr., John"), "{Smith, Jr., John}");
        assert_eq!(bibtex_name("Barnes and Noble"), "{Barnes and Noble}");
        assert_eq!(bibtex_name("Andrea Anderson"), "Andrea Anderson");
    }

    #[test]
    fn ris_has_one_value_per_line() {
        let r = ris(&paper(), "https://example.org/paper/7");
        assert!(r.starts_with("TY  - CPAPER\r\n"));
        assert!(r.contains("AU  - Vaswani, Ashish\r\n"));
        assert!(r.contains("AB  - The dominant sequence models.\r\n"));
        assert!(r.contains("UR  - https://arxiv.org/abs/1706.03762\r\n"));
        assert!(r.ends_with("ER  - \r\n"));
    }

    #[test]
    fn csl_json_items() {
        let item = csl_item(&paper(), "K");
        assert_eq!(item["type"], "paper-conference");
        assert_eq!(item["author"][0]["family"], "Vaswani");
        assert_eq!(item["author"][0]["given"], "Ashish");
        assert_eq!(item["issued"]["date-parts"][0][0], 2017);
        assert_eq!(item["container-title"], "NeurIPS");
        let preprint = Paper {
            venue: None,
            aliases: vec![PaperRef::parse("arXiv:1706.03762").unwrap()],
            authors: vec!["Plato".into()],
            ..paper()
        };
        let item = csl_item(&preprint, "K");
        assert_eq!(item["type"], "article");
        assert_eq!(item["number"], "arXiv:1706.03762");
        assert_eq!(item["author"][0]["literal"], "Plato");
    }

    #[test]
    fn highwire_and_coins() {
        let tags = highwire(&paper(), "https://example.org/paper/7");
        let authors: Vec<&str> = tags
            .iter()
            .filter(|(n, _)| *n == "citation_author")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(authors, ["Ashish Vaswani", "Noam Shazeer"]);
        assert!(tags.contains(&("citation_arxiv_id", "1706.03762".into())));
        assert!(tags.contains(&("citation_conference_title", "NeurIPS".into())));
        assert!(tags.contains(&(
            "citation_pdf_url",
            "https://arxiv.org/pdf/1706.03762".into()
        )));
        let c = coins(&paper());
        assert!(
            c.starts_with("ctx_ver=Z39.88-2004&rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Ajournal")
        );
        assert!(c.contains("&rft.atitle=Attention%20Is%20All%20You%20Need"));
        assert!(c.contains("&rft.au=Ashish%20Vaswani&rft.au=Noam%20Shazeer"));
        assert!(c.contains("&rft_id=info%3Aarxiv%2F1706.03762"));
    }
}
