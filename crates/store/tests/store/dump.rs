//! The public dump and its restore, on every backend.

use shortscience_ids::{CommentId, SummaryId, UserId};
use shortscience_store::{
    CommentWrite, DeleteSummaries, NewAccount, RestoreComment, RestoreSummary, Role, Store,
};

use crate::{import, stores};

async fn account(store: &Store, name: &str) -> UserId {
    store
        .create_account(&NewAccount {
            username: name.into(),
            email: format!("{name}@example.org"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            role: Role::User,
            email_confirmed: true,
            pending: false,
        })
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn the_dump_holds_public_content_only() {
    for (store, db) in stores().await {
        store
            .import_summary(&import("1706.03762", "ada", "public"))
            .await
            .unwrap();
        let mut secret = import("1512.03385", "ada", "private text");
        secret.private = true;
        store.import_summary(&secret).await.unwrap();
        let mut anon = import("1512.03385", "bob", "anonymous text");
        anon.anonymous = true;
        let (_, anon_id, _) = store.import_summary(&anon).await.unwrap();
        let bob = store.user_by_name("bob").await.unwrap().unwrap().id;
        let ada = store.user_by_name("ada").await.unwrap().unwrap().id;
        // Bob answers comments on his own anonymous summary.
        store
            .add_comment(
                &CommentWrite {
                    summary: anon_id,
                    parent: None,
                    author: bob,
                    markdown: "author's reply".into(),
                    html: "<p>author's reply</p>".into(),
                    renderer_version: 1,
                },
                None,
            )
            .await
            .unwrap();
        let gone = store
            .add_comment(
                &CommentWrite {
                    summary: anon_id,
                    parent: None,
                    author: ada,
                    markdown: "deleted later".into(),
                    html: "<p>deleted later</p>".into(),
                    renderer_version: 1,
                },
                None,
            )
            .await
            .unwrap();
        store.delete_comment(gone, ada).await.unwrap();
        store.set_vote(ada, anon_id, 1).await.unwrap();

        let dump = store.dump().await.unwrap();
        assert_eq!(dump.papers.len(), 2, "{}", db.name);
        assert_eq!(dump.summaries.len(), 2, "{}: private left out", db.name);
        let text = format!("{dump:?}");
        assert!(!text.contains("private text"));
        assert!(!text.contains("deleted later"));
        assert!(!text.contains("example.org"));
        let a = dump.summaries.iter().find(|s| s.id == anon_id.0).unwrap();
        assert_eq!((a.author.as_deref(), a.up, a.down), (None, 1, 0));
        assert_eq!(a.licence, "CC-BY-4.0");
        let reply = &dump.comments[0];
        assert_eq!(reply.author, None, "{}: anonymous author stays so", db.name);
        assert!(reply.by_summary_author);
        assert!(dump.comments[1].deleted && dump.comments[1].markdown.is_empty());
        assert_eq!(
            dump.users
                .iter()
                .map(|u| u.username.as_str())
                .collect::<Vec<_>>(),
            ["ada", "bob"]
        );

        // A deleted account's kept summaries lose their author in the dump.
        store
            .delete_account(bob, DeleteSummaries::KeepAnonymous)
            .await
            .unwrap();
        let dump = store.dump().await.unwrap();
        assert!(dump.users.iter().all(|u| u.username != "bob"));
    }
}

#[tokio::test]
async fn restore_keeps_ids_counts_and_licences() {
    for (store, db) in stores().await {
        store
            .import_summary(&import("1706.03762", "ada", "one"))
            .await
            .unwrap();
        let (_, id, _) = store
            .import_summary(&import("1512.03385", "ada", "two"))
            .await
            .unwrap();
        let voter = account(&store, "voter").await;
        store.set_vote(voter, id, -1).await.unwrap();
        store
            .add_comment(
                &CommentWrite {
                    summary: id,
                    parent: None,
                    author: voter,
                    markdown: "why?".into(),
                    html: "<p>why?</p>".into(),
                    renderer_version: 1,
                },
                None,
            )
            .await
            .unwrap();
        let dump = store.dump().await.unwrap();

        let (fresh, _fresh_db) = stores()
            .await
            .into_iter()
            .find(|(_, d)| d.name == db.name)
            .unwrap();
        fresh.restore_papers(&dump.papers).await.unwrap();
        for u in &dump.users {
            fresh.restore_user(u, false).await.unwrap();
        }
        for s in &dump.summaries {
            fresh
                .restore_summary(&RestoreSummary {
                    record: s,
                    author_username: s.author.as_deref().unwrap(),
                    html: &s.html,
                    excerpt: &s.markdown,
                    paper_refs: &[],
                    renderer_version: 1,
                })
                .await
                .unwrap();
        }
        for c in &dump.comments {
            fresh
                .restore_comment(&RestoreComment {
                    record: c,
                    author_username: c.author.as_deref().unwrap(),
                    html: "<p>why?</p>",
                    renderer_version: 1,
                })
                .await
                .unwrap();
        }
        fresh.finish_restore().await.unwrap();

        let again = fresh.dump().await.unwrap();
        assert_eq!(again, dump, "{}: a restored site dumps the same", db.name);
        let view = fresh.summary(id, None).await.unwrap().unwrap();
        assert_eq!((view.up, view.down), (0, 1));
        let comments = fresh
            .summary_comments(id, None, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(comments[0].id, CommentId(dump.comments[0].id));
        // New rows continue after the restored ids.
        let (_, next, _) = fresh
            .import_summary(&import("2001.00001", "ada", "three"))
            .await
            .unwrap();
        assert!(next.0 > id.0, "{}", db.name);
        assert_ne!(next, SummaryId(0));
    }
}
