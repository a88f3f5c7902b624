//! Merging papers and undoing merges: what moves, what search and lookups see, exact
//! undo, refusals, that a refused merge or undo writes nothing, and merges restored from
//! a dump.

use shortscience_ids::{PaperId, SummaryId, UserId};
use shortscience_store::{
    Backend, CommentWrite, DumpAlias, DumpMerge, DumpPaper, MergeError, NewPaper, SearchQuery,
    Store, StoreError, SummarySort,
};
use sqlx::Row;

use crate::{arxiv, doi, stores, write};

/// Every row a merge or an undo may touch, as text, in a stable order.
async fn snapshot(store: &Store) -> Vec<String> {
    let pool = store.pool();
    let mut out = Vec::new();
    for r in sqlx::query(
        "SELECT id, title, authors, year, venue, abstract, created_at, updated_at
         FROM papers ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        out.push(format!(
            "paper {} {:?} {:?} {:?} {:?} {:?} {} {}",
            r.get::<i64, _>("id"),
            r.get::<String, _>("title"),
            r.get::<String, _>("authors"),
            r.get::<Option<i32>, _>("year"),
            r.get::<Option<String>, _>("venue"),
            r.get::<Option<String>, _>("abstract"),
            r.get::<i64, _>("created_at"),
            r.get::<i64, _>("updated_at"),
        ));
    }
    for r in sqlx::query("SELECT kind, value, paper_id FROM paper_aliases ORDER BY kind, value")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        out.push(format!(
            "alias {}:{} -> {}",
            r.get::<String, _>("kind"),
            r.get::<String, _>("value"),
            r.get::<i64, _>("paper_id")
        ));
    }
    for r in sqlx::query("SELECT id, paper_id, up, down FROM summaries ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        out.push(format!(
            "summary {} on {} +{} -{}",
            r.get::<i64, _>("id"),
            r.get::<i64, _>("paper_id"),
            r.get::<i64, _>("up"),
            r.get::<i64, _>("down")
        ));
    }
    out
}

/// SQLite: the FTS5 indexes agree with their content tables (PostgreSQL's tsvectors are
/// generated columns, so they cannot disagree).
async fn fts_consistent(store: &Store) {
    if store.backend() != Backend::Sqlite {
        return;
    }
    for table in ["papers_fts", "summaries_fts"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"
        )))
        .execute(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{table}: {e}"));
    }
}

async fn log_actions(store: &Store) -> Vec<(String, i64)> {
    store
        .moderation_log(100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.target_id))
        .collect()
}

async fn search(store: &Store, text: &str) -> Vec<PaperId> {
    store
        .search(&SearchQuery {
            text: text.into(),
            ..SearchQuery::default()
        })
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|h| h.paper.id)
        .collect()
}

struct Fixture {
    ada: UserId,
    bob: UserId,
    moderator: UserId,
    /// arXiv 1706.03762 and a DOI, full metadata, ada's summary (voted on, commented).
    from: PaperId,
    /// A DOI, title and venue only, bob's summary.
    into: PaperId,
    from_summary: SummaryId,
    into_summary: SummaryId,
}

async fn fixture(store: &Store) -> Fixture {
    let ada = store.ensure_user("ada").await.unwrap();
    let bob = store.ensure_user("bob").await.unwrap();
    let moderator = store.ensure_user("mod").await.unwrap();
    let from = store
        .upsert_paper(&NewPaper {
            refs: vec![arxiv("1706.03762"), doi("10.1000/quokka")],
            title: "Quokka transformers".into(),
            authors: vec!["Ashish Vaswani".into()],
            year: Some(2017),
            venue: None,
            abstract_text: Some("Recurrence replaced by a zeppelin of attention.".into()),
        })
        .await
        .unwrap();
    let into = store
        .upsert_paper(&NewPaper {
            refs: vec![doi("10.5555/3295222.3295349")],
            title: "Attention is all you need".into(),
            authors: Vec::new(),
            year: None,
            venue: Some("NeurIPS".into()),
            abstract_text: None,
        })
        .await
        .unwrap();
    let (from_summary, _) = store
        .save_summary(&write(from, ada, "The xylophone of positional encodings."))
        .await
        .unwrap();
    let (into_summary, _) = store
        .save_summary(&write(into, bob, "Multi-head attention, briefly."))
        .await
        .unwrap();
    store.set_vote(bob, from_summary, 1).await.unwrap();
    store
        .add_comment(
            &CommentWrite {
                summary: from_summary,
                parent: None,
                author: bob,
                markdown: "Nice".into(),
                html: "<p>Nice</p>".into(),
                renderer_version: 1,
            },
            None,
        )
        .await
        .unwrap();
    Fixture {
        ada,
        bob,
        moderator,
        from,
        into,
        from_summary,
        into_summary,
    }
}

#[tokio::test]
async fn merge_moves_everything_and_undo_restores_it_exactly() {
    for (store, db) in stores().await {
        let n = db.name;
        let f = fixture(&store).await;
        let before = snapshot(&store).await;
        assert_eq!(search(&store, "quokka").await, [f.from], "{n}");

        let merge = store
            .merge_papers(f.moderator, f.from, f.into, "same paper")
            .await
            .unwrap();

        // `from` is gone; its id and aliases lead to `into`.
        assert_eq!(store.paper(f.from).await.unwrap(), None, "{n}");
        assert_eq!(
            store.merged_into(f.from).await.unwrap(),
            Some(f.into),
            "{n}"
        );
        assert_eq!(store.merged_into(f.into).await.unwrap(), None, "{n}");
        assert_eq!(
            store.find_paper(&arxiv("1706.03762")).await.unwrap(),
            Some(f.into),
            "{n}"
        );
        assert_eq!(
            store.find_paper(&arxiv("1706.03762v5")).await.unwrap(),
            Some(f.into),
            "{n}: versioned ids too"
        );
        let into = store.paper(f.into).await.unwrap().unwrap();
        assert!(into.aliases.contains(&arxiv("1706.03762")), "{n}");
        assert!(
            into.aliases.contains(&doi("10.5555/3295222.3295349")),
            "{n}"
        );
        // Empty fields filled from `from`; set ones kept.
        assert_eq!(into.title, "Attention is all you need", "{n}");
        assert_eq!(into.authors, ["Ashish Vaswani"], "{n}");
        assert_eq!(into.year, Some(2017), "{n}");
        assert_eq!(into.venue.as_deref(), Some("NeurIPS"), "{n}");
        assert!(into.abstract_text.unwrap().contains("zeppelin"), "{n}");

        // Both summaries on `into`, with their vote and comment.
        let mut on_into: Vec<SummaryId> = store
            .paper_summaries(f.into, None, SummarySort::New)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        on_into.sort();
        assert_eq!(on_into, [f.from_summary, f.into_summary], "{n}");
        let moved = store.summary(f.from_summary, None).await.unwrap().unwrap();
        assert_eq!((moved.paper_id, moved.up), (f.into, 1), "{n}");
        assert_eq!(
            store
                .summary_comments(f.from_summary, None, None)
                .await
                .unwrap()
                .map(|c| c.len()),
            Some(1),
            "{n}"
        );
        assert!(
            store
                .paper_summaries(f.from, None, SummarySort::New)
                .await
                .unwrap()
                .is_empty(),
            "{n}"
        );

        // Search: `into` once, `from` never.
        fts_consistent(&store).await;
        assert_eq!(search(&store, "quokka").await, Vec::<PaperId>::new(), "{n}");
        assert_eq!(search(&store, "zeppelin").await, [f.into], "{n}");
        assert_eq!(search(&store, "xylophone").await, [f.into], "{n}");
        assert_eq!(search(&store, "attention").await, [f.into], "{n}");
        assert_eq!(search(&store, "arXiv:1706.03762").await, [f.into], "{n}");
        let sitemap = store.sitemap_data().await.unwrap();
        let papers: Vec<i64> = sitemap.papers.iter().map(|p| p.0).collect();
        assert_eq!(papers, [f.into.0], "{n}");

        let merges = store.paper_merges(10).await.unwrap();
        assert_eq!(merges.len(), 1, "{n}");
        let m = &merges[0];
        assert_eq!((m.id, m.from, m.into), (merge, f.from, f.into), "{n}");
        assert_eq!(m.from_title, "Quokka transformers", "{n}");
        assert_eq!(m.actor.as_deref(), Some("mod"), "{n}");
        assert_eq!((m.summaries, m.undone_at), (1, None), "{n}");
        assert!(m.aliases.contains(&arxiv("1706.03762")), "{n}");
        assert_eq!(
            log_actions(&store).await,
            [("merge".to_string(), f.from.0)],
            "{n}"
        );

        store
            .undo_merge(f.moderator, merge, "not the same")
            .await
            .unwrap();
        assert_eq!(snapshot(&store).await, before, "{n}: exactly as before");
        fts_consistent(&store).await;
        assert_eq!(store.merged_into(f.from).await.unwrap(), None, "{n}");
        assert_eq!(search(&store, "quokka").await, [f.from], "{n}");
        assert_eq!(search(&store, "zeppelin").await, [f.from], "{n}");
        assert_eq!(search(&store, "xylophone").await, [f.from], "{n}");
        assert_eq!(
            store.find_paper(&arxiv("1706.03762")).await.unwrap(),
            Some(f.from),
            "{n}"
        );
        let m = store.paper_merge(merge).await.unwrap().unwrap();
        assert!(m.undone_at.is_some(), "{n}");
        assert_eq!(m.undone_by.as_deref(), Some("mod"), "{n}");
        assert_eq!(
            log_actions(&store).await,
            [
                ("undo merge".to_string(), f.from.0),
                ("merge".to_string(), f.from.0)
            ],
            "{n}"
        );

        // Undoing twice is refused and changes nothing.
        let log = log_actions(&store).await;
        assert!(
            matches!(
                store.undo_merge(f.moderator, merge, "").await,
                Err(MergeError::AlreadyUndone(id)) if id == merge
            ),
            "{n}"
        );
        assert!(
            matches!(
                store.undo_merge(f.moderator, 9_999, "").await,
                Err(MergeError::NoSuchMerge(9_999))
            ),
            "{n}"
        );
        assert_eq!(snapshot(&store).await, before, "{n}");
        assert_eq!(log_actions(&store).await, log, "{n}");

        // An undone merge can be done again, the other way round too.
        let again = store
            .merge_papers(f.moderator, f.into, f.from, "")
            .await
            .unwrap();
        assert_ne!(again, merge, "{n}");
        assert_eq!(
            store.merged_into(f.into).await.unwrap(),
            Some(f.from),
            "{n}"
        );
        let _ = (f.ada, f.bob);
    }
}

#[tokio::test]
async fn refusals_write_nothing() {
    for (store, db) in stores().await {
        let n = db.name;
        let f = fixture(&store).await;
        let third = store
            .upsert_paper(&NewPaper {
                refs: vec![arxiv("1512.03385")],
                title: "Residual learning".into(),
                ..NewPaper::default()
            })
            .await
            .unwrap();
        let before = snapshot(&store).await;
        assert!(
            matches!(
                store.merge_papers(f.moderator, f.from, f.from, "").await,
                Err(MergeError::SamePaper)
            ),
            "{n}"
        );
        assert!(
            matches!(
                store
                    .merge_papers(f.moderator, f.from, PaperId(9_999), "")
                    .await,
                Err(MergeError::NoSuchPaper(PaperId(9_999)))
            ),
            "{n}"
        );
        // Both ada (from) and ada (third) summarised: one summary per paper per author.
        store
            .save_summary(&write(third, f.ada, "Skip connections."))
            .await
            .unwrap();
        let before_third = snapshot(&store).await;
        assert!(
            matches!(
                store.merge_papers(f.moderator, third, f.from, "").await,
                Err(MergeError::BothSummarised(author)) if author == f.ada
            ),
            "{n}"
        );
        assert_eq!(snapshot(&store).await, before_third, "{n}");
        assert!(log_actions(&store).await.is_empty(), "{n}");
        assert_ne!(before, before_third);

        store
            .merge_papers(f.moderator, f.from, f.into, "")
            .await
            .unwrap();
        let merged = snapshot(&store).await;
        // Into, or out of, a merged-away paper.
        assert!(
            matches!(
                store.merge_papers(f.moderator, third, f.from, "").await,
                Err(MergeError::MergedAway { paper, into }) if paper == f.from && into == f.into
            ),
            "{n}"
        );
        assert!(
            matches!(
                store.merge_papers(f.moderator, f.from, third, "").await,
                Err(MergeError::MergedAway { paper, .. }) if paper == f.from
            ),
            "{n}"
        );
        // A chain: `into` has papers merged into it, so it cannot go itself.
        assert!(
            matches!(
                store.merge_papers(f.moderator, f.into, third, "").await,
                Err(MergeError::Chain(p)) if p == f.into
            ),
            "{n}"
        );
        assert_eq!(snapshot(&store).await, merged, "{n}");
        assert_eq!(log_actions(&store).await.len(), 1, "{n}");
    }
}

/// An undo that fails midway (after `from` is back and some aliases moved) leaves nothing.
#[tokio::test]
async fn a_failed_undo_rolls_back_completely() {
    for (store, db) in stores().await {
        let n = db.name;
        let f = fixture(&store).await;
        let third = store
            .upsert_paper(&NewPaper {
                refs: vec![arxiv("1512.03385")],
                title: "Residual learning".into(),
                ..NewPaper::default()
            })
            .await
            .unwrap();
        let merge = store
            .merge_papers(f.moderator, f.from, f.into, "")
            .await
            .unwrap();
        // Hand the last alias that moved to another paper behind the store's back.
        let aliases = store.paper_merge(merge).await.unwrap().unwrap().aliases;
        assert!(aliases.len() >= 2, "{n}: {aliases:?}");
        let last = aliases.last().unwrap();
        sqlx::query("UPDATE paper_aliases SET paper_id = $1 WHERE kind = $2 AND value = $3")
            .bind(third.0)
            .bind(last.kind().as_str())
            .bind(last.value())
            .execute(store.pool())
            .await
            .unwrap();
        let before = snapshot(&store).await;
        let log = log_actions(&store).await;
        assert!(
            matches!(
                store.undo_merge(f.moderator, merge, "").await,
                Err(MergeError::Conflict(id, _)) if id == merge
            ),
            "{n}"
        );
        assert_eq!(snapshot(&store).await, before, "{n}");
        assert_eq!(log_actions(&store).await, log, "{n}");
        assert_eq!(
            store.merged_into(f.from).await.unwrap(),
            Some(f.into),
            "{n}"
        );
        assert!(
            store
                .paper_merge(merge)
                .await
                .unwrap()
                .unwrap()
                .undone_at
                .is_none(),
            "{n}"
        );
    }
}

/// Fields of `into` edited after the merge keep their edit through an undo; the ones
/// left alone go back. A summary deleted meanwhile stays deleted.
#[tokio::test]
async fn undo_keeps_later_edits() {
    for (store, db) in stores().await {
        let n = db.name;
        let f = fixture(&store).await;
        let merge = store
            .merge_papers(f.moderator, f.from, f.into, "")
            .await
            .unwrap();
        store
            .upsert_paper(&NewPaper {
                refs: vec![doi("10.5555/3295222.3295349")],
                year: Some(2018),
                ..NewPaper::default()
            })
            .await
            .unwrap();
        store.delete_summary(f.from_summary, f.ada).await.unwrap();
        store.undo_merge(f.moderator, merge, "").await.unwrap();
        let into = store.paper(f.into).await.unwrap().unwrap();
        assert_eq!(into.year, Some(2018), "{n}: edited since, kept");
        assert_eq!(into.authors, Vec::<String>::new(), "{n}: filled, put back");
        assert_eq!(into.abstract_text, None, "{n}");
        let from = store.paper(f.from).await.unwrap().unwrap();
        assert_eq!(from.title, "Quokka transformers", "{n}");
        assert!(
            store
                .paper_summaries(f.from, None, SummarySort::New)
                .await
                .unwrap()
                .is_empty(),
            "{n}"
        );
        assert_eq!(
            store
                .paper_summaries(f.into, None, SummarySort::New)
                .await
                .unwrap()
                .len(),
            1,
            "{n}"
        );
    }
}

fn dumped(id: i64, title: &str) -> DumpPaper {
    DumpPaper {
        id,
        title: title.into(),
        authors: Vec::new(),
        year: None,
        venue: None,
        abstract_text: None,
        aliases: vec![DumpAlias {
            kind: "doi".into(),
            value: format!("10.1000/p{id}"),
        }],
    }
}

/// A dump's merges come back as redirects only: nothing an undo needs, so undo refuses;
/// inconsistent ones are refused whole; new papers number past merged-away ids.
#[tokio::test]
async fn restored_merges_redirect_and_cannot_be_undone() {
    for (store, db) in stores().await {
        let n = db.name;
        store
            .restore_papers(&[dumped(2, "Kept"), dumped(3, "Other")])
            .await
            .unwrap();
        let merge = |from, into| DumpMerge {
            from,
            into,
            created_at: 1_700_000_000,
        };
        for bad in [
            vec![merge(9, 8)],              // the kept paper is not there
            vec![merge(3, 2)],              // the merged-away paper is
            vec![merge(7, 2), merge(2, 3)], // a chain
            vec![merge(7, 2), merge(7, 3)], // merged away twice
        ] {
            let r = store.restore_merges(&bad).await;
            assert!(
                matches!(r, Err(StoreError::Invalid(_))),
                "[{n}] {bad:?}: {r:?}"
            );
            assert!(store.paper_merges(10).await.unwrap().is_empty(), "[{n}]");
        }
        store
            .restore_merges(&[merge(7, 2), merge(5, 3)])
            .await
            .unwrap();
        store.finish_restore().await.unwrap();
        assert_eq!(
            store.merged_into(PaperId(7)).await.unwrap(),
            Some(PaperId(2))
        );
        assert_eq!(
            store.merged_into(PaperId(5)).await.unwrap(),
            Some(PaperId(3))
        );
        let merges = store.paper_merges(10).await.unwrap();
        assert_eq!(merges.len(), 2, "[{n}]");
        assert!(
            merges
                .iter()
                .all(|m| m.actor.is_none() && m.created_at == 1_700_000_000 && m.restored)
        );

        let moderator = store.ensure_user("mod").await.unwrap();
        let r = store.undo_merge(moderator, merges[0].id, "").await;
        assert!(matches!(r, Err(MergeError::Conflict(..))), "[{n}] {r:?}");
        assert_eq!(
            store.merged_into(PaperId(7)).await.unwrap(),
            Some(PaperId(2))
        );
        assert!(store.paper(PaperId(7)).await.unwrap().is_none(), "[{n}]");

        // Never the id of a paper whose old address redirects.
        let new = store
            .upsert_paper(&NewPaper {
                refs: vec![arxiv("2001.00001")],
                title: "New".into(),
                ..NewPaper::default()
            })
            .await
            .unwrap();
        assert_eq!(new, PaperId(8), "[{n}]");
    }
}
