//! Running the rules a ticket's change starts, in the transaction of that
//! change.
//!
//! The change's events say which rule events happened; each active rule
//! started by one of them, in position order, tests the ticket as the
//! change (and the rules before it) left it, and applies its actions as
//! itself (`Actor::Rule`), through the same bodies as an agent's changes.
//! What a round of rules changed starts the next round, except that no
//! rule is started by its own change alone. After `MAX_CHAIN` rounds a
//! chain still going stops, and the ticket's history says so.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::automation::rule::RuleNotify;
use helpdesk_domain::automation::{MAX_CHAIN, RuleEvent, RuleTicket, TicketValues};
use helpdesk_domain::calendar::BusinessCalendar;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{AgentId, CustomerId, RuleId, TeamId, TicketId};
use helpdesk_domain::mail_thread::{bounded_references, reply_subject};
use helpdesk_domain::ticket::Channel;
use helpdesk_domain::ticket::{Actor, EventKind, TicketEvent};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{RuleRecord, ordered};
use crate::customers::CustomerRecord;
use crate::entity::{agent, message, outbox, team_member, ticket, ticket_event};
use crate::error::parse_column;
use crate::outbox::{NewOutboxMail, OutboxKind, outbox_row};
use crate::tickets::apply_actions::{ActedBy, apply_in};
use crate::tickets::history;
use crate::tickets::{FilledActions, events_after, lock, thread_rfc_ids, update};
use crate::{StoreError, calendar, customers, event_hooks, settings};

type Boxed<'a> = Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// Runs the rules `events` start. Boxed, because the rules' own changes
/// come back through `history::announce`, which calls this (and returns at
/// once for a rule's events: the chain is run here, round by round).
pub(crate) fn after_events<'a>(txn: &'a DatabaseTransaction, ticket: TicketId, events: &'a [TicketEvent]) -> Boxed<'a> {
    Box::pin(run(txn, ticket, events))
}

async fn run(txn: &DatabaseTransaction, ticket: TicketId, events: &[TicketEvent]) -> Result<(), StoreError> {
    if events.iter().all(|e| matches!(e.actor, Actor::Rule(_))) {
        return Ok(());
    }
    let started = RuleEvent::of(events);
    let Some(at) = events.last().map(|e| e.at) else {
        return Ok(());
    };
    if started.is_empty() {
        return Ok(());
    }
    let rules = ordered(txn, true).await?;
    if rules.is_empty() {
        return Ok(());
    }
    let calendar = calendar_for(txn, &rules).await?;

    run_chain(txn, ticket, &rules, calendar.as_ref(), vec![(None, started)], at).await
}

/// The business calendar, when a condition of `rules` asks about business
/// hours.
pub(super) async fn calendar_for(
    txn: &DatabaseTransaction,
    rules: &[RuleRecord],
) -> Result<Option<BusinessCalendar>, StoreError> {
    if rules.iter().any(|r| r.rule.conditions.ask_business_hours()) {
        calendar::load(txn).await
    } else {
        Ok(None)
    }
}

/// What each rule of a round made happen (`None`: the change that started
/// the chain).
pub(super) type Made = Vec<(Option<RuleId>, BTreeSet<RuleEvent>)>;

/// Runs rounds of `rules` on `ticket`, starting from what `made` happened,
/// until a round changes nothing or the chain reaches its bound.
pub(super) async fn run_chain(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    rules: &[RuleRecord],
    calendar: Option<&BusinessCalendar>,
    mut made: Made,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    for _ in 0..MAX_CHAIN {
        let mut next = Vec::new();
        for rule in rules {
            // Started by what others made: never by its own change alone.
            let started: BTreeSet<RuleEvent> = made
                .iter()
                .filter(|(by, _)| *by != Some(rule.id))
                .flat_map(|(_, events)| events.iter().copied())
                .collect();
            if !rule.rule.started_by(&started) {
                continue;
            }
            if let Some(events) = apply_if_it_holds(txn, ticket, rule, calendar, at).await? {
                next.push((Some(rule.id), events));
            }
        }
        if next.is_empty() {
            return Ok(());
        }
        made = next;
    }
    // Still going: the rules that would start another round do not.
    if let Some((Some(rule), _)) = made.first() {
        let stopped = TicketEvent {
            at,
            actor: Actor::System,
            kind: EventKind::RuleChainStopped {
                rule: *rule,
                depth: MAX_CHAIN,
            },
        };
        tracing::warn!(%ticket, %rule, "rules kept starting one another; the chain was stopped");
        history::append(txn, ticket, &[stopped]).await?;
    }
    Ok(())
}

/// Tests `rule` on the ticket as it stands and, when it holds, applies its
/// actions; returns the rule events its change made.
pub(super) async fn apply_if_it_holds(
    txn: &DatabaseTransaction,
    ticket_id: TicketId,
    rule: &RuleRecord,
    calendar: Option<&BusinessCalendar>,
    at: DateTime<Utc>,
) -> Result<Option<BTreeSet<RuleEvent>>, StoreError> {
    let row = lock::lock_ticket(txn, ticket_id).await?;
    let tags = update::stored_tags(txn, ticket_id).await?;
    let latest_body = message::Entity::find()
        .filter(message::Column::TicketId.eq(ticket_id.as_uuid()))
        .filter(message::Column::Internal.eq(false))
        .order_by_desc(message::Column::CreatedAt)
        .order_by_desc(message::Column::Id)
        .one(txn)
        .await?
        .map(|m| m.body)
        .unwrap_or_default();
    let customer = customers::customers_by_ids_in(txn, &[CustomerId::from_uuid(row.customer_id)])
        .await?
        .into_iter()
        .next();
    let email = customer.as_ref().and_then(|c| c.mail_address());
    let subject = RuleTicket {
        channel: parse_column("tickets.channel", &row.channel)?,
        priority: parse_column("tickets.priority", &row.priority)?,
        status: parse_column("tickets.status", &row.status)?,
        tags: &tags,
        team: row.team_id.map(helpdesk_domain::ids::TeamId::from_uuid),
        assignee: row.assignee_id.map(helpdesk_domain::ids::AgentId::from_uuid),
        subject: &row.subject,
        latest_body: &latest_body,
        customer_email: email,
        // A desk without a calendar is always open.
        in_business_hours: calendar.is_none_or(|c| c.is_open_at(at)),
        web_form: row.web_form_key.as_deref(),
    };
    if !rule.rule.conditions.hold(&subject) {
        return Ok(None);
    }
    let actions = &rule.rule.actions;
    // A rule applies only what the ticket's status allows; one that cannot
    // apply (a CLOSED ticket) is passed over, never failing the change
    // that started it.
    let status = subject.status;
    if actions.check_applicable(status).is_err() {
        return Ok(None);
    }
    let address = email.map(ToString::to_string).unwrap_or_default();
    let name = customer.as_ref().map(CustomerRecord::greeting_name).unwrap_or_default();
    let values = TicketValues {
        customer_name: &name,
        customer_email: &address,
        ticket_number: row.number,
        subject: &row.subject,
        agent_name: &rule.rule.name,
    };
    let reply = match actions.reply.as_deref() {
        Some(template) => {
            let body = values.fill(template);
            let mail = reply_mail(txn, &row, email, &body).await?;
            Some((body, mail))
        }
        None => None,
    };
    let filled = FilledActions {
        actions: actions.clone(),
        note: actions.note.as_deref().map(|t| values.fill(t)),
        reply,
    };
    let before = last_event_id(txn, ticket_id).await?;
    if let Some(notify) = &rule.rule.notify {
        queue_notices(txn, ticket_id, notify, &values, at).await?;
    }
    apply_in(
        txn,
        ticket_id,
        filled,
        ActedBy::Rule(rule.id),
        at,
        &TicketAccess::Everything,
    )
    .await?;
    if let Some(webhook) = &rule.rule.webhook {
        // After the actions: the call shows the ticket as the rule left it.
        event_hooks::queue_rule_call(txn, ticket_id, rule.id, &rule.rule.name, webhook, at).await?;
    }
    let made: Vec<TicketEvent> = events_after(txn, ticket_id, before)
        .await?
        .into_iter()
        .map(|r| r.event)
        .collect();
    Ok(Some(RuleEvent::of(&made)))
}

/// The mail carrying a rule's reply, threaded as an agent's is: only on an
/// email ticket whose customer has an address (in a chat the reply is
/// shown in the chat).
async fn reply_mail(
    txn: &DatabaseTransaction,
    row: &ticket::Model,
    to: Option<&EmailAddress>,
    body: &str,
) -> Result<Option<NewOutboxMail>, StoreError> {
    let channel: Channel = parse_column("tickets.channel", &row.channel)?;
    let Some(to) = to.filter(|_| channel == Channel::Email) else {
        return Ok(None);
    };
    let thread = thread_rfc_ids(txn, TicketId::from_uuid(row.id)).await?;
    let domain = settings::message_id_domain(txn).await?;
    Ok(Some(NewOutboxMail {
        kind: OutboxKind::RuleReply,
        to: to.to_string(),
        subject: reply_subject(&row.subject, row.number),
        body: body.to_owned(),
        rfc_message_id: format!("{}@{domain}", Uuid::now_v7().simple()),
        in_reply_to: thread.last().cloned(),
        references: bounded_references(thread),
    }))
}

/// Queues the rule's mail to each agent it names and each active member
/// of each team it names, once each.
async fn queue_notices(
    txn: &DatabaseTransaction,
    ticket_id: TicketId,
    notify: &RuleNotify,
    values: &TicketValues<'_>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let members: Vec<Uuid> = team_member::Entity::find()
        .select_only()
        .column(team_member::Column::AgentId)
        .filter(team_member::Column::TeamId.is_in(notify.teams.iter().map(TeamId::as_uuid)))
        .into_tuple()
        .all(txn)
        .await?;
    let named = notify.agents.iter().map(AgentId::as_uuid);
    let recipients: BTreeSet<String> = agent::Entity::find()
        .filter(agent::Column::Id.is_in(named.chain(members)))
        .filter(agent::Column::Active.eq(true))
        .all(txn)
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect();
    let subject = values.fill(&notify.subject);
    let body = values.fill(&notify.body);
    let rows = recipients.into_iter().map(|to| {
        outbox_row(
            NewOutboxMail {
                kind: OutboxKind::RuleNotice,
                to,
                subject: subject.clone(),
                body: body.clone(),
                // No thread: the sender makes a Message-ID.
                rfc_message_id: String::new(),
                in_reply_to: None,
                references: Vec::new(),
            },
            ticket_id,
            None,
            at,
        )
    });
    outbox::Entity::insert_many(rows).exec_without_returning(txn).await?;
    Ok(())
}

async fn last_event_id(txn: &DatabaseTransaction, ticket_id: TicketId) -> Result<i64, StoreError> {
    let last: Option<i64> = ticket_event::Entity::find()
        .select_only()
        .column(ticket_event::Column::Id)
        .filter(ticket_event::Column::TicketId.eq(ticket_id.as_uuid()))
        .order_by_desc(ticket_event::Column::Id)
        .into_tuple()
        .one(txn)
        .await?;
    Ok(last.unwrap_or(0))
}
