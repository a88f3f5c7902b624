use super::stores;

#[tokio::test]
async fn generation_starts_at_zero_and_changes_on_every_bump() {
    for (store, db) in stores().await {
        assert_eq!(store.content_generation().await.unwrap(), 0, "{}", db.name);
        let a = store.bump_content_generation().await.unwrap().token;
        assert_ne!(a, 0, "{}", db.name);
        assert_eq!(store.content_generation().await.unwrap(), a, "{}", db.name);
        let b = store.bump_content_generation().await.unwrap().token;
        assert_ne!(a, b, "{}", db.name);
        assert_eq!(store.content_generation().await.unwrap(), b, "{}", db.name);
    }
}

#[tokio::test]
async fn a_second_connection_sees_the_bump() {
    // Two stores on one database stand for two app instances.
    for (store, db) in stores().await {
        let other = shortscience_store::Store::connect(&db.url).await.unwrap();
        let n = store.bump_content_generation().await.unwrap().token;
        assert_eq!(other.content_generation().await.unwrap(), n, "{}", db.name);
        other.close().await;
    }
}
