//! What the mail outbox and the webhook queue share: recording how an
//! attempt to deliver went. (Each keeps its own table and lease query.)

use chrono::{DateTime, Utc};
use helpdesk_domain::time::to_micros;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

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
