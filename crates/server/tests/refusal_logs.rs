//! Refusals of a client's request are not faults of the server (issue 14): a running instance
//! answers them with their 4xx or 501 and logs nothing at ERROR, so the error log shows real
//! faults only. On SQLite and PostgreSQL.

use crate::common;

use common::inbox_site::{DATABASES, Site};
use common::videos::insert_video;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsupported_oembed_format_is_refused_without_an_error_logged() {
    for database in DATABASES {
        let site = Site::start(database, "").await;
        let video = insert_video(&site.db, site.instance.channel, "Embedded", 1, 1, 0).await;
        let watch = site.url(&format!("/w/{}", video.short_uuid));
        let http = reqwest::Client::new();
        for format in ["xml", "yaml"] {
            let response = http
                .get(site.url("/services/oembed"))
                .query(&[("url", watch.as_str()), ("format", format)])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 501, "{database:?} {format}");
            let body = response.text().await.unwrap();
            assert!(body.contains("format_not_supported"), "{body}");
        }
        // The same page in JSON is served.
        let response = http
            .get(site.url("/services/oembed"))
            .query(&[("url", watch.as_str()), ("format", "json")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{database:?}");
        site.assert_no_faults().await;
        site.finish().await;
    }
}
