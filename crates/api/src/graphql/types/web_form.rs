use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use helpdesk_persistence::web_forms::WebForm as WebFormRecord;

use super::enums::Priority;
use super::loader;
use super::team::Team;
use crate::error::ApiResult;

/// A public form that opens WEB_FORM tickets at `POST /inbound/webform/{key}`.
pub(crate) struct WebForm(pub WebFormRecord);

#[Object]
impl WebForm {
    async fn key(&self) -> &str {
        &self.0.key
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Priority of the tickets it opens.
    async fn priority(&self) -> Priority {
        self.0.priority.into()
    }

    /// Team the tickets it opens are routed to.
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<Team>> {
        let Some(id) = self.0.team else { return Ok(None) };
        Ok(loader(ctx)?.load_one(id).await?.map(Team))
    }

    /// Tags the tickets it opens carry.
    async fn tags(&self) -> Vec<String> {
        self.0.tags.iter().map(ToString::to_string).collect()
    }

    /// Whether the customer gets an acknowledgement mail.
    async fn acknowledge(&self) -> bool {
        self.0.acknowledge
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
