//! Several `kinora serve` processes of one instance (issue 21): a second process started from
//! the first's config file with only its listening port (and its seeder's state directory)
//! changed, so it shares the database, the storage root and the public URL, as processes
//! behind one proxy do.

use std::path::{Path, PathBuf};

use kinora_db::testing::TestDb;

use super::instance::{Instance, start};
use super::process::{Server, free_port};

/// Another process of the instance whose config file is `dir/kinora.toml`.
pub struct Sibling {
    pub server: Server,
    pub port: u16,
    /// `http://localhost:<port>`: this process directly (the public URL stays the first's).
    pub base: String,
    config: PathBuf,
}

impl Sibling {
    /// Starts process number `n` (2, 3, …) of the instance in `dir`.
    pub fn start(dir: &Path, n: u32) -> Sibling {
        let first = std::fs::read_to_string(dir.join("kinora.toml")).unwrap();
        let port = free_port();
        let listen = first
            .lines()
            .find(|line| line.starts_with("listen = \"127.0.0.1:"))
            .expect("the [server] listen line")
            .to_owned();
        let mut text = first.replacen(&listen, &format!("listen = \"127.0.0.1:{port}\""), 1);
        let seeder = dir.join("seeder").display().to_string();
        text = text.replace(&seeder, &format!("{seeder}-{n}"));
        let config = dir.join(format!("kinora-{n}.toml"));
        std::fs::write(&config, text).unwrap();
        Sibling {
            server: Server::start(&config),
            port,
            base: format!("http://localhost:{port}"),
            config,
        }
    }

    /// Stops it with SIGTERM and starts it again on the same port.
    pub fn restart(self) -> Sibling {
        let Sibling {
            server,
            port,
            base,
            config,
        } = self;
        server.terminate();
        Sibling {
            server: Server::start(&config),
            port,
            base,
            config,
        }
    }
}

/// Two processes of one instance on a fresh PostgreSQL database (no transcoders), with
/// `extra` in the config file.
pub struct Pair {
    pub first: Instance,
    pub second: Sibling,
    pub db: TestDb,
    pub dir: tempfile::TempDir,
}

impl Pair {
    /// Starts both.
    pub async fn start(workers: u32, extra: &str) -> Pair {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::postgres_unmigrated().await;
        let first = start(dir.path(), &db.config.url, workers, extra).await;
        let second = Sibling::start(dir.path(), 2);
        Pair {
            first,
            second,
            db,
            dir,
        }
    }

    /// Both bases: the first process's, then the second's.
    pub fn bases(&self) -> [String; 2] {
        [self.first.base.clone(), self.second.base.clone()]
    }

    /// Stops both processes and drops the database.
    pub async fn finish(self) {
        self.second.server.terminate();
        self.first.server.terminate();
        self.db.finish().await;
    }
}
