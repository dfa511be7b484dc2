//! Shared helpers for the end-to-end tests: a real server on a real store,
//! spoken to over HTTP the way a frontend would.
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use helpdesk_api::{AbuseLimits, App, AppConfig, HttpConfig, MailConfig, WorkerSet, Workers};
use helpdesk_channels::clock::Clock;
use helpdesk_channels::email::EmailConfig;
use helpdesk_domain::attachment::AttachmentLimits;
use helpdesk_domain::email::EmailAddress;
pub use helpdesk_persistence::each_store;
pub use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::{Store, StoreOptions};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

pub mod browser;
pub mod census;
pub mod chat;
pub mod dovecot;
pub mod multipart;
pub mod private_postgres;
pub mod process;
pub mod smtp;
pub mod survey;
pub mod webhook;
pub mod ws;

pub const ADMIN_EMAIL: &str = "admin@desk.example";
/// The desk's own address in tests.
pub const DESK_ADDRESS: &str = "support@desk.example";
pub const INBOUND_TOKEN: &str = "inbound-secret";
/// Small, so the size limit is cheap to test.
pub const MAX_EMAIL_BYTES: usize = 512 * 1024;
/// Per client address; the web form tests post from 127.0.0.1.
pub const WEBFORM_POSTS_PER_MINUTE: u32 = 5;
pub const ADMIN_PASSWORD: &str = "correct horse battery";

/// The helpdesk, built as `helpdesk serve` builds it, serving on a random
/// loopback port, on a clock the test can move forward.
pub struct TestApp {
    pub base_url: String,
    /// Where it listens, for tests speaking raw TCP.
    pub addr: SocketAddr,
    pub store: Store,
    /// Where it reads `kpis`, the CSV export and ticket lists: `store`
    /// itself unless `read_database_url` was configured.
    pub read_store: Store,
    /// The server's clock: `app.clock.advance(..)` instead of waiting.
    pub clock: Clock,
    client: reqwest::Client,
    server: JoinHandle<()>,
    workers: Workers,
}

impl TestApp {
    /// Starts a server on `db` as `helpdesk serve` would: migrated store, the
    /// admin bootstrapped, the JWT secret generated or read from the store,
    /// every worker running. Outgoing mail is queued but not sent.
    pub async fn spawn(db: &TestDb) -> Self {
        Self::spawn_with_smtp(db, None).await
    }

    /// Like `spawn`, with the mail sender delivering to `smtp_url`.
    pub async fn spawn_with_smtp(db: &TestDb, smtp_url: Option<&str>) -> Self {
        Self::start(db, smtp_url, WorkerSet::All).await
    }

    /// Like `spawn_with_smtp`, with SLA webhooks allowed to reach what
    /// `webhook_allow` names (`HELPDESK_WEBHOOK_ALLOW`): tests' receivers
    /// listen on loopback, which the desk otherwise refuses.
    pub async fn spawn_allowing_webhooks(db: &TestDb, smtp_url: Option<&str>, webhook_allow: &str) -> Self {
        let mut config = Self::config(db, smtp_url, WorkerSet::All);
        config.webhook_allow = webhook_allow.parse().unwrap();
        Self::serve(config).await
    }

    /// Like `spawn`, without background workers, whose polling would show in
    /// `Store::statements_run`.
    pub async fn spawn_without_jobs(db: &TestDb) -> Self {
        Self::start(db, None, WorkerSet::None).await
    }

    /// Like `spawn`, after `configure` changed the configuration (tighter
    /// limits, trusted proxies, ...).
    pub async fn spawn_configured(db: &TestDb, configure: impl FnOnce(&mut AppConfig)) -> Self {
        let mut config = Self::config(db, None, WorkerSet::All);
        configure(&mut config);
        Self::serve(config).await
    }

    async fn start(db: &TestDb, smtp_url: Option<&str>, workers: WorkerSet) -> Self {
        Self::serve(Self::config(db, smtp_url, workers)).await
    }

    /// What the tests run with: limits generous enough that a story's many
    /// logins from 127.0.0.1 never meet them; tests of the limits tighten them.
    pub fn config(db: &TestDb, smtp_url: Option<&str>, workers: WorkerSet) -> AppConfig {
        AppConfig {
            database_url: db.url.clone(),
            read_database_url: None,
            store: StoreOptions::default(),
            admin_email: Some(ADMIN_EMAIL.to_owned()),
            admin_password: Some(ADMIN_PASSWORD.to_owned()),
            jwt_secret: None,
            previous_jwt_secrets: Vec::new(),
            token_ttl: Duration::from_secs(3600),
            mail: MailConfig {
                email: EmailConfig::new(EmailAddress::parse(DESK_ADDRESS).unwrap(), MAX_EMAIL_BYTES),
                inbound_token: Some(INBOUND_TOKEN.to_owned()),
                webform_posts_per_minute: WEBFORM_POSTS_PER_MINUTE,
                attachments: AttachmentLimits::default(),
            },
            limits: AbuseLimits {
                chat_requests_per_minute: 10_000,
                survey_requests_per_minute: 10_000,
                login_requests_per_minute: 10_000,
                login_failures_per_client: 10_000,
                ..AbuseLimits::default()
            },
            http: HttpConfig::default(),
            smtp_url: smtp_url.map(str::to_owned),
            // Set to the server's own address once it listens (see `serve`).
            public_url: String::new(),
            clock: Clock::movable(),
            workers,
            webhook_allow: Default::default(),
            search_language: "english".to_owned(),
            mailbox: None,
        }
    }

    async fn serve(mut config: AppConfig) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        if config.public_url.is_empty() {
            config.public_url = format!("http://{addr}");
        }
        let app = App::build(config).await.expect("build the app");
        // Served as `helpdesk serve` serves, timeouts included.
        let served = app.serve(listener, std::future::pending());
        Self {
            base_url: format!("http://{addr}"),
            addr,
            store: served.store,
            read_store: served.read_store,
            clock: served.clock,
            client: reqwest::Client::new(),
            server: served.server,
            workers: served.workers,
        }
    }

    /// Stops the server and its workers where they are, as a process exit would.
    pub async fn stop(self) {
        self.server.abort();
        let _ = self.server.await;
        self.workers.abort().await;
    }

    /// Posts a raw message to `/inbound/email` with the inbound token.
    pub async fn post_email(&self, raw: &[u8]) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/inbound/email", self.base_url))
            .bearer_auth(INBOUND_TOKEN)
            .body(raw.to_vec())
            .send()
            .await
            .expect("POST /inbound/email");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.client
    }

    /// Posts one GraphQL operation and returns the whole response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self.client.post(format!("{}/graphql", self.base_url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        assert!(response.status().is_success(), "HTTP {}", response.status());
        response.json().await.expect("JSON body")
    }

    /// Runs an operation that must succeed and returns its `data`.
    pub async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.gql(Some(token), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let data = self
            .gql(None, LOGIN, json!({ "email": email, "password": password }))
            .await;
        data["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {data:#}"))
            .to_owned()
    }

    pub async fn login_admin(&self) -> String {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Creates an agent who works the whole desk (scope ALL), as the admin,
    /// and returns (id, token).
    pub async fn agent(&self, admin: &str, email: &str, role: &str) -> (String, String) {
        self.agent_with_scope(admin, email, role, "ALL").await
    }

    /// Creates an agent (as the admin) with `scope` (ALL or TEAMS) and
    /// returns (id, token).
    pub async fn agent_with_scope(&self, admin: &str, email: &str, role: &str, scope: &str) -> (String, String) {
        let input =
            json!({ "email": email, "name": email, "password": "agent-password", "role": role, "scope": scope });
        let data = self
            .ok(
                admin,
                "mutation($i: CreateAgentInput!) { createAgent(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await;
        let id = data["createAgent"]["id"].as_str().expect("agent id").to_owned();
        (id, self.login(email, "agent-password").await)
    }

    /// Creates a team (as the admin) and returns its id.
    pub async fn team(&self, admin: &str, name: &str) -> String {
        let data = self
            .ok(
                admin,
                "mutation($n: String!) { createTeam(input: {name: $n}) { id } }",
                json!({ "n": name }),
            )
            .await;
        data["createTeam"]["id"].as_str().expect("team id").to_owned()
    }

    /// Puts an agent into a team (as the admin).
    pub async fn add_team_member(&self, admin: &str, team: &str, agent: &str) {
        self.ok(
            admin,
            "mutation($t: ID!, $a: ID!) { addTeamMember(teamId: $t, agentId: $a) { id } }",
            json!({ "t": team, "a": agent }),
        )
        .await;
    }

    /// Opens a ticket on a customer's behalf and returns it as `TICKET_FIELDS` selects.
    pub async fn create_ticket(&self, token: &str, input: Value) -> Value {
        let data = self
            .ok(
                token,
                &format!("mutation($i: CreateTicketInput!) {{ createTicket(input: $i) {{ {TICKET_FIELDS} }} }}"),
                json!({ "i": input }),
            )
            .await;
        data["createTicket"].clone()
    }
}

pub const LOGIN: &str = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token expiresAt agent { id email role } } }";

pub const TICKET_FIELDS: &str = "id number subject status priority channel tags fcrEligible createdAt updatedAt \
    customer { email name } assignee { id email } team { id name } \
    messages { body internal channel author { kind agent { email } customer { email } } } \
    events { kind actorKind details }";

/// The `extensions.code` of the first error of a response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {body:#}"))
}

pub fn error_message(body: &Value) -> &str {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {body:#}"))
}

/// The kinds of a ticket's events, in order.
/// A fixture from `tests/fixtures/email/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/email")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn event_kinds(ticket: &Value) -> Vec<String> {
    ticket["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect()
}

/// Runs `helpdesk ingest-email` (the MTA pipe) against `db_url` with `raw`
/// on stdin; returns (exit code, stdout).
pub fn ingest_pipe(db_url: &str, raw: &[u8]) -> (i32, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .arg("ingest-email")
        .env("HELPDESK_DATABASE_URL", db_url)
        .env("HELPDESK_MAIL_FROM", DESK_ADDRESS)
        .env("HELPDESK_MAX_EMAIL_BYTES", MAX_EMAIL_BYTES.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn helpdesk ingest-email");
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}
