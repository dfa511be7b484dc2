//! `helpdesk serve` as a separate process, the way an operator runs it:
//! started on a store, asked over loopback, killed the way a crash kills.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{DESK_ADDRESS, INBOUND_TOKEN};

pub const ADMIN_EMAIL: &str = "root@desk.example";
pub const ADMIN_PASSWORD: &str = "root-password";

pub struct ServeProcess {
    child: Child,
    pub base_url: String,
}

impl ServeProcess {
    /// Starts `helpdesk serve` on `database_url` with `env` on top of the
    /// defaults, on a free loopback port, and waits until `/healthz` is 200.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_helpdesk"));
        command
            .arg("serve")
            .env("HELPDESK_DATABASE_URL", database_url)
            .env("HELPDESK_LISTEN", format!("127.0.0.1:{port}"))
            .env("HELPDESK_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("HELPDESK_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("HELPDESK_INBOUND_TOKEN", INBOUND_TOKEN)
            .env("HELPDESK_MAIL_FROM", DESK_ADDRESS)
            .env_remove("HELPDESK_JWT_SECRET")
            .env_remove("HELPDESK_SMTP_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("spawn helpdesk serve");
        let server = Self {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
        };
        server.wait_healthy(Duration::from_secs(60)).await;
        server
    }

    /// Waits until `/healthz` answers 200.
    pub async fn wait_healthy(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if self.healthz().await == Some(200) {
                return;
            }
            assert!(Instant::now() < deadline, "serve did not become healthy in {within:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `/healthz`'s status, or `None` when nothing answered within 5 s.
    pub async fn healthz(&self) -> Option<u16> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let response = client.get(format!("{}/healthz", self.base_url)).send().await.ok()?;
        Some(response.status().as_u16())
    }

    /// SIGKILL: no shutdown, no flush, as a crash or the OOM killer ends it.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL serve");
        self.child.wait().expect("reap serve");
    }

    /// Logs the bootstrapped admin in; returns the access token.
    pub async fn login_admin(&self) -> String {
        let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
        let body = self
            .gql(None, login, json!({ "e": ADMIN_EMAIL, "p": ADMIN_PASSWORD }))
            .await;
        body["data"]["login"]["token"].as_str().expect("a token").to_owned()
    }

    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = reqwest::Client::new().post(format!("{}/graphql", self.base_url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        response.json().await.expect("JSON body")
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
