//! The actions a macro or rule takes, as a client writes them.

use async_graphql::{ID, InputObject, MaybeUndefined};
use helpdesk_domain::automation::{Assign, TicketActions};
use helpdesk_domain::tag::parse_tags;

use super::enums::{Priority, TicketStatus};
use super::parse_id;
use crate::error::ApiResult;

/// What a macro or rule does to a ticket; omitted fields leave it as it
/// is. Checked as a whole: at least one action, no status NEW, no tag both added and
/// removed, a known team and agent, templates of known placeholders
/// (`{customer_name}`, `{customer_email}`, `{ticket_number}`, `{subject}`,
/// `{agent_name}`); `BAD_USER_INPUT` names the field otherwise.
#[derive(InputObject)]
pub(crate) struct TicketActionsInput {
    /// Set with the reply when there is one, as a reply's status is.
    status: Option<TicketStatus>,
    priority: Option<Priority>,
    /// The team to hand the ticket to; null takes it off its team.
    team_id: MaybeUndefined<ID>,
    /// The agent to assign; null unassigns.
    assignee_id: MaybeUndefined<ID>,
    add_tags: Option<Vec<String>>,
    remove_tags: Option<Vec<String>>,
    /// An internal note to add (a template).
    note: Option<String>,
    /// A public reply to send (a template): a macro's is the agent's, mailed
    /// as their reply is; a rule's is the desk's (author SYSTEM), mailed on
    /// an email ticket, and sets no status by itself.
    reply: Option<String>,
}

impl TicketActionsInput {
    pub(crate) fn into_actions(self) -> ApiResult<TicketActions> {
        fn assign<T: std::str::FromStr>(value: MaybeUndefined<ID>, field: &str) -> ApiResult<Option<Assign<T>>> {
            Ok(match value {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(Assign::Nobody),
                MaybeUndefined::Value(id) => Some(Assign::Set(parse_id(&id, field)?)),
            })
        }
        Ok(TicketActions {
            status: self.status.map(Into::into),
            priority: self.priority.map(Into::into),
            team: assign(self.team_id, "actions.teamId")?,
            assignee: assign(self.assignee_id, "actions.assigneeId")?,
            add_tags: parse_tags(&self.add_tags.unwrap_or_default())?,
            remove_tags: parse_tags(&self.remove_tags.unwrap_or_default())?,
            note: self.note,
            reply: self.reply,
        })
    }
}
