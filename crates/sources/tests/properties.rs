//! Readers of hostile input never panic and always finish.

use proptest::prelude::*;
use shortscience_sources::{
    arxiv_snapshot_records, bibtex, dblp_records, latex_to_unicode, parse_arxiv_atom,
    parse_crossref_work, parse_datacite_doi, parse_dblp_record_xml, parse_openreview_note, ris,
};

/// Characters that matter to BibTeX, LaTeX and RIS, plus some non-ASCII.
fn bibtexish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("@".to_owned()),
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("(".to_owned()),
            Just(")".to_owned()),
            Just(",".to_owned()),
            Just("=".to_owned()),
            Just("#".to_owned()),
            Just("\"".to_owned()),
            Just("\\".to_owned()),
            Just("$".to_owned()),
            Just("~".to_owned()),
            Just("--".to_owned()),
            Just(" and ".to_owned()),
            Just("\n".to_owned()),
            Just("@article{k,".to_owned()),
            Just("@string{".to_owned()),
            Just("title = ".to_owned()),
            Just("author = ".to_owned()),
            Just("doi = ".to_owned()),
            Just("\\\"".to_owned()),
            Just("\\'".to_owned()),
            Just("\\c".to_owned()),
            Just("\\ss".to_owned()),
            Just("TY  - ".to_owned()),
            Just("ER  - ".to_owned()),
            Just("AU  - ".to_owned()),
            "[a-zA-Z0-9 ,.]{0,6}",
            "[^\\x00]{0,3}",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

/// XML-shaped noise around DBLP's elements and entities.
fn xmlish() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>".to_vec()),
            Just(b"<!DOCTYPE dblp SYSTEM \"dblp.dtd\">".to_vec()),
            Just(b"<dblp>".to_vec()),
            Just(b"</dblp>".to_vec()),
            Just(b"<article key=\"journals/x/Y\">".to_vec()),
            Just(b"</article>".to_vec()),
            Just(b"<title>".to_vec()),
            Just(b"</title>".to_vec()),
            Just(b"<author>".to_vec()),
            Just(b"</author>".to_vec()),
            Just(b"<ee>https://doi.org/10.1000/x</ee>".to_vec()),
            Just(b"<i>".to_vec()),
            Just(b"</i>".to_vec()),
            Just(b"&uuml;".to_vec()),
            Just(b"&#252;".to_vec()),
            Just(b"&#xFFFFFFF;".to_vec()),
            Just(b"&bogus;".to_vec()),
            Just(b"&".to_vec()),
            Just(b"<![CDATA[x]]>".to_vec()),
            Just(vec![0xfc]),
            proptest::collection::vec(any::<u8>(), 0..4),
            "[a-z .]{0,5}".prop_map(String::into_bytes),
        ],
        0..50,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn bibtex_never_panics(s in bibtexish()) {
        let (entries, errors) = bibtex::parse(&s);
        for e in &entries {
            let _ = e.to_record();
            prop_assert!(!e.key.is_empty());
        }
        for e in &errors {
            prop_assert!(e.line >= 1);
        }
    }

    #[test]
    fn bibtex_arbitrary_text(s in any::<String>()) {
        let _ = bibtex::parse(&s);
        let _ = latex_to_unicode(&s);
        let _ = ris::parse(&s);
    }

    #[test]
    fn latex_and_ris_never_panic(s in bibtexish()) {
        let _ = latex_to_unicode(&s);
        let (entries, _) = ris::parse(&s);
        for e in &entries {
            let _ = e.to_record();
        }
    }

    #[test]
    fn dblp_reader_never_panics_and_ends(bytes in xmlish()) {
        // Every event consumes input, so the count is bounded by the input length.
        let n = dblp_records(&bytes[..]).take(bytes.len() + 2).count();
        prop_assert!(n <= bytes.len() + 1);
        let _ = parse_dblp_record_xml(&bytes);
        let _ = parse_arxiv_atom(&bytes);
    }

    #[test]
    fn all_parsers_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        prop_assert!(dblp_records(&bytes[..]).take(bytes.len() + 2).count() <= bytes.len() + 1);
        prop_assert!(arxiv_snapshot_records(&bytes[..]).take(bytes.len() + 2).count() <= bytes.len() + 1);
        let _ = parse_arxiv_atom(&bytes);
        let _ = parse_crossref_work(&bytes);
        let _ = parse_datacite_doi(&bytes);
        let _ = parse_dblp_record_xml(&bytes);
        let _ = parse_openreview_note(&bytes);
    }
}
