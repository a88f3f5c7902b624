//! API tokens and licences, on every backend.

use shortscience_ids::UserId;
use shortscience_store::{Licence, NewAccount, Role, Store, TokenScope};

use crate::{new_paper, stores, write};

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
async fn tokens_authenticate_until_revoked() {
    for (store, db) in stores().await {
        let ada = account(&store, "ada").await;
        let (token, secret) = store
            .create_api_token(ada, "  laptop ", TokenScope::Write)
            .await
            .unwrap();
        assert!(secret.starts_with("ss_"), "{}", db.name);
        assert_eq!(token.name, "laptop");
        assert_eq!(token.last_used_at, None);

        let (who, scope) = store.api_token_user(&secret).await.unwrap().unwrap();
        assert_eq!((who.id, scope), (ada, TokenScope::Write));
        let listed = store.api_tokens(ada).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].last_used_at.is_some(), "{}: use noted", db.name);

        // The database keeps no secret.
        let stored: String = sqlx::query_scalar("SELECT hash FROM api_tokens")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(!stored.contains(&secret[3..]));

        for bad in ["", "ss_", "Bearer x", &secret[3..], &format!("{secret}x")] {
            assert!(
                store.api_token_user(bad).await.unwrap().is_none(),
                "{bad:?}"
            );
        }

        let bob = account(&store, "bob").await;
        assert!(!store.revoke_api_token(bob, token.id).await.unwrap());
        assert!(store.revoke_api_token(ada, token.id).await.unwrap());
        assert!(!store.revoke_api_token(ada, token.id).await.unwrap());
        assert!(store.api_token_user(&secret).await.unwrap().is_none());
        assert!(store.api_tokens(ada).await.unwrap()[0].revoked_at.is_some());

        // Suspended accounts' tokens stop working.
        let (_, other) = store
            .create_api_token(bob, "ci", TokenScope::Read)
            .await
            .unwrap();
        store.set_suspended(bob, true).await.unwrap();
        assert!(store.api_token_user(&other).await.unwrap().is_none());

        assert!(
            store
                .create_api_token(ada, " ", TokenScope::Read)
                .await
                .is_err()
        );
        assert!(
            store
                .create_api_token(ada, &"x".repeat(81), TokenScope::Read)
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn a_summary_keeps_the_licence_it_was_published_under() {
    for (store, db) in stores().await {
        let ada = account(&store, "ada").await;
        assert_eq!(store.licence_of(ada).await.unwrap(), Licence::CcBy4);
        let p1 = new_paper(&store, "1706.03762").await;
        let (first, _) = store.save_summary(&write(p1, ada, "first")).await.unwrap();

        store.set_licence(ada, Licence::CcBySa4).await.unwrap();
        let p2 = new_paper(&store, "1512.03385").await;
        let (second, _) = store.save_summary(&write(p2, ada, "second")).await.unwrap();

        let licence = |id| {
            let store = store.clone();
            async move { store.summary(id, None).await.unwrap().unwrap().licence }
        };
        assert_eq!(licence(first).await, Licence::CcBy4, "{}", db.name);
        assert_eq!(licence(second).await, Licence::CcBySa4, "{}", db.name);
        // Editing does not relicense.
        store
            .save_summary(&write(p1, ada, "first, edited"))
            .await
            .unwrap();
        assert_eq!(licence(first).await, Licence::CcBy4);
    }
}
