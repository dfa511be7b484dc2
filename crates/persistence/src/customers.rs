//! Customers and their channel identities.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use helpdesk_domain::customer::IdentityKind;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::CustomerId;
use helpdesk_domain::ticket::Channel;
use sea_orm::sea_query::{Expr, OnConflict};
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
    /// The customer this one was merged into: its identities, tickets and
    /// messages are that customer's now.
    pub merged_into: Option<CustomerId>,
}

impl CustomerRecord {
    /// Where mail to this customer goes: their email identity, or for an
    /// unverified chat contact the address the visitor gave (see SECURITY.md,
    /// "Chat identity": an agent's own reply may go there, nothing of
    /// another customer's).
    pub fn mail_address(&self) -> Option<&EmailAddress> {
        self.email.as_ref().or(self.claimed_email.as_ref())
    }

    /// What the desk calls them in a mail: their name, or their address
    /// when they gave none (empty when they have neither).
    pub fn greeting_name(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.mail_address().map(ToString::to_string))
            .unwrap_or_default()
    }
}

/// The customer who owns this email identity, created (with the identity) on
/// first sight. A known customer without a name gets the one given now.
///
/// Safe against a concurrent transaction adding the same address: the
/// identity goes in with `ON CONFLICT DO NOTHING`, which on PostgreSQL waits
/// for that transaction; if it committed, its customer is the one.
pub(crate) async fn find_or_create_by_email<C: ConnectionTrait>(
    db: &C,
    email: &EmailAddress,
    name: Option<&str>,
    at: DateTime<Utc>,
) -> Result<CustomerId, StoreError> {
    if let Some(found) = find_by_email(db, email, name).await? {
        return Ok(found);
    }
    let id = CustomerId::new();
    customer::ActiveModel {
        id: Set(id.as_uuid()),
        name: Set(name.map(str::to_owned)),
        created_at: Set(at),
        verified: Set(true),
        claimed_email: Set(None),
        merged_into_id: Set(None),
        merged_at: Set(None),
    }
    .insert(db)
    .await?;
    let identity = email_identity(id, email, at);
    if insert_identities(db, vec![identity]).await? == 1 {
        return Ok(id);
    }
    // Another transaction added the address since the lookup above.
    customer::Entity::delete_by_id(id.as_uuid()).exec(db).await?;
    find_by_email(db, email, name)
        .await?
        .ok_or(StoreError::NotFound { what: "customer" })
}

/// The customer whose email identity this is, given `name` if they have none.
async fn find_by_email<C: ConnectionTrait>(
    db: &C,
    email: &EmailAddress,
    name: Option<&str>,
) -> Result<Option<CustomerId>, StoreError> {
    let Some(identity) = customer_identity::Entity::find()
        .filter(customer_identity::Column::Kind.eq(IdentityKind::Email.as_str()))
        .filter(customer_identity::Column::Value.eq(email.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if let Some(name) = name
        && let Some(found) = customer::Entity::find_by_id(identity.customer_id).one(db).await?
        && found.name.is_none()
    {
        let mut row: customer::ActiveModel = found.into();
        row.name = Set(Some(name.to_owned()));
        row.update(db).await?;
    }
    Ok(Some(CustomerId::from_uuid(identity.customer_id)))
}

fn email_identity(customer: CustomerId, email: &EmailAddress, at: DateTime<Utc>) -> customer_identity::ActiveModel {
    customer_identity::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        customer_id: Set(customer.as_uuid()),
        kind: Set(IdentityKind::Email.as_str().to_owned()),
        value: Set(email.to_string()),
        created_at: Set(at),
    }
}

/// Inserts identities, skipping each whose kind and value another
/// transaction has stored since they were looked up; returns how many went in.
async fn insert_identities<C: ConnectionTrait>(
    db: &C,
    identities: Vec<customer_identity::ActiveModel>,
) -> Result<u64, StoreError> {
    let mut inserted = 0;
    let mut rows = identities.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(IDENTITIES_PER_STATEMENT).collect();
        inserted += customer_identity::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([customer_identity::Column::Kind, customer_identity::Column::Value])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(inserted)
}

/// Identity rows per insert: five values each, well under SQLite's limit
/// of bound parameters.
const IDENTITIES_PER_STATEMENT: usize = 1_000;

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
    let addresses: Vec<&EmailAddress> = first.iter().map(|w| w.email).collect();
    let mut found: HashMap<EmailAddress, CustomerId> = email_owners(db, &addresses).await?.into_iter().collect();
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
    let (mut customers, mut identities, mut created) = (Vec::new(), Vec::new(), Vec::new());
    for w in &first {
        if found.contains_key(w.email) {
            continue;
        }
        let id = CustomerId::new();
        created.push(w.email);
        found.insert(w.email.clone(), id);
        customers.push(customer::ActiveModel {
            id: Set(id.as_uuid()),
            name: Set(w.name.map(str::to_owned)),
            created_at: Set(w.at),
            verified: Set(true),
            claimed_email: Set(None),
            merged_into_id: Set(None),
            merged_at: Set(None),
        });
        identities.push(email_identity(id, w.email, w.at));
    }
    crate::tickets::derived::insert_chunked::<customer::Entity>(db, customers).await?;
    let expected = u64::try_from(identities.len()).unwrap_or(u64::MAX);
    if insert_identities(db, identities).await? < expected {
        take_concurrent_identities(db, &created, &mut found).await?;
    }
    Ok(found)
}

/// After a batch lost some of its new identities to a concurrent
/// transaction: those addresses belong to the customers that transaction
/// created, and the batch's own customers for them, never referenced, go.
async fn take_concurrent_identities<C: ConnectionTrait>(
    db: &C,
    created: &[&EmailAddress],
    found: &mut HashMap<EmailAddress, CustomerId>,
) -> Result<(), StoreError> {
    let mut orphans = Vec::new();
    for (email, owner) in email_owners(db, created).await? {
        if let Some(ours) = found.insert(email, owner)
            && ours != owner
        {
            orphans.push(ours.as_uuid());
        }
    }
    for chunk in orphans.chunks(IN_LIST_CHUNK) {
        customer::Entity::delete_many()
            .filter(customer::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The customers who own these email identities (addresses nobody has are
/// left out), a few statements however many addresses.
async fn email_owners<C: ConnectionTrait>(
    db: &C,
    addresses: &[&EmailAddress],
) -> Result<Vec<(EmailAddress, CustomerId)>, StoreError> {
    let mut owners = Vec::with_capacity(addresses.len());
    for chunk in addresses.chunks(IN_LIST_CHUNK) {
        let rows: Vec<(String, uuid::Uuid)> = customer_identity::Entity::find()
            .select_only()
            .column(customer_identity::Column::Value)
            .column(customer_identity::Column::CustomerId)
            .filter(customer_identity::Column::Kind.eq(IdentityKind::Email.as_str()))
            .filter(customer_identity::Column::Value.is_in(chunk.iter().map(|e| e.as_str())))
            .into_tuple()
            .all(db)
            .await?;
        for (value, owner) in rows {
            owners.push((
                parse_column("customer_identities.value", &value)?,
                CustomerId::from_uuid(owner),
            ));
        }
    }
    Ok(owners)
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
        merged_into_id: Set(None),
        merged_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(id)
}

impl Store {
    pub async fn customers_by_ids(&self, ids: &[CustomerId]) -> Result<Vec<CustomerRecord>, StoreError> {
        customers_by_ids_in(self.db(), ids).await
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

/// Customers by id, read on `db` (a transaction's view, for one).
pub(crate) async fn customers_by_ids_in<C: ConnectionTrait>(
    db: &C,
    ids: &[CustomerId],
) -> Result<Vec<CustomerRecord>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let uuids: Vec<_> = ids.iter().map(CustomerId::as_uuid).collect();
    let customers = customer::Entity::find()
        .filter(customer::Column::Id.is_in(uuids.clone()))
        .all(db)
        .await?;
    let emails = customer_identity::Entity::find()
        .filter(customer_identity::Column::CustomerId.is_in(uuids))
        .filter(customer_identity::Column::Kind.eq(IdentityKind::Email.as_str()))
        .all(db)
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
                merged_into: c.merged_into_id.map(CustomerId::from_uuid),
            })
        })
        .collect()
}
