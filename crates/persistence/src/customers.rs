//! Customers and their channel identities.

use chrono::{DateTime, Utc};
use helpdesk_domain::customer::IdentityKind;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::CustomerId;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entity::{customer, customer_identity};
use crate::error::parse_column;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    pub id: CustomerId,
    pub name: Option<String>,
    /// The customer's email identity, if they have one.
    pub email: Option<EmailAddress>,
    pub created_at: DateTime<Utc>,
}

/// The customer who owns this email identity, created (with the identity) on
/// first sight. A known customer without a name gets the one given now.
pub(crate) async fn find_or_create_by_email<C: ConnectionTrait>(
    db: &C,
    email: &EmailAddress,
    name: Option<&str>,
    at: DateTime<Utc>,
) -> Result<CustomerId, StoreError> {
    let existing = customer_identity::Entity::find()
        .filter(customer_identity::Column::Kind.eq(IdentityKind::Email.as_str()))
        .filter(customer_identity::Column::Value.eq(email.as_str()))
        .one(db)
        .await?;
    if let Some(identity) = existing {
        if let Some(name) = name
            && let Some(found) = customer::Entity::find_by_id(identity.customer_id).one(db).await?
            && found.name.is_none()
        {
            let mut row: customer::ActiveModel = found.into();
            row.name = Set(Some(name.to_owned()));
            row.update(db).await?;
        }
        return Ok(CustomerId::from_uuid(identity.customer_id));
    }
    let id = CustomerId::new();
    customer::ActiveModel {
        id: Set(id.as_uuid()),
        name: Set(name.map(str::to_owned)),
        created_at: Set(at),
    }
    .insert(db)
    .await?;
    customer_identity::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        customer_id: Set(id.as_uuid()),
        kind: Set(IdentityKind::Email.as_str().to_owned()),
        value: Set(email.to_string()),
        created_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(id)
}

impl Store {
    pub async fn customers_by_ids(&self, ids: &[CustomerId]) -> Result<Vec<CustomerRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let uuids: Vec<_> = ids.iter().map(CustomerId::as_uuid).collect();
        let customers = customer::Entity::find()
            .filter(customer::Column::Id.is_in(uuids.clone()))
            .all(self.db())
            .await?;
        let emails = customer_identity::Entity::find()
            .filter(customer_identity::Column::CustomerId.is_in(uuids))
            .filter(customer_identity::Column::Kind.eq(IdentityKind::Email.as_str()))
            .all(self.db())
            .await?;
        customers
            .into_iter()
            .map(|c| {
                let email = emails
                    .iter()
                    .filter(|i| i.customer_id == c.id)
                    .min_by_key(|i| i.created_at)
                    .map(|i| parse_column("customer_identities.value", &i.value))
                    .transpose()?;
                Ok(CustomerRecord {
                    id: CustomerId::from_uuid(c.id),
                    name: c.name,
                    email,
                    created_at: c.created_at,
                })
            })
            .collect()
    }
}
