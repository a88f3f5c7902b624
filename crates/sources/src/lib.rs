//! Paper metadata from the services that own paper identifiers, and readers for the
//! files researchers already have.
//!
//! - **Parsers** (pure, no I/O): [`parse_arxiv_atom`], [`parse_crossref_work`],
//!   [`parse_datacite_doi`], [`parse_dblp_record_xml`], [`parse_openreview_note`],
//!   [`bibtex::parse`], [`ris::parse`]. Each turns a response body or file into
//!   [`Record`]s.
//! - **Streaming catalog readers** (constant memory): [`dblp_records`] over the DBLP
//!   XML dump (its DTD's character entities built in, ISO-8859-1 handled) and
//!   [`arxiv_snapshot_records`] over the arXiv metadata snapshot (JSON Lines);
//!   [`open_catalog_file`] opens a file, unpacking `.gz` on the fly.
//! - **Live lookup**: [`Resolver`] routes a [`PaperRef`] to the service that owns it
//!   (arXiv API, Crossref then DataCite, DataCite for arXiv DOIs, DBLP, OpenReview API
//!   v2), with timeouts, retries with backoff, arXiv's one request per three seconds,
//!   an in-memory cache and an offline switch. See [`SourcesConfig`]. With the
//!   default `store` feature, `Resolver::find_or_fetch` goes from an id to a stored
//!   paper (store first, source second, created in one transaction).
//!
//! Errors are [`SourceError`]s whose `Display` is written for the person who asked.

mod arxiv;
pub mod bibtex;
mod catalog;
mod client;
mod crossref;
mod datacite;
mod dblp;
mod latex;
mod openreview;
pub mod ris;
#[cfg(feature = "store")]
mod store_link;
mod text;
mod xml;

use std::future::Future;

pub use arxiv::{arxiv_snapshot_records, parse_arxiv_atom};
pub use catalog::open_catalog_file;
pub use client::{
    ArxivSource, CrossrefSource, DataciteSource, DblpSource, OpenReviewSource, Resolver,
    SourcesConfig,
};
pub use crossref::parse_crossref_work;
pub use datacite::parse_datacite_doi;
pub use dblp::{dblp_records, parse_dblp_record_xml};
pub use latex::latex_to_unicode;
pub use openreview::parse_openreview_note;
pub use shortscience_ids::{IdKind, PaperRef};
#[cfg(feature = "store")]
pub use store_link::LookupError;
pub use xml::dblp_entity;

/// What one source knows about one paper, in a shape every source can fill.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// Every identifier found: the one asked for, plus DOIs, arXiv ids and DBLP keys
    /// the source names (an arXiv entry's published DOI, a DBLP `ee` link, a Crossref
    /// preprint relation) and the ids those imply. No duplicates.
    pub ids: Vec<PaperRef>,
    /// Plain text, whitespace collapsed.
    pub title: String,
    /// Display names ("Given Family"), in the source's order.
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub venue: Option<String>,
    pub abstract_text: Option<String>,
}

impl Record {
    /// Adds `r` and the ids it implies, skipping ones already present.
    pub fn add_id(&mut self, r: PaperRef) {
        let implied = r.implied();
        for r in std::iter::once(r).chain(implied) {
            if !self.ids.contains(&r) {
                self.ids.push(r);
            }
        }
    }

    /// Parses `s` as any identifier form (a DOI link, an arXiv URL…) and adds it;
    /// returns whether it was one. Links to other sites are ignored.
    pub fn add_id_text(&mut self, s: &str) -> bool {
        match PaperRef::parse(s) {
            Ok(r) => {
                self.add_id(r);
                true
            }
            Err(_) => false,
        }
    }

    /// The store's write form. The store refuses a paper without ids.
    #[cfg(feature = "store")]
    pub fn into_new_paper(self) -> shortscience_store::NewPaper {
        shortscience_store::NewPaper {
            refs: self.ids,
            title: self.title,
            authors: self.authors,
            year: self.year,
            venue: self.venue,
            abstract_text: self.abstract_text,
        }
    }
}

#[cfg(feature = "store")]
impl From<Record> for shortscience_store::NewPaper {
    fn from(r: Record) -> Self {
        r.into_new_paper()
    }
}

/// Why metadata could not be had. `Display` is a sentence a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// Lookups are switched off in the configuration; nothing was sent.
    #[error(
        "looking papers up online is switched off on this site (offline mode), so {what} could not be fetched from {service}"
    )]
    Offline { service: &'static str, what: String },
    #[error("{service} did not answer in time (waited {seconds} s); try again later")]
    Timeout { service: &'static str, seconds: u64 },
    #[error("{service} could not be reached: {message}")]
    Unreachable {
        service: &'static str,
        message: String,
    },
    /// An HTTP status that means neither "found" nor "not found".
    #[error("{service} answered with an error (HTTP {status}); try again later")]
    Status { service: &'static str, status: u16 },
    /// The service asked, with `Retry-After`, not to be called for longer than a lookup
    /// waits.
    #[error("{service} is busy and asked us to wait {seconds} s; try again then")]
    Busy { service: &'static str, seconds: u64 },
    /// The service understood the request and refused it (arXiv's error feed).
    #[error("{service} refused the request: {message}")]
    Rejected {
        service: &'static str,
        message: String,
    },
    /// A response or file that is not in the expected format.
    #[error("{service} sent something that is not readable metadata: {message}")]
    Malformed {
        service: &'static str,
        message: String,
    },
    /// A catalog file (DBLP dump, arXiv snapshot) that could not be read.
    #[error("{what}: {message}")]
    Catalog { what: String, message: String },
    #[error("could not read {path}: {message}")]
    Io { path: String, message: String },
}

impl SourceError {
    /// True for errors that mean "this site cannot look papers up right now"
    /// (offline mode), as opposed to a failing service.
    pub fn is_offline(&self) -> bool {
        matches!(self, SourceError::Offline { .. })
    }

    /// Seconds until the service takes requests again, when it said so.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            SourceError::Busy { seconds, .. } => Some(*seconds),
            _ => None,
        }
    }

    pub(crate) fn malformed(service: &'static str, message: impl Into<String>) -> SourceError {
        SourceError::Malformed {
            service,
            message: message.into(),
        }
    }
}

/// One service that can describe a paper by id.
pub trait MetadataSource {
    /// `Ok(None)` when the service answers that it does not know the id.
    fn fetch(
        &self,
        id: &PaperRef,
    ) -> impl Future<Output = Result<Option<Record>, SourceError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_id_dedups_and_adds_implied() {
        let mut r = Record::default();
        r.add_id(PaperRef::parse("10.48550/arXiv.1904.06387").unwrap());
        r.add_id(PaperRef::parse("arXiv:1904.06387v2").unwrap());
        assert!(r.add_id_text("https://doi.org/10.48550/ARXIV.1904.06387"));
        assert!(!r.add_id_text("https://example.org/paper"));
        let labels: Vec<String> = r.ids.iter().map(|i| i.to_string()).collect();
        assert_eq!(
            labels,
            ["doi:10.48550/arxiv.1904.06387", "arxiv:1904.06387"]
        );
    }

    #[cfg(feature = "store")]
    #[test]
    fn becomes_the_stores_new_paper() {
        let mut r = Record {
            title: "T".into(),
            authors: vec!["A".into()],
            year: Some(2020),
            venue: Some("V".into()),
            abstract_text: Some("Ab".into()),
            ..Record::default()
        };
        r.add_id(PaperRef::parse("arXiv:1609.00150").unwrap());
        let p: shortscience_store::NewPaper = r.clone().into();
        assert_eq!(p.refs, r.ids);
        assert_eq!(
            (p.title, p.authors, p.year, p.venue, p.abstract_text),
            (r.title, r.authors, r.year, r.venue, r.abstract_text)
        );
    }

    #[test]
    fn errors_read_as_sentences() {
        let e = SourceError::Offline {
            service: "arXiv",
            what: "arXiv:1609.00150".into(),
        };
        assert!(e.is_offline());
        assert!(e.to_string().contains("offline mode"));
        let e = SourceError::Status {
            service: "Crossref",
            status: 503,
        };
        assert_eq!(
            e.to_string(),
            "Crossref answered with an error (HTTP 503); try again later"
        );
    }
}
