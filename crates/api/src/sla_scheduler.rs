//! Raises SLA warnings and breaches when their moment comes, also for
//! moments missed while no server ran (it catches up on start).

use std::time::Duration;

use chrono::Utc;
use helpdesk_channels::email::{EmailConfig, new_message_id};
use helpdesk_persistence::Store;
use helpdesk_persistence::outbox::{NewOutboxMail, OutboxKind};
use helpdesk_persistence::sla::RaisedAlert;
use tokio::sync::watch;

/// How often the scheduler looks for due alerts: "within seconds".
const TICK: Duration = Duration::from_millis(500);
const BATCH: u64 = 100;

/// Runs until `shutdown` turns true.
pub async fn run_sla_scheduler(store: Store, email: EmailConfig, mut shutdown: watch::Receiver<bool>) {
    tracing::info!("SLA scheduler started");
    loop {
        if *shutdown.borrow() {
            break;
        }
        if let Err(err) = raise_due(&store, &email).await {
            tracing::warn!(%err, "SLA scheduler: cannot raise alerts");
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = shutdown.changed() => {}
        }
    }
    tracing::info!("SLA scheduler stopped");
}

async fn raise_due(store: &Store, email: &EmailConfig) -> Result<(), helpdesk_persistence::StoreError> {
    let now = Utc::now();
    let notice = |alert: &RaisedAlert| notice_mail(email, alert);
    for ticket in store.tickets_with_due_sla_alerts(now, BATCH).await? {
        for alert in store.raise_sla_alerts(ticket, now, &notice).await? {
            tracing::info!(ticket = alert.ticket_number, target = %alert.target, breached = alert.breached, "SLA alert");
        }
    }
    Ok(())
}

fn notice_mail(email: &EmailConfig, alert: &RaisedAlert) -> NewOutboxMail {
    let what = if alert.breached { "breached" } else { "about to breach" };
    let due = alert.due_at.map(|d| d.to_rfc3339()).unwrap_or_else(|| "-".into());
    NewOutboxMail {
        kind: OutboxKind::SlaNotice,
        // The store fills in each recipient.
        to: String::new(),
        subject: format!("[#{}] SLA {} {what}", alert.ticket_number, alert.target),
        body: format!(
            "Ticket #{} has its {} target {what}.\nDue: {due}\n",
            alert.ticket_number, alert.target
        ),
        rfc_message_id: new_message_id(email),
        in_reply_to: None,
        references: Vec::new(),
    }
}
