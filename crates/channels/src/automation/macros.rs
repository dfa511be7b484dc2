//! A macro on one ticket: its texts filled in from the ticket, its
//! customer and the agent, shown as a preview or applied in one
//! transaction, the reply mailed as an agent's reply is.

use chrono::{DateTime, Utc};
use helpdesk_domain::automation::{TicketActions, TicketValues};
use helpdesk_domain::ids::AgentId;
use helpdesk_persistence::saved_macros::MacroRecord;
use helpdesk_persistence::tickets::{AppliedActions, FilledActions, ScopedStore, TicketRecord};
use helpdesk_persistence::{CustomerRecord, Store, StoreError};

use crate::chat::ChatPresence;
use crate::email::{EmailConfig, reply_mail};

/// A macro's effect on a ticket, before it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroPreview {
    pub actions: TicketActions,
    pub note: Option<String>,
    pub reply: Option<String>,
}

/// What `saved` would do to `ticket`: its actions, and its note and reply
/// filled in as `agent` would send them. Changes nothing.
pub async fn preview_macro(
    store: &Store,
    saved: &MacroRecord,
    ticket: &TicketRecord,
    agent: AgentId,
) -> Result<MacroPreview, StoreError> {
    let actions = &saved.actions;
    if actions.note.is_none() && actions.reply.is_none() {
        return Ok(MacroPreview {
            actions: actions.clone(),
            note: None,
            reply: None,
        });
    }
    let customer = store.customers_by_ids(&[ticket.customer_id]).await?.into_iter().next();
    let address = customer
        .as_ref()
        .and_then(|c| c.mail_address())
        .map(ToString::to_string)
        .unwrap_or_default();
    let name = customer.as_ref().map(CustomerRecord::greeting_name).unwrap_or_default();
    let agent_name = store.agent(agent).await?.map(|a| a.name).unwrap_or_default();
    let values = TicketValues {
        customer_name: &name,
        customer_email: &address,
        ticket_number: ticket.number,
        subject: &ticket.subject,
        agent_name: &agent_name,
    };
    Ok(MacroPreview {
        actions: actions.clone(),
        note: actions.note.as_deref().map(|t| values.fill(t)),
        reply: actions.reply.as_deref().map(|t| values.fill(t)),
    })
}

/// Applies `saved` to `ticket` as `agent`, in one transaction within the
/// agent's reach: the changes, the note and the reply, which is queued for
/// mail when a reply of theirs would be (an email ticket, or a chat whose
/// visitor has left).
#[allow(clippy::too_many_arguments)]
pub async fn apply_macro(
    tickets: &ScopedStore,
    store: &Store,
    mail: &EmailConfig,
    presence: &ChatPresence,
    saved: &MacroRecord,
    ticket: &TicketRecord,
    agent: AgentId,
    now: DateTime<Utc>,
) -> Result<AppliedActions, StoreError> {
    let filled = preview_macro(store, saved, ticket, agent).await?;
    let reply = match filled.reply {
        Some(body) => {
            let visitor_gone = presence.visitor_gone(ticket, now).await;
            let outbox = reply_mail(store, mail, ticket, &body, visitor_gone).await?;
            Some((body, outbox))
        }
        None => None,
    };
    let filled = FilledActions {
        actions: filled.actions,
        note: filled.note,
        reply,
    };
    tickets.apply_actions(ticket.id, filled, agent, now).await
}
