//! `helpdesk serve`: migrate, make sure of an admin and a secret, then serve.

use std::time::Duration;

use anyhow::Context as _;
use helpdesk_api::{AdminBootstrap, App, AppConfig, MailConfig, WorkerSet};
use helpdesk_channels::clock::Clock;
use tokio::net::TcpListener;

use crate::cli::ServeArgs;

pub async fn run(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let email = args.mail.email_config()?;
    if args.public_url.is_none() {
        tracing::warn!(
            url = %args.public_url(),
            "HELPDESK_PUBLIC_URL is not set: survey links point at the listen address"
        );
    }
    let config = AppConfig {
        database_url: database_url.to_owned(),
        read_database_url: args.read_database_url.clone().filter(|u| !u.is_empty()),
        store: args.store_options(),
        admin_email: args.admin_email.clone(),
        admin_password: args.admin_password.clone(),
        jwt_secret: args.jwt_secret.clone(),
        previous_jwt_secrets: args.jwt_previous_secrets.clone(),
        token_ttl: Duration::from_secs(args.token_ttl_minutes.saturating_mul(60)),
        mail: MailConfig {
            email,
            inbound_token: args.inbound_token.clone().filter(|t| !t.is_empty()),
            webform_posts_per_minute: args.webform_rate_per_minute,
            attachments: args.attachment_limits(),
        },
        limits: args.abuse_limits(),
        http: args.http(),
        smtp_url: args.smtp_url.clone(),
        public_url: args.public_url(),
        clock: Clock::system(),
        workers: WorkerSet::All,
        webhook_allow: args.webhook_allow.clone(),
        search_language: args.search_language.clone(),
        mailbox: args.mailbox(),
    };
    let app = App::build(config).await?;
    match &app.admin {
        AdminBootstrap::Existing => {}
        AdminBootstrap::Created { email } => tracing::info!(%email, "created admin"),
        AdminBootstrap::Generated { email, password } => {
            eprintln!(
                "\n  No admin existed, so one was created. This password is shown only once:\n\n    \
                 email:    {email}\n    password: {password}\n"
            );
        }
    }

    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %listener.local_addr()?, "serving");
    let served = app.serve(listener, shutdown_signal());
    served.server.await.context("server task failed")?;
    // Each worker finishes the item in hand; what is left stays queued.
    served.workers.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM; in-flight requests then finish.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
