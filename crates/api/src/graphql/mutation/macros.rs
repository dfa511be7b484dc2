//! Macros: saving them and applying one to a ticket. See docs/api.md#macros.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use helpdesk_channels::automation::apply_macro;
use helpdesk_domain::automation::{MacroDraft, MacroScope};
use helpdesk_domain::ids::MacroId;
use helpdesk_persistence::saved_macros::{MacroChanges, MacroEditor};

use crate::auth::viewer;
use crate::auth::viewer::Viewer;
use crate::error::ApiResult;
use crate::graphql::types::actions_input::TicketActionsInput;
use crate::graphql::types::message::Message;
use crate::graphql::types::saved_macro::{Macro, macro_on_ticket};
use crate::graphql::types::ticket::Ticket;
use crate::graphql::types::{parse_id, state};

#[derive(Default)]
pub(crate) struct MacroMutation;

#[derive(InputObject)]
pub(crate) struct CreateMacroInput {
    /// At most 100 characters.
    name: String,
    /// A shared macro, for every agent (admins only); default false, a
    /// personal macro of the caller's.
    shared: Option<bool>,
    actions: TicketActionsInput,
}

/// Changes to a macro; omitted parts stay as they are, and `actions`
/// replaces all of them.
#[derive(InputObject)]
pub(crate) struct UpdateMacroInput {
    id: ID,
    name: Option<String>,
    actions: Option<TicketActionsInput>,
}

/// A macro applied: the ticket after it, and the messages it added.
#[derive(SimpleObject)]
pub(crate) struct ApplyMacroPayload {
    ticket: Ticket,
    note: Option<Message>,
    reply: Option<Message>,
}

fn editor(viewer: &Viewer) -> MacroEditor {
    MacroEditor {
        agent: viewer.agent_id,
        role: viewer.role,
    }
}

#[Object]
impl MacroMutation {
    /// Saves a macro: the caller's own, or with `shared: true` the desk's
    /// (admins only, `FORBIDDEN` otherwise).
    async fn create_macro(&self, ctx: &Context<'_>, input: CreateMacroInput) -> ApiResult<Macro> {
        let viewer = viewer::agent(ctx)?;
        let scope = if input.shared.unwrap_or(false) {
            MacroScope::Shared
        } else {
            MacroScope::Personal(viewer.agent_id)
        };
        let draft = MacroDraft::new(&input.name, input.actions.into_actions()?)?;
        let state = state(ctx)?;
        let saved = state
            .store
            .create_macro(draft, scope, editor(viewer), state.clock.now())
            .await?;
        Ok(Macro(saved))
    }

    /// Renames a macro or replaces its actions: a shared one for admins, a
    /// personal one for its owner.
    async fn update_macro(&self, ctx: &Context<'_>, input: UpdateMacroInput) -> ApiResult<Macro> {
        let viewer = viewer::agent(ctx)?;
        let id: MacroId = parse_id(&input.id, "id")?;
        let changes = MacroChanges {
            name: input.name,
            actions: input.actions.map(TicketActionsInput::into_actions).transpose()?,
        };
        let state = state(ctx)?;
        let saved = state
            .store
            .update_macro(id, changes, editor(viewer), state.clock.now())
            .await?;
        Ok(Macro(saved))
    }

    /// Deletes a macro (as `updateMacro` allows); true when done.
    async fn delete_macro(&self, ctx: &Context<'_>, id: ID) -> ApiResult<bool> {
        let viewer = viewer::agent(ctx)?;
        let id: MacroId = parse_id(&id, "id")?;
        state(ctx)?.store.delete_macro(id, editor(viewer)).await?;
        Ok(true)
    }

    /// Applies a macro to a ticket within the caller's reach, in one
    /// transaction: its changes, note and reply (mailed as the caller's
    /// reply would be), recorded in the history as the caller's. The
    /// workflow applies as to each change alone (`BAD_USER_INPUT` for a
    /// status the ticket cannot take, or a CLOSED ticket).
    async fn apply_macro(&self, ctx: &Context<'_>, ticket_id: ID, macro_id: ID) -> ApiResult<ApplyMacroPayload> {
        let viewer = viewer::agent(ctx)?;
        let (saved, ticket, tickets) = macro_on_ticket(ctx, viewer, &ticket_id, &macro_id).await?;
        let state = state(ctx)?;
        let applied = apply_macro(
            &tickets,
            &state.store,
            &state.mail.email,
            &state.chat_presence,
            &saved,
            &ticket,
            viewer.agent_id,
            state.clock.now(),
        )
        .await?;
        Ok(ApplyMacroPayload {
            ticket: Ticket(applied.ticket),
            note: applied.note.map(Message),
            reply: applied.reply.map(Message),
        })
    }
}
