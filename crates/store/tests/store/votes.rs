use shortscience_ids::SummaryId;
use shortscience_store::ranking::wilson_lower_bound;
use shortscience_store::{HomeList, StoreError, SummarySort};

use crate::{new_paper, stores, write};

#[tokio::test]
async fn own_votes_and_bad_values_are_refused() {
    for (store, db) in stores().await {
        let p = new_paper(&store, "1609.00150").await;
        let alice = store.ensure_user("alice").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();
        let (id, _) = store.save_summary(&write(p, alice, "x")).await.unwrap();

        match store.set_vote(alice, id, 1).await {
            Err(StoreError::Invalid(msg)) => assert_eq!(msg, "you cannot vote on your own summary"),
            other => panic!("{}: expected a refusal, got {other:?}", db.name),
        }
        for value in [2, -2, i8::MAX, i8::MIN] {
            let err = store.set_vote(bob, id, value).await.unwrap_err();
            assert!(
                matches!(err, StoreError::Invalid(_)),
                "{}: {value} gave {err}",
                db.name
            );
        }
        let err = store.set_vote(bob, SummaryId(9_999), 1).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{}: {err}", db.name);
        let v = store.summary(id, None).await.unwrap().unwrap();
        assert_eq!((v.up, v.down, v.score), (0, 0, 0.0), "{}", db.name);
    }
}

#[tokio::test]
async fn votes_recount_up_down_and_score() {
    for (store, db) in stores().await {
        let p = new_paper(&store, "1609.00150").await;
        let author = store.ensure_user("author").await.unwrap();
        let (id, _) = store.save_summary(&write(p, author, "x")).await.unwrap();
        let mut voters = Vec::new();
        for name in ["v1", "v2", "v3"] {
            voters.push(store.ensure_user(name).await.unwrap());
        }
        let expect = |up: i64, down: i64| (up, down, wilson_lower_bound(up, down));

        store.set_vote(voters[0], id, 1).await.unwrap();
        store.set_vote(voters[1], id, 1).await.unwrap();
        store.set_vote(voters[2], id, -1).await.unwrap();
        let v = store.summary(id, None).await.unwrap().unwrap();
        assert_eq!((v.up, v.down, v.score), expect(2, 1), "{}", db.name);

        // Voting again replaces the earlier vote.
        store.set_vote(voters[2], id, 1).await.unwrap();
        store.set_vote(voters[2], id, 1).await.unwrap();
        let v = store.summary(id, None).await.unwrap().unwrap();
        assert_eq!((v.up, v.down, v.score), expect(3, 0), "{}", db.name);

        // Zero withdraws it.
        store.set_vote(voters[0], id, 0).await.unwrap();
        store.set_vote(voters[0], id, 0).await.unwrap();
        let v = store.summary(id, None).await.unwrap().unwrap();
        assert_eq!((v.up, v.down, v.score), expect(2, 0), "{}", db.name);
        assert!(v.score > 0.0);
    }
}

#[tokio::test]
async fn scores_order_top_lists() {
    for (store, db) in stores().await {
        let p = new_paper(&store, "1609.00150").await;
        let mut voters = Vec::new();
        for i in 0..4 {
            voters.push(store.ensure_user(&format!("voter{i}")).await.unwrap());
        }
        let summary = |name: &'static str| {
            let store = store.clone();
            async move {
                let author = store.ensure_user(name).await.unwrap();
                store.save_summary(&write(p, author, name)).await.unwrap().0
            }
        };
        let (best, mixed, none, disliked) = (
            summary("best").await,
            summary("mixed").await,
            summary("none").await,
            summary("disliked").await,
        );
        for v in &voters {
            store.set_vote(*v, best, 1).await.unwrap();
        }
        // mixed: 3 up, 1 down — lower Wilson bound than 4 up, higher net than none.
        for (i, v) in voters.iter().enumerate() {
            store
                .set_vote(*v, mixed, if i == 0 { -1 } else { 1 })
                .await
                .unwrap();
        }
        store.set_vote(voters[0], disliked, -1).await.unwrap();
        store.set_vote(voters[1], disliked, -1).await.unwrap();

        let top: Vec<_> = store
            .home(HomeList::Top, 1, 10)
            .await
            .unwrap()
            .items
            .iter()
            .map(|v| v.id)
            .collect();
        assert_eq!(&top[..2], &[best, mixed], "{}", db.name);
        assert_eq!(top.len(), 4);

        let by = |sort| {
            let store = store.clone();
            async move {
                store
                    .paper_summaries(p, None, sort)
                    .await
                    .unwrap()
                    .iter()
                    .map(|v| v.id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            &by(SummarySort::Best).await[..2],
            &[best, mixed],
            "{}",
            db.name
        );
        // Net votes: best +4, mixed +2, none 0, disliked −2.
        assert_eq!(
            by(SummarySort::Top).await,
            vec![best, mixed, none, disliked],
            "{}",
            db.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_votes_are_all_counted() {
    for (store, db) in stores().await {
        let p = new_paper(&store, "1609.00150").await;
        let author = store.ensure_user("author").await.unwrap();
        let (id, _) = store.save_summary(&write(p, author, "x")).await.unwrap();
        let mut voters = Vec::new();
        for i in 0..8 {
            voters.push(store.ensure_user(&format!("voter{i}")).await.unwrap());
        }
        let tasks: Vec<_> = voters
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let (store, v) = (store.clone(), *v);
                tokio::spawn(
                    async move { store.set_vote(v, id, if i % 4 == 0 { -1 } else { 1 }).await },
                )
            })
            .collect();
        for t in tasks {
            t.await
                .unwrap()
                .unwrap_or_else(|e| panic!("{}: {e}", db.name));
        }
        let v = store.summary(id, None).await.unwrap().unwrap();
        assert_eq!(
            (v.up, v.down),
            (6, 2),
            "{}: a concurrent vote was lost",
            db.name
        );
        assert_eq!(v.score, wilson_lower_bound(6, 2));
    }
}
