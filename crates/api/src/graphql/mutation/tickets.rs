use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use helpdesk_channels::email::reply_mail;
use helpdesk_domain::attachment::UNNAMED;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{AgentId, TeamId, TicketId};
use helpdesk_domain::tag::parse_tags;
use helpdesk_domain::ticket::{Actor, check_note_status, text};
use helpdesk_persistence::tickets::{MailParts, Merge, MessageAuthor, NewMessage, NewTicket, TicketChanges};

use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::types::enums::{Channel, Priority, TicketStatus};
use crate::graphql::types::message::Message;
use crate::graphql::types::ticket::Ticket;
use crate::graphql::types::upload::Upload;
use crate::graphql::types::{parse_id, state};

#[derive(Default)]
pub(crate) struct TicketMutation;

/// A ticket opened on a customer's behalf; `body` is the customer's message.
#[derive(InputObject)]
pub(crate) struct CreateTicketInput {
    subject: String,
    body: String,
    customer_email: String,
    customer_name: Option<String>,
    /// How the request reached the desk (default API).
    channel: Option<Channel>,
    /// Default NORMAL.
    priority: Option<Priority>,
    tags: Option<Vec<String>>,
    assignee_id: Option<ID>,
    team_id: Option<ID>,
    /// Default true.
    fcr_eligible: Option<bool>,
}

#[derive(InputObject)]
pub(crate) struct ReplyInput {
    ticket_id: ID,
    body: String,
    /// An internal note instead of a public reply (default false).
    internal: Option<bool>,
    /// The status to set with a public reply; without it a NEW ticket becomes OPEN.
    status: Option<TicketStatus>,
    /// Files sent with the operation as a multipart request: kept on the
    /// message and, when the reply goes by mail, sent as its attachments.
    /// The desk's limits on count and size apply (`BAD_USER_INPUT`).
    attachments: Option<Vec<Upload>>,
}

#[derive(SimpleObject)]
pub(crate) struct ReplyPayload {
    message: Message,
    ticket: Ticket,
}

/// Changes to a ticket; omitted fields stay as they are, and `null` clears
/// `assigneeId` and `teamId`.
#[derive(InputObject)]
pub(crate) struct UpdateTicketInput {
    ticket_id: ID,
    status: Option<TicketStatus>,
    priority: Option<Priority>,
    assignee_id: MaybeUndefined<ID>,
    team_id: MaybeUndefined<ID>,
    /// The complete new set of tags.
    tags: Option<Vec<String>>,
    fcr_eligible: Option<bool>,
}

#[derive(InputObject)]
pub(crate) struct MergeTicketsInput {
    /// The ticket that is merged away (it becomes CLOSED).
    source_id: ID,
    /// The ticket that receives the messages.
    target_id: ID,
    /// Must be true to merge tickets of two different customers.
    allow_different_customers: Option<bool>,
}

#[derive(SimpleObject)]
pub(crate) struct MergeTicketsPayload {
    source: Ticket,
    target: Ticket,
}

fn optional_id<T: std::str::FromStr>(value: MaybeUndefined<ID>, field: &str) -> ApiResult<Option<Option<T>>> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(id) => Some(Some(parse_id(&id, field)?)),
    })
}

#[Object]
impl TicketMutation {
    /// Opens a ticket on a customer's behalf.
    ///
    /// See docs/api.md#creating-a-ticket.
    async fn create_ticket(&self, ctx: &Context<'_>, input: CreateTicketInput) -> ApiResult<Ticket> {
        let viewer = viewer::agent(ctx)?;
        let new = NewTicket {
            subject: text::subject(&input.subject)?,
            body: text::body(&input.body)?,
            customer_email: EmailAddress::parse(&input.customer_email)?,
            customer_name: input
                .customer_name
                .as_deref()
                .map(|n| text::bounded(n, "customerName", 200))
                .transpose()?,
            channel: input.channel.map_or(helpdesk_domain::ticket::Channel::Api, Into::into),
            priority: input
                .priority
                .map_or(helpdesk_domain::ticket::Priority::Normal, Into::into),
            tags: parse_tags(&input.tags.unwrap_or_default())?,
            assignee: input
                .assignee_id
                .as_ref()
                .map(|id| parse_id::<AgentId>(id, "assigneeId"))
                .transpose()?,
            team: input
                .team_id
                .as_ref()
                .map(|id| parse_id::<TeamId>(id, "teamId"))
                .transpose()?,
            fcr_eligible: input.fcr_eligible.unwrap_or(true),
            rfc_message_id: None,
            follow_up_of: None,
            mail: MailParts::default(),
        };
        let state = state(ctx)?;
        let ticket = viewer
            .tickets(state)
            .create_ticket(new, Actor::Agent(viewer.agent_id), state.clock.now())
            .await?;
        Ok(Ticket(ticket))
    }

    /// A public reply or, with `internal: true`, an internal note. A public
    /// reply on an email ticket (or a chat whose visitor has left) is mailed
    /// to the customer through the outbox.
    ///
    /// See docs/api.md#replying-and-internal-notes.
    async fn reply_to_ticket(&self, ctx: &Context<'_>, input: ReplyInput) -> ApiResult<ReplyPayload> {
        let viewer = viewer::agent(ctx)?;
        let internal = input.internal.unwrap_or(false);
        let status = input.status.map(Into::into);
        if internal {
            // The store enforces this too; asked here first so that a note
            // with a status is refused before the ticket is even looked up.
            check_note_status(status)?;
        }
        let ticket_id: TicketId = parse_id(&input.ticket_id, "ticketId")?;
        let state = state(ctx)?;
        let body = text::body(&input.body)?;
        let attachments = input
            .attachments
            .unwrap_or_default()
            .into_iter()
            .map(|file| file.attachment(ctx))
            .collect::<Result<Vec<_>, _>>()?;
        state.mail.attachments.check(attachments.iter().map(|a| {
            (
                a.filename.as_deref().unwrap_or(UNNAMED),
                u64::try_from(a.content.len()).unwrap_or(u64::MAX),
            )
        }))?;
        // A public reply on an email ticket is queued for mail together with
        // the message itself, so it is sent exactly when the reply is stored.
        let tickets = viewer.tickets(state);
        let mail = match tickets.ticket(ticket_id).await? {
            Some(ticket) if !internal => {
                let visitor_gone = state.chat_presence.visitor_gone(&ticket, state.clock.now()).await;
                reply_mail(&state.store, &state.mail.email, &ticket, &body, visitor_gone).await?
            }
            _ => None,
        };
        let new = NewMessage {
            author: MessageAuthor::Agent(viewer.agent_id),
            body,
            internal,
            channel: None,
            status,
            rfc_message_id: mail.as_ref().map(|m| m.rfc_message_id.clone()),
            mail: MailParts {
                attachments,
                ..MailParts::default()
            },
            outbox: mail,
        };
        let (message, ticket) = tickets.add_message(ticket_id, new, state.clock.now()).await?;
        Ok(ReplyPayload {
            message: Message(message),
            ticket: Ticket(ticket),
        })
    }

    /// Changes any of a ticket's status, priority, assignee, team, tags and FCR eligibility.
    ///
    /// See docs/api.md#updating-a-ticket.
    async fn update_ticket(&self, ctx: &Context<'_>, input: UpdateTicketInput) -> ApiResult<Ticket> {
        let viewer = viewer::agent(ctx)?;
        let ticket_id: TicketId = parse_id(&input.ticket_id, "ticketId")?;
        let changes = TicketChanges {
            status: input.status.map(Into::into),
            priority: input.priority.map(Into::into),
            assignee: optional_id(input.assignee_id, "assigneeId")?,
            team: optional_id(input.team_id, "teamId")?,
            tags: input.tags.as_deref().map(parse_tags).transpose()?,
            fcr_eligible: input.fcr_eligible,
        };
        let state = state(ctx)?;
        let ticket = viewer
            .tickets(state)
            .update_ticket(ticket_id, changes, Actor::Agent(viewer.agent_id), state.clock.now())
            .await?;
        Ok(Ticket(ticket))
    }

    /// Merges the source ticket into the target: its messages move over and
    /// it becomes CLOSED, pointing at the target.
    ///
    /// See docs/api.md#merging-tickets.
    async fn merge_tickets(&self, ctx: &Context<'_>, input: MergeTicketsInput) -> ApiResult<MergeTicketsPayload> {
        let viewer = viewer::agent(ctx)?;
        let merge = Merge {
            source: parse_id(&input.source_id, "sourceId")?,
            target: parse_id(&input.target_id, "targetId")?,
            across_customers: input.allow_different_customers.unwrap_or(false),
        };
        let state = state(ctx)?;
        let (source, target) = viewer
            .tickets(state)
            .merge_tickets(merge, Actor::Agent(viewer.agent_id), state.clock.now())
            .await?;
        Ok(MergeTicketsPayload {
            source: Ticket(source),
            target: Ticket(target),
        })
    }

    /// Vouches for the address a chat visitor gave: the chat's unverified
    /// contact joins that address's customer (created if none), with its
    /// history and other tickets, and the ticket's history records
    /// CUSTOMER_VERIFIED. Only for a ticket within the caller's scope whose
    /// customer is unverified (`BAD_USER_INPUT` otherwise).
    ///
    /// See docs/api.md#chat-identity.
    async fn confirm_chat_identity(&self, ctx: &Context<'_>, ticket_id: ID) -> ApiResult<Ticket> {
        let viewer = viewer::agent(ctx)?;
        let id: TicketId = parse_id(&ticket_id, "ticketId")?;
        let state = state(ctx)?;
        let ticket = viewer
            .tickets(state)
            .confirm_chat_identity(id, Actor::Agent(viewer.agent_id), state.clock.now())
            .await?;
        Ok(Ticket(ticket))
    }
}
