//! The web crate writes takeout summary files itself (it cannot depend on this package);
//! they must parse with this package's `summary_file::parse` into the same summary.

use shortscience::summary_file;
use shortscience_ids::{PaperId, PaperRef, SummaryId};
use shortscience_store::{Paper, SummaryRecord};
use shortscience_web::api::takeout::summary_file as takeout_file;

fn record(title: &str, markdown: &str, anonymous: bool) -> SummaryRecord {
    SummaryRecord {
        id: SummaryId(3),
        paper: Paper {
            id: PaperId(9),
            title: title.into(),
            authors: vec!["Ada \"Countess\" Lovelace".into(), "C. Babbage".into()],
            year: Some(1843),
            venue: Some("Notes\\Sketch".into()),
            abstract_text: Some("Line one.\n+++\nLine three.\u{7}".into()),
            aliases: vec![
                PaperRef::parse("arXiv:1706.03762").unwrap(),
                PaperRef::parse("10.1145/3448016.3452841").unwrap(),
            ],
        },
        author_username: "ada_l".into(),
        markdown: markdown.into(),
        private: true,
        anonymous,
        created_at: 1_488_628_800,
        edited_at: 1_500_000_000,
    }
}

#[test]
fn takeout_files_import_as_they_were() {
    for r in [
        record("Plain", "Text with $x^2$.", false),
        record(
            "A \"tricky\"\n+++ title\t",
            "+++\nbody that starts like a fence\n",
            true,
        ),
    ] {
        let text = takeout_file(&r);
        let parsed = summary_file::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let m = parsed.meta;
        assert_eq!(m.title, r.paper.title.trim());
        assert_eq!(m.authors, r.paper.authors);
        assert_eq!(m.year, r.paper.year);
        assert_eq!(m.venue, r.paper.venue);
        assert_eq!(m.abstract_text, r.paper.abstract_text);
        assert_eq!(m.author.as_deref(), Some("ada_l"));
        assert_eq!((m.private, m.anonymous), (r.private, r.anonymous));
        assert_eq!(
            (m.created, m.edited),
            (Some(r.created_at), Some(r.edited_at))
        );
        let mut refs = m.refs.clone();
        refs.sort_by_key(|r| r.to_string());
        let mut want = r.paper.aliases.clone();
        want.sort_by_key(|r| r.to_string());
        assert_eq!(refs, want);
        assert_eq!(parsed.markdown, r.markdown.trim_end());
    }
}
