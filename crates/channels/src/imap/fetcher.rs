//! The mailbox fetcher: a [`Job`] that files every unseen mail of the
//! mailbox through the one ingestion path (`email::ingest`) and marks it
//! seen only once it is committed. A crash in between fetches the mail
//! again, and ingestion recognises it by its Message-ID.
//!
//! Between rounds it waits in IMAP IDLE when the server offers it (a new
//! mail wakes it at once) and polls otherwise; either way it looks again
//! every `poll`. Several servers may fetch the same mailbox: the
//! Message-ID makes a mail that two of them file at once one message.
//!
//! A mail ingestion refuses for good (unparseable, or larger than
//! `HELPDESK_MAX_EMAIL_BYTES`) is marked seen and flagged (`\Flagged`) for
//! a person to look at, so it is not fetched again; it stays in the
//! mailbox, nothing is lost.

use std::sync::Arc;
use std::time::Duration;

use async_imap::Session;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use helpdesk_persistence::{Store, StoreError};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_util::either::Either;

use super::mailbox::{ImapMailbox, Security};
use crate::email::{EmailConfig, IngestError, ingest};
use crate::worker::Job;

type Stream = Either<TcpStream, TlsStream<TcpStream>>;

/// Mails filed per round; the next round follows at once while there are
/// more.
const BATCH: usize = 50;

/// How long connecting, and each command, may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
enum FetchError {
    #[error("IMAP: {0}")]
    Imap(#[from] async_imap::error::Error),
    #[error("connecting: {0}")]
    Io(#[from] std::io::Error),
    #[error("the IMAP server took longer than {0:?}")]
    Timeout(Duration),
    #[error("invalid server name for TLS: {0}")]
    ServerName(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("the server closed the connection before its greeting")]
    NoGreeting,
    #[error(transparent)]
    Store(StoreError),
}

/// Fetches new mail from one mailbox; see the module's doc.
pub struct MailboxFetcher {
    mailbox: ImapMailbox,
    store: Store,
    config: EmailConfig,
    poll: Duration,
    /// The open, selected session between rounds.
    session: Option<Session<Stream>>,
    /// Whether the server offers IDLE (learnt at login).
    idle: bool,
}

impl MailboxFetcher {
    pub fn new(mailbox: ImapMailbox, store: Store, config: EmailConfig, poll: Duration) -> Self {
        Self {
            mailbox,
            store,
            config,
            poll,
            session: None,
            idle: false,
        }
    }

    async fn connect(&mut self) -> Result<Session<Stream>, FetchError> {
        let mailbox = &self.mailbox;
        let tcp = timed(TcpStream::connect((mailbox.host.as_str(), mailbox.port))).await??;
        let stream = match mailbox.security {
            Security::Plain => Either::Left(tcp),
            Security::Tls => {
                let name = ServerName::try_from(mailbox.host.clone())
                    .map_err(|_| FetchError::ServerName(mailbox.host.clone()))?;
                Either::Right(timed(tls_connector()?.connect(name, tcp)).await??)
            }
        };
        let mut client = async_imap::Client::new(stream);
        timed(client.read_response()).await??.ok_or(FetchError::NoGreeting)?;
        let mut session = timed(client.login(&mailbox.user, &mailbox.password))
            .await?
            .map_err(|(err, _)| err)?;
        self.idle = timed(session.capabilities()).await??.has_str("IDLE");
        timed(session.select(&mailbox.folder)).await??;
        tracing::info!(host = %mailbox.host, folder = %mailbox.folder, idle = self.idle, "mailbox opened");
        Ok(session)
    }

    /// Files up to [`BATCH`] unseen mails; returns how many it handled.
    async fn fetch_new(&mut self, now: DateTime<Utc>) -> Result<usize, FetchError> {
        let mut session = match self.session.take() {
            Some(session) => session,
            None => self.connect().await?,
        };
        let handled = self.file_unseen(&mut session, now).await?;
        self.session = Some(session);
        Ok(handled)
    }

    async fn file_unseen(&self, session: &mut Session<Stream>, now: DateTime<Utc>) -> Result<usize, FetchError> {
        let mut uids: Vec<u32> = timed(session.uid_search("UNSEEN")).await??.into_iter().collect();
        uids.sort_unstable();
        uids.truncate(BATCH);
        for &uid in &uids {
            let size = {
                let fetches: Vec<_> = timed(async {
                    session
                        .uid_fetch(uid.to_string(), "RFC822.SIZE")
                        .await?
                        .try_collect::<Vec<_>>()
                        .await
                })
                .await??;
                fetches.iter().find_map(|f| f.size).unwrap_or(0)
            };
            let limit = self.config.max_message_bytes;
            if usize::try_from(size).unwrap_or(usize::MAX) > limit {
                tracing::warn!(uid, size, limit, "mail too large to file; flagged in the mailbox");
                mark(session, uid, "(\\Seen \\Flagged)").await?;
                continue;
            }
            // PEEK: reading does not set \Seen; only filing does.
            let raw: Option<Vec<u8>> = {
                let fetches: Vec<_> = timed(async {
                    session
                        .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                        .await?
                        .try_collect::<Vec<_>>()
                        .await
                })
                .await??;
                fetches.iter().find_map(|f| f.body().map(<[u8]>::to_vec))
            };
            // Expunged meanwhile (another reader moved it): nothing to do.
            let Some(raw) = raw else { continue };
            match ingest(&self.store, &self.config, &raw, now).await {
                Ok(outcome) => {
                    tracing::debug!(uid, ?outcome, "filed from the mailbox");
                    mark(session, uid, "(\\Seen)").await?;
                }
                Err(err @ (IngestError::TooLarge { .. } | IngestError::Unparseable(_))) => {
                    tracing::warn!(uid, %err, "mail refused; flagged in the mailbox");
                    mark(session, uid, "(\\Seen \\Flagged)").await?;
                }
                // Left unseen: the next round tries again.
                Err(IngestError::Refused(reason)) => tracing::warn!(uid, %reason, "mail not filed; will retry"),
                Err(IngestError::Unavailable(err) | IngestError::Store(err)) => return Err(FetchError::Store(err)),
            }
        }
        Ok(uids.len())
    }

    /// Waits in IDLE until the server announces a change or `poll` passes.
    /// A failure closes the session; the next round opens a new one.
    async fn wait_in_idle(&mut self) {
        if !self.idle {
            return std::future::pending().await;
        }
        let Some(session) = self.session.take() else {
            return std::future::pending().await;
        };
        let mut idle = session.idle();
        if let Err(err) = idle.init().await {
            tracing::warn!(%err, "IMAP IDLE refused; polling");
            self.idle = false;
            return;
        }
        let (wait, _interrupt) = idle.wait_with_timeout(self.poll);
        let waited = wait.await;
        let left = match waited {
            Ok(_) => timed(idle.done()).await,
            Err(err) => Ok(Err(err)),
        };
        match left {
            Ok(Ok(session)) => self.session = Some(session),
            // Poll until the next connection learns the server's IDLE
            // again, so a server whose IDLE keeps failing is not hammered.
            Ok(Err(err)) => {
                tracing::warn!(%err, "IMAP IDLE failed; reconnecting");
                self.idle = false;
            }
            Err(err) => {
                tracing::warn!(%err, "leaving IMAP IDLE timed out; reconnecting");
                self.idle = false;
            }
        }
    }
}

async fn mark(session: &mut Session<Stream>, uid: u32, flags: &str) -> Result<(), FetchError> {
    timed(async {
        session
            .uid_store(uid.to_string(), format!("+FLAGS.SILENT {flags}"))
            .await?
            .try_collect::<Vec<_>>()
            .await
    })
    .await??;
    Ok(())
}

async fn timed<F: std::future::Future>(future: F) -> Result<F::Output, FetchError> {
    tokio::time::timeout(COMMAND_TIMEOUT, future)
        .await
        .map_err(|_| FetchError::Timeout(COMMAND_TIMEOUT))
}

/// TLS with the web PKI's roots (the Mozilla set), as for SMTP.
fn tls_connector() -> Result<TlsConnector, FetchError> {
    let roots = tokio_rustls::rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|err| FetchError::Tls(err.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

impl Job for MailboxFetcher {
    const NAME: &'static str = "mailbox fetcher";

    fn idle_pause(&self) -> Duration {
        if self.idle && self.session.is_some() {
            // IDLE wakes the loop, after `poll` at the latest; the pause
            // must not end first, or it would cut the session mid-IDLE.
            self.poll + COMMAND_TIMEOUT
        } else {
            self.poll
        }
    }

    async fn run_due(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        match self.fetch_new(now).await {
            Ok(handled) => Ok(handled),
            Err(FetchError::Store(err)) => Err(err),
            Err(err) => {
                // The server is down or refuses us: say so, and try again
                // after the pause with a new connection.
                tracing::warn!(host = %self.mailbox.host, %err, "cannot fetch mail");
                self.session = None;
                Ok(0)
            }
        }
    }

    async fn wake(&mut self) {
        self.wait_in_idle().await;
    }
}
