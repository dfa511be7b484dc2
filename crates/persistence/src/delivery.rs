//! What the mail outbox and the webhook queue share: the one lease query
//! that hands due rows to one sender at a time, and recording how an attempt
//! to deliver went. Each queue keeps its own table and row type.

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_domain::time::to_micros;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::StoreError;
use crate::outbox::DeliveryStatus;

/// The delivery-state columns of a queue table.
pub(crate) struct DeliveryColumns<C> {
    pub id: C,
    pub status: C,
    pub attempts: C,
    pub next_attempt_at: C,
    pub locked_until: C,
    pub last_error: C,
    pub sent_at: C,
}

/// Leases up to `limit` due rows of a queue for `lease`, in the order they
/// fell due, and returns their ids; the caller reads the rows in the same
/// transaction.
///
/// A leased row is invisible to other senders until the lease ends, so a
/// crashed sender's row is retried by another, and a live one's is never
/// sent twice. On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets concurrent
/// senders take different rows without waiting on each other; SQLite
/// serialises the write transaction instead.
pub(crate) async fn lease<E>(
    txn: &DatabaseTransaction,
    cols: &DeliveryColumns<E::Column>,
    now: DateTime<Utc>,
    limit: u64,
    lease: TimeDelta,
) -> Result<Vec<uuid::Uuid>, StoreError>
where
    E: EntityTrait,
{
    let now = to_micros(now);
    let mut due = E::find()
        .select_only()
        .column(cols.id)
        .filter(cols.status.eq(DeliveryStatus::Pending.as_str()))
        .filter(cols.next_attempt_at.lte(now))
        .filter(
            Condition::any()
                .add(cols.locked_until.is_null())
                .add(cols.locked_until.lt(now)),
        )
        .order_by_asc(cols.next_attempt_at)
        .limit(limit);
    if txn.get_database_backend() == DbBackend::Postgres {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let ids: Vec<uuid::Uuid> = due.into_tuple().all(txn).await?;
    if !ids.is_empty() {
        E::update_many()
            .col_expr(cols.locked_until, Expr::value(now + lease))
            .filter(cols.id.is_in(ids.clone()))
            .exec(txn)
            .await?;
    }
    Ok(ids)
}

/// Marks row `id` delivered at `at`.
pub(crate) async fn mark_sent<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    cols: &DeliveryColumns<E::Column>,
    id: uuid::Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    E::update_many()
        .col_expr(cols.status, Expr::value(DeliveryStatus::Sent.as_str()))
        .col_expr(cols.sent_at, Expr::value(to_micros(at)))
        .col_expr(cols.attempts, Expr::col(cols.attempts).add(1))
        .col_expr(cols.locked_until, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(cols.last_error, Expr::value(Option::<String>::None))
        .filter(cols.id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt on row `id`: tried again at `retry_at`, or
/// given up (FAILED) when `retry_at` is `None`.
pub(crate) async fn mark_attempt_failed<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    cols: &DeliveryColumns<E::Column>,
    id: uuid::Uuid,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    let mut update = E::update_many()
        .col_expr(cols.attempts, Expr::col(cols.attempts).add(1))
        .col_expr(cols.locked_until, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(cols.last_error, Expr::value(error.to_owned()));
    update = match retry_at {
        Some(at) => update.col_expr(cols.next_attempt_at, Expr::value(to_micros(at))),
        None => update.col_expr(cols.status, Expr::value(DeliveryStatus::Failed.as_str())),
    };
    update.filter(cols.id.eq(id)).exec(db).await?;
    Ok(())
}
