//! The run-time instance settings row on SQLite and PostgreSQL: absent at first, written,
//! replaced, deleted (twice is fine).

use kinora_db::backend_tests;
use kinora_db::custom_config::{delete, read, write};

backend_tests! {
    async fn settings_are_written_replaced_and_deleted(db: Db) {
        let pool = db.pool();
        assert_eq!(read(pool).await.unwrap(), None);
        write(pool, r#"{"name":"A"}"#).await.unwrap();
        write(pool, r#"{"name":"B"}"#).await.unwrap();
        assert_eq!(read(pool).await.unwrap().as_deref(), Some(r#"{"name":"B"}"#));
        delete(pool).await.unwrap();
        assert_eq!(read(pool).await.unwrap(), None);
        delete(pool).await.unwrap();
    }
}
