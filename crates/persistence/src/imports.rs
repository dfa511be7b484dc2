//! Recording tickets imported from another desk, a batch per transaction.
//!
//! An imported ticket gets the same rows a live one would: the ticket, its
//! tags, messages and notes, its event log, and everything derived from the
//! log (metric facts, SLA targets under the policies in force now). Nothing
//! goes to the outbox: imported history sends no mail.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use helpdesk_domain::access::AgentScope;
use helpdesk_domain::agent::Role;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{AgentId, TeamId, TicketId};
use helpdesk_domain::import::{ImportedTicket, Resolver};
use helpdesk_domain::time::to_micros;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityName, EntityTrait, QueryFilter, QuerySelect, Set,
};

use crate::customers::WantedCustomer;
use crate::entity::{
    agent, counter, customer, customer_identity, duration_sample, message, overdue_span, sla_target, survey_response,
    team, ticket, ticket_event, ticket_fact, ticket_solve, ticket_tag,
};
use crate::search_index::{self, Documents};
use crate::sla::StoredTargets;
use crate::tickets::derived::{DeriveContext, DerivedRows, insert_chunked};
use crate::tickets::dimensions::Dimensions;
use crate::tickets::{history, number};
use crate::{Store, StoreError, customers};

/// Every table an import writes to, for [`Store::settle_after_bulk_write`].
/// With the count deltas its tickets' triggers write, which the settling
/// fold deletes: left to autovacuum (or, where it is off, to nobody), their
/// dead rows made every later fold read a table of a million (215 ms a
/// fold at 1M tickets, with nothing to fold).
pub(crate) fn tables_written() -> [&'static str; 18] {
    [
        agent::Entity.table_name(),
        team::Entity.table_name(),
        customer::Entity.table_name(),
        customer_identity::Entity.table_name(),
        counter::Entity.table_name(),
        ticket::Entity.table_name(),
        ticket_tag::Entity.table_name(),
        message::Entity.table_name(),
        ticket_event::Entity.table_name(),
        ticket_fact::Entity.table_name(),
        duration_sample::Entity.table_name(),
        ticket_solve::Entity.table_name(),
        survey_response::Entity.table_name(),
        overdue_span::Entity.table_name(),
        sla_target::Entity.table_name(),
        "ticket_search",
        "ticket_count_deltas",
        "ticket_counts",
    ]
}

/// What one batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportBatchOutcome {
    /// Tickets recorded now.
    pub imported: usize,
    /// Tickets whose `external_id` was imported before (or earlier in the
    /// same batch): left as they are.
    pub already_imported: usize,
}

struct Names {
    agents: HashMap<EmailAddress, AgentId>,
    teams: HashMap<String, TeamId>,
}

impl Resolver for Names {
    fn agent(&self, email: &EmailAddress) -> AgentId {
        // Every name was found or created before histories are built.
        self.agents.get(email).copied().unwrap_or_else(AgentId::new)
    }

    fn team(&self, name: &str) -> TeamId {
        self.teams.get(name).copied().unwrap_or_else(TeamId::new)
    }
}

impl Store {
    /// Records a batch of checked tickets (see [`ImportedTicket::check`]) in
    /// one transaction; `now` decides which SLA deadlines have passed.
    pub async fn import_tickets(
        &self,
        batch: &[ImportedTicket],
        now: DateTime<Utc>,
    ) -> Result<ImportBatchOutcome, StoreError> {
        let now = to_micros(now);
        let txn = self.write().await?;
        let ids: Vec<&str> = batch.iter().map(|t| t.external_id.as_str()).collect();
        let mut seen: HashSet<String> = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::ExternalId)
            .filter(ticket::Column::ExternalId.is_in(ids))
            .into_tuple::<Option<String>>()
            .all(&txn)
            .await?
            .into_iter()
            .flatten()
            .collect();
        let fresh: Vec<&ImportedTicket> = batch.iter().filter(|t| seen.insert(t.external_id.clone())).collect();
        let outcome = ImportBatchOutcome {
            imported: fresh.len(),
            already_imported: batch.len() - fresh.len(),
        };
        if fresh.is_empty() {
            return Ok(outcome);
        }

        let names = Names {
            agents: agents_by_email(&txn, fresh.iter().flat_map(|t| t.agents()), now).await?,
            teams: teams_by_name(&txn, fresh.iter().flat_map(|t| t.teams()), now).await?,
        };
        let count = i64::try_from(fresh.len()).unwrap_or(i64::MAX);
        let mut numbers = number::reserve_ticket_numbers(&txn, count).await?.into_iter();
        let ctx = DeriveContext::load(&txn).await?;
        let customers = customers::find_or_create_many_by_email(
            &txn,
            fresh.iter().map(|t| WantedCustomer {
                email: &t.customer_email,
                name: t.customer_name.as_deref(),
                at: t.created_at,
            }),
        )
        .await?;
        let (mut tickets, mut tags, mut messages, mut targets_rows) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut derived = DerivedRows::default();
        let mut logs = Vec::with_capacity(fresh.len());
        for imported in fresh {
            let customer = customers
                .get(&imported.customer_email)
                .copied()
                .ok_or(StoreError::NotFound { what: "customer" })?;
            // Ordered by when the ticket was created, not imported: the
            // search lists a common word's newest matches by id.
            let id = TicketId::made_at(imported.created_at);
            let mut past = imported.history(customer, &names);
            // Alerts go after the events of their instant, as the scheduler
            // would have raised them (stable sort keeps the log's order).
            // (Decisions do not depend on alerts, so one evaluation serves both.)
            let targets = crate::sla::outcomes_of(&ctx, &past.events, now);
            past.events.extend(crate::sla::past_alerts(&targets, now));
            past.events.sort_by_key(|e| e.at);
            let number = numbers.next().ok_or_else(|| StoreError::Corrupt {
                column: "ticket_number_seq",
                value: "fewer numbers than tickets".into(),
            })?;
            let mut row = ticket::Model {
                id: id.as_uuid(),
                number,
                subject: imported.subject.clone(),
                status: past.status.as_str().to_owned(),
                priority: past.priority.as_str().to_owned(),
                channel: imported.channel.as_str().to_owned(),
                customer_id: customer.as_uuid(),
                assignee_id: past.assignee.map(|a| a.as_uuid()),
                team_id: past.team.map(|t| t.as_uuid()),
                fcr_eligible: imported.fcr_eligible,
                merged_into_id: None,
                follow_up_of_id: None,
                created_at: imported.created_at,
                updated_at: past.updated_at,
                sla_next_due_at: None,
                sla_breached: false,
                external_id: Some(imported.external_id.clone()),
                web_form_key: None,
            };
            let dims = Dimensions::of(&row);
            // The ticket's SLA columns are written with it, not updated after.
            let stored = StoredTargets::of(id, &dims, &targets, &past.events);
            row.sla_next_due_at = stored.next_due;
            row.sla_breached = stored.breached;
            targets_rows.extend(stored.rows);
            tickets.push(ticket::ActiveModel::from(row).reset_all());
            tags.extend(imported.tags.iter().map(|t| ticket_tag::ActiveModel {
                ticket_id: Set(id.as_uuid()),
                tag: Set(t.to_string()),
            }));
            messages.extend(past.messages.iter().map(|m| message::ActiveModel {
                id: Set(m.id.as_uuid()),
                ticket_id: Set(id.as_uuid()),
                author: Set(m.author.as_str().to_owned()),
                agent_id: Set(m.agent.map(|a| a.as_uuid())),
                customer_id: Set(m.agent.is_none().then(|| customer.as_uuid())),
                channel: Set(imported.channel.as_str().to_owned()),
                internal: Set(m.internal),
                body: Set(m.body.clone()),
                rfc_message_id: Set(None),
                created_at: Set(m.at),
                html_body: Set(None),
                sender: Set(None),
            }));
            derived.add(&ctx, id, &dims, imported.created_at, &past.events, &targets);
            logs.push((id, past.events));
        }
        insert_chunked::<ticket::Entity>(&txn, tickets).await?;
        insert_chunked::<ticket_tag::Entity>(&txn, tags).await?;
        insert_chunked::<message::Entity>(&txn, messages).await?;
        history::append_many(&txn, &logs).await?;
        derived.insert(&txn).await?;
        insert_chunked::<sla_target::Entity>(&txn, targets_rows).await?;
        let ids: Vec<uuid::Uuid> = logs.iter().map(|(id, _)| id.as_uuid()).collect();
        search_index::rewrite(&txn, Documents::Tickets(&ids)).await?;
        txn.commit().await?;
        Ok(outcome)
    }
}

/// The agents named by `emails`, creating those not seen before as agents
/// who cannot log in until an admin sets their password.
async fn agents_by_email<'a>(
    txn: &DatabaseTransaction,
    emails: impl Iterator<Item = &'a EmailAddress>,
    now: DateTime<Utc>,
) -> Result<HashMap<EmailAddress, AgentId>, StoreError> {
    let wanted: HashSet<&EmailAddress> = emails.collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found: HashMap<EmailAddress, AgentId> = HashMap::new();
    for row in agent::Entity::find()
        .filter(agent::Column::Email.is_in(wanted.iter().map(|e| e.as_str())))
        .all(txn)
        .await?
    {
        if let Ok(email) = EmailAddress::parse(&row.email) {
            found.insert(email, AgentId::from_uuid(row.id));
        }
    }
    let missing: Vec<&EmailAddress> = wanted.into_iter().filter(|e| !found.contains_key(*e)).collect();
    let rows: Vec<_> = missing
        .into_iter()
        .map(|email| {
            let id = AgentId::new();
            found.insert(email.clone(), id);
            agent::ActiveModel {
                id: Set(id.as_uuid()),
                email: Set(email.to_string()),
                name: Set(email.as_str().split('@').next().unwrap_or_default().to_owned()),
                role: Set(Role::Agent.as_str().to_owned()),
                password_hash: Set(None),
                active: Set(true),
                scope: Set(AgentScope::default_for(Role::Agent).as_str().to_owned()),
                token_version: Set(0),
                created_at: Set(now),
            }
        })
        .collect();
    insert_chunked::<agent::Entity>(txn, rows).await?;
    Ok(found)
}

/// The teams named by `names`, creating those not seen before.
async fn teams_by_name<'a>(
    txn: &DatabaseTransaction,
    names: impl Iterator<Item = &'a str>,
    now: DateTime<Utc>,
) -> Result<HashMap<String, TeamId>, StoreError> {
    let wanted: HashSet<&str> = names.collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found: HashMap<String, TeamId> = team::Entity::find()
        .filter(team::Column::Name.is_in(wanted.iter().copied()))
        .all(txn)
        .await?
        .into_iter()
        .map(|t| (t.name, TeamId::from_uuid(t.id)))
        .collect();
    let missing: Vec<&str> = wanted.into_iter().filter(|name| !found.contains_key(*name)).collect();
    let rows: Vec<_> = missing
        .into_iter()
        .map(|name| {
            let id = TeamId::new();
            found.insert(name.to_owned(), id);
            team::ActiveModel {
                id: Set(id.as_uuid()),
                name: Set(name.to_owned()),
                created_at: Set(now),
            }
        })
        .collect();
    insert_chunked::<team::Entity>(txn, rows).await?;
    Ok(found)
}
