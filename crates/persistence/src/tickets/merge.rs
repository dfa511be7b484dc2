//! Merging one ticket into another.

use chrono::{DateTime, Utc};
use helpdesk_domain::DomainError;
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::ids::TicketId;
use helpdesk_domain::ticket::{Actor, EventKind, TicketEvent, TicketStatus};
use helpdesk_domain::time::to_micros;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::record::TicketRecord;
use super::{history, lock};
use crate::entity::{message, ticket};
use crate::error::parse_column;
use crate::{Store, StoreError};

/// Which ticket goes into which, and whether the caller confirmed that
/// they belong to different customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub source: TicketId,
    pub target: TicketId,
    /// Must be `true` to merge tickets of two customers: the merged
    /// ticket's replies then reach the target's customer only.
    pub across_customers: bool,
}

impl Store {
    /// Merges `source` into `target`: the source's messages move to the
    /// target (keeping their times, and appearing in the target's history),
    /// and the source becomes CLOSED, pointing at the target.
    ///
    /// Returns the updated (source, target).
    ///
    /// Desk-internal: merges across customers are allowed here; agents
    /// merge through [`crate::tickets::ScopedStore`], which needs the
    /// caller's confirmation for that.
    pub async fn merge_tickets(
        &self,
        source: TicketId,
        target: TicketId,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<(TicketRecord, TicketRecord), StoreError> {
        let merge = Merge {
            source,
            target,
            across_customers: true,
        };
        self.merge_tickets_within(merge, actor, at, &TicketAccess::Everything)
            .await
    }

    pub(crate) async fn merge_tickets_within(
        &self,
        merge: Merge,
        actor: Actor,
        at: DateTime<Utc>,
        access: &TicketAccess,
    ) -> Result<(TicketRecord, TicketRecord), StoreError> {
        let Merge {
            source,
            target,
            across_customers,
        } = merge;
        if source == target {
            return Err(DomainError::MergeIntoSelf.into());
        }
        let at = to_micros(at);
        let txn = self.write().await?;
        // Lock in id order so two opposite merges cannot deadlock.
        let (first, second) = if source < target {
            (source, target)
        } else {
            (target, source)
        };
        let a = lock::lock_ticket_within(&txn, first, access).await?;
        let b = lock::lock_ticket_within(&txn, second, access).await?;
        let (src, dst) = if first == source { (a, b) } else { (b, a) };
        if src.customer_id != dst.customer_id && !across_customers {
            return Err(DomainError::MergeAcrossCustomers.into());
        }
        for t in [&src, &dst] {
            if t.merged_into_id.is_some() {
                return Err(DomainError::TicketMerged.into());
            }
            if parse_column::<TicketStatus>("tickets.status", &t.status)? == TicketStatus::Closed {
                return Err(DomainError::TicketClosed.into());
            }
        }
        let src_status: TicketStatus = parse_column("tickets.status", &src.status)?;

        // The moved messages enter the target's history at their own times.
        let moved: Vec<TicketEvent> = history::load(&txn, source)
            .await?
            .into_iter()
            .filter_map(|r| {
                let kind = match r.event.kind {
                    EventKind::Message {
                        message_id,
                        author,
                        channel,
                        ..
                    } => EventKind::Message {
                        message_id,
                        author,
                        channel,
                        moved_from: Some(source),
                    },
                    EventKind::Note { message_id, .. } => EventKind::Note {
                        message_id,
                        moved_from: Some(source),
                    },
                    _ => return None,
                };
                Some(TicketEvent {
                    at: r.event.at,
                    actor: r.event.actor,
                    kind,
                })
            })
            .collect();
        message::Entity::update_many()
            .col_expr(message::Column::TicketId, Expr::value(target.as_uuid()))
            .filter(message::Column::TicketId.eq(source.as_uuid()))
            .exec(&txn)
            .await?;

        let (src_created, dst_created) = (src.created_at, dst.created_at);
        let mut src_row: ticket::ActiveModel = src.into();
        src_row.status = Set(TicketStatus::Closed.as_str().to_owned());
        src_row.merged_into_id = Set(Some(target.as_uuid()));
        src_row.updated_at = Set(at);
        let src_updated = src_row.update(&txn).await?;
        let mut dst_row: ticket::ActiveModel = dst.into();
        dst_row.updated_at = Set(at);
        let dst_updated = dst_row.update(&txn).await?;

        let event = |kind| TicketEvent { at, actor, kind };
        history::append(
            &txn,
            source,
            &[
                event(EventKind::MergedInto { target }),
                event(EventKind::status_changed(src_status, TicketStatus::Closed)),
            ],
        )
        .await?;
        let mut target_events = moved;
        target_events.push(event(EventKind::MergedFrom { source }));
        history::append(&txn, target, &target_events).await?;
        history::refresh_derived(&txn, source, src_created, at).await?;
        history::refresh_derived(&txn, target, dst_created, at).await?;
        txn.commit().await?;
        self.announce(source);
        self.announce(target);
        Ok((src_updated.try_into()?, dst_updated.try_into()?))
    }
}
