//! Property tests over the public API: generated valid ids of each kind round-trip
//! through every form, normalisation is idempotent, and no input panics.

use proptest::prelude::*;
use proptest::sample::select;
use shortscience_ids::{IdError, IdKind, MAX_INPUT_LEN, PaperRef};

const OLD_ARCHIVES: &[&str] = &[
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an", "chao-dyn",
    "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an", "gr-qc", "hep-ex",
    "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin", "nucl-ex", "nucl-th",
    "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph", "solv-int", "supr-con",
];

const DBLP_PREFIXES: &[&str] = &[
    "conf",
    "journals",
    "books",
    "series",
    "reference",
    "phd",
    "tr",
    "ms",
    "persons",
    "homepages",
    "www",
    "data",
];

/// (input as written, canonical id, version).
fn arxiv_new() -> impl Strategy<Value = (String, String, Option<u32>)> {
    (
        7u32..100,
        1u32..13,
        1u32..10_000,
        1u32..100_000,
        proptest::option::of(1u32..60),
    )
        .prop_filter("new-style ids start in 0704", |(yy, mm, ..)| {
            (*yy, *mm) >= (7, 4)
        })
        .prop_map(|(yy, mm, n4, n5, v)| {
            let id = if yy < 15 {
                format!("{yy:02}{mm:02}.{n4:04}")
            } else {
                format!("{yy:02}{mm:02}.{n5:05}")
            };
            let written = match v {
                Some(v) => format!("{id}v{v}"),
                None => id.clone(),
            };
            (written, id, v)
        })
}

fn arxiv_old() -> impl Strategy<Value = (String, String, Option<u32>)> {
    let yymm = prop_oneof![(91u32..100, 1u32..13), (0u32..8, 1u32..13)].prop_filter(
        "old-style ids ran from 9108 to 0703",
        |&(yy, mm)| {
            if yy >= 91 {
                (yy, mm) >= (91, 8)
            } else {
                (yy, mm) <= (7, 3)
            }
        },
    );
    (
        select(OLD_ARCHIVES),
        yymm,
        1u32..1000,
        proptest::option::of("[A-Z]{2}"),
        proptest::option::of(1u32..9),
    )
        .prop_map(|(archive, (yy, mm), n, subject, v)| {
            let id = format!("{archive}/{yy:02}{mm:02}{n:03}");
            let subject = subject.map(|s| format!(".{s}")).unwrap_or_default();
            let version = v.map(|v| format!("v{v}")).unwrap_or_default();
            (
                format!("{archive}{subject}/{yy:02}{mm:02}{n:03}{version}"),
                id,
                v,
            )
        })
}

fn doi() -> impl Strategy<Value = String> {
    (
        "[1-9][0-9]{3,5}(\\.[0-9]{1,3})?",
        "[A-Za-z0-9]([A-Za-z0-9._;()/:<>#?%éÄ-]{0,30}[A-Za-z0-9])?",
    )
        .prop_map(|(registrant, suffix)| format!("10.{registrant}/{suffix}"))
}

fn dblp_key() -> impl Strategy<Value = String> {
    (
        select(DBLP_PREFIXES),
        proptest::collection::vec("[a-z0-9][a-z0-9-]{0,10}", 0..3),
        "[A-Z][A-Za-z0-9_-]{0,15}",
    )
        .prop_map(|(prefix, middle, last)| {
            let mut parts = vec![prefix.to_owned()];
            parts.extend(middle);
            parts.push(last);
            parts.join("/")
        })
}

fn openreview_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{5,40}"
}

fn parse(s: &str) -> PaperRef {
    PaperRef::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

/// Every representation of `r` reads back as `r`.
fn assert_round_trips(r: &PaperRef) {
    assert_eq!(&parse(&r.to_string()), r, "Display");
    assert_eq!(&parse(&r.external_url()), r, "external_url");
    assert_eq!(&parse(&r.legacy_key()), r, "legacy_key");
    assert_eq!(
        &PaperRef::parse_as(r.kind(), r.value()).unwrap(),
        r,
        "parse_as(value)"
    );
    assert_eq!(
        &PaperRef::from_db(r.kind().as_str(), r.value()).unwrap(),
        r,
        "from_db"
    );
    for implied in r.implied() {
        assert_eq!(implied.kind(), IdKind::Arxiv);
        assert_eq!(parse(&implied.to_string()), implied);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arxiv_ids_round_trip((written, id, version) in prop_oneof![arxiv_new(), arxiv_old()]) {
        let r = parse(&written);
        prop_assert_eq!(r.kind(), IdKind::Arxiv);
        prop_assert_eq!(r.value(), id.as_str());
        prop_assert_eq!(r.arxiv_version(), version);
        prop_assert_eq!(&parse(&id), &r);
        prop_assert_eq!(&parse(&format!("arXiv:{written}")), &r);
        prop_assert_eq!(&parse(&format!("journals/corr/{written}")), &r);
        let pdf = parse(&format!("https://arxiv.org/pdf/{written}.pdf"));
        prop_assert_eq!(pdf.arxiv_version(), version);
        prop_assert_eq!(&pdf, &r);
        assert_round_trips(&r);
    }

    #[test]
    fn dois_round_trip_and_ignore_ascii_case(doi in doi()) {
        let r = parse(&doi);
        prop_assert_eq!(r.kind(), IdKind::Doi);
        prop_assert_eq!(r.value(), doi.to_ascii_lowercase());
        prop_assert_eq!(&parse(&doi.to_ascii_uppercase()), &r);
        prop_assert_eq!(&parse(&doi.to_ascii_lowercase()), &r);
        prop_assert_eq!(&parse(&format!("doi:{doi}")), &r);
        // A link pasted from the end of a sentence.
        prop_assert_eq!(&parse(&format!("{}.", r.external_url())), &r);
        assert_round_trips(&r);
    }

    #[test]
    fn dblp_keys_round_trip(key in dblp_key()) {
        let r = parse(&key);
        prop_assert_eq!(r.kind(), IdKind::Dblp);
        prop_assert_eq!(r.value(), key.as_str());
        prop_assert_eq!(&parse(&format!("DBLP:{key}")), &r);
        prop_assert_eq!(&parse(&format!("https://dblp.org/rec/{key}.bib")), &r);
        prop_assert_eq!(&parse(&format!("https://dblp.uni-trier.de/rec/bibtex/{key}")), &r);
        assert_round_trips(&r);
    }

    #[test]
    fn openreview_ids_round_trip(id in openreview_id()) {
        let r = PaperRef::parse_as(IdKind::OpenReview, &id).unwrap();
        prop_assert_eq!(r.value(), id.as_str());
        prop_assert_eq!(&parse(&format!("openreview:{id}")), &r);
        prop_assert_eq!(&parse(&format!("https://openreview.net/pdf?id={id}&noteId=x")), &r);
        // A bare token is never guessed to be an OpenReview id.
        let bare = PaperRef::parse(&id);
        prop_assert!(matches!(bare, Err(IdError::Unrecognized { .. })), "{:?}", bare);
        assert_round_trips(&r);
    }

    #[test]
    fn parse_never_panics_and_accepted_input_is_stable(s in any::<String>()) {
        if let Ok(r) = PaperRef::parse(&s) {
            assert_round_trips(&r);
        }
    }

    #[test]
    fn near_misses_never_panic_and_accepted_input_is_stable(
        head in "(arXiv:|doi:|DBLP:|openreview:|https://arxiv.org/(abs|pdf)/|https://doi.org/|\
                 https://dblp.org/rec/(bibtex/)?|https://openreview.net/forum\\?id=|journals/corr/(abs-)?|\
                 https://shortscience.org/paper\\?bibtexKey=|10\\.|conf/|hep-th/|math\\.)?",
        tail in "[0-9v./a-zA-Z%()_?&=#-]{0,24}|\\PC{0,12}",
    ) {
        let s = format!("{head}{tail}");
        match PaperRef::parse(&s) {
            Ok(r) => assert_round_trips(&r),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn every_kind_of_parse_as_is_total(kind in select(IdKind::ALL.to_vec()), s in any::<String>()) {
        if let Ok(r) = PaperRef::parse_as(kind, &s) {
            prop_assert_eq!(r.kind(), kind);
            prop_assert_eq!(&PaperRef::parse_as(kind, r.value()).unwrap(), &r);
        }
    }

    #[test]
    fn long_inputs_are_refused(s in "[a-z0-9./]{513,700}") {
        let is_too_long = matches!(PaperRef::parse(&s), Err(IdError::TooLong { len, .. }) if len == s.len() && len > MAX_INPUT_LEN);
        prop_assert!(is_too_long);
    }
}
