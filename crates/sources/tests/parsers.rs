//! Every parser on every fixture (see tests/fixtures/README.md for where each came from).

use std::path::PathBuf;

use shortscience_sources::{
    PaperRef, Record, SourceError, arxiv_snapshot_records, bibtex, dblp_entity, dblp_records,
    parse_arxiv_atom, parse_crossref_work, parse_datacite_doi, parse_dblp_record_xml,
    parse_openreview_note, ris,
};

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

fn ids(r: &Record) -> Vec<String> {
    r.ids.iter().map(ToString::to_string).collect()
}

// ---- arXiv API -------------------------------------------------------------------

#[test]
fn arxiv_2016_single_entry() {
    let records = parse_arxiv_atom(&fixture("arxiv/api-2016-id_list-1111.2011v2.xml")).unwrap();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    // The published DOI is an alias (given both as arxiv:doi and as a dx.doi.org link).
    assert_eq!(
        ids(r),
        ["arxiv:1111.2011", "doi:10.1103/physrevb.85.115117"]
    );
    assert_eq!(r.ids[0].arxiv_version(), Some(2));
    // Hard wraps with two-space indents are gone.
    assert_eq!(
        r.title,
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    );
    assert_eq!(
        r.authors,
        ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    );
    assert_eq!(r.year, Some(2011));
    assert_eq!(r.venue.as_deref(), Some("Phys. Rev. B 85, 115117 (2012)"));
    let abs = r.abstract_text.as_deref().unwrap();
    assert!(abs.starts_with(
        "Theoretical description of anisotropic systems, such as layered superconductors"
    ));
    assert!(!abs.contains('\n'));
}

#[test]
fn arxiv_2016_search_with_old_style_ids() {
    let records = parse_arxiv_atom(&fixture("arxiv/api-2016-search-au-del_maestro.xml")).unwrap();
    assert_eq!(records.len(), 10);
    let first: Vec<String> = records.iter().map(|r| r.ids[0].to_string()).collect();
    assert_eq!(first[1], "arxiv:cond-mat/0412498");
    assert_eq!(first[2], "arxiv:cond-mat/0603029");
    assert!(
        records
            .iter()
            .all(|r| !r.title.is_empty() && !r.authors.is_empty())
    );
    assert!(records.iter().all(|r| r.year.is_some()));
    // Several carry their journal DOI as an alias.
    assert!(records.iter().filter(|r| r.ids.len() > 1).count() >= 3);
}

#[test]
fn arxiv_2026_generation_reads_the_same() {
    let r = &parse_arxiv_atom(&fixture("arxiv/api-2026-id_list-1707.08567.xml")).unwrap()[0];
    assert_eq!(ids(r), ["arxiv:1707.08567"]);
    assert_eq!(
        r.title,
        "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"
    );
    assert_eq!(r.authors.len(), 34);
    assert!(r.authors.contains(&"Dirk Wübben".to_owned()));
    assert_eq!(r.year, Some(2017));
    // No journal reference: the preprint's venue is arXiv.
    assert_eq!(r.venue.as_deref(), Some("arXiv"));
}

#[test]
fn arxiv_2026_old_style_id_with_affiliations() {
    let r = &parse_arxiv_atom(&fixture("arxiv/api-2026-id_list-astro-ph_0601001.xml")).unwrap()[0];
    assert_eq!(ids(r), ["arxiv:astro-ph/0601001"]);
    // Affiliations sit inside <author> but are not names.
    assert_eq!(r.authors[0], "Andrew Gould");
    assert!(r.authors.iter().all(|a| a != "Ohio State"));
    assert_eq!(r.venue.as_deref(), Some("ActaAstron.56:1-50,2006"));
    assert_eq!(r.year, Some(2006));
    // Entities in the abstract are decoded.
    assert!(
        r.abstract_text
            .as_deref()
            .unwrap()
            .contains("Gould & Morgan (2003)")
    );
}

#[test]
fn arxiv_2026_search_dois_as_links_and_utf8_names() {
    let records =
        parse_arxiv_atom(&fixture("arxiv/api-2026-search-all_testing-max10.xml")).unwrap();
    assert_eq!(records.len(), 10);
    assert!(
        records
            .iter()
            .any(|r| r.authors.iter().any(|a| a == "José Raúl Romero"))
    );
    // 2026 writes the DOI as <link title="doi" href="https://doi.org/…">.
    assert!(records.iter().any(|r| {
        r.ids
            .iter()
            .any(|i| i.kind() == shortscience_sources::IdKind::Doi)
    }));
}

#[test]
fn arxiv_empty_feed_and_one_missing_id() {
    let empty = parse_arxiv_atom(&fixture("arxiv/api-2026-empty-id_list-0000.0000.xml")).unwrap();
    assert!(empty.is_empty());
    let two = parse_arxiv_atom(&fixture("arxiv/api-2026-id_list-two-ids-one-missing.xml")).unwrap();
    assert_eq!(two.len(), 1);
    assert_eq!(ids(&two[0]), ["arxiv:1707.08567"]);
}

#[test]
fn arxiv_error_feed_is_a_rejection_with_arxivs_words() {
    let e = parse_arxiv_atom(&fixture("arxiv/api-2026-error-400-id_list-abc.xml")).unwrap_err();
    assert_eq!(
        e,
        SourceError::Rejected {
            service: "arXiv",
            message: "incorrect id format for abc".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "arXiv refused the request: incorrect id format for abc"
    );
}

#[test]
fn arxiv_parser_refuses_other_documents() {
    for name in [
        "garbage/html-503.html",
        "garbage/rss-not-atom.xml",
        "garbage/random.bin",
        "garbage/truncated.json",
        "crossref/works-404-10.1371_notarealdoi.txt",
    ] {
        let e = parse_arxiv_atom(&fixture(name)).unwrap_err();
        assert!(matches!(e, SourceError::Malformed { .. }), "{name}: {e}");
    }
}

// ---- arXiv snapshot --------------------------------------------------------------

#[test]
fn arxiv_snapshot_lines() {
    let input = fixture("arxiv/kaggle-arxiv-metadata-oai-snapshot-head32.jsonl");
    let records: Vec<Record> = arxiv_snapshot_records(&input[..])
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(records.len(), 32);
    let r = &records[0];
    assert_eq!(
        ids(r),
        ["arxiv:0704.0001", "doi:10.1103/physrevd.76.013009"]
    );
    assert_eq!(
        r.title,
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    );
    // authors_parsed is preferred: its names are already Unicode.
    assert_eq!(
        r.authors,
        ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    );
    assert_eq!(r.year, Some(2007));
    assert_eq!(r.venue.as_deref(), Some("Phys.Rev.D76:013009,2007"));
    assert!(
        records
            .iter()
            .all(|r| r.ids[0].value().starts_with("0704.00"))
    );
    // Lines without a journal reference are arXiv preprints.
    assert!(records.iter().any(|r| r.venue.as_deref() == Some("arXiv")));
}

// ---- Crossref --------------------------------------------------------------------

#[test]
fn crossref_proceedings_article() {
    let r = parse_crossref_work(&fixture("crossref/works-10.1109_iccv.2007.4408927.json")).unwrap();
    assert_eq!(ids(&r), ["doi:10.1109/iccv.2007.4408927"]);
    assert_eq!(
        r.title,
        "A Seeded Image Segmentation Framework Unifying Graph Cuts And Random Walker Which Yields A New Algorithm"
    );
    assert_eq!(r.authors, ["Ali Kemal Sinop", "Leo Grady"]);
    assert_eq!(r.year, Some(2007));
    assert_eq!(
        r.venue.as_deref(),
        Some("2007 IEEE 11th International Conference on Computer Vision")
    );
    assert_eq!(r.abstract_text, None);
}

#[test]
fn crossref_sigmod_and_elife() {
    let r = parse_crossref_work(&fixture("crossref/works-10.1145_3448016.3452841.json")).unwrap();
    assert_eq!(r.title, "Vector Quotient Filters");
    assert_eq!(r.year, Some(2021));
    assert_eq!(
        r.venue.as_deref(),
        Some("Proceedings of the 2021 International Conference on Management of Data")
    );
    let r = parse_crossref_work(&fixture("crossref/works-10.7554_elife.01567.json")).unwrap();
    assert_eq!(ids(&r), ["doi:10.7554/elife.01567"]);
    assert_eq!(r.venue.as_deref(), Some("eLife"));
    assert_eq!(r.year, Some(2014));
    // has-review / is-supplemented-by relations are other works, not aliases.
    assert_eq!(r.ids.len(), 1);
    let abs = r.abstract_text.unwrap();
    assert!(!abs.contains('<') && !abs.starts_with("Abstract"), "{abs}");
}

#[test]
fn crossref_preprint_relations_become_aliases() {
    let r = parse_crossref_work(&fixture(
        "crossref/own-works-10.5555_preprint-relations.json",
    ))
    .unwrap();
    assert_eq!(
        ids(&r),
        [
            "doi:10.5555/example.2024.0042",
            "doi:10.48550/arxiv.2301.01234",
            "arxiv:2301.01234"
        ]
    );
    assert_eq!(r.title, "Counting Small Graphs & Their Minors");
    assert_eq!(
        r.authors,
        [
            "Élodie Marchand",
            "Søren Lund",
            "The Graph Minor Working Group"
        ]
    );
    assert_eq!(
        r.abstract_text.as_deref(),
        Some(
            "We count graphs on at most ten vertices by their minors. Tables and code accompany the paper."
        )
    );
    assert_eq!(r.year, Some(2024));
}

#[test]
fn crossref_404_body_is_not_metadata() {
    let e =
        parse_crossref_work(&fixture("crossref/works-404-10.1371_notarealdoi.txt")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Crossref sent something that is not readable metadata: the answer is not JSON: \"Resource not found.\""
    );
    for name in [
        "garbage/truncated.json",
        "garbage/html-503.html",
        "garbage/random.bin",
    ] {
        assert!(parse_crossref_work(&fixture(name)).is_err(), "{name}");
    }
    // A DataCite answer is not a Crossref work either.
    assert!(parse_crossref_work(&fixture("datacite/dois-10.48550_arxiv.1902.02534.json")).is_err());
}

// ---- DataCite --------------------------------------------------------------------

#[test]
fn datacite_arxiv_dois() {
    let r = parse_datacite_doi(&fixture("datacite/dois-10.48550_arxiv.2311.16162.json")).unwrap();
    assert_eq!(
        ids(&r),
        ["doi:10.48550/arxiv.2311.16162", "arxiv:2311.16162"]
    );
    assert_eq!(
        r.title,
        "Leveraging Artificial Intelligence Technology for Mapping Research to Sustainable Development Goals: A Case Study"
    );
    assert_eq!(r.authors.len(), 10);
    assert_eq!(r.authors[0], "Hui Yin");
    assert_eq!(r.authors[4], "Luis Salvador-Carulla");
    assert_eq!(r.year, Some(2023));
    assert_eq!(r.venue.as_deref(), Some("arXiv"));
    assert!(
        r.abstract_text
            .unwrap()
            .starts_with("The number of publications related to the Sustainable Development Goals")
    );

    let r = parse_datacite_doi(&fixture("datacite/dois-10.48550_arxiv.1902.02534.json")).unwrap();
    assert_eq!(
        ids(&r),
        ["doi:10.48550/arxiv.1902.02534", "arxiv:1902.02534"]
    );
    assert_eq!(r.authors.len(), 3);
    assert_eq!(r.year, Some(2019));
}

#[test]
fn datacite_dataset() {
    let r = parse_datacite_doi(&fixture("datacite/dois-10.6084_m9.figshare.1449060.json")).unwrap();
    assert_eq!(ids(&r), ["doi:10.6084/m9.figshare.1449060"]);
    assert_eq!(r.authors[0], "Ian Dworkin");
    assert_eq!(r.year, Some(2020));
    assert_eq!(r.venue.as_deref(), Some("figshare"));
    // <i> in the description is dropped.
    assert!(
        r.abstract_text
            .unwrap()
            .starts_with("These are raw wing images from Drosophila melanogaster isofemale")
    );
    assert!(parse_datacite_doi(&fixture("crossref/works-10.1109_iccv.2007.4408927.json")).is_err());
}

// ---- DBLP ------------------------------------------------------------------------

#[test]
fn dblp_entity_table_matches_the_dtd() {
    let dtd = text("dblp/dblp-2023-05-10.dtd");
    let mut seen = 0;
    for line in dtd.lines() {
        let Some(rest) = line.trim().strip_prefix("<!ENTITY ") else {
            continue;
        };
        let mut parts = rest.split_whitespace();
        let name = parts.next().unwrap();
        if name == "%" {
            continue; // parameter entities
        }
        let value = parts.next().unwrap();
        let start = value.find("&#").unwrap() + 2;
        let end = value.find(';').unwrap();
        let code: u32 = value[start..end].parse().unwrap();
        assert_eq!(dblp_entity(name), char::from_u32(code), "&{name};");
        seen += 1;
    }
    assert_eq!(seen, 65);
}

#[test]
fn dblp_dump_head_2015() {
    let input = fixture("dblp/dblp-xml-dump-head-acta-2015.xml");
    let records: Vec<Record> = dblp_records(&input[..]).collect::<Result<_, _>>().unwrap();
    assert_eq!(records.len(), 10);
    let r = &records[0];
    assert_eq!(
        ids(r),
        ["dblp:journals/acta/Saxena96", "doi:10.1007/bf03036466"]
    );
    assert_eq!(
        r.title,
        "Parallel Integer Sorting and Simulation Amongst CRCW Models"
    );
    assert_eq!(r.authors, ["Sanjeev Saxena"]);
    assert_eq!(r.year, Some(1996));
    assert_eq!(r.venue.as_deref(), Some("Acta Inf."));
    let s = records
        .iter()
        .find(|r| r.ids[0].value() == "journals/acta/Schonhage77")
        .unwrap();
    assert_eq!(s.authors, ["Arnold Schönhage"]);
    assert_eq!(
        s.title,
        "Schnelle Multiplikation von Polynomen über Körpern der Charakteristik 2"
    );
    // " 0001" tells namesakes apart at DBLP; it is not part of the name.
    assert!(
        records
            .iter()
            .flat_map(|r| &r.authors)
            .any(|a| a == "Zoltán Fülöp")
    );
}

#[test]
fn dblp_dump_modern_excerpt() {
    let input = fixture("dblp/dblp-xml-dump-excerpt-reference-vision-trimmed.xml");
    let records: Vec<Record> = dblp_records(&input[..]).collect::<Result<_, _>>().unwrap();
    assert_eq!(records.len(), 35);
    let authors: Vec<&String> = records.iter().flat_map(|r| &r.authors).collect();
    assert!(authors.iter().any(|a| *a == "Jürgen Beyerer"));
    assert!(authors.iter().any(|a| *a == "Matti Pietikäinen"));
    assert!(authors.iter().any(|a| *a == "Manish Singh"));
    assert!(
        records
            .iter()
            .all(|r| r.venue.as_deref() == Some("Computer Vision, A Reference Guide"))
    );
}

#[test]
fn dblp_own_latin1_dump() {
    let input = fixture("dblp/own-dump-latin1.xml");
    let out: Vec<Result<Record, SourceError>> = dblp_records(&input[..]).collect();
    // www and proceedings are skipped; the untitled article is an error in place.
    assert_eq!(out.len(), 4);
    let corr = out[0].as_ref().unwrap();
    assert_eq!(
        ids(corr),
        ["dblp:journals/corr/abs-2301-01234", "arxiv:2301.01234"]
    );
    assert_eq!(corr.authors, ["Pál Erdős", "Jan Łukasiewicz"]);
    assert_eq!(corr.title, "Paths in G(n,p): a note");
    assert_eq!(corr.venue.as_deref(), Some("CoRR"));
    let conf = out[1].as_ref().unwrap();
    assert_eq!(conf.authors, ["Bjørn Østergaard", "Åsa Ström"]);
    assert_eq!(conf.title, "Schönhage meets Straßen × 2");
    assert_eq!(
        ids(conf),
        ["dblp:conf/example/Ostergaard22", "doi:10.5555/conf.2022.7"]
    );
    assert_eq!(
        out[2].as_ref().unwrap_err().to_string(),
        "DBLP record journals/jec/NoTitle: it has no title"
    );
    let book = out[3].as_ref().unwrap();
    assert_eq!(book.authors, ["Café µOwner"]);
    assert_eq!(book.title, "® Marks");
}

#[test]
fn dblp_dump_gzip_through_open_catalog_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("dblp.xml.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&fixture("dblp/dblp-xml-dump-head-acta-2015.xml"))
        .unwrap();
    enc.finish().unwrap();
    let reader = shortscience_sources::open_catalog_file(&gz).unwrap();
    assert_eq!(dblp_records(reader).filter(Result::is_ok).count(), 10);
}

#[test]
fn dblp_per_record_answers() {
    let r =
        parse_dblp_record_xml(&fixture("dblp/rec-api-xml-journals-jair-JabsBNJ24.xml")).unwrap();
    assert_eq!(
        ids(&r),
        ["dblp:journals/jair/JabsBNJ24", "doi:10.1613/jair.1.15333"]
    );
    assert_eq!(
        r.authors,
        [
            "Christoph Jabs",
            "Jeremias Berg",
            "Andreas Niskanen",
            "Matti Järvisalo"
        ]
    );
    assert_eq!(
        r.title,
        "From Single-Objective to Bi-Objective Maximum Satisfiability Solving"
    );
    assert_eq!(r.venue.as_deref(), Some("J. Artif. Intell. Res."));
    assert_eq!(r.year, Some(2024));

    let r = parse_dblp_record_xml(&fixture("dblp/rec-api-xml-series-faia-0001LM21.xml")).unwrap();
    assert_eq!(
        r.authors,
        ["João Marques-Silva", "Inês Lynce", "Sharad Malik"]
    );
    assert_eq!(r.venue.as_deref(), Some("Handbook of Satisfiability"));

    let r = parse_dblp_record_xml(&fixture("dblp/rec-api-xml-conf-cpaior-JabsBJ24.xml")).unwrap();
    assert_eq!(r.venue.as_deref(), Some("CPAIOR (2)"));
    // Proceedings volumes and books resolve when asked for by key.
    let r = parse_dblp_record_xml(&fixture("dblp/rec-api-xml-conf-cpaior-2024-2.xml")).unwrap();
    assert_eq!(ids(&r)[0], "dblp:conf/cpaior/2024-2");
    assert!(r.authors.is_empty());
    let r = parse_dblp_record_xml(&fixture("dblp/rec-api-xml-series-faia-336.xml")).unwrap();
    assert_eq!(r.title, "Handbook of Satisfiability - Second Edition");
    let r = parse_dblp_record_xml(&fixture("dblp/rec-api-xml-data-11-IserJ24.xml")).unwrap();
    assert_eq!(
        ids(&r),
        ["dblp:data/11/IserJ24", "doi:10.4230/artifacts.22456"]
    );
}

#[test]
fn dblp_records_without_wrapper_and_corr() {
    let r = parse_dblp_record_xml(&fixture("dblp/dblp-record-conf-acl-ChangSRM23.xml")).unwrap();
    // Two ee links: the DOI is an alias, the ACL Anthology page is not an identifier.
    assert_eq!(
        ids(&r),
        [
            "dblp:conf/acl/ChangSRM23",
            "doi:10.18653/v1/2023.acl-long.48"
        ]
    );
    assert_eq!(r.authors[0], "Haw-Shiuan Chang");
    let r = parse_dblp_record_xml(&fixture(
        "dblp/dblp-record-journals-corr-abs-2508-04024.xml",
    ))
    .unwrap();
    // The CoRR key and the arXiv DOI both name arXiv 2508.04024.
    assert_eq!(
        ids(&r),
        [
            "dblp:journals/corr/abs-2508-04024",
            "arxiv:2508.04024",
            "doi:10.48550/arxiv.2508.04024"
        ]
    );
    assert_eq!(r.title, "Identity Theft in AI Conference Peer Review");
    assert_eq!(r.venue.as_deref(), Some("CoRR"));
}

#[test]
fn dblp_per_record_refuses_garbage() {
    for name in [
        "garbage/html-503.html",
        "garbage/rss-not-atom.xml",
        "garbage/random.bin",
        "arxiv/api-2026-id_list-1707.08567.xml",
    ] {
        let e = parse_dblp_record_xml(&fixture(name)).unwrap_err();
        assert!(matches!(e, SourceError::Malformed { .. }), "{name}: {e}");
    }
}

// ---- OpenReview ------------------------------------------------------------------

#[test]
fn openreview_v2_note() {
    let r = parse_openreview_note(&fixture("openreview/notes-v2-xQ7pL2mNaB.json"))
        .unwrap()
        .unwrap();
    assert_eq!(ids(&r), ["openreview:xQ7pL2mNaB"]);
    assert_eq!(r.title, "Sparse Gates for Tiny Mixtures of Experts");
    assert_eq!(r.authors, ["Ana Pérez", "Jürgen Weiß", "Li Wei"]);
    // pdate 1737936000000 is 2025-01-27.
    assert_eq!(r.year, Some(2025));
    assert_eq!(r.venue.as_deref(), Some("ExampleConf 2025 Poster"));
    assert_eq!(
        r.abstract_text.as_deref(),
        Some(
            "We study gating for small mixtures of experts. A sparse gate keeps two experts per token."
        )
    );
    assert_eq!(
        parse_openreview_note(&fixture("openreview/notes-v2-empty.json")).unwrap(),
        None
    );
    for name in [
        "garbage/html-503.html",
        "garbage/truncated.json",
        "crossref/works-10.1109_iccv.2007.4408927.json",
    ] {
        assert!(parse_openreview_note(&fixture(name)).is_err(), "{name}");
    }
}

// ---- BibTeX ----------------------------------------------------------------------

#[test]
fn bibtex_own_file_accents_and_forms() {
    let (entries, errors) = bibtex::parse(&text("bibtex/own-accents-and-forms.bib"));
    assert_eq!(entries.len(), 3, "{entries:#?}");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].key.as_deref(), Some("broken"));
    assert_eq!(errors[0].line, 26);

    let r = entries[0].to_record().unwrap();
    assert_eq!(
        r.authors,
        [
            "Élodie Marchand",
            "Søren Lund",
            "Jürgen Müller",
            "François Gauß",
            "Antonín Dvořák"
        ]
    );
    assert_eq!(
        r.title,
        "Counting Small Graphs & Their Minors \u{2014} a Census"
    );
    assert_eq!(r.venue.as_deref(), Some("Journal of Example Combinatorics"));
    assert_eq!(r.year, Some(2024));
    assert_eq!(
        ids(&r),
        [
            "dblp:journals/jec/MarchandL24",
            "doi:10.5555/example.2024.0042"
        ]
    );
    assert_eq!(entries[0].get("pages").as_deref(), Some("1\u{2013}20"));

    let r = entries[1].to_record().unwrap();
    assert_eq!(
        r.authors,
        ["Pál Erdős", "Jan Łukasiewicz", "Juan de la Cruz Jr."]
    );
    assert_eq!(r.title, r"Paths in $\mathcal{G}(n,p)$: a note");
    assert_eq!(ids(&r), ["arxiv:2301.01234"]);
    assert_eq!(entries[1].get("month").as_deref(), Some("January"));

    let r = entries[2].to_record().unwrap();
    assert_eq!(r.authors, ["Bjørn Østergaard", "Åsa Ström"]);
    assert_eq!(r.title, "Schönhage meets Straßen");
    assert_eq!(r.venue.as_deref(), Some("Proc. Example Conference"));
    assert_eq!(
        ids(&r),
        ["dblp:conf/example/Ostergaard22", "doi:10.5555/conf.2022.7"]
    );
}

#[test]
fn bibtex_dblp_export() {
    let (entries, errors) =
        bibtex::parse(&text("bibtex/dblp-export-2022-via-colrev-3-entries.bib"));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(entries.len(), 3);
    let r = entries[0].to_record().unwrap();
    assert_eq!(
        ids(&r),
        ["dblp:journals/pacmhci/SunMYH22", "doi:10.1145/3492854"]
    );
    assert_eq!(
        r.title,
        "Investigating Crowdworkers' Identify, Perception and Practices in Micro-Task Crowdsourcing"
    );
    assert_eq!(
        r.authors,
        ["Yuling Sun", "Xiaojuan Ma", "Kai Ye", "Liang He"]
    );
    assert_eq!(r.venue.as_deref(), Some("Proc. ACM Hum. Comput. Interact."));
    let r = entries[2].to_record().unwrap();
    assert_eq!(entries[2].entry_type, "inproceedings");
    // Editors are not authors.
    assert_eq!(r.authors.len(), 6);
    assert!(
        r.venue
            .unwrap()
            .starts_with("CHI '22: CHI Conference on Human Factors")
    );
    assert_eq!(
        entries[2].get("pages").as_deref(),
        Some("465:1\u{2013}465:20")
    );
}

#[test]
fn bibtex_crossref_one_line_export() {
    let (entries, errors) = bibtex::parse(&text(
        "bibtex/crossref-content-negotiation-2026-10.1126_science.169.3946.635.bib",
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let e = &entries[0];
    assert_eq!(e.key, "Frank_1970");
    assert_eq!(e.get("month").as_deref(), Some("August"));
    assert_eq!(e.get("pages").as_deref(), Some("635\u{2013}641"));
    let r = e.to_record().unwrap();
    assert_eq!(ids(&r), ["doi:10.1126/science.169.3946.635"]);
    assert_eq!(r.authors, ["Henry S. Frank"]);
    assert_eq!(r.venue.as_deref(), Some("Science"));
    assert_eq!(r.year, Some(1970));
}

// ---- RIS -------------------------------------------------------------------------

#[test]
fn ris_publisher_exports() {
    let (entries, errors) = ris::parse(&text("ris/jabref-RisImporterTest9-cell-press-export.ris"));
    assert!(errors.is_empty(), "{errors:?}");
    let r = entries[0].to_record().unwrap();
    assert_eq!(ids(&r), ["doi:10.1016/j.neuron.2016.10.006"]);
    assert_eq!(r.title, "Grid Cells for Conceptual Spaces?");
    assert_eq!(r.authors, ["Nikolaus Kriegeskorte", "Katherine R. Storrs"]);
    assert_eq!(r.year, Some(2016));
    assert_eq!(r.venue.as_deref(), Some("Neuron"));

    let (entries, errors) = ris::parse(&text(
        "ris/jabref-RisImporterTestScience-sciencedirect-export.ris",
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let r = entries[0].to_record().unwrap();
    // DO given as a dx.doi.org URL; the protocol-relative UR names no identifier.
    assert_eq!(ids(&r), ["doi:10.1016/j.actamat.2016.09.028"]);
    assert!(r.title.contains("ω transformation"));
    assert_eq!(r.venue.as_deref(), Some("Acta Materialia"));
    assert_eq!(r.year, Some(2016));

    let (entries, errors) = ris::parse(&text("ris/jabref-RisImporterTest3-crc-press-export.ris"));
    assert!(errors.is_empty(), "{errors:?}");
    let r = entries[0].to_record().unwrap();
    assert_eq!(entries[0].entry_type, "CHAP");
    assert_eq!(ids(&r), ["doi:10.1201/b19107-2"]);
    // Runs of spaces inside the title collapse.
    assert_eq!(
        r.title,
        "Toward a Robust Analysis of Dermoscopy Images Acquired under Different Conditions"
    );
    assert_eq!(r.venue.as_deref(), Some("Dermoscopy Image Analysis"));
}

// ---- Across sources --------------------------------------------------------------

/// The same arXiv paper reached from DataCite and from a DBLP CoRR record shares an id,
/// so the store merges them into one paper.
#[test]
fn aliases_meet_across_sources() {
    let corr = parse_dblp_record_xml(&fixture(
        "dblp/dblp-record-journals-corr-abs-2508-04024.xml",
    ))
    .unwrap();
    let arxiv = PaperRef::parse("arXiv:2508.04024").unwrap();
    assert!(corr.ids.contains(&arxiv));
    let crossref = parse_crossref_work(&fixture(
        "crossref/own-works-10.5555_preprint-relations.json",
    ))
    .unwrap();
    let (entries, _) = bibtex::parse(&text("bibtex/own-accents-and-forms.bib"));
    let bib = entries[1].to_record().unwrap();
    assert!(bib.ids.iter().any(|i| crossref.ids.contains(i)));
}
