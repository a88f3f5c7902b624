//! Private summaries show only to their author; anonymous ones show without byline to
//! everyone but their author. Checked in every method that returns summaries.

use shortscience_ids::{PaperId, SummaryId, UserId};
use shortscience_store::{HomeList, Store, StoreError, SummarySort, SummaryView};

use crate::{new_paper, stores, write};

struct World {
    paper: PaperId,
    alice: UserId,
    bob: UserId,
    carol: UserId,
    public: SummaryId,
    private: SummaryId,
    anonymous: SummaryId,
}

/// alice writes publicly, bob privately, carol anonymously, all on one paper.
async fn world(store: &Store) -> World {
    let paper = new_paper(store, "1609.00150").await;
    let alice = store.ensure_user("alice").await.unwrap();
    let bob = store.ensure_user("bob").await.unwrap();
    let carol = store.ensure_user("carol").await.unwrap();
    let (public, _) = store
        .save_summary(&write(paper, alice, "public"))
        .await
        .unwrap();
    let mut w = write(paper, bob, "private");
    w.private = true;
    let (private, _) = store.save_summary(&w).await.unwrap();
    let mut w = write(paper, carol, "anonymous");
    w.anonymous = true;
    let (anonymous, _) = store.save_summary(&w).await.unwrap();
    World {
        paper,
        alice,
        bob,
        carol,
        public,
        private,
        anonymous,
    }
}

fn ids(views: &[SummaryView]) -> Vec<SummaryId> {
    let mut ids: Vec<_> = views.iter().map(|v| v.id).collect();
    ids.sort();
    ids
}

fn find(views: &[SummaryView], id: SummaryId) -> &SummaryView {
    views.iter().find(|v| v.id == id).expect("summary listed")
}

#[tokio::test]
async fn single_summary() {
    for (store, db) in stores().await {
        let w = world(&store).await;
        let n = db.name;
        for viewer in [None, Some(w.alice), Some(w.carol)] {
            assert_eq!(
                store.summary(w.private, viewer).await.unwrap(),
                None,
                "{n}: {viewer:?}"
            );
        }
        let own = store
            .summary(w.private, Some(w.bob))
            .await
            .unwrap()
            .unwrap();
        assert!(own.is_own && own.private);
        assert_eq!(own.author.unwrap().username, "bob");

        for viewer in [None, Some(w.alice), Some(w.bob)] {
            let v = store.summary(w.anonymous, viewer).await.unwrap().unwrap();
            assert_eq!(v.author, None, "{n}: anonymous byline shown to {viewer:?}");
            assert!(!v.is_own && v.anonymous);
        }
        let own = store
            .summary(w.anonymous, Some(w.carol))
            .await
            .unwrap()
            .unwrap();
        assert!(own.is_own);
        assert_eq!(own.author.unwrap().username, "carol", "{n}");

        let public = store.summary(w.public, None).await.unwrap().unwrap();
        assert_eq!(public.author.unwrap().display_name, "alice");
        assert!(!public.is_own);
        assert_eq!(public.paper_id, w.paper);
        assert_eq!(public.paper_title, "Paper 1609.00150");
    }
}

#[tokio::test]
async fn paper_summaries() {
    for (store, db) in stores().await {
        let w = world(&store).await;
        for sort in [SummarySort::Best, SummarySort::New, SummarySort::Top] {
            for viewer in [None, Some(w.alice), Some(w.carol)] {
                let list = store.paper_summaries(w.paper, viewer, sort).await.unwrap();
                assert_eq!(
                    ids(&list),
                    vec![w.public, w.anonymous],
                    "{}: {sort:?} {viewer:?}",
                    db.name
                );
                let anon = find(&list, w.anonymous);
                assert_eq!(
                    anon.author.is_some(),
                    viewer == Some(w.carol),
                    "{}",
                    db.name
                );
            }
            let bobs = store
                .paper_summaries(w.paper, Some(w.bob), sort)
                .await
                .unwrap();
            assert_eq!(
                ids(&bobs),
                vec![w.public, w.private, w.anonymous],
                "{}",
                db.name
            );
            assert_eq!(find(&bobs, w.anonymous).author, None);
            assert!(find(&bobs, w.private).is_own);
        }
    }
}

#[tokio::test]
async fn home_lists() {
    for (store, db) in stores().await {
        let w = world(&store).await;
        for list in [HomeList::Popular, HomeList::Recent, HomeList::Top] {
            let page = store.home(list, 1, 10).await.unwrap();
            assert_eq!(
                ids(&page.items),
                vec![w.public, w.anonymous],
                "{}: {list:?}",
                db.name
            );
            assert_eq!(
                find(&page.items, w.anonymous).author,
                None,
                "{}: {list:?}",
                db.name
            );
            assert!(page.items.iter().all(|v| !v.is_own));
        }
    }
}

#[tokio::test]
async fn user_pages() {
    for (store, db) in stores().await {
        let w = world(&store).await;
        let n = db.name;
        for viewer in [None, Some(w.alice), Some(w.carol)] {
            assert!(
                store
                    .user_summaries(w.bob, viewer)
                    .await
                    .unwrap()
                    .is_empty(),
                "{n}: private leaked"
            );
        }
        for viewer in [None, Some(w.alice), Some(w.bob)] {
            assert!(
                store
                    .user_summaries(w.carol, viewer)
                    .await
                    .unwrap()
                    .is_empty(),
                "{n}: anonymous leaked"
            );
        }
        let bobs = store.user_summaries(w.bob, Some(w.bob)).await.unwrap();
        assert_eq!(ids(&bobs), vec![w.private]);
        let carols = store.user_summaries(w.carol, Some(w.carol)).await.unwrap();
        assert_eq!(ids(&carols), vec![w.anonymous]);
        assert!(carols[0].author.is_some() && carols[0].is_own, "{n}");
        assert_eq!(
            ids(&store.user_summaries(w.alice, None).await.unwrap()),
            vec![w.public]
        );
    }
}

#[tokio::test]
async fn permalinks_by_username() {
    for (store, db) in stores().await {
        let w = world(&store).await;
        assert_eq!(
            store.public_summary_by(w.paper, "ALICE").await.unwrap(),
            Some(w.public),
            "{}",
            db.name
        );
        assert_eq!(
            store.public_summary_by(w.paper, "bob").await.unwrap(),
            None,
            "{}",
            db.name
        );
        assert_eq!(
            store.public_summary_by(w.paper, "carol").await.unwrap(),
            None,
            "{}",
            db.name
        );
        assert_eq!(
            store.public_summary_by(w.paper, "nobody").await.unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn votes_cannot_reach_private_summaries() {
    for (store, db) in stores().await {
        let w = world(&store).await;
        let err = store.set_vote(w.alice, w.private, 1).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{}: {err}", db.name);
        // Anonymous summaries take votes; their author still cannot vote.
        store.set_vote(w.alice, w.anonymous, 1).await.unwrap();
        assert!(store.set_vote(w.carol, w.anonymous, 1).await.is_err());
    }
}
