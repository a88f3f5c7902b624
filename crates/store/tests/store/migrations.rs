use shortscience_store::{Backend, Store, StoreError};
use sqlx::Row;

use crate::stores;

#[tokio::test]
async fn migrations_apply_once_and_reconnecting_keeps_data() {
    for (store, db) in stores().await {
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(applied >= 1, "{}", db.name);
        store.ensure_user("alice").await.unwrap();
        store.close().await;

        let again = Store::connect(&db.url).await.unwrap();
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations")
            .fetch_one(again.pool())
            .await
            .unwrap();
        assert_eq!(
            after, applied,
            "{}: reconnecting must not re-apply migrations",
            db.name
        );
        assert!(
            again.user_by_name("alice").await.unwrap().is_some(),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn refuses_a_database_from_a_newer_binary() {
    for (store, db) in stores().await {
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(9_999_i64)
        .bind("from_the_future")
        .bind(0_i64)
        .execute(store.pool())
        .await
        .unwrap();
        store.close().await;
        match Store::connect(&db.url).await {
            Err(StoreError::Invalid(msg)) => {
                assert!(msg.contains("newer than this binary"), "{}: {msg}", db.name)
            }
            other => panic!("{}: expected a refusal, got {other:?}", db.name),
        }
    }
}

#[tokio::test]
async fn backend_matches_url() {
    for (store, db) in stores().await {
        let expected = if db.name == "sqlite" {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        assert_eq!(store.backend(), expected);
    }
}

/// The one SQL set uses `$n` placeholders: out of order and repeated must work everywhere.
#[tokio::test]
async fn numbered_placeholders_work_out_of_order_and_repeated() {
    for (store, db) in stores().await {
        let row = sqlx::query("SELECT $2 || '-' || $1 || '-' || $1 AS joined, $3 + $3 AS doubled")
            .bind("a")
            .bind("b")
            .bind(21_i64)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(
            row.try_get::<String, _>("joined").unwrap(),
            "b-a-a",
            "{}",
            db.name
        );
        assert_eq!(row.try_get::<i64, _>("doubled").unwrap(), 42, "{}", db.name);
    }
}

#[tokio::test]
async fn sqlite_connections_use_wal_and_enforce_foreign_keys() {
    for (store, db) in stores().await {
        if store.backend() != Backend::Sqlite {
            continue;
        }
        let mut conn = store.pool().acquire().await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(mode, "wal", "{}", db.name);
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(fk, 1);
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(
            sync, 2,
            "synchronous should be FULL (2): acknowledged writes survive power loss"
        );
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(busy, 5000);
    }
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    for (store, db) in stores().await {
        let orphan =
            sqlx::query("INSERT INTO paper_aliases (kind, value, paper_id) VALUES ($1, $2, $3)")
                .bind("arxiv")
                .bind("1234.56789")
                .bind(424_242_i64)
                .execute(store.pool())
                .await;
        assert!(
            orphan.is_err(),
            "{}: an alias of a missing paper was accepted",
            db.name
        );
    }
}

#[tokio::test]
async fn sqlite_creates_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    assert!(!path.exists());
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(path.exists());
    assert!(store.is_empty().await.unwrap());
}

#[tokio::test]
async fn unsupported_urls_are_refused() {
    let err = Store::connect("mysql://root@localhost/db")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("unsupported")),
        "{err}"
    );
}
