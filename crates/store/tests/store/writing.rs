//! Writing: one summary per user per paper, its revision history, deleting it with
//! everything attached, share links for private summaries, and the voter's own votes.

use shortscience_ids::{RevisionId, SummaryId};
use shortscience_store::{CommentWrite, Saved, Store, StoreError};

use crate::{import, new_paper, stores, write};

async fn count(store: &Store, sql: &'static str, id: SummaryId) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id.0)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

fn comment(summary: SummaryId, author: shortscience_ids::UserId, text: &str) -> CommentWrite {
    CommentWrite {
        summary,
        parent: None,
        author,
        markdown: text.into(),
        html: format!("<p>{text}</p>"),
        renderer_version: 1,
    }
}

#[tokio::test]
async fn one_summary_per_user_per_paper_edited_in_place() {
    for (store, db) in stores().await {
        let n = db.name;
        let p = new_paper(&store, "1609.00150").await;
        let ada = store.ensure_user("ada").await.unwrap();
        assert_eq!(store.own_summary(p, ada).await.unwrap(), None, "{n}");
        let (first, saved) = store.save_summary(&write(p, ada, "one")).await.unwrap();
        assert_eq!(saved, Saved::Created, "{n}");
        let (second, saved) = store.save_summary(&write(p, ada, "two")).await.unwrap();
        assert_eq!((second, saved), (first, Saved::Updated), "{n}");
        let own = store.own_summary(p, ada).await.unwrap().unwrap();
        assert_eq!((own.id, own.markdown.as_str()), (first, "two"), "{n}");
        assert_eq!(store.counts().await.unwrap().summaries, 1, "{n}");
        // Another paper is another summary.
        let q = new_paper(&store, "1706.03762").await;
        let (third, _) = store.save_summary(&write(q, ada, "three")).await.unwrap();
        assert_ne!(third, first, "{n}");
    }
}

#[tokio::test]
async fn every_change_is_a_revision() {
    for (store, db) in stores().await {
        let n = db.name;
        let p = new_paper(&store, "1609.00150").await;
        let ada = store.ensure_user("ada").await.unwrap();
        let (id, _) = store
            .save_summary(&write(p, ada, "first\nline"))
            .await
            .unwrap();
        let revs = store.revisions(id, None, None).await.unwrap().unwrap();
        assert_eq!(revs.len(), 1, "{n}: saving creates a revision");
        assert_eq!((revs[0].number, revs[0].bytes), (1, 10), "{n}");
        assert_eq!(revs[0].editor.as_ref().unwrap().username, "ada", "{n}");

        // The same text again adds nothing; new text or new flags add one each.
        store
            .save_summary(&write(p, ada, "first\nline"))
            .await
            .unwrap();
        store
            .save_summary(&write(p, ada, "second\nline"))
            .await
            .unwrap();
        let mut w = write(p, ada, "second\nline");
        w.anonymous = true;
        store.save_summary(&w).await.unwrap();
        let revs = store.revisions(id, Some(ada), None).await.unwrap().unwrap();
        assert_eq!(
            revs.iter().map(|r| r.number).collect::<Vec<_>>(),
            vec![1, 2, 3],
            "{n}"
        );
        assert!(revs[2].anonymous && !revs[1].anonymous, "{n}");

        let old = store
            .revision(id, revs[0].id, None, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(old.markdown, "first\nline", "{n}");
        assert_eq!(old.info.number, 1, "{n}");
        let new = store
            .revision(id, revs[1].id, None, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (new.markdown.as_str(), new.info.number),
            ("second\nline", 2),
            "{n}"
        );

        // Now anonymous: the editor is hidden from everyone but the author.
        let public = store.revisions(id, None, None).await.unwrap().unwrap();
        assert!(public.iter().all(|r| r.editor.is_none()), "{n}");
        let own = store.revisions(id, Some(ada), None).await.unwrap().unwrap();
        assert!(own.iter().all(|r| r.editor.is_some()), "{n}");

        // A revision of another summary is not reachable through this one.
        let bob = store.ensure_user("bob").await.unwrap();
        let (other, _) = store.save_summary(&write(p, bob, "bob's")).await.unwrap();
        let bobs = store.revisions(other, None, None).await.unwrap().unwrap();
        assert_eq!(
            store.revision(id, bobs[0].id, None, None).await.unwrap(),
            None,
            "{n}"
        );
        assert_eq!(
            store
                .revision(id, RevisionId(999_999), None, None)
                .await
                .unwrap(),
            None,
            "{n}"
        );
    }
}

#[tokio::test]
async fn imports_keep_history_too() {
    for (store, db) in stores().await {
        let n = db.name;
        let (_, id, _) = store
            .import_summary(&import("1609.00150", "ada", "v1"))
            .await
            .unwrap();
        store
            .import_summary(&import("1609.00150", "ada", "v1"))
            .await
            .unwrap();
        let mut second = import("1609.00150", "ada", "v2");
        second.edited_at = Some(2_000);
        store.import_summary(&second).await.unwrap();
        let revs = store.revisions(id, None, None).await.unwrap().unwrap();
        assert_eq!(revs.len(), 2, "{n}");
        assert_eq!(
            (revs[0].created_at, revs[1].created_at),
            (1_000, 2_000),
            "{n}"
        );
    }
}

#[tokio::test]
async fn deleting_removes_everything_and_a_new_summary_starts_clean() {
    for (store, db) in stores().await {
        let n = db.name;
        let p = new_paper(&store, "1609.00150").await;
        let ada = store.ensure_user("ada").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();
        let (id, _) = store.save_summary(&write(p, ada, "v1")).await.unwrap();
        store.save_summary(&write(p, ada, "v2")).await.unwrap();
        store.set_vote(bob, id, 1).await.unwrap();
        let c = store
            .add_comment(&comment(id, bob, "nice"), None)
            .await
            .unwrap();
        let mut reply = comment(id, ada, "thanks");
        reply.parent = Some(c);
        store.add_comment(&reply, None).await.unwrap();
        store.create_share(id, ada).await.unwrap();

        // Only the owner may delete; a refusal changes nothing.
        let err = store.delete_summary(id, bob).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{n}: {err}");
        assert!(store.summary(id, None).await.unwrap().is_some(), "{n}");

        store.delete_summary(id, ada).await.unwrap();
        assert_eq!(store.summary(id, Some(ada)).await.unwrap(), None, "{n}");
        assert_eq!(store.summary_meta(id).await.unwrap(), None, "{n}");
        for sql in [
            "SELECT COUNT(*) FROM votes WHERE summary_id = $1",
            "SELECT COUNT(*) FROM comments WHERE summary_id = $1",
            "SELECT COUNT(*) FROM revisions WHERE summary_id = $1",
            "SELECT COUNT(*) FROM summary_shares WHERE summary_id = $1",
        ] {
            assert_eq!(count(&store, sql, id).await, 0, "{n}: {sql}");
        }
        assert!(matches!(
            store.delete_summary(id, ada).await,
            Err(StoreError::NotFound)
        ));

        // Written again: a new summary with no votes, comments, history or share link.
        let (again, saved) = store.save_summary(&write(p, ada, "v3")).await.unwrap();
        assert_eq!(saved, Saved::Created, "{n}");
        assert_ne!(again, id, "{n}");
        let v = store.summary(again, None).await.unwrap().unwrap();
        assert_eq!((v.up, v.down), (0, 0), "{n}");
        assert_eq!(
            store.summary_comments(again, None, None).await.unwrap(),
            Some(vec![])
        );
        assert_eq!(
            store
                .revisions(again, None, None)
                .await
                .unwrap()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store.share_created_at(again, ada).await.unwrap(),
            None,
            "{n}"
        );
        assert_eq!(store.votes_of(bob, &[again]).await.unwrap().len(), 0, "{n}");
    }
}

#[tokio::test]
async fn private_summaries_open_only_with_a_live_share_link() {
    for (store, db) in stores().await {
        let n = db.name;
        let p = new_paper(&store, "1609.00150").await;
        let ada = store.ensure_user("ada").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();
        let mut w = write(p, ada, "secret");
        w.private = true;
        let (id, _) = store.save_summary(&w).await.unwrap();

        assert!(
            store
                .summary_for(id, Some(ada), None)
                .await
                .unwrap()
                .is_some(),
            "{n}"
        );
        assert_eq!(
            store.summary_for(id, None, None).await.unwrap(),
            None,
            "{n}"
        );
        assert_eq!(
            store.summary_for(id, Some(bob), None).await.unwrap(),
            None,
            "{n}"
        );
        assert_eq!(
            store.revisions(id, Some(bob), None).await.unwrap(),
            None,
            "{n}"
        );

        // Only the author can make a link.
        assert!(matches!(
            store.create_share(id, bob).await,
            Err(StoreError::NotFound)
        ));
        let token = store.create_share(id, ada).await.unwrap();
        assert!(
            store.share_created_at(id, ada).await.unwrap().is_some(),
            "{n}"
        );
        assert_eq!(store.share_created_at(id, bob).await.unwrap(), None, "{n}");
        // Only the hash is stored.
        let stored: String = sqlx::query_scalar("SELECT hash FROM summary_shares")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_ne!(stored, token, "{n}");
        assert!(!stored.contains(&token), "{n}");

        for viewer in [None, Some(bob)] {
            let v = store.summary_for(id, viewer, Some(&token)).await.unwrap();
            assert_eq!(v.map(|v| v.id), Some(id), "{n}");
            assert!(
                store
                    .revisions(id, viewer, Some(&token))
                    .await
                    .unwrap()
                    .is_some()
            );
            assert!(
                store
                    .summary_comments(id, viewer, Some(&token))
                    .await
                    .unwrap()
                    .is_some()
            );
        }
        // Wrong, malformed and other summaries' tokens open nothing.
        let mut wrong = token.clone();
        wrong.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
        for bad in [wrong.as_str(), "", "x", &format!("{token}x")] {
            assert_eq!(
                store.summary_for(id, None, Some(bad)).await.unwrap(),
                None,
                "{n}: {bad}"
            );
        }
        let mut other = write(p, bob, "bob's secret");
        other.private = true;
        let (bobs, _) = store.save_summary(&other).await.unwrap();
        assert_eq!(
            store.summary_for(bobs, None, Some(&token)).await.unwrap(),
            None,
            "{n}"
        );

        // A new link replaces the old one.
        let newer = store.create_share(id, ada).await.unwrap();
        assert_ne!(newer, token);
        assert_eq!(
            store.summary_for(id, None, Some(&token)).await.unwrap(),
            None,
            "{n}"
        );
        assert!(
            store
                .summary_for(id, None, Some(&newer))
                .await
                .unwrap()
                .is_some(),
            "{n}"
        );

        // Revoked: closed again, and only the owner can revoke.
        assert!(matches!(
            store.revoke_share(id, bob).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.revoke_share(id, ada).await.unwrap(), "{n}");
        assert!(!store.revoke_share(id, ada).await.unwrap(), "{n}");
        assert_eq!(
            store.summary_for(id, None, Some(&newer)).await.unwrap(),
            None,
            "{n}"
        );
        assert_eq!(store.share_created_at(id, ada).await.unwrap(), None, "{n}");
    }
}

#[tokio::test]
async fn share_links_never_reveal_an_anonymous_author() {
    for (store, db) in stores().await {
        let n = db.name;
        let p = new_paper(&store, "1609.00150").await;
        let ada = store.ensure_user("ada").await.unwrap();
        let mut w = write(p, ada, "secret");
        w.private = true;
        w.anonymous = true;
        let (id, _) = store.save_summary(&w).await.unwrap();
        let token = store.create_share(id, ada).await.unwrap();
        let v = store
            .summary_for(id, None, Some(&token))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((v.author, v.is_own), (None, false), "{n}");
        let revs = store
            .revisions(id, None, Some(&token))
            .await
            .unwrap()
            .unwrap();
        assert!(revs.iter().all(|r| r.editor.is_none()), "{n}");
        let own = store
            .summary_for(id, Some(ada), None)
            .await
            .unwrap()
            .unwrap();
        assert!(own.is_own && own.author.is_some(), "{n}");
    }
}

#[tokio::test]
async fn votes_of_reports_each_vote() {
    for (store, db) in stores().await {
        let n = db.name;
        let p = new_paper(&store, "1609.00150").await;
        let voter = store.ensure_user("voter").await.unwrap();
        let mut ids = Vec::new();
        for name in ["a", "b", "c"] {
            let author = store.ensure_user(name).await.unwrap();
            ids.push(store.save_summary(&write(p, author, name)).await.unwrap().0);
        }
        store.set_vote(voter, ids[0], 1).await.unwrap();
        store.set_vote(voter, ids[1], -1).await.unwrap();
        let votes = store.votes_of(voter, &ids).await.unwrap();
        assert_eq!(votes.get(&ids[0]), Some(&1), "{n}");
        assert_eq!(votes.get(&ids[1]), Some(&-1), "{n}");
        assert_eq!(votes.get(&ids[2]), None, "{n}");
        store.set_vote(voter, ids[0], 0).await.unwrap();
        assert_eq!(store.votes_of(voter, &ids).await.unwrap().len(), 1, "{n}");
        assert!(store.votes_of(voter, &[]).await.unwrap().is_empty(), "{n}");
    }
}
