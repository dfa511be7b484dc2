//! Desk-wide access settings.

use async_graphql::SimpleObject;
use helpdesk_persistence::Store;

use crate::error::ApiResult;

/// Who sees what beyond each agent's own scope.
#[derive(SimpleObject)]
pub(crate) struct DeskAccess {
    /// Whether agents scoped to TEAMS also see tickets that belong to no team.
    pub teamless_tickets_visible: bool,
}

impl DeskAccess {
    pub(crate) async fn read(store: &Store) -> ApiResult<Self> {
        Ok(Self {
            teamless_tickets_visible: store.teamless_tickets_visible().await?,
        })
    }
}
