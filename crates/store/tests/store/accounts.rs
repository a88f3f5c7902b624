//! Accounts, sessions, single-use tokens and invitations, on every backend.

use shortscience_ids::UserId;
use shortscience_store::tokens::{TOKEN_LEN, token_hash};
use shortscience_store::{
    DeleteSummaries, NewAccount, Role, Store, StoreError, Taken, TokenPurpose,
};

use crate::{new_paper, stores, write};

fn account(name: &str) -> NewAccount {
    NewAccount {
        username: name.into(),
        email: format!("{name}@example.org"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        role: Role::User,
        email_confirmed: false,
        pending: false,
    }
}

async fn create(store: &Store, name: &str) -> UserId {
    store.create_account(&account(name)).await.unwrap().unwrap()
}

async fn expire_sessions(store: &Store, user: UserId) {
    sqlx::query("UPDATE sessions SET expires_at = 1 WHERE user_id = $1")
        .bind(user.0)
        .execute(store.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn accounts_are_created_once_per_name_and_email() {
    for (store, db) in stores().await {
        let ada = create(&store, "Ada").await;
        let got = store.account(ada).await.unwrap().unwrap();
        assert_eq!(got.username, "Ada", "{}", db.name);
        assert_eq!(got.email.as_deref(), Some("Ada@example.org"));
        assert_eq!(got.role, Role::User);
        assert!(got.has_password && got.can_log_in());
        assert_eq!(got.email_confirmed_at, None);

        let mut dup = account("ADA");
        dup.email = "other@example.org".into();
        assert_eq!(
            store.create_account(&dup).await.unwrap(),
            Err(Taken::Username)
        );
        let mut dup = account("bob");
        dup.email = "ada@EXAMPLE.org".into();
        assert_eq!(store.create_account(&dup).await.unwrap(), Err(Taken::Email));

        let bad = NewAccount {
            email: "not an address".into(),
            ..account("carol")
        };
        assert!(matches!(
            store.create_account(&bad).await,
            Err(StoreError::Invalid(_))
        ));

        let (found, hash) = store
            .login_lookup("ada@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, ada);
        assert!(hash.unwrap().starts_with("$argon2id$"));
        assert_eq!(store.login_lookup("ada").await.unwrap().unwrap().0.id, ada);
        assert!(store.login_lookup("nobody").await.unwrap().is_none());
        assert!(store.login_lookup("").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn sessions_open_close_and_expire() {
    for (store, db) in stores().await {
        let ada = create(&store, "ada").await;
        let token = store.create_session(ada).await.unwrap();
        assert_eq!(token.len(), TOKEN_LEN);
        let who = store.session_user(&token).await.unwrap().unwrap();
        assert_eq!(who.id, ada, "{}", db.name);

        // Only the hash is stored.
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(ids, [token_hash(&token)]);
        assert!(!ids.contains(&token));
        // Presenting the stored hash as a cookie opens nothing.
        assert!(store.session_user(&ids[0]).await.unwrap().is_none());

        for junk in ["", " ", "x", &token[1..], &format!("{token}x")] {
            assert!(
                store.session_user(junk).await.unwrap().is_none(),
                "{junk:?}"
            );
        }

        store.delete_session(&token).await.unwrap();
        assert!(store.session_user(&token).await.unwrap().is_none());

        let t1 = store.create_session(ada).await.unwrap();
        expire_sessions(&store, ada).await;
        assert!(store.session_user(&t1).await.unwrap().is_none(), "expired");

        let a = store.create_session(ada).await.unwrap();
        let b = store.create_session(ada).await.unwrap();
        assert_ne!(a, b);
        assert_eq!(store.delete_other_sessions(ada, &a).await.unwrap(), 1);
        assert!(store.session_user(&a).await.unwrap().is_some());
        assert!(store.session_user(&b).await.unwrap().is_none());
        store.create_session(ada).await.unwrap();
        assert_eq!(store.delete_user_sessions(ada).await.unwrap(), 2);
        assert!(store.session_user(&a).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn suspended_and_pending_accounts_have_no_session() {
    for (store, db) in stores().await {
        let ada = create(&store, "ada").await;
        let token = store.create_session(ada).await.unwrap();
        store.set_suspended(ada, true).await.unwrap();
        assert!(
            store.session_user(&token).await.unwrap().is_none(),
            "{}",
            db.name
        );
        let fresh = store.create_session(ada).await.unwrap();
        assert!(store.session_user(&fresh).await.unwrap().is_none());
        assert!(!store.account(ada).await.unwrap().unwrap().can_log_in());
        store.set_suspended(ada, false).await.unwrap();
        assert!(store.session_user(&fresh).await.unwrap().is_some());

        let pending = NewAccount {
            pending: true,
            ..account("bob")
        };
        let bob = store.create_account(&pending).await.unwrap().unwrap();
        let t = store.create_session(bob).await.unwrap();
        assert!(store.session_user(&t).await.unwrap().is_none());
        assert_eq!(store.pending_accounts().await.unwrap().len(), 1);
        store.approve_account(bob).await.unwrap();
        assert!(store.session_user(&t).await.unwrap().is_some());
        assert!(store.pending_accounts().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn tokens_work_once_for_their_purpose_until_they_expire() {
    for (store, db) in stores().await {
        let ada = create(&store, "ada").await;
        let t = store
            .create_token(ada, TokenPurpose::Reset, None)
            .await
            .unwrap();
        assert_eq!(
            store
                .peek_token(&t, TokenPurpose::Reset)
                .await
                .unwrap()
                .map(|a| a.id),
            Some(ada)
        );
        // Another purpose does not accept it.
        assert!(
            store
                .consume_token(&t, TokenPurpose::Confirm)
                .await
                .unwrap()
                .is_none()
        );
        let used = store
            .consume_token(&t, TokenPurpose::Reset)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(used.user, ada, "{}", db.name);
        assert_eq!(used.new_email, None);
        assert!(
            store
                .consume_token(&t, TokenPurpose::Reset)
                .await
                .unwrap()
                .is_none(),
            "reused"
        );
        assert!(
            store
                .peek_token(&t, TokenPurpose::Reset)
                .await
                .unwrap()
                .is_none()
        );

        let old = store
            .create_token_expiring(ada, TokenPurpose::Confirm, None, -1)
            .await
            .unwrap();
        assert!(
            store
                .consume_token(&old, TokenPurpose::Confirm)
                .await
                .unwrap()
                .is_none(),
            "expired"
        );

        // A newer link replaces an older one.
        let first = store
            .create_token(ada, TokenPurpose::Confirm, None)
            .await
            .unwrap();
        let second = store
            .create_token(ada, TokenPurpose::Confirm, None)
            .await
            .unwrap();
        assert!(
            store
                .consume_token(&first, TokenPurpose::Confirm)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .consume_token(&second, TokenPurpose::Confirm)
                .await
                .unwrap()
                .is_some()
        );

        let change = store
            .create_token(ada, TokenPurpose::ChangeEmail, Some("new@example.org"))
            .await
            .unwrap();
        let used = store
            .consume_token(&change, TokenPurpose::ChangeEmail)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(used.new_email.as_deref(), Some("new@example.org"));
    }
}

#[tokio::test]
async fn empty_or_forged_tokens_never_match() {
    for (store, db) in stores().await {
        let ada = create(&store, "ada").await;
        store
            .create_token(ada, TokenPurpose::Reset, None)
            .await
            .unwrap();
        // A row whose stored hash is the hash of the empty string must still not match "".
        sqlx::query(
            "INSERT INTO account_tokens (hash, user_id, purpose, created_at, expires_at)
             VALUES ($1, $2, 'reset', 0, 99999999999)",
        )
        .bind(token_hash(""))
        .bind(ada.0)
        .execute(store.pool())
        .await
        .unwrap();
        let stored: Vec<String> = sqlx::query_scalar("SELECT hash FROM account_tokens")
            .fetch_all(store.pool())
            .await
            .unwrap();
        for forged in ["", "   ", "null", "0", &token_hash(""), &stored[0]] {
            for purpose in [
                TokenPurpose::Reset,
                TokenPurpose::Confirm,
                TokenPurpose::ChangeEmail,
            ] {
                assert!(
                    store
                        .consume_token(forged, purpose)
                        .await
                        .unwrap()
                        .is_none(),
                    "{}: {forged:?} matched",
                    db.name
                );
                assert!(store.peek_token(forged, purpose).await.unwrap().is_none());
            }
            assert!(store.session_user(forged).await.unwrap().is_none());
            assert!(!store.invite_valid(forged).await.unwrap());
        }
    }
}

#[tokio::test]
async fn invitations_are_single_use() {
    for (store, db) in stores().await {
        let admin = create(&store, "admin").await;
        let code = store.create_invite(admin).await.unwrap();
        assert!(store.invite_valid(&code).await.unwrap());
        let bob = store
            .create_account_with_invite(&account("bob"), Some(&code))
            .await
            .unwrap()
            .unwrap();
        assert!(store.account(bob).await.unwrap().is_some(), "{}", db.name);
        assert!(!store.invite_valid(&code).await.unwrap());
        let again = store
            .create_account_with_invite(&account("carol"), Some(&code))
            .await;
        assert!(matches!(again, Err(StoreError::Invalid(_))), "{again:?}");
        // The failed sign-up left nothing behind.
        assert!(store.account_by_name("carol").await.unwrap().is_none());
        assert!(matches!(
            store
                .create_account_with_invite(&account("dan"), Some(""))
                .await,
            Err(StoreError::Invalid(_))
        ));
    }
}

#[tokio::test]
async fn roles_passwords_and_emails_change() {
    for (store, db) in stores().await {
        let ada = create(&store, "ada").await;
        create(&store, "bob").await;
        store.set_role(ada, Role::Moderator).await.unwrap();
        assert_eq!(
            store.account(ada).await.unwrap().unwrap().role,
            Role::Moderator
        );
        store.set_password_hash(ada, "$argon2id$new").await.unwrap();
        assert_eq!(
            store.password_hash(ada).await.unwrap().as_deref(),
            Some("$argon2id$new")
        );
        assert_eq!(
            store.set_email(ada, "BOB@example.org").await.unwrap(),
            Err(Taken::Email),
            "{}",
            db.name
        );
        store
            .set_email(ada, "ada@new.example")
            .await
            .unwrap()
            .unwrap();
        let got = store.account(ada).await.unwrap().unwrap();
        assert_eq!(got.email.as_deref(), Some("ada@new.example"));
        assert!(got.email_confirmed_at.is_some());
        assert!(matches!(
            store.set_role(UserId(999_999), Role::Admin).await,
            Err(StoreError::NotFound)
        ));
        let names: Vec<String> = store
            .list_accounts()
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.username)
            .collect();
        assert_eq!(names, ["ada", "bob"]);
    }
}

#[tokio::test]
async fn deleting_an_account_keeps_or_removes_summaries() {
    for (store, db) in stores().await {
        let paper = new_paper(&store, "1706.03762").await;
        let other = new_paper(&store, "1512.03385").await;
        let ada = create(&store, "ada").await;
        let bob = create(&store, "bob").await;
        let (kept, _) = store
            .save_summary(&write(paper, ada, "Ada's"))
            .await
            .unwrap();
        let (bobs, _) = store
            .save_summary(&write(other, bob, "Bob's"))
            .await
            .unwrap();
        store.set_vote(ada, bobs, 1).await.unwrap();
        store.create_session(ada).await.unwrap();
        let (_, api_secret) = store
            .create_api_token(ada, "laptop", shortscience_store::TokenScope::Read)
            .await
            .unwrap();

        store
            .delete_account(ada, DeleteSummaries::KeepAnonymous)
            .await
            .unwrap();
        assert!(store.account(ada).await.unwrap().is_none(), "{}", db.name);
        assert!(store.user_by_name("ada").await.unwrap().is_none());
        assert!(
            store
                .account_by_email("ada@example.org")
                .await
                .unwrap()
                .is_none()
        );
        let view = store.summary(kept, None).await.unwrap().unwrap();
        assert!(view.anonymous && view.author.is_none());
        let bob_view = store.summary(bobs, None).await.unwrap().unwrap();
        assert_eq!((bob_view.up, bob_view.down), (0, 0), "ada's vote is gone");
        let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(sessions, 0);
        assert!(store.api_token_user(&api_secret).await.unwrap().is_none());
        assert!(store.api_tokens(ada).await.unwrap().is_empty());
        // The name is free again.
        create(&store, "ada").await;

        store
            .delete_account(bob, DeleteSummaries::Delete)
            .await
            .unwrap();
        assert!(store.summary(bobs, None).await.unwrap().is_none());
        assert!(matches!(
            store.delete_account(bob, DeleteSummaries::Delete).await,
            Err(StoreError::NotFound)
        ));
    }
}
