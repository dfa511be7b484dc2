//! The server under load: the release `helpdesk serve`, a child process on
//! a free loopback port, and its memory sampled from `/proc`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Error;
use crate::process_memory::ProcessMemory;

pub const ADMIN_EMAIL: &str = "load@desk.example";
pub const ADMIN_PASSWORD: &str = "load-driver-password";
pub const INBOUND_TOKEN: &str = "load-driver-inbound-token";

pub struct Server {
    child: Child,
    pub base_url: String,
}

impl Server {
    pub async fn start(database_url: &str, extra_env: &[(String, String)]) -> Result<Self, Error> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = std::env::temp_dir().join(format!("helpdesk-load-{port}.log"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_helpdesk"));
        command
            .arg("serve")
            .env("HELPDESK_DATABASE_URL", database_url)
            .env("HELPDESK_LISTEN", format!("127.0.0.1:{port}"))
            .env("HELPDESK_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("HELPDESK_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("HELPDESK_INBOUND_TOKEN", INBOUND_TOKEN)
            .env("HELPDESK_MAIL_FROM", "support@desk.example")
            // The load is one client address; its limits are not what is measured.
            .env("HELPDESK_LOGIN_RATE_PER_MINUTE", "1000")
            .env("RUST_LOG", "warn")
            .env_remove("HELPDESK_SMTP_URL")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?);
        for (name, value) in extra_env {
            command.env(name, value);
        }
        println!("server log: {}", log.display());
        let server = Self {
            child: command.spawn()?,
            base_url: format!("http://127.0.0.1:{port}"),
        };
        server.wait_healthy(Duration::from_secs(300)).await?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_healthy(&self, within: Duration) -> Result<(), Error> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + within;
        loop {
            let answer = client.get(format!("{}/healthz", self.base_url)).send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("the server did not answer /healthz within {within:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Logs the driver's admin in (created at the server's start when the
    /// store has no admin; otherwise set `HELPDESK_LOAD_ADMIN_*`).
    pub async fn login_admin(&self) -> Result<String, Error> {
        let email = std::env::var("HELPDESK_LOAD_ADMIN_EMAIL").unwrap_or_else(|_| ADMIN_EMAIL.to_owned());
        let password = std::env::var("HELPDESK_LOAD_ADMIN_PASSWORD").unwrap_or_else(|_| ADMIN_PASSWORD.to_owned());
        let body: Value = reqwest::Client::new()
            .post(format!("{}/graphql", self.base_url))
            .json(&json!({
                "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                "variables": { "e": email, "p": password },
            }))
            .send()
            .await?
            .json()
            .await?;
        body["data"]["login"]["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("login failed: {body}").into())
    }

    /// Samples the server's memory every `every` until the server stops.
    pub fn sample_memory(&self, every: Duration) -> MemorySampler {
        let peak = Arc::new(Mutex::new(ProcessMemory::default()));
        let pid = self.pid();
        let shared = Arc::clone(&peak);
        tokio::spawn(async move {
            while let Some(now) = ProcessMemory::read(pid) {
                if let Ok(mut peak) = shared.lock() {
                    *peak = peak.max(now);
                }
                tokio::time::sleep(every).await;
            }
        });
        MemorySampler { peak }
    }

    /// SIGTERM, then waits: the server finishes in-flight requests and exits.
    pub fn stop(mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A driver that fails half-way leaves no server behind.
        let _ = self.child.kill();
    }
}

pub struct MemorySampler {
    peak: Arc<Mutex<ProcessMemory>>,
}

impl MemorySampler {
    pub fn peak(&self) -> String {
        let peak = self.peak.lock().map(|p| *p).unwrap_or_default();
        format!(
            "peak RSS {} MiB, peak anonymous {} MiB",
            peak.rss_kib / 1024,
            peak.anon_kib / 1024
        )
    }
}

/// The store named without its password.
pub fn describe_store(url: &str) -> String {
    match url.split_once('@') {
        Some((scheme_user, rest)) if url.starts_with("postgres") => {
            let scheme = scheme_user.split("://").next().unwrap_or("postgres");
            format!("{scheme}://…@{rest}")
        }
        _ => url.to_owned(),
    }
}
