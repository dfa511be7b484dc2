//! The one way to build the desk: open and migrate the store, make sure of
//! an admin and a signing secret, build the router, and start the background
//! workers. `helpdesk serve` and the end-to-end tests both call
//! [`App::build`], so what the tests run is what production runs.

use std::time::Duration;

use axum::Router;
use helpdesk_channels::chat::PresenceHeartbeat;
use helpdesk_channels::clock::Clock;
use helpdesk_channels::email::{SenderError, SmtpSender};
use helpdesk_channels::facts_refresher::FactsRefresher;
use helpdesk_channels::imap::{ImapMailbox, MailboxFetcher};
use helpdesk_channels::rule_timers::RuleTimers;
use helpdesk_channels::sla_alerts::SlaAlerts;
use helpdesk_channels::survey::SurveySender;
use helpdesk_channels::ticket_count_folder::TicketCountFolder;
use helpdesk_channels::ticket_router::TicketRouter;
use helpdesk_channels::webhook::{WebhookAllowList, WebhookClientError, WebhookSender};
use helpdesk_channels::worker::{self, DeliveryJob, Job};
use helpdesk_persistence::{SearchLanguageError, Store, StoreError, StoreOptions};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::bootstrap::{AdminBootstrap, BootstrapError, check_jwt_secret, ensure_admin, jwt_secret};
use crate::{AbuseLimits, ApiError, AppState, AuthConfig, HttpConfig, MailConfig};

/// Everything the desk is configured with, parsed once by the caller.
#[derive(Clone)]
pub struct AppConfig {
    pub database_url: String,
    /// A replica for the heavy reads (`kpis`, the CSV export, ticket
    /// lists), `HELPDESK_READ_DATABASE_URL`; `None`: they read the primary.
    pub read_database_url: Option<String>,
    /// Pool size and the bounds on waiting, statements and reports.
    pub store: StoreOptions,
    /// The first admin, created when the store has none (a password is
    /// generated when unset, see [`AdminBootstrap::Generated`]).
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// HMAC secret for access tokens; generated once and kept in the store when unset.
    pub jwt_secret: Option<String>,
    /// Earlier secrets whose unexpired tokens are still accepted.
    pub previous_jwt_secrets: Vec<String>,
    pub token_ttl: Duration,
    pub mail: MailConfig,
    /// Rate limits of the public endpoints, chat token lifetime, trusted proxies.
    pub limits: AbuseLimits,
    /// Read timeouts, GraphiQL, HSTS.
    pub http: HttpConfig,
    /// Where outgoing mail is sent; without it, mail is queued, not sent.
    pub smtp_url: Option<String>,
    /// Base of the links in survey invitations (`HELPDESK_PUBLIC_URL`).
    pub public_url: String,
    pub clock: Clock,
    pub workers: WorkerSet,
    /// Hosts and address blocks SLA webhooks may reach although they are
    /// not public (`HELPDESK_WEBHOOK_ALLOW`); empty: public addresses only.
    pub webhook_allow: WebhookAllowList,
    /// PostgreSQL's text search configuration for `search`
    /// (`HELPDESK_SEARCH_LANGUAGE`, e.g. `english`, `german`, `simple`).
    pub search_language: String,
    /// A mailbox to fetch mail from by IMAP (`HELPDESK_IMAP_URL`), and how
    /// often to look again when the server offers no IDLE.
    pub mailbox: Option<MailboxPolling>,
}

/// Fetching mail from a mailbox: see `helpdesk_channels::imap`.
#[derive(Debug, Clone)]
pub struct MailboxPolling {
    pub mailbox: ImapMailbox,
    pub poll: Duration,
}

/// Which background workers run beside the router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerSet {
    /// The mail sender (when an SMTP URL is set), the webhook sender, the SLA
    /// alerts, the facts refresher, the ticket count folder, the survey
    /// sender and the chat presence heartbeat: what a server runs (every server, when several share a
    /// PostgreSQL database: each item is still handled once).
    All,
    /// None: for a test that counts the statements a request costs, which
    /// polling workers would disturb.
    None,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("cannot open the store: {0}")]
    Connect(#[source] StoreError),
    #[error("cannot open the read store (HELPDESK_READ_DATABASE_URL): {0}")]
    ConnectRead(#[source] StoreError),
    #[error("migrations failed: {0}")]
    Migrate(#[source] StoreError),
    #[error(transparent)]
    Bootstrap(#[from] BootstrapError),
    #[error("cannot read or keep the token secret: {0}")]
    Secret(#[source] StoreError),
    #[error("{}", .0.message())]
    Auth(ApiError),
    #[error(transparent)]
    Smtp(#[from] SenderError),
    #[error(transparent)]
    Webhook(#[from] WebhookClientError),
    #[error(transparent)]
    SearchLanguage(#[from] SearchLanguageError),
}

/// A built desk: its routes, its running workers and its store.
pub struct App {
    pub router: Router,
    pub workers: Workers,
    pub store: Store,
    /// Where the heavy reads go: the replica, or `store` itself.
    pub read_store: Store,
    pub clock: Clock,
    /// What making sure of an admin did (a generated password is shown once).
    pub admin: AdminBootstrap,
    /// For [`App::serve`].
    header_read_timeout: Duration,
}

impl App {
    pub async fn build(config: AppConfig) -> Result<Self, AppError> {
        // Before touching the store: a bad secret is a configuration error.
        check_jwt_secret(config.jwt_secret.as_deref())?;
        let store = Store::connect_with(&config.database_url, config.store)
            .await
            .map_err(AppError::Connect)?;
        store.migrate().await.map_err(AppError::Migrate)?;
        store.use_search_language(&config.search_language).await?;
        // Mail the store composes itself (a rule's reply) needs the domain.
        store
            .record_message_id_domain(&config.mail.email.message_id_domain)
            .await
            .map_err(AppError::Migrate)?;
        // Subscriptions and chat presence see what other servers on the
        // database do (PostgreSQL; one SQLite file has one server).
        store.follow_other_servers();
        let read_store = match config.read_database_url.as_deref() {
            // Its own pool of the same size; it is never migrated or written.
            Some(url) => Store::connect_with(url, config.store)
                .await
                .map_err(AppError::ConnectRead)?,
            None => store.clone(),
        };
        let admin = ensure_admin(
            &store,
            config.admin_email.as_deref(),
            config.admin_password.as_deref(),
            &config.clock,
        )
        .await?;
        let auth = AuthConfig {
            jwt_secret: jwt_secret(&store, config.jwt_secret.as_deref())
                .await
                .map_err(AppError::Secret)?,
            previous_jwt_secrets: config
                .previous_jwt_secrets
                .iter()
                .map(|s| s.as_bytes().to_vec())
                .collect(),
            token_ttl: config.token_ttl,
        };
        let email = config.mail.email.clone();
        let survey_email = email.clone();
        let mailbox_email = email.clone();
        let header_read_timeout = config.http.header_read_timeout;
        let state = AppState::new(
            store.clone(),
            &auth,
            config.mail,
            config.limits,
            config.http,
            config.clock.clone(),
        )
        .map_err(AppError::Auth)?
        .with_read_store(read_store.clone())
        .with_webhook_allow(config.webhook_allow.clone())
        .with_public_url(&config.public_url);

        let mut workers = Workers::new(config.clock.clone());
        if config.workers == WorkerSet::All {
            match config.smtp_url.as_deref().filter(|u| !u.is_empty()) {
                Some(url) => workers.start(DeliveryJob::new(
                    SmtpSender::new(url, &email, store.clone())?,
                    store.clone(),
                    config.clock.clone(),
                )),
                None => tracing::warn!("no SMTP URL: outgoing mail is queued, not sent"),
            }
            workers.start(DeliveryJob::new(
                WebhookSender::new(config.webhook_allow)?,
                store.clone(),
                config.clock.clone(),
            ));
            workers.start(SlaAlerts::new(store.clone(), email));
            workers.start(FactsRefresher::new(store.clone()));
            workers.start(TicketCountFolder::new(store.clone()));
            workers.start(RuleTimers::new(store.clone()));
            workers.start(TicketRouter::new(store.clone()));
            workers.start(SurveySender::new(
                store.clone(),
                survey_email,
                config.public_url.clone(),
                state.chat_presence.clone(),
            ));
            workers.start(PresenceHeartbeat::new(state.chat_presence.clone()));
            if let Some(polling) = config.mailbox {
                workers.start(MailboxFetcher::new(
                    polling.mailbox,
                    store.clone(),
                    mailbox_email,
                    polling.poll,
                ));
            }
        }
        Ok(Self {
            router: crate::http::router(state),
            workers,
            store,
            read_store,
            clock: config.clock,
            admin,
            header_read_timeout,
        })
    }

    /// Serves the router on `listener` until `shutdown` resolves, with the
    /// configured header read timeout; the workers keep running (stop them
    /// with [`Workers::shutdown`]). Hands back what outlives serving.
    pub fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Served {
        let server = crate::http::server::serve(listener, self.router, self.header_read_timeout, shutdown);
        Served {
            server: tokio::spawn(server),
            workers: self.workers,
            store: self.store,
            read_store: self.read_store,
            clock: self.clock,
        }
    }
}

/// A desk being served: the serving task, its workers, store and clock.
pub struct Served {
    /// Ends when serving has stopped and open requests have finished.
    pub server: JoinHandle<()>,
    pub workers: Workers,
    pub store: Store,
    pub read_store: Store,
    pub clock: Clock,
}

/// The running background workers, each a [`Job`] in the one worker loop.
pub struct Workers {
    clock: Clock,
    stop: watch::Sender<bool>,
    running: Vec<JoinHandle<()>>,
}

impl Workers {
    fn new(clock: Clock) -> Self {
        Self {
            clock,
            stop: watch::channel(false).0,
            running: Vec::new(),
        }
    }

    fn start<J: Job>(&mut self, job: J) {
        let stopped = self.stop.subscribe();
        self.running
            .push(tokio::spawn(worker::run(job, self.clock.clone(), stopped)));
    }

    /// Asks every worker to stop and waits until each has finished the
    /// round in hand; what is left stays queued in the store.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for job in self.running {
            let _ = job.await;
        }
    }

    /// Stops every worker where it is, as a crash or `kill -9` would.
    pub async fn abort(self) {
        for job in self.running {
            job.abort();
            let _ = job.await;
        }
    }
}
