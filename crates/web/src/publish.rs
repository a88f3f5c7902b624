//! The one path from Markdown to stored HTML (import today, the editor later):
//! render, resolve the paper keys it cites against the store, render again if any resolved.

use std::collections::HashMap;

use shortscience_ids::PaperRef;
use shortscience_render::{NoPapers, PaperLinks, RenderError, Rendered, render};
use shortscience_store::Store;

/// Paper keys known to the store, mapped to their local page.
struct KnownPapers(HashMap<String, String>);

impl PaperLinks for KnownPapers {
    fn paper_url(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
}

pub async fn render_summary(store: &Store, markdown: &str) -> Result<Rendered, RenderError> {
    let first = render(markdown, &NoPapers)?;
    if first.paper_refs.is_empty() {
        return Ok(first);
    }
    let mut known = HashMap::new();
    for key in &first.paper_refs {
        // Keys that do not parse stay unlinked, as the renderer leaves them.
        let Ok(r) = PaperRef::parse(key) else {
            continue;
        };
        match store.find_paper(&r).await {
            Ok(Some(id)) => {
                known.insert(key.clone(), format!("/paper/{id}"));
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(key = %key, error = %e, "paper lookup failed; leaving the reference unlinked")
            }
        }
    }
    if known.is_empty() {
        return Ok(first);
    }
    render(markdown, &KnownPapers(known))
}
