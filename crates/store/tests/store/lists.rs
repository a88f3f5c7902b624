use std::time::{SystemTime, UNIX_EPOCH};

use shortscience_ids::SummaryId;
use shortscience_store::ranking::POPULAR_HALF_LIFE_SECS;
use shortscience_store::{HomeList, SummarySort};

use crate::{import, stores};

fn ids(items: &[shortscience_store::SummaryView]) -> Vec<SummaryId> {
    items.iter().map(|v| v.id).collect()
}

#[tokio::test]
async fn recent_is_last_edit_first_and_pages() {
    for (store, db) in stores().await {
        // Five papers, edited at 100..=500 but imported in a shuffled order.
        let mut by_edit = Vec::new();
        for (i, edited) in [300, 100, 500, 200, 400].into_iter().enumerate() {
            let mut s = import(&format!("2101.0000{}", i + 1), "alice", &format!("s{i}"));
            s.created_at = Some(edited);
            s.edited_at = Some(edited);
            by_edit.push((edited, store.import_summary(&s).await.unwrap().1));
        }
        by_edit.sort_by_key(|e| std::cmp::Reverse(e.0));
        let expected: Vec<_> = by_edit.iter().map(|(_, id)| *id).collect();

        let p1 = store.home(HomeList::Recent, 1, 2).await.unwrap();
        assert_eq!(
            (ids(&p1.items), p1.page, p1.has_next),
            (expected[0..2].to_vec(), 1, true),
            "{}",
            db.name
        );
        let p2 = store.home(HomeList::Recent, 2, 2).await.unwrap();
        assert_eq!(
            (ids(&p2.items), p2.has_next),
            (expected[2..4].to_vec(), true),
            "{}",
            db.name
        );
        let p3 = store.home(HomeList::Recent, 3, 2).await.unwrap();
        assert_eq!(
            (ids(&p3.items), p3.has_next),
            (expected[4..].to_vec(), false),
            "{}",
            db.name
        );
        let p4 = store.home(HomeList::Recent, 4, 2).await.unwrap();
        assert!(p4.items.is_empty() && !p4.has_next);

        let exact = store.home(HomeList::Recent, 1, 5).await.unwrap();
        assert_eq!(
            (exact.items.len(), exact.has_next),
            (5, false),
            "{}: a full last page has no next",
            db.name
        );
        let zero = store.home(HomeList::Recent, 0, 0).await.unwrap();
        assert_eq!(
            (zero.page, ids(&zero.items), zero.has_next),
            (1, expected[..1].to_vec(), true)
        );
    }
}

#[tokio::test]
async fn popular_weighs_votes_by_age_of_last_edit() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for (store, db) in stores().await {
        let mut voters = Vec::new();
        for i in 0..5 {
            voters.push(store.ensure_user(&format!("voter{i}")).await.unwrap());
        }
        let add = |arxiv_id: &'static str, edited: i64| {
            let store = store.clone();
            async move {
                let mut s = import(arxiv_id, "author", arxiv_id);
                s.created_at = Some(edited);
                s.edited_at = Some(edited);
                store.import_summary(&s).await.unwrap().1
            }
        };
        // Fresh with 2 up-votes; five half-lives old with 5 up-votes; fresh without votes;
        // old without votes.
        let fresh = add("2101.00001", now).await;
        let old = add("2101.00002", now - 5 * POPULAR_HALF_LIFE_SECS).await;
        let unvoted = add("2101.00003", now - 60).await;
        let unvoted_older = add("2101.00004", now - 120).await;
        for v in &voters[..2] {
            store.set_vote(*v, fresh, 1).await.unwrap();
        }
        for v in &voters {
            store.set_vote(*v, old, 1).await.unwrap();
        }

        let popular = store.home(HomeList::Popular, 1, 10).await.unwrap();
        assert_eq!(
            ids(&popular.items),
            vec![fresh, old, unvoted, unvoted_older],
            "{}",
            db.name
        );
        assert!(!popular.has_next);
        // Top ignores age: more votes win.
        let top = store.home(HomeList::Top, 1, 10).await.unwrap();
        assert_eq!(&ids(&top.items)[..2], &[old, fresh], "{}", db.name);

        let first = store.home(HomeList::Popular, 1, 3).await.unwrap();
        assert_eq!(
            (ids(&first.items), first.has_next),
            (vec![fresh, old, unvoted], true),
            "{}",
            db.name
        );
        let second = store.home(HomeList::Popular, 2, 3).await.unwrap();
        assert_eq!(
            (ids(&second.items), second.has_next),
            (vec![unvoted_older], false),
            "{}",
            db.name
        );
        let beyond = store.home(HomeList::Popular, 9, 3).await.unwrap();
        assert!(beyond.items.is_empty() && !beyond.has_next);
    }
}

#[tokio::test]
async fn paper_page_new_sort_is_newest_first() {
    for (store, db) in stores().await {
        let mut ids_by_created = Vec::new();
        for (user, created) in [("a", 200), ("b", 300), ("c", 100)] {
            let mut s = import("1609.00150", user, user);
            s.created_at = Some(created);
            s.edited_at = Some(1_000 - created);
            ids_by_created.push((created, store.import_summary(&s).await.unwrap()));
        }
        let paper = ids_by_created[0].1.0;
        ids_by_created.sort_by_key(|e| std::cmp::Reverse(e.0));
        let expected: Vec<_> = ids_by_created.iter().map(|(_, (_, id, _))| *id).collect();
        let new = store
            .paper_summaries(paper, None, SummarySort::New)
            .await
            .unwrap();
        assert_eq!(ids(&new), expected, "{}", db.name);
        assert!(new.iter().all(|v| v.paper_id == paper));
    }
}
