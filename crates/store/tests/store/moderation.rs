//! Moderation: report → queue → hide → gone for others but not for the author →
//! restore; suspensions; dismissals; and the audit log of each action.

use shortscience_ids::{CommentId, SummaryId};
use shortscience_store::{CommentWrite, HomeList, StoreError, SummarySort, TargetKind};

use crate::{new_paper, stores, write};

#[tokio::test]
async fn report_hide_restore_and_log() {
    for (store, db) in stores().await {
        let n = db.name;
        let ada = store.ensure_user("ada").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();
        let mods = store.ensure_user("mod").await.unwrap();
        let p = new_paper(&store, "1609.00150").await;
        let (s, _) = store.save_summary(&write(p, ada, "spam")).await.unwrap();
        let c = store
            .add_comment(
                &CommentWrite {
                    summary: s,
                    parent: None,
                    author: bob,
                    markdown: "rude".into(),
                    html: "<p>rude</p>".into(),
                    renderer_version: 1,
                },
                None,
            )
            .await
            .unwrap();

        // Reports: checked, and only for targets that exist.
        let r1 = store
            .report(bob, TargetKind::Summary, s.0, "spam")
            .await
            .unwrap();
        let r2 = store
            .report(ada, TargetKind::Comment, c.0, "rude")
            .await
            .unwrap();
        let r3 = store
            .report(ada, TargetKind::User, bob.0, "troll")
            .await
            .unwrap();
        assert!(matches!(
            store.report(bob, TargetKind::Summary, 9_999, "x").await,
            Err(StoreError::NotFound)
        ));
        assert!(
            store
                .report(bob, TargetKind::Summary, s.0, "  ")
                .await
                .is_err(),
            "{n}"
        );
        assert!(
            store
                .report(bob, TargetKind::Summary, s.0, &"x".repeat(1_001))
                .await
                .is_err()
        );
        let queue: Vec<_> = store
            .open_reports(50)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(queue, [r3, r2, r1], "{n}: newest first");

        // Hide: gone for guests and other users, kept for its author.
        store
            .set_summary_hidden(mods, s, true, "spam")
            .await
            .unwrap();
        assert!(store.summary(s, None).await.unwrap().is_none(), "{n}");
        assert!(store.summary(s, Some(bob)).await.unwrap().is_none(), "{n}");
        assert!(store.summary(s, Some(ada)).await.unwrap().is_some(), "{n}");
        assert!(store.summary_hidden(s).await.unwrap(), "{n}");
        assert!(
            store
                .paper_summaries(p, None, SummarySort::Best)
                .await
                .unwrap()
                .is_empty()
        );
        let recent = store.home(HomeList::Recent, 1, 10).await.unwrap();
        assert!(recent.items.is_empty(), "{n}");
        assert!(
            store.user_summaries(ada, None).await.unwrap().is_empty(),
            "{n}"
        );
        assert_eq!(
            store.user_summaries(ada, Some(ada)).await.unwrap().len(),
            1,
            "{n}"
        );
        assert!(
            store
                .summary_comments(s, None, None)
                .await
                .unwrap()
                .is_none(),
            "{n}"
        );
        assert!(
            store.summary_for_moderator(s).await.unwrap().is_some(),
            "{n}"
        );
        // Hiding answered the summary's report.
        let queue: Vec<_> = store
            .open_reports(50)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(queue, [r3, r2], "{n}");

        store
            .set_summary_hidden(mods, s, false, "appeal")
            .await
            .unwrap();
        assert!(store.summary(s, None).await.unwrap().is_some(), "{n}");
        assert!(!store.summary_hidden(s).await.unwrap(), "{n}");

        // Comments: hidden ones become stubs.
        store
            .set_comment_hidden(mods, c, true, "rude")
            .await
            .unwrap();
        let list = store
            .summary_comments(s, None, None)
            .await
            .unwrap()
            .unwrap();
        assert!(list[0].hidden && list[0].html.is_empty(), "{n}");
        assert_eq!(
            store.comment_for_moderator(c).await.unwrap(),
            Some((s, "<p>rude</p>".to_owned())),
            "{n}"
        );
        store.set_comment_hidden(mods, c, false, "").await.unwrap();
        let list = store
            .summary_comments(s, None, None)
            .await
            .unwrap()
            .unwrap();
        assert!(!list[0].hidden, "{n}");

        // Missing targets.
        assert!(matches!(
            store
                .set_summary_hidden(mods, SummaryId(9_999), true, "")
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .set_comment_hidden(mods, CommentId(9_999), true, "")
                .await,
            Err(StoreError::NotFound)
        ));

        // Suspension ends sessions and blocks login; dismiss closes the last report.
        store.moderate_user(mods, bob, true, "troll").await.unwrap();
        assert!(
            store
                .account(bob)
                .await
                .unwrap()
                .unwrap()
                .suspended_at
                .is_some(),
            "{n}"
        );
        assert!(
            store.moderate_user(mods, mods, true, "").await.is_err(),
            "{n}"
        );
        store.moderate_user(mods, bob, false, "").await.unwrap();
        assert!(
            store
                .account(bob)
                .await
                .unwrap()
                .unwrap()
                .suspended_at
                .is_none(),
            "{n}"
        );
        // Hiding and suspending answered the other reports; a new one is dismissed.
        assert!(store.open_reports(50).await.unwrap().is_empty(), "{n}");
        let r4 = store
            .report(ada, TargetKind::Comment, c.0, "still")
            .await
            .unwrap();
        store.dismiss_report(mods, r4, "fine").await.unwrap();
        assert!(matches!(
            store.dismiss_report(mods, r4, "").await,
            Err(StoreError::NotFound)
        ));
        assert!(store.open_reports(50).await.unwrap().is_empty(), "{n}");

        let log: Vec<_> = store
            .moderation_log(100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.actor.unwrap(),
                    e.action,
                    e.target_kind,
                    e.target_id,
                    e.reason,
                )
            })
            .collect();
        let m = |a: &str, k: &str, id: i64, r: &str| {
            (
                "mod".to_owned(),
                a.to_owned(),
                k.to_owned(),
                id,
                r.to_owned(),
            )
        };
        assert_eq!(
            log,
            [
                m("dismiss", "report", r4, "fine"),
                m("unsuspend", "user", bob.0, ""),
                m("suspend", "user", bob.0, "troll"),
                m("restore", "comment", c.0, ""),
                m("hide", "comment", c.0, "rude"),
                m("restore", "summary", s.0, "appeal"),
                m("hide", "summary", s.0, "spam"),
            ],
            "{n}"
        );
    }
}

#[tokio::test]
async fn hidden_summaries_leave_search_and_random() {
    for (store, db) in stores().await {
        let n = db.name;
        let ada = store.ensure_user("ada").await.unwrap();
        let mods = store.ensure_user("mod").await.unwrap();
        let p = new_paper(&store, "1609.00150").await;
        let (s, _) = store
            .save_summary(&write(p, ada, "zanzibarian widgets"))
            .await
            .unwrap();
        let query = shortscience_store::SearchQuery {
            text: "zanzibarian".into(),
            ..Default::default()
        };
        assert_eq!(store.search(&query).await.unwrap().items.len(), 1, "{n}");
        assert_eq!(store.random_summary().await.unwrap(), Some(s), "{n}");

        store.set_summary_hidden(mods, s, true, "").await.unwrap();
        assert!(store.search(&query).await.unwrap().items.is_empty(), "{n}");
        assert_eq!(store.random_summary().await.unwrap(), None, "{n}");

        store.set_summary_hidden(mods, s, false, "").await.unwrap();
        assert_eq!(store.search(&query).await.unwrap().items.len(), 1, "{n}");
    }
}
