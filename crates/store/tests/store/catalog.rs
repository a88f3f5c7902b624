//! Bulk catalog import: batches, merging by alias, idempotence, rejections.

use shortscience_ids::{IdKind, PaperRef};
use shortscience_store::{BatchOutcome, NewPaper, SearchQuery};

use crate::{arxiv, doi, paper, stores};

fn dblp(key: &str) -> PaperRef {
    PaperRef::parse_as(IdKind::Dblp, key).unwrap()
}

fn record(i: usize) -> NewPaper {
    NewPaper {
        refs: vec![dblp(&format!("conf/test/Paper{i}"))],
        title: format!("Synthetic paper number {i}"),
        authors: vec![format!("Author {}", i % 7), "Ada Lovelace".into()],
        year: Some(2000 + (i % 20) as i32),
        venue: Some(
            if i.is_multiple_of(2) {
                "EvenConf"
            } else {
                "OddConf"
            }
            .into(),
        ),
        abstract_text: None,
    }
}

#[tokio::test]
async fn imports_then_reimports_nothing() {
    for (store, db) in stores().await {
        let records: Vec<NewPaper> = (0..1_234).map(record).collect();
        let first = store.import_papers(&records).await.unwrap();
        assert_eq!(
            first,
            BatchOutcome {
                added: 1_234,
                ..BatchOutcome::default()
            },
            "{}",
            db.name
        );
        assert_eq!(store.counts().await.unwrap().papers, 1_234);

        let again = store.import_papers(&records).await.unwrap();
        assert_eq!(
            again,
            BatchOutcome {
                merged: 1_234,
                ..BatchOutcome::default()
            },
            "{}",
            db.name
        );
        assert_eq!(store.counts().await.unwrap().papers, 1_234);

        // Imported papers read back whole and are searchable at once.
        let id = store
            .find_paper(&dblp("conf/test/Paper42"))
            .await
            .unwrap()
            .unwrap();
        let p = store.paper(id).await.unwrap().unwrap();
        assert_eq!(p.title, "Synthetic paper number 42");
        assert_eq!(p.authors, ["Author 0", "Ada Lovelace"]);
        assert_eq!((p.year, p.venue.as_deref()), (Some(2002), Some("EvenConf")));
        let hits = store
            .search(&SearchQuery {
                text: "synthetic 42".into(),
                ..SearchQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(hits.items[0].paper.id, id, "{}", db.name);
        assert_eq!(
            store
                .author_papers("Ada Lovelace", 1, 5)
                .await
                .unwrap()
                .items
                .len(),
            5
        );
        assert_eq!(store.venue_years("EvenConf").await.unwrap().len(), 10);
    }
}

#[tokio::test]
async fn merges_by_alias_and_implied_ids() {
    for (store, db) in stores().await {
        let existing = store
            .upsert_paper(&paper(vec![arxiv("1904.06387")], "Old title"))
            .await
            .unwrap();
        let records = vec![
            // DBLP's CoRR key implies the arXiv id: merges, replaces the title, adds a year.
            NewPaper {
                refs: vec![dblp("journals/corr/abs-1904-06387")],
                title: "New title".into(),
                year: Some(2019),
                ..NewPaper::default()
            },
            // Shares a DOI with the next record: one new paper with both aliases.
            paper(vec![doi("10.1000/one")], "One"),
            paper(
                vec![doi("10.1000/one"), arxiv("2001.00001")],
                "One, published",
            ),
        ];
        let outcome = store.import_papers(&records).await.unwrap();
        assert_eq!(
            (outcome.added, outcome.merged, outcome.updated),
            (1, 2, 1),
            "{}",
            db.name
        );
        assert!(outcome.rejected.is_empty());
        let p = store.paper(existing).await.unwrap().unwrap();
        assert_eq!((p.title.as_str(), p.year), ("New title", Some(2019)));
        assert_eq!(p.aliases.len(), 2, "{}: {:?}", db.name, p.aliases);
        let one = store.find_paper(&arxiv("2001.00001")).await.unwrap();
        assert_eq!(one, store.find_paper(&doi("10.1000/one")).await.unwrap());
        let one = store.paper(one.unwrap()).await.unwrap().unwrap();
        assert_eq!(one.title, "One, published");

        // The search index follows updates too.
        let found = store
            .search(&SearchQuery {
                text: "new title".into(),
                ..SearchQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(found.items[0].paper.id, existing, "{}", db.name);
        let old = store
            .search(&SearchQuery {
                text: "old".into(),
                ..SearchQuery::default()
            })
            .await
            .unwrap();
        assert!(old.items.is_empty(), "{}", db.name);

        // Same again: everything merges, nothing changes.
        let again = store.import_papers(&records).await.unwrap();
        assert_eq!((again.added, again.merged, again.updated), (0, 3, 0));
        assert_eq!(store.counts().await.unwrap().papers, 2);
    }
}

#[tokio::test]
async fn rejects_bad_records_and_keeps_the_rest() {
    for (store, db) in stores().await {
        let a = store
            .upsert_paper(&paper(vec![arxiv("1501.00011")], "A"))
            .await
            .unwrap();
        let b = store
            .upsert_paper(&paper(vec![doi("10.1000/b")], "B"))
            .await
            .unwrap();
        let records = vec![
            paper(vec![], "No id"),
            paper(vec![arxiv("1501.00011"), doi("10.1000/b")], "Both"),
            paper(vec![arxiv("1502.00012")], ""),
            paper(vec![arxiv("1503.00013")], "Has a \0 NUL"),
            paper(vec![arxiv("1504.00014")], "Fine"),
            NewPaper {
                abstract_text: Some("x".repeat(200_000)),
                ..paper(vec![arxiv("1505.00015")], "Huge abstract")
            },
        ];
        let outcome = store.import_papers(&records).await.unwrap();
        assert_eq!((outcome.added, outcome.merged), (1, 0), "{}", db.name);
        let rejected: Vec<usize> = outcome.rejected.iter().map(|(i, _)| *i).collect();
        assert_eq!(
            rejected,
            [0, 1, 2, 3, 5],
            "{}: {:?}",
            db.name,
            outcome.rejected
        );
        assert!(outcome.rejected[1].1.contains("two different papers"));
        assert!(outcome.rejected[1].1.contains(&a.to_string()));
        assert!(outcome.rejected[1].1.contains(&b.to_string()));
        // Nothing of a rejected record was stored.
        assert_eq!(store.find_paper(&arxiv("1502.00012")).await.unwrap(), None);
        assert_eq!(store.paper(a).await.unwrap().unwrap().aliases.len(), 1);
        assert!(
            store
                .find_paper(&arxiv("1504.00014"))
                .await
                .unwrap()
                .is_some()
        );

        // An empty batch is fine.
        assert_eq!(
            store.import_papers(&[]).await.unwrap(),
            BatchOutcome::default()
        );
    }
}

#[tokio::test]
async fn ids_continue_after_bulk_inserts() {
    for (store, db) in stores().await {
        store.import_papers(&[record(1), record(2)]).await.unwrap();
        // A later single upsert gets a fresh id, on both backends' id generators.
        let single = store
            .upsert_paper(&paper(vec![arxiv("1609.00150")], "Single"))
            .await
            .unwrap();
        store.import_papers(&[record(3)]).await.unwrap();
        let mut ids = Vec::new();
        for r in [record(1), record(2), record(3)] {
            ids.push(store.find_paper(&r.refs[0]).await.unwrap().unwrap());
        }
        ids.push(single);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 4, "{}", db.name);
        assert_eq!(store.counts().await.unwrap().papers, 4);
    }
}
