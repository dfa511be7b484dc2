use async_graphql::{Context, ID, InputObject, Object};
use helpdesk_domain::ids::TeamId;
use helpdesk_domain::tag::parse_tags;
use helpdesk_domain::ticket::text;
use helpdesk_persistence::web_forms::WebForm as WebFormRecord;

use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::types::enums::Priority;
use crate::graphql::types::web_form::WebForm;
use crate::graphql::types::{parse_id, state};

#[derive(Default)]
pub(crate) struct FormMutation;

#[derive(InputObject)]
pub(crate) struct WebFormInput {
    /// The `{formKey}` of `POST /inbound/webform/{formKey}`: 1-64 of a-z, 0-9, `-`, `_`.
    key: String,
    name: String,
    /// Default NORMAL.
    priority: Option<Priority>,
    team_id: Option<ID>,
    tags: Option<Vec<String>>,
    /// Mail the customer an acknowledgement (default false).
    acknowledge: Option<bool>,
}

fn parse_key(raw: &str) -> ApiResult<String> {
    let key = raw.trim();
    let ok = (1..=64).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(key.to_owned())
    } else {
        Err(ApiError::BadUserInput(format!(
            "form key {raw:?}: use 1-64 of a-z, 0-9, '-' and '_'"
        )))
    }
}

#[Object]
impl FormMutation {
    /// Defines a public web form (admin only).
    ///
    /// See docs/api.md#web-forms.
    async fn create_web_form(&self, ctx: &Context<'_>, input: WebFormInput) -> ApiResult<WebForm> {
        viewer::admin(ctx)?;
        let form = WebFormRecord {
            key: parse_key(&input.key)?,
            name: text::bounded(&input.name, "name", 200)?,
            priority: input
                .priority
                .map_or(helpdesk_domain::ticket::Priority::Normal, Into::into),
            team: input
                .team_id
                .as_ref()
                .map(|id| parse_id::<TeamId>(id, "teamId"))
                .transpose()?,
            tags: parse_tags(&input.tags.unwrap_or_default())?,
            acknowledge: input.acknowledge.unwrap_or(false),
            created_at: state(ctx)?.clock.now(),
        };
        Ok(WebForm(state(ctx)?.store.create_web_form(form).await?))
    }
}
