//! `helpdesk serve`: migrate, make sure of an admin and a secret, then serve.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use helpdesk_api::{AdminBootstrap, AppState, AuthConfig, MailConfig};
use helpdesk_channels::email::SmtpSender;
use helpdesk_persistence::Store;
use tokio::net::TcpListener;

use crate::cli::ServeArgs;

pub async fn run(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let store = Store::connect(database_url).await.context("cannot open the store")?;
    store.migrate().await.context("migrations failed")?;

    match helpdesk_api::ensure_admin(&store, args.admin_email.as_deref(), args.admin_password.as_deref()).await? {
        AdminBootstrap::Existing => {}
        AdminBootstrap::Created { email } => tracing::info!(%email, "created admin"),
        AdminBootstrap::Generated { email, password } => {
            eprintln!(
                "\n  No admin existed, so one was created. This password is shown only once:\n\n    \
                 email:    {email}\n    password: {password}\n"
            );
        }
    }
    let jwt_secret = helpdesk_api::jwt_secret(&store, args.jwt_secret.as_deref()).await?;
    let auth = AuthConfig {
        jwt_secret,
        token_ttl: Duration::from_secs(args.token_ttl_minutes.saturating_mul(60)),
    };
    let email = args.mail.email_config()?;
    let mail = MailConfig {
        email: email.clone(),
        inbound_token: args.inbound_token.clone().filter(|t| !t.is_empty()),
        webform_posts_per_minute: args.webform_rate_per_minute,
    };
    let state = AppState::new(store.clone(), &auth, mail).map_err(|e| anyhow::anyhow!(e.message()))?;

    let (stop_sender, stopped) = tokio::sync::watch::channel(false);
    let webhooks = tokio::spawn(helpdesk_channels::webhook::WebhookSender::new().run(store.clone(), stopped.clone()));
    let scheduler = tokio::spawn(helpdesk_api::run_sla_scheduler(
        store.clone(),
        email.clone(),
        stopped.clone(),
    ));
    let facts = tokio::spawn(helpdesk_api::run_facts_refresher(store.clone(), stopped.clone()));
    let sender = match args.smtp_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) => Some(tokio::spawn(SmtpSender::new(url, &email)?.run(store.clone(), stopped))),
        None => {
            tracing::warn!("HELPDESK_SMTP_URL is unset: outgoing mail is queued, not sent");
            None
        }
    };

    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %listener.local_addr()?, "serving");
    axum::serve(
        listener,
        helpdesk_api::router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("server error")?;
    // The sender finishes the mail in hand; what is left stays queued.
    let _ = stop_sender.send(true);
    let _ = scheduler.await;
    let _ = facts.await;
    let _ = webhooks.await;
    if let Some(sender) = sender {
        let _ = sender.await;
    }
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
