use std::cmp::Reverse;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use helpdesk_persistence::CustomerRecord;

use super::enums::Channel;
use super::loader;
use crate::error::ApiResult;
use crate::graphql::loaders::ChannelsOf;

/// A person who writes to the desk, by any channel.
pub(crate) struct Customer(pub CustomerRecord);

/// How many of a customer's tickets came in on one channel.
#[derive(SimpleObject)]
pub(crate) struct ChannelCount {
    /// The channel.
    channel: Channel,
    /// The customer's tickets that came in on it (tickets merged into another left out).
    tickets: u64,
}

#[Object]
impl Customer {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The customer's address, proved by their mail (or a verified chat);
    /// null for an unverified chat contact, whose address is only claimed.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_ref().map(|e| e.as_str())
    }

    /// False for a chat visitor whose address is not proved yet: the
    /// contact is not that address's customer, whatever it claims.
    ///
    /// See docs/api.md#chat-identity.
    async fn verified(&self) -> bool {
        self.0.verified
    }

    /// The address an unverified chat visitor gave; null once verified
    /// (then it is `email`) and for customers found by their mail.
    async fn claimed_email(&self) -> Option<&str> {
        if self.0.verified {
            return None;
        }
        self.0.claimed_email.as_ref().map(|e| e.as_str())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The survey invitations sent (or due) to the customer about tickets the
    /// caller may see, oldest first, with their answers. See docs/api.md#surveys.
    async fn surveys(&self, ctx: &Context<'_>) -> ApiResult<Vec<super::survey::SurveyInvitation>> {
        let viewer = crate::auth::viewer::agent(ctx)?;
        let invitations = viewer
            .tickets(super::state(ctx)?)
            .survey_invitations_of_customers(&[self.0.id])
            .await?;
        Ok(invitations.into_iter().map(super::survey::SurveyInvitation).collect())
    }

    /// The channel most of the customer's tickets came in on (ties go to the one of the most recent ticket); null without tickets.
    async fn preferred_channel(&self, ctx: &Context<'_>) -> ApiResult<Option<Channel>> {
        let counts = loader(ctx)?.load_one(ChannelsOf(self.0.id)).await?.unwrap_or_default();
        Ok(counts
            .iter()
            .max_by_key(|c| (c.tickets, c.latest, Reverse(c.channel)))
            .map(|c| c.channel.into()))
    }

    /// The customer's tickets per channel, for each channel with any, in the enum's order (merged tickets left out).
    async fn channels(&self, ctx: &Context<'_>) -> ApiResult<Vec<ChannelCount>> {
        let mut counts: Vec<_> = loader(ctx)?
            .load_one(ChannelsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .iter()
            .copied()
            .collect();
        counts.sort_by_key(|c| c.channel);
        Ok(counts
            .into_iter()
            .map(|c| ChannelCount {
                channel: c.channel.into(),
                tickets: c.tickets,
            })
            .collect())
    }
}
