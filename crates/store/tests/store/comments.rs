//! Comments: threads, edits and deletions by their author only, stubs that keep replies
//! in place, visibility that follows the summary, and anonymity of a summary's author.

use shortscience_ids::{CommentId, SummaryId, UserId};
use shortscience_store::{CommentView, CommentWrite, StoreError, SummarySort};

use crate::{new_paper, stores, write};

fn comment(
    summary: SummaryId,
    author: UserId,
    parent: Option<CommentId>,
    text: &str,
) -> CommentWrite {
    CommentWrite {
        summary,
        parent,
        author,
        markdown: text.into(),
        html: format!("<p>{text}</p>"),
        renderer_version: 1,
    }
}

fn shape(list: &[CommentView]) -> Vec<(u32, CommentId)> {
    list.iter().map(|c| (c.depth, c.id)).collect()
}

#[tokio::test]
async fn threads_edits_and_deleted_stubs() {
    for (store, db) in stores().await {
        let n = db.name;
        let p = new_paper(&store, "1609.00150").await;
        let ada = store.ensure_user("ada").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();
        let (s, _) = store.save_summary(&write(p, ada, "summary")).await.unwrap();

        let c1 = store
            .add_comment(&comment(s, bob, None, "first"), None)
            .await
            .unwrap();
        let c2 = store
            .add_comment(&comment(s, ada, None, "second"), None)
            .await
            .unwrap();
        let r1 = store
            .add_comment(&comment(s, ada, Some(c1), "reply"), None)
            .await
            .unwrap();
        let r2 = store
            .add_comment(&comment(s, bob, Some(r1), "deeper"), None)
            .await
            .unwrap();
        let list = store
            .summary_comments(s, None, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            shape(&list),
            vec![(0, c1), (1, r1), (2, r2), (0, c2)],
            "{n}"
        );
        assert_eq!(list[1].parent_id, Some(c1), "{n}");
        assert!(
            list[1].by_summary_author && !list[0].by_summary_author,
            "{n}"
        );
        assert_eq!(list[1].author.as_ref().unwrap().username, "ada", "{n}");
        assert_eq!(list[0].html, "<p>first</p>", "{n}");
        // Markdown only for its author's edit form.
        assert!(list.iter().all(|c| c.markdown.is_none()), "{n}");
        let bobs = store
            .summary_comments(s, Some(bob), None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(bobs[0].markdown.as_deref(), Some("first"), "{n}");
        assert!(bobs[0].is_own && !bobs[1].is_own, "{n}");

        // Nobody edits or deletes another's comment.
        let err = store
            .edit_comment(c1, ada, "hijack", "<p>hijack</p>", 1)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{n}: {err}");
        let err = store.delete_comment(c1, ada).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{n}: {err}");

        store
            .edit_comment(c1, bob, "first, edited", "<p>first, edited</p>", 1)
            .await
            .unwrap();
        let list = store
            .summary_comments(s, None, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(list[0].html, "<p>first, edited</p>", "{n}");
        assert!(
            list[0].edited_at.is_some() && list[3].edited_at.is_none(),
            "{n}"
        );
        assert!(matches!(
            store.edit_comment(c1, bob, " ", "", 1).await,
            Err(StoreError::Invalid(_))
        ));

        // Deleting leaves a stub in place; the replies stay under it.
        store.delete_comment(c1, bob).await.unwrap();
        let list = store
            .summary_comments(s, Some(bob), None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            shape(&list),
            vec![(0, c1), (1, r1), (2, r2), (0, c2)],
            "{n}"
        );
        let stub = &list[0];
        assert!(
            stub.deleted && stub.author.is_none() && stub.html.is_empty(),
            "{n}"
        );
        assert!(!stub.is_own && stub.markdown.is_none(), "{n}");
        let text: String = sqlx::query_scalar("SELECT markdown FROM comments WHERE id = $1")
            .bind(c1.0)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(text, "", "{n}: the deleted text is gone from the database");
        assert!(matches!(
            store.delete_comment(c1, bob).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.edit_comment(c1, bob, "back", "<p>back</p>", 1).await,
            Err(StoreError::NotFound)
        ));
        // A deleted comment cannot be answered; counts leave it out.
        let err = store
            .add_comment(&comment(s, ada, Some(c1), "late"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{n}: {err}");
        assert_eq!(
            store.comment_counts(&[s]).await.unwrap().get(&s),
            Some(&3),
            "{n}"
        );
        // The paper page and the permalink read the same count with the summary.
        let on_paper = store
            .paper_summaries(p, None, SummarySort::Best)
            .await
            .unwrap();
        assert_eq!(on_paper[0].comments, Some(3), "{n}");
        let alone = store.summary(s, None).await.unwrap().unwrap();
        assert_eq!(alone.comments, Some(3), "{n}");
        let meta = store.comment_meta(c1).await.unwrap().unwrap();
        assert!(
            meta.deleted && meta.author_id == bob && meta.summary_id == s,
            "{n}"
        );
    }
}

#[tokio::test]
async fn replies_stay_on_their_summary_and_text_is_checked() {
    for (store, db) in stores().await {
        let n = db.name;
        let p = new_paper(&store, "1609.00150").await;
        let ada = store.ensure_user("ada").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();
        let (s1, _) = store.save_summary(&write(p, ada, "one")).await.unwrap();
        let (s2, _) = store.save_summary(&write(p, bob, "two")).await.unwrap();
        let c = store
            .add_comment(&comment(s1, bob, None, "hi"), None)
            .await
            .unwrap();
        let err = store
            .add_comment(&comment(s2, ada, Some(c), "elsewhere"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{n}: {err}");
        let err = store
            .add_comment(&comment(s1, ada, Some(CommentId(999_999)), "ghost"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{n}: {err}");
        for bad in [
            "",
            "  \n ",
            &"x".repeat(shortscience_store::MAX_COMMENT_BYTES + 1),
        ] {
            let err = store
                .add_comment(&comment(s1, ada, None, bad), None)
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Invalid(_)), "{n}: {err}");
        }
        let err = store
            .add_comment(&comment(SummaryId(999_999), ada, None, "x"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{n}: {err}");
        let counts = store.comment_counts(&[s1, s2]).await.unwrap();
        assert_eq!((counts.get(&s1), counts.get(&s2)), (Some(&1), None), "{n}");
    }
}

#[tokio::test]
async fn comments_follow_the_summary_visibility() {
    for (store, db) in stores().await {
        let n = db.name;
        let p = new_paper(&store, "1609.00150").await;
        let ada = store.ensure_user("ada").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();
        let mut w = write(p, ada, "private");
        w.private = true;
        let (s, _) = store.save_summary(&w).await.unwrap();
        store
            .add_comment(&comment(s, ada, None, "note to self"), None)
            .await
            .unwrap();

        assert_eq!(
            store.summary_comments(s, None, None).await.unwrap(),
            None,
            "{n}"
        );
        assert_eq!(
            store.summary_comments(s, Some(bob), None).await.unwrap(),
            None,
            "{n}"
        );
        let err = store
            .add_comment(&comment(s, bob, None, "peek"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{n}: {err}");

        let token = store.create_share(s, ada).await.unwrap();
        let seen = store
            .summary_comments(s, None, Some(&token))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(seen.len(), 1, "{n}");
        store
            .add_comment(&comment(s, bob, None, "shared"), Some(&token))
            .await
            .unwrap();
        store.revoke_share(s, ada).await.unwrap();
        assert_eq!(
            store
                .summary_comments(s, Some(bob), Some(&token))
                .await
                .unwrap(),
            None
        );
        let own = store
            .summary_comments(s, Some(ada), None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(own.len(), 2, "{n}");
    }
}

#[tokio::test]
async fn an_anonymous_authors_comments_stay_anonymous() {
    for (store, db) in stores().await {
        let n = db.name;
        let p = new_paper(&store, "1609.00150").await;
        let ada = store.ensure_user("ada").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();
        let mut w = write(p, ada, "anonymous");
        w.anonymous = true;
        let (s, _) = store.save_summary(&w).await.unwrap();
        let q = store
            .add_comment(&comment(s, bob, None, "who?"), None)
            .await
            .unwrap();
        store
            .add_comment(&comment(s, ada, Some(q), "me"), None)
            .await
            .unwrap();
        for viewer in [None, Some(bob)] {
            let list = store
                .summary_comments(s, viewer, None)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(list[0].author.as_ref().unwrap().username, "bob", "{n}");
            assert!(list[1].author.is_none() && list[1].by_summary_author, "{n}");
        }
        let own = store
            .summary_comments(s, Some(ada), None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(own[1].author.as_ref().unwrap().username, "ada", "{n}");
    }
}
