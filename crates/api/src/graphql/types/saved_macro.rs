//! Macros: saved sets of actions agents apply to a ticket in one step.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use helpdesk_domain::automation::{Assign, MacroScope};
use helpdesk_domain::ids::{MacroId, TicketId};
use helpdesk_persistence::saved_macros::MacroRecord;
use helpdesk_persistence::tickets::{ScopedStore, TicketRecord};

use super::agent::Agent;
use super::enums::{Priority, TicketStatus};
use super::team::Team;
use super::{loader, parse_id, state};
use crate::ApiError;
use crate::auth::viewer::Viewer;
use crate::error::ApiResult;

/// What previewing or applying a macro acts on: the macro (one the caller
/// may apply), the ticket (within their reach) and their scoped store.
pub(crate) async fn macro_on_ticket(
    ctx: &Context<'_>,
    viewer: &Viewer,
    ticket_id: &ID,
    macro_id: &ID,
) -> ApiResult<(MacroRecord, TicketRecord, ScopedStore)> {
    let ticket_id: TicketId = parse_id(ticket_id, "ticketId")?;
    let macro_id: MacroId = parse_id(macro_id, "macroId")?;
    let state = state(ctx)?;
    let saved = state
        .store
        .macro_for(viewer.agent_id, macro_id)
        .await?
        .ok_or(ApiError::NotFound("macro"))?;
    let tickets = viewer.tickets(state);
    let ticket = tickets.ticket(ticket_id).await?.ok_or(ApiError::NotFound("ticket"))?;
    Ok((saved, ticket, tickets))
}

/// A named set of actions an agent applies to a ticket with `applyMacro`.
/// Shared macros are the desk's (admins keep them); personal ones are
/// their owner's alone. See docs/api.md#macros.
pub(crate) struct Macro(pub MacroRecord);

#[Object]
impl Macro {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// True for the desk's macros, false for the caller's own.
    async fn shared(&self) -> bool {
        self.0.scope == MacroScope::Shared
    }

    /// Whose personal macro it is; null for a shared one.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        let MacroScope::Personal(owner) = self.0.scope else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(owner).await?.map(Agent))
    }

    async fn actions(&self) -> TicketActions {
        TicketActions(self.0.actions.clone())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// What a macro or rule does to a ticket. Unset fields leave the ticket as
/// it is; `note` and `reply` are templates (`{customer_name}`, `{customer_email}`,
/// `{ticket_number}`, `{subject}`, `{agent_name}`).
pub(crate) struct TicketActions(pub helpdesk_domain::automation::TicketActions);

#[Object]
impl TicketActions {
    /// The status set (with the reply, when there is one).
    async fn status(&self) -> Option<TicketStatus> {
        self.0.status.map(Into::into)
    }

    async fn priority(&self) -> Option<Priority> {
        self.0.priority.map(Into::into)
    }

    /// The team the ticket is handed to.
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<Team>> {
        let Some(Assign::Set(id)) = self.0.team else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(id).await?.map(Team))
    }

    /// True when the macro takes the ticket off its team.
    async fn clears_team(&self) -> bool {
        self.0.team == Some(Assign::Nobody)
    }

    /// The agent the ticket is assigned to.
    async fn assignee(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        let Some(Assign::Set(id)) = self.0.assignee else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(id).await?.map(Agent))
    }

    /// True when the macro unassigns the ticket.
    async fn clears_assignee(&self) -> bool {
        self.0.assignee == Some(Assign::Nobody)
    }

    async fn add_tags(&self) -> Vec<String> {
        self.0.add_tags.iter().map(ToString::to_string).collect()
    }

    async fn remove_tags(&self) -> Vec<String> {
        self.0.remove_tags.iter().map(ToString::to_string).collect()
    }

    /// The internal note's template.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The public reply's template.
    async fn reply(&self) -> Option<&str> {
        self.0.reply.as_deref()
    }
}

/// What a macro would do to one ticket, its texts filled in; nothing is
/// changed until `applyMacro`.
#[derive(SimpleObject)]
pub(crate) struct MacroPreview {
    pub actions: TicketActions,
    /// The internal note as it would be added.
    pub note: Option<String>,
    /// The reply as the customer would get it.
    pub reply: Option<String>,
}
