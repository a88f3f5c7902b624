use shortscience_ids::{IdKind, PaperId, PaperRef};
use shortscience_store::{NewPaper, StoreError};

use crate::{arxiv, doi, paper, stores};

#[tokio::test]
async fn upsert_creates_then_merges_by_alias() {
    for (store, db) in stores().await {
        let first = store
            .upsert_paper(&paper(vec![arxiv("1609.00150")], "RAML"))
            .await
            .unwrap();
        let second = store
            .upsert_paper(&NewPaper {
                refs: vec![doi("10.5555/3157382.3157422"), arxiv("1609.00150v2")],
                title: "Reward Augmented Maximum Likelihood".into(),
                authors: vec!["Mohammad Norouzi".into(), "Samy Bengio".into()],
                year: Some(2016),
                venue: Some("NeurIPS 2016".into()),
                abstract_text: None,
            })
            .await
            .unwrap();
        assert_eq!(
            first, second,
            "{}: the arXiv alias must find the paper",
            db.name
        );

        let p = store.paper(first).await.unwrap().unwrap();
        assert_eq!(p.title, "Reward Augmented Maximum Likelihood");
        assert_eq!(p.authors, vec!["Mohammad Norouzi", "Samy Bengio"]);
        assert_eq!(p.year, Some(2016));
        assert_eq!(p.venue.as_deref(), Some("NeurIPS 2016"));
        assert_eq!(p.abstract_text, None);
        assert_eq!(
            p.aliases,
            vec![arxiv("1609.00150"), doi("10.5555/3157382.3157422")]
        );
        assert_eq!(store.counts().await.unwrap().papers, 1, "{}", db.name);
        assert_eq!(
            store
                .find_paper(&doi("10.5555/3157382.3157422"))
                .await
                .unwrap(),
            Some(first)
        );
    }
}

#[tokio::test]
async fn empty_fields_keep_stored_metadata() {
    for (store, db) in stores().await {
        let full = NewPaper {
            refs: vec![arxiv("1904.06387")],
            title: "T-REX".into(),
            authors: vec!["Daniel S. Brown".into()],
            year: Some(2019),
            venue: Some("ICML".into()),
            abstract_text: Some("Extrapolating beyond demonstrations.".into()),
        };
        let id = store.upsert_paper(&full).await.unwrap();
        let sparse = NewPaper {
            refs: vec![arxiv("1904.06387")],
            title: "  ".into(),
            venue: Some(String::new()),
            ..NewPaper::default()
        };
        assert_eq!(store.upsert_paper(&sparse).await.unwrap(), id);
        let p = store.paper(id).await.unwrap().unwrap();
        assert_eq!(p.title, "T-REX", "{}", db.name);
        assert_eq!(p.authors, full.authors);
        assert_eq!(p.year, Some(2019));
        assert_eq!(p.venue.as_deref(), Some("ICML"));
        assert_eq!(p.abstract_text, full.abstract_text);
    }
}

#[tokio::test]
async fn implied_arxiv_ids_link_dois_and_dblp_keys() {
    for (store, db) in stores().await {
        // Stored by arXiv id: the arXiv DOI finds it without being an alias.
        let raml = store
            .upsert_paper(&paper(vec![arxiv("1609.00150")], "RAML"))
            .await
            .unwrap();
        let arxiv_doi = doi("10.48550/arXiv.1609.00150");
        assert_eq!(
            store.find_paper(&arxiv_doi).await.unwrap(),
            Some(raml),
            "{}",
            db.name
        );

        // Stored by the arXiv DOI only: the implied arXiv alias is added.
        let trex = store
            .upsert_paper(&paper(vec![doi("10.48550/arXiv.1904.06387")], "T-REX"))
            .await
            .unwrap();
        assert_ne!(trex, raml);
        let aliases = store.paper(trex).await.unwrap().unwrap().aliases;
        assert_eq!(
            aliases,
            vec![arxiv("1904.06387"), doi("10.48550/arxiv.1904.06387")],
            "{}",
            db.name
        );
        assert_eq!(
            store.find_paper(&arxiv("1904.06387v3")).await.unwrap(),
            Some(trex)
        );

        // A DBLP CoRR key implies the same arXiv id, so it merges.
        let dblp = PaperRef::parse_as(IdKind::Dblp, "journals/corr/abs-1904-06387").unwrap();
        assert_eq!(
            store
                .upsert_paper(&paper(vec![dblp.clone()], ""))
                .await
                .unwrap(),
            trex
        );
        assert_eq!(store.find_paper(&dblp).await.unwrap(), Some(trex));
        assert_eq!(store.counts().await.unwrap().papers, 2, "{}", db.name);
    }
}

#[tokio::test]
async fn dois_match_regardless_of_case() {
    for (store, db) in stores().await {
        let id = store
            .upsert_paper(&paper(vec![doi("10.1109/CVPR.2016.90")], "ResNet"))
            .await
            .unwrap();
        let lower = PaperRef::parse("https://doi.org/10.1109/cvpr.2016.90").unwrap();
        assert_eq!(
            store.find_paper(&lower).await.unwrap(),
            Some(id),
            "{}",
            db.name
        );
        assert_eq!(
            store.upsert_paper(&paper(vec![lower], "")).await.unwrap(),
            id
        );
        assert_eq!(store.paper(id).await.unwrap().unwrap().aliases.len(), 1);
    }
}

#[tokio::test]
async fn refs_naming_two_papers_are_refused_and_change_nothing() {
    for (store, db) in stores().await {
        let a = store
            .upsert_paper(&paper(vec![arxiv("1609.00150")], "A"))
            .await
            .unwrap();
        let b = store
            .upsert_paper(&paper(vec![doi("10.1000/b")], "B"))
            .await
            .unwrap();
        let both = paper(
            vec![arxiv("1609.00150"), doi("10.1000/b"), doi("10.1000/new")],
            "C",
        );
        match store.upsert_paper(&both).await {
            Err(StoreError::Invalid(msg)) => assert!(msg.contains("two different papers"), "{msg}"),
            other => panic!("{}: expected a refusal, got {other:?}", db.name),
        }
        assert_eq!(
            store.find_paper(&doi("10.1000/new")).await.unwrap(),
            None,
            "{}",
            db.name
        );
        assert_eq!(store.paper(a).await.unwrap().unwrap().title, "A");
        assert_eq!(store.paper(b).await.unwrap().unwrap().title, "B");
    }
}

#[tokio::test]
async fn a_paper_needs_an_identifier() {
    for (store, db) in stores().await {
        let err = store
            .upsert_paper(&paper(Vec::new(), "Nothing"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{}: {err}", db.name);
        assert!(store.is_empty().await.unwrap());
    }
}

#[tokio::test]
async fn missing_papers_are_none() {
    for (store, db) in stores().await {
        assert_eq!(
            store.paper(PaperId(12_345)).await.unwrap(),
            None,
            "{}",
            db.name
        );
        assert_eq!(store.find_paper(&arxiv("2101.00001")).await.unwrap(), None);
    }
}

#[tokio::test]
async fn unchanged_metadata_is_not_rewritten() {
    for (store, db) in stores().await {
        let full = NewPaper {
            refs: vec![arxiv("1609.00150")],
            title: "RAML".into(),
            authors: vec!["Mohammad Norouzi".into()],
            year: Some(2016),
            venue: Some("NeurIPS".into()),
            abstract_text: Some("Abstract.".into()),
        };
        let id = store.upsert_paper(&full).await.unwrap();
        let updated_at = |store: shortscience_store::Store| async move {
            sqlx::query_scalar::<_, i64>("SELECT updated_at FROM papers WHERE id = $1")
                .bind(id.0)
                .fetch_one(store.pool())
                .await
                .unwrap()
        };
        sqlx::query("UPDATE papers SET updated_at = 7 WHERE id = $1")
            .bind(id.0)
            .execute(store.pool())
            .await
            .unwrap();
        store.upsert_paper(&full).await.unwrap();
        assert_eq!(
            updated_at(store.clone()).await,
            7,
            "{}: nothing changed",
            db.name
        );
        store
            .upsert_paper(&NewPaper {
                year: Some(2017),
                ..full.clone()
            })
            .await
            .unwrap();
        assert!(
            updated_at(store.clone()).await > 7,
            "{}: the year changed",
            db.name
        );
        assert_eq!(store.paper(id).await.unwrap().unwrap().year, Some(2017));
    }
}
