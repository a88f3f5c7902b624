use shortscience_ids::{PaperId, SummaryId, UserId};
use shortscience_store::{Counts, Saved, StoreError, SummaryImport};

use crate::{arxiv, doi, import, new_paper, paper, stores, write};

#[tokio::test]
async fn one_summary_per_user_per_paper() {
    for (store, db) in stores().await {
        let p = new_paper(&store, "1609.00150").await;
        let alice = store.ensure_user("alice").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();

        let (first, saved) = store.save_summary(&write(p, alice, "one")).await.unwrap();
        assert_eq!(saved, Saved::Created, "{}", db.name);
        let (again, saved) = store.save_summary(&write(p, alice, "two")).await.unwrap();
        assert_eq!(
            (again, saved),
            (first, Saved::Updated),
            "{}: saving again edits in place",
            db.name
        );
        let (other, saved) = store.save_summary(&write(p, bob, "bob's")).await.unwrap();
        assert_eq!(saved, Saved::Created);
        assert_ne!(other, first);
        assert_eq!(store.counts().await.unwrap().summaries, 2);
        assert_eq!(
            store.summary(first, None).await.unwrap().unwrap().html,
            "<p>two</p>"
        );
    }
}

#[tokio::test]
async fn save_reports_unchanged_and_bumps_edits_only_for_content() {
    for (store, db) in stores().await {
        let p = new_paper(&store, "1609.00150").await;
        let alice = store.ensure_user("alice").await.unwrap();
        let mut w = write(p, alice, "text");
        w.created_at = Some(1_000);
        let (id, _) = store.save_summary(&w).await.unwrap();
        let view = store.summary(id, None).await.unwrap().unwrap();
        assert_eq!(
            (view.created_at, view.edited_at),
            (1_000, 1_000),
            "{}",
            db.name
        );

        assert_eq!(
            store.save_summary(&w).await.unwrap(),
            (id, Saved::Unchanged),
            "{}",
            db.name
        );

        // New rendering of the same markdown: stored, but not an edit.
        w.html = "<p>text, rendered anew</p>".into();
        assert_eq!(store.save_summary(&w).await.unwrap().1, Saved::Updated);
        let view = store.summary(id, None).await.unwrap().unwrap();
        assert_eq!(view.html, w.html);
        assert_eq!(view.edited_at, 1_000, "{}", db.name);

        // A flag change is an edit.
        w.anonymous = true;
        assert_eq!(store.save_summary(&w).await.unwrap().1, Saved::Updated);
        let view = store.summary(id, None).await.unwrap().unwrap();
        assert!(view.anonymous);
        assert!(
            view.edited_at > 1_000,
            "{}: edited_at {}",
            db.name,
            view.edited_at
        );
        assert_eq!(view.created_at, 1_000, "created_at never moves");

        w.markdown = "new text".into();
        assert_eq!(store.save_summary(&w).await.unwrap().1, Saved::Updated);
        assert_eq!(store.all_summaries().await.unwrap()[0].markdown, "new text");
    }
}

#[tokio::test]
async fn save_refuses_empty_text_and_missing_rows() {
    for (store, db) in stores().await {
        let p = new_paper(&store, "1609.00150").await;
        let alice = store.ensure_user("alice").await.unwrap();
        let err = store
            .save_summary(&write(p, alice, "  \n"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{}: {err}", db.name);
        let err = store
            .save_summary(&write(PaperId(999), alice, "x"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{}: {err}", db.name);
        let err = store
            .save_summary(&write(p, UserId(999), "x"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{}: {err}", db.name);
        assert_eq!(store.counts().await.unwrap().summaries, 0);
    }
}

#[tokio::test]
async fn import_is_idempotent() {
    for (store, db) in stores().await {
        let s = import("1609.00150", "muntermulehitch", "A summary.");
        let (paper_id, id, saved) = store.import_summary(&s).await.unwrap();
        assert_eq!(saved, Saved::Created, "{}", db.name);
        assert_eq!(
            store.import_summary(&s).await.unwrap(),
            (paper_id, id, Saved::Unchanged)
        );
        assert_eq!(
            store.counts().await.unwrap(),
            Counts {
                papers: 1,
                summaries: 1,
                users: 1
            },
            "{}",
            db.name
        );

        let mut changed = s.clone();
        changed.markdown = "A better summary.".into();
        changed.edited_at = Some(2_000);
        assert_eq!(
            store.import_summary(&changed).await.unwrap(),
            (paper_id, id, Saved::Updated)
        );
        let view = store.summary(id, None).await.unwrap().unwrap();
        assert_eq!(
            (view.created_at, view.edited_at),
            (1_000, 2_000),
            "{}",
            db.name
        );

        // Same summary, different html: stored as an update, without a new edit time.
        let mut rerendered = changed.clone();
        rerendered.html = "<p>A <em>better</em> summary.</p>".into();
        rerendered.edited_at = None;
        assert_eq!(
            store.import_summary(&rerendered).await.unwrap().2,
            Saved::Updated
        );
        let view = store.summary(id, None).await.unwrap().unwrap();
        assert_eq!(
            (view.html.as_str(), view.edited_at),
            (rerendered.html.as_str(), 2_000)
        );
    }
}

async fn assert_nothing_written(
    store: &shortscience_store::Store,
    s: &SummaryImport,
    backend: &str,
) {
    assert_eq!(
        store.counts().await.unwrap(),
        Counts::default(),
        "{backend}: a failed import left rows"
    );
    for r in &s.paper.refs {
        assert_eq!(store.find_paper(r).await.unwrap(), None, "{backend}");
    }
    assert_eq!(
        store.user_by_name(&s.author_username).await.unwrap(),
        None,
        "{backend}"
    );
    assert!(store.is_empty().await.unwrap());
}

#[tokio::test]
async fn a_failed_import_writes_nothing() {
    for (store, db) in stores().await {
        // The author's name is refused after the paper was written.
        let bad_author = import("1609.00150", "not a name", "text");
        let err = store.import_summary(&bad_author).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(ref m) if m.contains("username")),
            "{}: {err}",
            db.name
        );
        assert_nothing_written(&store, &bad_author, db.name).await;

        // The summary is refused after paper and author were written.
        let empty = import("1609.00150", "alice", "");
        assert!(store.import_summary(&empty).await.is_err(), "{}", db.name);
        assert_nothing_written(&store, &empty, db.name).await;

        // The paper itself is refused.
        let mut no_refs = import("1609.00150", "alice", "text");
        no_refs.paper.refs.clear();
        assert!(store.import_summary(&no_refs).await.is_err());
        assert_nothing_written(&store, &no_refs, db.name).await;
    }
}

#[tokio::test]
async fn a_failed_import_keeps_earlier_data_intact() {
    for (store, db) in stores().await {
        store
            .import_summary(&import("1609.00150", "alice", "first"))
            .await
            .unwrap();
        store
            .upsert_paper(&paper(vec![doi("10.1000/other")], "Other"))
            .await
            .unwrap();
        let before = store.counts().await.unwrap();

        // Its refs name two stored papers, so it fails after nothing else was written;
        // and with a new author that must not appear either.
        let mut clash = import("1609.00150", "newcomer", "second");
        clash.paper.refs.push(doi("10.1000/other"));
        assert!(store.import_summary(&clash).await.is_err(), "{}", db.name);
        assert_eq!(store.counts().await.unwrap(), before, "{}", db.name);
        assert_eq!(store.user_by_name("newcomer").await.unwrap(), None);
    }
}

#[tokio::test]
async fn all_summaries_exports_everything_in_id_order() {
    for (store, db) in stores().await {
        let mut a = import("1609.00150", "alice", "alpha");
        a.paper.refs.push(doi("10.48550/arXiv.1609.00150"));
        let mut b = import("1904.06387", "bob", "beta");
        b.private = true;
        let mut c = import("1609.00150", "carol", "gamma");
        c.anonymous = true;
        c.edited_at = Some(3_000);
        let mut ids = Vec::new();
        for s in [&a, &b, &c] {
            ids.push(store.import_summary(s).await.unwrap().1);
        }
        let all = store.all_summaries().await.unwrap();
        assert_eq!(
            all.iter().map(|r| r.id).collect::<Vec<_>>(),
            ids,
            "{}",
            db.name
        );
        assert_eq!(
            all.iter()
                .map(|r| r.author_username.as_str())
                .collect::<Vec<_>>(),
            ["alice", "bob", "carol"]
        );
        assert_eq!(
            all[0].paper.aliases,
            vec![arxiv("1609.00150"), doi("10.48550/arxiv.1609.00150")]
        );
        assert_eq!(all[0].paper.title, "Paper 1609.00150");
        assert_eq!(all[0].paper, all[2].paper);
        assert!(all[1].private && !all[1].anonymous);
        assert!(all[2].anonymous && !all[2].private);
        assert_eq!(
            (
                all[2].markdown.as_str(),
                all[2].created_at,
                all[2].edited_at
            ),
            ("gamma", 1_000, 3_000)
        );
    }
}

#[tokio::test]
async fn rerender_lists_old_renderings_and_summaries_with_refs() {
    for (store, db) in stores().await {
        let p = new_paper(&store, "1609.00150").await;
        let q = new_paper(&store, "1904.06387").await;
        let alice = store.ensure_user("alice").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();
        let mut old = write(p, alice, "old");
        old.renderer_version = 1;
        let mut current = write(p, bob, "current");
        current.renderer_version = 2;
        let mut linking = write(q, alice, "links");
        linking.renderer_version = 2;
        linking.paper_refs = vec!["arxiv:1609.00150".into()];
        let (old_id, _) = store.save_summary(&old).await.unwrap();
        store.save_summary(&current).await.unwrap();
        let (linking_id, _) = store.save_summary(&linking).await.unwrap();

        let pending = store.summaries_to_rerender(2).await.unwrap();
        assert_eq!(
            pending,
            vec![
                (old_id, "old".to_string()),
                (linking_id, "links".to_string())
            ],
            "{}",
            db.name
        );

        let before = store.summary(old_id, None).await.unwrap().unwrap();
        store
            .update_rendered(old_id, "<p>new</p>", "new", &[], 2)
            .await
            .unwrap();
        let after = store.summary(old_id, None).await.unwrap().unwrap();
        assert_eq!(
            (after.html.as_str(), after.excerpt.as_str()),
            ("<p>new</p>", "new")
        );
        assert_eq!(
            after.edited_at, before.edited_at,
            "{}: re-rendering is not an edit",
            db.name
        );
        assert_eq!(
            store.summaries_to_rerender(2).await.unwrap(),
            vec![(linking_id, "links".to_string())]
        );

        let err = store
            .update_rendered(SummaryId(9_999), "", "", &[], 2)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{}: {err}", db.name);
    }
}

#[tokio::test]
async fn counts_and_emptiness() {
    for (store, db) in stores().await {
        assert!(store.is_empty().await.unwrap(), "{}", db.name);
        assert_eq!(store.counts().await.unwrap(), Counts::default());
        store.ensure_user("alice").await.unwrap();
        assert!(
            !store.is_empty().await.unwrap(),
            "{}: a user makes it non-empty",
            db.name
        );
        store
            .import_summary(&import("1609.00150", "bob", "x"))
            .await
            .unwrap();
        store
            .import_summary(&import("1904.06387", "bob", "y"))
            .await
            .unwrap();
        assert_eq!(
            store.counts().await.unwrap(),
            Counts {
                papers: 2,
                summaries: 2,
                users: 2
            },
            "{}",
            db.name
        );
    }
}
