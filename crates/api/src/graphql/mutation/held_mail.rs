use async_graphql::{Context, ID, Object};
use helpdesk_channels::email::release_held;

use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::types::ticket::Ticket;
use crate::graphql::types::{parse_id, state};

#[derive(Default)]
pub(crate) struct HeldMailMutation;

#[Object]
impl HeldMailMutation {
    /// Files a held mail as a customer's mail (on the ticket it threads to,
    /// else a new one) and takes it off the held list (admin only).
    ///
    /// See docs/api.md#held-mail.
    async fn release_held_mail(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Ticket> {
        let viewer = viewer::admin(ctx)?;
        let state = state(ctx)?;
        let ticket = release_held(&state.store, parse_id(&id, "id")?, state.clock.now())
            .await?
            .ok_or(ApiError::NotFound("held mail"))?;
        let ticket = viewer
            .tickets(state)
            .ticket(ticket)
            .await?
            .ok_or(ApiError::NotFound("ticket"))?;
        Ok(Ticket(ticket))
    }

    /// Deletes a held mail for good (admin only); true when it existed.
    ///
    /// See docs/api.md#held-mail.
    async fn delete_held_mail(&self, ctx: &Context<'_>, id: ID) -> ApiResult<bool> {
        viewer::admin(ctx)?;
        Ok(state(ctx)?.store.delete_held_mail(parse_id(&id, "id")?).await?)
    }
}
