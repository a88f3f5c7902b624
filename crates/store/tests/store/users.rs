use shortscience_store::StoreError;

use crate::stores;

#[tokio::test]
async fn usernames_are_unique_regardless_of_case() {
    for (store, db) in stores().await {
        let id = store.ensure_user("Alice").await.unwrap();
        assert_eq!(store.ensure_user("alice").await.unwrap(), id, "{}", db.name);
        assert_eq!(
            store.ensure_user(" ALICE ").await.unwrap(),
            id,
            "{}",
            db.name
        );
        assert_eq!(store.counts().await.unwrap().users, 1);

        let user = store.user_by_name("aLiCe").await.unwrap().unwrap();
        assert_eq!(user.id, id);
        assert_eq!(user.username, "Alice", "the first spelling is kept");
        assert_eq!(user.display_name, "Alice");
        assert!(user.created_at > 0);

        let bob = store.ensure_user("bob").await.unwrap();
        assert_ne!(bob, id);
    }
}

#[tokio::test]
async fn the_database_refuses_a_second_spelling() {
    for (store, db) in stores().await {
        store.ensure_user("Carol").await.unwrap();
        let dup = sqlx::query(
            "INSERT INTO users (username, username_key, display_name, created_at) VALUES ($1, $2, $1, 0)",
        )
        .bind("CAROL")
        .bind("carol")
        .execute(store.pool())
        .await;
        assert!(dup.is_err(), "{}: username_key must be UNIQUE", db.name);
    }
}

#[tokio::test]
async fn imported_users_have_no_password() {
    for (store, db) in stores().await {
        let id = store.ensure_user("ghost").await.unwrap();
        let hash: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(id.0)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(hash, None, "{}", db.name);
    }
}

#[tokio::test]
async fn bad_names_are_refused_and_unknown_names_are_none() {
    for (store, db) in stores().await {
        for bad in ["", "two words", "<b>x</b>", "-x"] {
            let err = store.ensure_user(bad).await.unwrap_err();
            assert!(
                matches!(err, StoreError::Invalid(_)),
                "{}: {bad:?} gave {err}",
                db.name
            );
            assert_eq!(store.user_by_name(bad).await.unwrap(), None);
        }
        assert_eq!(store.user_by_name("nobody").await.unwrap(), None);
        assert!(store.is_empty().await.unwrap(), "{}", db.name);
    }
}
