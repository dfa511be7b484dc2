//! The operator's view: `helpdesk serve` as a process, stopped with SIGTERM
//! and started again on the same store.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestDb, each_store};
use serde_json::{Value, json};

struct Server {
    child: Child,
    base_url: String,
}

impl Server {
    async fn start(db: &TestDb) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
            .arg("serve")
            .env("HELPDESK_DATABASE_URL", &db.url)
            .env("HELPDESK_LISTEN", format!("127.0.0.1:{port}"))
            .env("HELPDESK_ADMIN_EMAIL", "root@desk.example")
            .env("HELPDESK_ADMIN_PASSWORD", "root-password")
            .env_remove("HELPDESK_JWT_SECRET")
            // The IDE is on by default only for SQLite; this story opens it on both.
            .env("HELPDESK_GRAPHIQL", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn helpdesk serve");
        let server = Self {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = reqwest::get(format!("{}/healthz", server.base_url)).await
                && r.status().is_success()
            {
                return server;
            }
            assert!(Instant::now() < deadline, "server did not become healthy");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = reqwest::Client::new().post(format!("{}/graphql", self.base_url));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        request
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// SIGTERM, then wait for a clean exit.
    fn stop(mut self) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                assert!(exit.success(), "serve exited with {exit}");
                return;
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

async fn serve_stops_gracefully_and_keeps_everything(db: TestDb) {
    let server = Server::start(&db).await;
    let page = reqwest::get(format!("{}/graphql", server.base_url)).await.unwrap();
    assert!(page.status().is_success());
    assert!(
        page.text().await.unwrap().contains("graphiql"),
        "GET /graphql serves the IDE"
    );

    let login = "mutation { login(email: \"root@desk.example\", password: \"root-password\") { token } }";
    let token = server.gql(None, login, json!({})).await["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let create = "mutation { createTicket(input: {subject: \"Printer on fire\", body: \"Help\", customerEmail: \"ana@example.com\"}) { id number } }";
    let created = server.gql(Some(&token), create, json!({})).await;
    assert_eq!(created["data"]["createTicket"]["number"], 1);
    server.stop();

    let server = Server::start(&db).await;
    // The generated JWT secret was kept, so the token from before still works.
    let list = server
        .gql(
            Some(&token),
            "{ tickets { totalCount nodes { number subject } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        list["data"]["tickets"],
        json!({ "totalCount": 1, "nodes": [{ "number": 1, "subject": "Printer on fire" }] })
    );
    server.stop();
}

each_store!(serve_stops_gracefully_and_keeps_everything);
