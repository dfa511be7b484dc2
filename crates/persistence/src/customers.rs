//! Customers and their channel identities.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use helpdesk_domain::customer::IdentityKind;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::CustomerId;
use helpdesk_domain::ticket::Channel;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entity::{customer, customer_identity, ticket};
use crate::error::parse_column;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    pub id: CustomerId,
    pub name: Option<String>,
    /// The customer's email identity, if they have one. An unverified
    /// contact has none: its address is only `claimed_email`.
    pub email: Option<EmailAddress>,
    pub created_at: DateTime<Utc>,
    /// False for a chat visitor's own contact until the address they gave
    /// is proved theirs.
    pub verified: bool,
    /// The address an unverified contact claims, never used to find a customer.
    pub claimed_email: Option<EmailAddress>,
}

impl CustomerRecord {
    /// Where mail to this customer goes: their email identity, or for an
    /// unverified chat contact the address the visitor gave (see SECURITY.md,
    /// "Chat identity": an agent's own reply may go there, nothing of
    /// another customer's).
    pub fn mail_address(&self) -> Option<&EmailAddress> {
        self.email.as_ref().or(self.claimed_email.as_ref())
    }
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
        verified: Set(true),
        claimed_email: Set(None),
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

/// A customer to find by email identity, or to create with this name and
/// instant when none has it.
pub(crate) struct WantedCustomer<'a> {
    pub email: &'a EmailAddress,
    pub name: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// [`find_or_create_by_email`] for many addresses at once, with a few
/// statements instead of a few per address (an import batch names hundreds
/// of customers). The first mention of an address decides what a new
/// customer is created with, as calling [`find_or_create_by_email`] in
/// order would.
pub(crate) async fn find_or_create_many_by_email<C: ConnectionTrait>(
    db: &C,
    wanted: impl IntoIterator<Item = WantedCustomer<'_>>,
) -> Result<HashMap<EmailAddress, CustomerId>, StoreError> {
    let mut first: Vec<WantedCustomer<'_>> = Vec::new();
    let mut seen: HashSet<&EmailAddress> = HashSet::new();
    for w in wanted {
        if seen.insert(w.email) {
            first.push(w);
        }
    }
    let mut found: HashMap<EmailAddress, CustomerId> = HashMap::with_capacity(first.len());
    for chunk in first.chunks(IN_LIST_CHUNK) {
        let rows: Vec<(String, uuid::Uuid)> = customer_identity::Entity::find()
            .select_only()
            .column(customer_identity::Column::Value)
            .column(customer_identity::Column::CustomerId)
            .filter(customer_identity::Column::Kind.eq(IdentityKind::Email.as_str()))
            .filter(customer_identity::Column::Value.is_in(chunk.iter().map(|w| w.email.as_str())))
            .into_tuple()
            .all(db)
            .await?;
        for (value, customer) in rows {
            if let Ok(email) = EmailAddress::parse(&value) {
                found.insert(email, CustomerId::from_uuid(customer));
            }
        }
    }
    // A known customer without a name gets the one given now (rare: only
    // the nameless are updated, one statement each).
    let named: Vec<(uuid::Uuid, &str)> = first
        .iter()
        .filter_map(|w| Some((found.get(w.email)?.as_uuid(), w.name?)))
        .collect();
    for chunk in named.chunks(IN_LIST_CHUNK) {
        let nameless: HashSet<uuid::Uuid> = customer::Entity::find()
            .select_only()
            .column(customer::Column::Id)
            .filter(customer::Column::Id.is_in(chunk.iter().map(|(id, _)| *id)))
            .filter(customer::Column::Name.is_null())
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for (id, name) in chunk.iter().filter(|(id, _)| nameless.contains(id)) {
            customer::Entity::update_many()
                .col_expr(customer::Column::Name, Expr::value(*name))
                .filter(customer::Column::Id.eq(*id))
                .exec(db)
                .await?;
        }
    }
    let (mut customers, mut identities) = (Vec::new(), Vec::new());
    for w in &first {
        if found.contains_key(w.email) {
            continue;
        }
        let id = CustomerId::new();
        found.insert(w.email.clone(), id);
        customers.push(customer::ActiveModel {
            id: Set(id.as_uuid()),
            name: Set(w.name.map(str::to_owned)),
            created_at: Set(w.at),
            verified: Set(true),
            claimed_email: Set(None),
        });
        identities.push(customer_identity::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            customer_id: Set(id.as_uuid()),
            kind: Set(IdentityKind::Email.as_str().to_owned()),
            value: Set(w.email.to_string()),
            created_at: Set(w.at),
        });
    }
    crate::tickets::derived::insert_chunked::<customer::Entity>(db, customers).await?;
    crate::tickets::derived::insert_chunked::<customer_identity::Entity>(db, identities).await?;
    Ok(found)
}

/// Values in one `IN (...)` list, well under both engines' limit on bound
/// parameters.
const IN_LIST_CHUNK: usize = 10_000;

/// A new contact for a chat visitor who gave `claimed` as their address:
/// the address is kept, but as a claim, not as an identity, so the contact
/// is nobody else's record and no other channel finds it.
pub(crate) async fn create_unverified_contact<C: ConnectionTrait>(
    db: &C,
    claimed: &EmailAddress,
    name: Option<&str>,
    at: DateTime<Utc>,
) -> Result<CustomerId, StoreError> {
    let id = CustomerId::new();
    customer::ActiveModel {
        id: Set(id.as_uuid()),
        name: Set(name.map(str::to_owned)),
        created_at: Set(at),
        verified: Set(false),
        claimed_email: Set(Some(claimed.to_string())),
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
                    verified: c.verified,
                    claimed_email: c
                        .claimed_email
                        .map(|e| parse_column("customers.claimed_email", &e))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Per customer and channel, the customer's tickets on that channel
    /// (tickets merged into another left out) and when the latest of them
    /// was created: `(customer, channel, tickets, latest created_at)`. One
    /// grouped query however many customers; customers without tickets have
    /// no rows. Ordered by customer, then channel.
    pub async fn channel_counts_of(
        &self,
        customers: &[CustomerId],
    ) -> Result<Vec<(CustomerId, Channel, u64, DateTime<Utc>)>, StoreError> {
        if customers.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(uuid::Uuid, String, i64, DateTime<Utc>)> = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::CustomerId)
            .column(ticket::Column::Channel)
            .column_as(ticket::Column::Id.count(), "tickets")
            .column_as(ticket::Column::CreatedAt.max(), "latest")
            .filter(ticket::Column::CustomerId.is_in(customers.iter().map(CustomerId::as_uuid)))
            .filter(ticket::Column::MergedIntoId.is_null())
            .group_by(ticket::Column::CustomerId)
            .group_by(ticket::Column::Channel)
            .order_by_asc(ticket::Column::CustomerId)
            .order_by_asc(ticket::Column::Channel)
            .into_tuple()
            .all(self.db())
            .await?;
        rows.into_iter()
            .map(|(customer, channel, tickets, latest)| {
                Ok((
                    CustomerId::from_uuid(customer),
                    parse_column("tickets.channel", &channel)?,
                    u64::try_from(tickets).unwrap_or(0),
                    latest,
                ))
            })
            .collect()
    }
}
