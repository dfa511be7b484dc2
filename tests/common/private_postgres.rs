//! A PostgreSQL server of the test's own: initialised in a temporary
//! directory, listening on a free loopback port, stopped and started at the
//! test's will. The machine's shared server cannot be restarted under a
//! test without breaking every other test running against it.
//!
//! The binaries come from `/usr/lib/postgresql/<version>/bin` (the newest).
//! PostgreSQL refuses to run as root, so when the tests run as root (as CI
//! does) every PostgreSQL command runs as the `postgres` user via `runuser`,
//! which then owns the directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

use super::smtp::free_port;

/// Where Debian and Ubuntu install PostgreSQL, one directory per version.
const INSTALLED: &str = "/usr/lib/postgresql";

/// Set to `1` to run the tests that need a private PostgreSQL.
pub const GATE: &str = "HELPDESK_TEST_PG_FAULTS";

/// Whether the gated tests run. Without the variable they are skipped, and
/// say so; with it they run, and fail (never skip) when PostgreSQL's
/// binaries are missing.
pub fn enabled(test: &str) -> bool {
    let on = std::env::var(GATE).is_ok_and(|v| v == "1");
    if !on {
        // Straight to stderr: the test harness captures `eprintln!` of a
        // passing test, and a skip must be seen.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "{test}: skipped; set {GATE}=1 to run it (it needs PostgreSQL's initdb and pg_ctl)"
        );
    }
    on
}

pub struct PrivatePostgres {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
    run_as_postgres: bool,
}

impl PrivatePostgres {
    /// Initialises a cluster (trust authentication, user `postgres`) and
    /// starts it. Panics when PostgreSQL's binaries cannot be found.
    pub fn start() -> Self {
        Self::start_from(Path::new(INSTALLED))
    }

    /// [`PrivatePostgres::start`] with the binaries of the newest version
    /// under `root` (laid out as `/usr/lib/postgresql`).
    pub fn start_from(root: &Path) -> Self {
        let bin = binaries(root).unwrap_or_else(|| {
            panic!(
                "{GATE}=1 but no initdb under {}/*/bin: install PostgreSQL's server package",
                root.display()
            )
        });
        let run_as_postgres = running_as_root();
        let dir = tempfile::Builder::new().prefix("hd-pg-fault-").tempdir().unwrap();
        if run_as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown the cluster directory to postgres");
        }
        let server = Self {
            dir,
            bin,
            port: free_port(),
            run_as_postgres,
        };
        let data = server.data();
        server.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        server.start_again();
        server
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the (stopped) server again, on the same port and data, and
    /// waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
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
    }

    /// Stops the server at once (`immediate`: connections are cut, as when
    /// the machine's PostgreSQL is restarted or crashes).
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &["-D", self.data().to_str().unwrap(), "-m", "immediate", "-w", "stop"],
        );
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.run_as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self
            .command(program)
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}\n{}\nlog: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args([
                "-D",
                self.data().to_str().unwrap_or_default(),
                "-m",
                "immediate",
                "stop",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The newest PostgreSQL's `bin` directory under `root` holding `initdb`.
fn binaries(root: &Path) -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    // The owner of a file this process just made is the effective user.
    let probe = tempfile::NamedTempFile::new().unwrap();
    std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(probe.path()).unwrap()) == 0
}
