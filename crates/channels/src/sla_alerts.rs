//! Raises SLA warnings and breaches when their moment comes, also for
//! moments missed while no server ran (it catches up on start). Each alert
//! is raised once under its ticket's lock, so several servers may run this
//! job on one database.

use std::time::Duration;

use chrono::{DateTime, Utc};
use helpdesk_persistence::outbox::{NewOutboxMail, OutboxKind};
use helpdesk_persistence::sla::RaisedAlert;
use helpdesk_persistence::{Store, StoreError};

use crate::email::{EmailConfig, new_message_id};
use crate::worker::Job;

/// How often it looks for due alerts: "within seconds".
const TICK: Duration = Duration::from_millis(500);
const BATCH: u64 = 100;

/// The worker job that raises due SLA alerts and mails the owners.
pub struct SlaAlerts {
    store: Store,
    email: EmailConfig,
}

impl SlaAlerts {
    pub fn new(store: Store, email: EmailConfig) -> Self {
        Self { store, email }
    }
}

impl Job for SlaAlerts {
    const NAME: &'static str = "SLA alerts";

    fn idle_pause(&self) -> Duration {
        TICK
    }

    async fn run_due(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let notice = |alert: &RaisedAlert| notice_mail(&self.email, alert);
        let mut raised = 0;
        for ticket in self.store.tickets_with_due_sla_alerts(now, BATCH).await? {
            for alert in self.store.raise_sla_alerts(ticket, now, &notice).await? {
                tracing::info!(ticket = alert.ticket_number, target = %alert.target, breached = alert.breached, "SLA alert");
                raised += 1;
            }
        }
        Ok(raised)
    }
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
