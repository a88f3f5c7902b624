//! Profiles: edits checked and stored, the score that ignores anonymous summaries, the
//! owner's liked/disliked lists, and the directory.

use shortscience_store::{ProfileUpdate, SummaryWrite};

use crate::{new_paper, stores, write};

fn update(name: &str, bio: &str, orcid: Option<&str>) -> ProfileUpdate {
    ProfileUpdate {
        display_name: name.into(),
        bio_markdown: bio.into(),
        bio_html: format!("<p>{bio}</p>"),
        orcid: orcid.map(Into::into),
    }
}

#[tokio::test]
async fn profile_edits_are_checked_and_stored() {
    for (store, db) in stores().await {
        let n = db.name;
        let ada = store.ensure_user("ada").await.unwrap();
        let p = store.profile("ADA").await.unwrap().unwrap();
        assert_eq!((p.user.id, p.orcid, p.sciscore), (ada, None, None), "{n}");

        store
            .update_profile(
                ada,
                &update(
                    " Ada L. ",
                    "bio",
                    Some("https://orcid.org/0000-0002-1694-233x"),
                ),
            )
            .await
            .unwrap();
        let p = store.profile("ada").await.unwrap().unwrap();
        assert_eq!(p.user.display_name, "Ada L.", "{n}");
        assert_eq!(p.bio_html, "<p>bio</p>", "{n}");
        assert_eq!(p.orcid.as_deref(), Some("0000-0002-1694-233X"), "{n}");

        for bad in [
            update("", "bio", None),
            update("a\u{1b}b", "bio", None),
            update("Ada", &"x".repeat(5_001), None),
            update("Ada", "bio", Some("0000-0002-1694-2330")),
        ] {
            assert!(
                store.update_profile(ada, &bad).await.is_err(),
                "{n}: {bad:?}"
            );
        }
        // Nothing changed by the refused edits; an empty bio and ORCID clear them.
        let p = store.profile("ada").await.unwrap().unwrap();
        assert_eq!(p.user.display_name, "Ada L.", "{n}");
        store
            .update_profile(ada, &update("Ada", "  ", Some("")))
            .await
            .unwrap();
        let p = store.profile("ada").await.unwrap().unwrap();
        assert_eq!((p.bio_html.as_str(), p.orcid), ("", None), "{n}");
        assert!(store.profile("nobody").await.unwrap().is_none(), "{n}");
    }
}

#[tokio::test]
async fn sciscore_ignores_anonymous_private_and_hidden_summaries() {
    for (store, db) in stores().await {
        let n = db.name;
        let ada = store.ensure_user("ada").await.unwrap();
        let mods = store.ensure_user("mod").await.unwrap();
        let voters: Vec<_> = futures_lite(&store, &["v1", "v2", "v3"]).await;
        let mut ids = Vec::new();
        for (i, (anonymous, private)) in
            [(false, false), (false, false), (true, false), (false, true)]
                .into_iter()
                .enumerate()
        {
            let p = new_paper(&store, &format!("1609.0015{i}")).await;
            let w = SummaryWrite {
                anonymous,
                private,
                ..write(p, ada, "text")
            };
            ids.push(store.save_summary(&w).await.unwrap().0);
        }
        // Public: +3 and -1 → average 1. The anonymous one gets +3, which must not count.
        for v in &voters {
            store.set_vote(*v, ids[0], 1).await.unwrap();
            store.set_vote(*v, ids[2], 1).await.unwrap();
        }
        store.set_vote(voters[0], ids[1], -1).await.unwrap();
        let p = store.profile("ada").await.unwrap().unwrap();
        assert_eq!(p.public_summaries, 2, "{n}");
        assert_eq!(p.sciscore, Some(1.0), "{n}");

        store
            .set_summary_hidden(mods, ids[1], true, "spam")
            .await
            .unwrap();
        let p = store.profile("ada").await.unwrap().unwrap();
        assert_eq!((p.public_summaries, p.sciscore), (1, Some(3.0)), "{n}");

        let dir = store.user_directory(1, 10).await.unwrap();
        let names: Vec<_> = dir.items.iter().map(|e| e.user.username.as_str()).collect();
        assert_eq!(names, ["ada"], "{n}: only users with public summaries");
        assert_eq!(dir.items[0].sciscore, 3.0, "{n}");
        assert!(!dir.has_next, "{n}");
    }
}

async fn futures_lite(
    store: &shortscience_store::Store,
    names: &[&str],
) -> Vec<shortscience_ids::UserId> {
    let mut out = Vec::new();
    for name in names {
        out.push(store.ensure_user(name).await.unwrap());
    }
    out
}

#[tokio::test]
async fn directory_orders_by_score_and_pages() {
    for (store, db) in stores().await {
        let n = db.name;
        let voter = store.ensure_user("voter").await.unwrap();
        for (i, (name, vote)) in [("low", -1i8), ("high", 1), ("mid", 0)]
            .into_iter()
            .enumerate()
        {
            let u = store.ensure_user(name).await.unwrap();
            let p = new_paper(&store, &format!("1701.0000{}", i + 1)).await;
            let (s, _) = store.save_summary(&write(p, u, "text")).await.unwrap();
            if vote != 0 {
                store.set_vote(voter, s, vote).await.unwrap();
            }
        }
        let first = store.user_directory(1, 2).await.unwrap();
        let names: Vec<_> = first
            .items
            .iter()
            .map(|e| e.user.username.clone())
            .collect();
        assert_eq!(names, ["high", "mid"], "{n}");
        assert!(first.has_next, "{n}");
        let second = store.user_directory(2, 2).await.unwrap();
        assert_eq!(second.items[0].user.username, "low", "{n}");
        assert!(!second.has_next, "{n}");
    }
}

#[tokio::test]
async fn liked_and_disliked_lists() {
    for (store, db) in stores().await {
        let n = db.name;
        let ada = store.ensure_user("ada").await.unwrap();
        let bob = store.ensure_user("bob").await.unwrap();
        let mods = store.ensure_user("mod").await.unwrap();
        let p1 = new_paper(&store, "1609.00150").await;
        let p2 = new_paper(&store, "1609.00151").await;
        let (s1, _) = store.save_summary(&write(p1, ada, "one")).await.unwrap();
        let (s2, _) = store.save_summary(&write(p2, ada, "two")).await.unwrap();
        store.set_vote(bob, s1, 1).await.unwrap();
        store.set_vote(bob, s2, -1).await.unwrap();
        let liked = store.voted_summaries(bob, 1).await.unwrap();
        let disliked = store.voted_summaries(bob, -1).await.unwrap();
        assert_eq!(liked.iter().map(|s| s.id).collect::<Vec<_>>(), [s1], "{n}");
        assert_eq!(
            disliked.iter().map(|s| s.id).collect::<Vec<_>>(),
            [s2],
            "{n}"
        );
        assert!(
            store.voted_summaries(ada, 1).await.unwrap().is_empty(),
            "{n}"
        );
        assert!(store.voted_summaries(bob, 0).await.is_err(), "{n}");
        // A hidden summary leaves the voter's list.
        store.set_summary_hidden(mods, s1, true, "").await.unwrap();
        assert!(
            store.voted_summaries(bob, 1).await.unwrap().is_empty(),
            "{n}"
        );
    }
}
