//! Changing customers: renaming, and merging one person's two customers.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use helpdesk_domain::ids::CustomerId;
use helpdesk_domain::ticket::{Actor, text};

use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::types::customer::Customer;
use crate::graphql::types::{parse_id, state};

/// The longest customer name, in characters.
const NAME_MAX: usize = 200;

#[derive(Default)]
pub(crate) struct CustomerMutation;

#[derive(InputObject)]
pub(crate) struct UpdateCustomerInput {
    id: ID,
    /// 1 to 200 characters, trimmed.
    name: String,
}

#[derive(InputObject)]
pub(crate) struct MergeCustomersInput {
    /// The customer that is merged away: everything of theirs moves.
    source_id: ID,
    /// The customer who remains.
    target_id: ID,
}

#[derive(SimpleObject)]
pub(crate) struct MergeCustomersPayload {
    /// The customer who remains, with the source's identities and tickets.
    customer: Customer,
    /// How many tickets moved.
    moved_tickets: u64,
}

#[Object]
impl CustomerMutation {
    /// Renames a customer within the caller's reach.
    ///
    /// See docs/api.md#customers.
    async fn update_customer(&self, ctx: &Context<'_>, input: UpdateCustomerInput) -> ApiResult<Customer> {
        let viewer = viewer::agent(ctx)?;
        let id: CustomerId = parse_id(&input.id, "id")?;
        let name = text::bounded(&input.name, "name", NAME_MAX)?;
        let state = state(ctx)?;
        // Out of reach is as if it did not exist.
        if viewer.tickets(state).customer(id).await?.is_none() {
            return Err(ApiError::NotFound("customer"));
        }
        Ok(Customer(state.store.rename_customer(id, Some(name)).await?))
    }

    /// Merges the source customer into the target (admin only): the same
    /// person with two addresses becomes one customer. The source's
    /// identities, tickets, messages, chats and surveys move to the target,
    /// each moved ticket's history records `CUSTOMER_MERGED`, and the
    /// source remains as `mergedInto` the target.
    ///
    /// See docs/api.md#customers.
    async fn merge_customers(&self, ctx: &Context<'_>, input: MergeCustomersInput) -> ApiResult<MergeCustomersPayload> {
        let admin = viewer::admin(ctx)?;
        let source: CustomerId = parse_id(&input.source_id, "sourceId")?;
        let target: CustomerId = parse_id(&input.target_id, "targetId")?;
        let state = state(ctx)?;
        let (customer, moved) = state
            .store
            .merge_customers(source, target, Actor::Agent(admin.agent_id), state.clock.now())
            .await?;
        Ok(MergeCustomersPayload {
            customer: Customer(customer),
            moved_tickets: moved.len() as u64,
        })
    }
}
