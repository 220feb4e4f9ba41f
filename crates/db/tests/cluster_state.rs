//! The shared state of several server processes on SQLite and PostgreSQL: cluster leases (one
//! holder, renewed, taken over once expired, given back), the WebSocket tracker's peers and
//! relays per process (dead processes ignored and forgotten), and the HTTP tracker's peers.

use kinora_db::backend_tests;
use kinora_db::tracker_http_peers::{self, HttpPeer};
use kinora_db::{leases, tracker_peers};

backend_tests! {
    async fn a_lease_has_one_holder_until_it_expires_or_is_given_back(db: Db) {
        let pool = db.pool();
        assert!(leases::acquire(pool, "seeder", "a", 1_000, 31_000).await.unwrap());
        assert!(!leases::acquire(pool, "seeder", "b", 2_000, 32_000).await.unwrap());
        // The holder renews; the other still waits.
        assert!(leases::acquire(pool, "seeder", "a", 20_000, 50_000).await.unwrap());
        assert!(!leases::acquire(pool, "seeder", "b", 40_000, 70_000).await.unwrap());
        assert_eq!(leases::holder(pool, "seeder").await.unwrap(), Some(("a".into(), 50_000)));
        // Other names are independent.
        assert!(leases::acquire(pool, "housekeeping", "b", 40_000, 70_000).await.unwrap());
        // Expired: taken over, and the old holder cannot renew.
        assert!(leases::acquire(pool, "seeder", "b", 50_001, 80_000).await.unwrap());
        assert!(!leases::acquire(pool, "seeder", "a", 50_002, 80_000).await.unwrap());
        // Given back (only by its holder): free at once.
        leases::release(pool, "seeder", "a").await.unwrap();
        assert_eq!(leases::holder(pool, "seeder").await.unwrap().unwrap().0, "b");
        leases::release(pool, "seeder", "b").await.unwrap();
        assert!(leases::acquire(pool, "seeder", "a", 50_003, 80_000).await.unwrap());
    }

    async fn tracker_peers_are_seen_by_other_live_processes_only(db: Db) {
        let pool = db.pool();
        let now = kinora_db::now_millis();
        tracker_peers::heartbeat(pool, "p1", now).await.unwrap();
        tracker_peers::heartbeat(pool, "p2", now).await.unwrap();
        tracker_peers::join(pool, "aa", "01", "p1", false).await.unwrap();
        tracker_peers::join(pool, "aa", "02", "p2", true).await.unwrap();
        tracker_peers::join(pool, "aa", "03", "p2", false).await.unwrap();
        let cutoff = now - 20_000;
        assert_eq!(tracker_peers::remote_counts(pool, "aa", "p1", cutoff).await.unwrap(), (1, 1));
        assert_eq!(tracker_peers::remote_counts(pool, "aa", "p2", cutoff).await.unwrap(), (0, 1));
        let seen = tracker_peers::remote_peers(pool, "aa", "p1", cutoff, 10).await.unwrap();
        let mut ids: Vec<_> = seen.iter().map(|p| (p.peer_id.as_str(), p.process_id.as_str())).collect();
        ids.sort_unstable();
        assert_eq!(ids, [("02", "p2"), ("03", "p2")]);
        assert_eq!(
            tracker_peers::process_of(pool, "aa", "01", "p2", cutoff).await.unwrap().as_deref(),
            Some("p1")
        );
        // Leaving is by the holding process only.
        tracker_peers::leave(pool, "aa", "03", "p1").await.unwrap();
        assert_eq!(tracker_peers::remote_counts(pool, "aa", "p1", cutoff).await.unwrap(), (1, 1));
        tracker_peers::leave(pool, "aa", "03", "p2").await.unwrap();
        assert_eq!(tracker_peers::remote_counts(pool, "aa", "p1", cutoff).await.unwrap(), (1, 0));
        // Relays wait for their process, oldest first, and are taken once.
        tracker_peers::relay(pool, "p1", "aa", "01", "first", now).await.unwrap();
        tracker_peers::relay(pool, "p1", "aa", "01", "second", now).await.unwrap();
        tracker_peers::relay(pool, "p2", "aa", "02", "other", now).await.unwrap();
        let taken = tracker_peers::take_relays(pool, "p1").await.unwrap();
        assert_eq!(taken.iter().map(|r| r.message.as_str()).collect::<Vec<_>>(), ["first", "second"]);
        assert!(tracker_peers::take_relays(pool, "p1").await.unwrap().is_empty());
        // A process that stops beating is ignored, then forgotten with its peers and relays.
        tracker_peers::heartbeat(pool, "p2", now - 60_000).await.unwrap();
        assert_eq!(tracker_peers::remote_counts(pool, "aa", "p1", cutoff).await.unwrap(), (0, 0));
        assert_eq!(tracker_peers::forget_dead(pool, cutoff).await.unwrap(), 1);
        // Its recent relays wait until they are older than the cutoff.
        let waiting = tracker_peers::take_relays(pool, "p2").await.unwrap();
        assert_eq!(waiting.iter().map(|r| r.message.as_str()).collect::<Vec<_>>(), ["other"]);
        tracker_peers::heartbeat(pool, "p2", now).await.unwrap();
        assert_eq!(tracker_peers::remote_counts(pool, "aa", "p1", cutoff).await.unwrap(), (0, 0));
        tracker_peers::forget_process(pool, "p1").await.unwrap();
        assert_eq!(tracker_peers::remote_counts(pool, "aa", "p2", cutoff).await.unwrap(), (0, 0));
        if db.backend() == kinora_db::Backend::Postgres {
            tracker_peers::notify(pool, "p2").await.unwrap();
        }
    }

    async fn http_tracker_peers_are_bounded_and_expire(db: Db) {
        let pool = db.pool();
        let peer = |port: u16, seeder: bool| HttpPeer { address: "127.0.0.1".into(), port, seeder };
        let limits = (2, 1);
        tracker_http_peers::upsert(pool, "aa", "01", &peer(1, false), 1_000, limits).await.unwrap();
        tracker_http_peers::upsert(pool, "aa", "02", &peer(2, true), 1_000, limits).await.unwrap();
        // A third peer does not fit the swarm, a second swarm not the tracker; a known peer
        // is refreshed.
        tracker_http_peers::upsert(pool, "aa", "03", &peer(3, false), 1_000, limits).await.unwrap();
        tracker_http_peers::upsert(pool, "bb", "01", &peer(4, false), 1_000, limits).await.unwrap();
        tracker_http_peers::upsert(pool, "aa", "01", &peer(5, false), 2_000, limits).await.unwrap();
        assert_eq!(tracker_http_peers::counts(pool, "aa", 0).await.unwrap(), (1, 1));
        assert_eq!(tracker_http_peers::counts(pool, "bb", 0).await.unwrap(), (0, 0));
        let others = tracker_http_peers::others(pool, "aa", "02", true, 0, 10).await.unwrap();
        assert_eq!(others, vec![peer(5, false)], "a seeder gets leechers only");
        let others = tracker_http_peers::others(pool, "aa", "01", false, 0, 10).await.unwrap();
        assert_eq!(others, vec![peer(2, true)]);
        // Peers not seen since the cutoff are not listed, then deleted.
        assert_eq!(tracker_http_peers::counts(pool, "aa", 1_500).await.unwrap(), (0, 1));
        assert_eq!(tracker_http_peers::expire(pool, 1_500).await.unwrap(), 1);
        tracker_http_peers::remove(pool, "aa", "01").await.unwrap();
        assert_eq!(tracker_http_peers::counts(pool, "aa", 0).await.unwrap(), (0, 0));
    }
}
