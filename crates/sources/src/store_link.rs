//! From an identifier to a stored paper: the store first, the paper's source second.

use shortscience_ids::{PaperId, PaperRef};
use shortscience_store::{Store, StoreError};

use crate::{Resolver, SourceError};

/// Why [`Resolver::find_or_fetch`] could not answer.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The source could not be asked, or answered badly (offline, down, garbage).
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Resolver {
    /// The stored paper `id` names. A paper already stored (under `id` or an id it
    /// implies) answers without any request; otherwise its source is asked and the
    /// paper is created, in one transaction, with every alias the source names.
    /// `Ok(None)` when the source does not know `id`.
    ///
    /// An alias that already belongs to a different stored paper is left out: merging
    /// two papers is a moderator's decision, not a side effect of a lookup.
    pub async fn find_or_fetch(
        &self,
        store: &Store,
        id: &PaperRef,
    ) -> Result<Option<PaperId>, LookupError> {
        if let Some(found) = store.find_paper(id).await? {
            return Ok(Some(found));
        }
        self.fetch_and_store(store, id).await
    }

    /// The second half of [`Resolver::find_or_fetch`], for a caller that has already
    /// looked `id` up in the store: asks its source and stores what it names. A `Some`
    /// here means the store was written (or a paper found through another alias).
    pub async fn fetch_and_store(
        &self,
        store: &Store,
        id: &PaperRef,
    ) -> Result<Option<PaperId>, LookupError> {
        let Some(record) = self.resolve(id).await? else {
            return Ok(None);
        };
        let mut paper = record.into_new_paper();
        // The first stored paper an alias names is the one this record joins.
        let mut joins = None;
        let mut refs = Vec::with_capacity(paper.refs.len());
        for r in std::mem::take(&mut paper.refs) {
            match store.find_paper(&r).await? {
                None => refs.push(r),
                Some(p) if joins.is_none() || joins == Some(p) => {
                    joins = Some(p);
                    refs.push(r);
                }
                Some(_) => {}
            }
        }
        paper.refs = refs;
        match store.upsert_paper(&paper).await {
            Ok(p) => Ok(Some(p)),
            // Ids implied by the kept aliases may still name two papers: fall back to
            // the id asked for alone.
            Err(StoreError::Invalid(_)) => {
                paper.refs = vec![id.clone()];
                Ok(Some(store.upsert_paper(&paper).await?))
            }
            Err(e) => Err(e.into()),
        }
    }
}
