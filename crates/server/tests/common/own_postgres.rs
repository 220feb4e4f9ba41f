//! A PostgreSQL server of the test's own (never the machine's on 5432), so that the test may
//! stop and start it: `initdb` into a temporary directory, `pg_ctl` on a free 127.0.0.1 port
//! with trust authentication. PostgreSQL refuses to run as root: when the tests run as root,
//! the server runs as the `postgres` user (through `runuser`), which owns the directory.
//!
//! The binaries are found in `$KINORA_PG_BIN`, else on `PATH`, else in
//! `/usr/lib/postgresql/*/bin`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::process::free_port;

/// A running (or stopped) PostgreSQL cluster in a temporary directory.
pub struct OwnPostgres {
    pub port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
    running: bool,
}

/// The directory of `initdb` and `pg_ctl`.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KINORA_PG_BIN") {
        return PathBuf::from(dir);
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file());
    if let Some(dir) = on_path {
        return dir;
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|dir| dir.join("initdb").is_file())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("initdb and pg_ctl not found (set KINORA_PG_BIN)")
}

fn is_root() -> bool {
    let output = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&output.stdout).trim() == "0"
}

impl OwnPostgres {
    /// Creates the cluster and starts it.
    pub fn start() -> OwnPostgres {
        let dir = tempfile::tempdir().unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(
                status.success(),
                "chown the cluster's directory to postgres"
            );
        }
        let mut server = OwnPostgres {
            port: free_port(),
            dir,
            bin: bin_dir(),
            running: false,
        };
        let data = server.data();
        server.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        server.start_again();
        server
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs one of the binaries (as `postgres` when root) and asserts it succeeded.
    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        let output = command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{} {args:?}: {}{}\n{}",
            program.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
        );
    }

    /// Starts the stopped server on the same port and data; returns once it accepts
    /// connections.
    pub fn start_again(&mut self) {
        let data = self.data();
        let socket_dir = self.dir.path().display().to_string();
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {socket_dir} -c fsync=off",
            self.port
        );
        let log = self.dir.path().join("log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        self.running = true;
    }

    /// Stops the server in `mode` (`fast`: clients are disconnected and the server shuts down
    /// cleanly; `immediate`: like a crash, recovered from the WAL at the next start).
    pub fn stop(&mut self, mode: &str) {
        let data = self.data();
        self.run(
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-m", mode, "-w", "stop"],
        );
        self.running = false;
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// The cluster's directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        if self.running {
            let data = self.data();
            let program = self.bin.join("pg_ctl");
            let mut command = if is_root() {
                let mut command = Command::new("runuser");
                command.args(["-u", "postgres", "--"]).arg(&program);
                command
            } else {
                Command::new(&program)
            };
            let _ = command
                .args([
                    "-D",
                    data.to_str().unwrap(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ])
                .output();
        }
    }
}
