//! A Dovecot IMAP server of the test's own (Debian's `dovecot-imapd`): one
//! user `desk` with password `secret` and a Maildir, in a temporary
//! directory, listening on a free loopback port without TLS, stopped when
//! dropped. The test puts mail into the mailbox and reads its flags over
//! IMAP, as a mail server and a person would.

use std::io::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use tempfile::TempDir;

use super::smtp::free_port;

/// Set to `1` to run the tests that need Dovecot.
pub const GATE: &str = "HELPDESK_TEST_IMAP";
const DOVECOT: &str = "/usr/sbin/dovecot";
pub const USER: &str = "desk";
pub const PASSWORD: &str = "secret";
/// The account the mail belongs to: `nobody`, which exists everywhere.
const MAIL_UID: u32 = 65534;

/// Whether the gated tests run. Without the variable they are skipped, and
/// say so; with it they run, and fail (never skip) when Dovecot is missing.
pub fn enabled(test: &str) -> bool {
    let on = std::env::var(GATE).is_ok_and(|v| v == "1");
    if !on {
        let _ = writeln!(
            std::io::stderr(),
            "{test}: skipped; set {GATE}=1 to run it (it needs Debian's dovecot-imapd)"
        );
    }
    on
}

pub struct Dovecot {
    dir: TempDir,
    process: Child,
    pub port: u16,
}

/// One flag state of a mail in the mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flags {
    pub seen: bool,
    pub flagged: bool,
}

impl Dovecot {
    /// Starts a server; panics when Dovecot is not installed.
    pub fn start() -> Self {
        assert!(
            Path::new(DOVECOT).exists(),
            "{GATE}=1 but {DOVECOT} is missing: install Debian's dovecot-imapd"
        );
        let dir = tempfile::Builder::new().prefix("hd-dovecot").tempdir().unwrap();
        Self::start_in(dir, free_port())
    }

    fn start_in(dir: TempDir, port: u16) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let root = dir.path();
        // Dovecot's own processes, running as other users, walk into it.
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        let root_user = current_uid() == 0;
        if root_user {
            std::os::unix::fs::chown(root.join("mail"), Some(MAIL_UID), Some(MAIL_UID)).unwrap();
            std::fs::set_permissions(root.join("mail"), std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let uid = if root_user { MAIL_UID } else { current_uid() };
        let home = root.join("mail").join(USER);
        std::fs::write(
            root.join("passwd"),
            format!("{USER}:{{PLAIN}}{PASSWORD}:{uid}:{uid}::{}::\n", home.display()),
        )
        .unwrap();
        std::fs::set_permissions(root.join("passwd"), std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::write(root.join("dovecot.conf"), config(root, port, root_user)).unwrap();
        let process = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dovecot");
        let server = Self { dir, process, port };
        server.wait_for_greeting();
        server
    }

    /// `imap://desk:secret@127.0.0.1:PORT/INBOX`, for `HELPDESK_IMAP_URL`.
    pub fn url(&self) -> String {
        format!("imap://{USER}:{PASSWORD}@127.0.0.1:{}/INBOX", self.port)
    }

    fn wait_for_greeting(&self) {
        use std::io::Read as _;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut greeting = [0u8; 4];
                if stream.read_exact(&mut greeting).is_ok() && &greeting == b"* OK" {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "dovecot did not greet on port {}; its log:\n{}",
                self.port,
                std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    async fn session(&self) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap().unwrap();
        let mut session = client.login(USER, PASSWORD).await.map_err(|(e, _)| e).unwrap();
        session.select("INBOX").await.unwrap();
        session
    }

    /// Delivers `raw` into the mailbox, unseen, as a mail server would.
    pub async fn deliver(&self, raw: &[u8]) {
        let mut session = self.session().await;
        session.append("INBOX", None, None, raw).await.unwrap();
        session.logout().await.unwrap();
    }

    /// Each mail's flags, in the mailbox's order.
    pub async fn flags(&self) -> Vec<Flags> {
        let mut session = self.session().await;
        let fetched: Vec<_> = session
            .fetch("1:*", "FLAGS")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let flags = fetched
            .iter()
            .map(|f| {
                let flags: Vec<_> = f.flags().collect();
                Flags {
                    seen: flags.contains(&async_imap::types::Flag::Seen),
                    flagged: flags.contains(&async_imap::types::Flag::Flagged),
                }
            })
            .collect();
        session.logout().await.unwrap();
        flags
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM, so it stops its children; kill if it lingers.
        let _ = Command::new("kill").arg(self.process.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.process.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn current_uid() -> u32 {
    let out = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("a uid")
}

fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("run id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A configuration for one unprivileged mailbox on loopback, everything
/// under `root`.
fn config(root: &Path, port: u16, root_user: bool) -> String {
    let root = root.display();
    let mut config = format!(
        "base_dir = {root}/run
state_dir = {root}/state
instance_name = hd-dovecot-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  {login_chroot}
}}
",
        // Without root, every process runs as this user, and none chroots.
        login_chroot = if root_user { "" } else { "chroot =" }
    );
    if !root_user {
        let user = current_user();
        config.push_str(&format!(
            "default_login_user = {user}\ndefault_internal_user = {user}\ndefault_internal_group = {user}\n"
        ));
        for service in [
            "anvil",
            "imap-urlauth-login",
            "ipc",
            "old-stats",
            "aggregator",
            "director",
        ] {
            config.push_str(&format!("service {service} {{\n  chroot =\n}}\n"));
        }
    }
    config
}
