//! A chat visitor's address is a claim until verified: a chat opens its own
//! unverified contact (`customers.verified = false`) that holds the claimed
//! address in `customers.claimed_email`, outside the unique email
//! identities, so it never lands on the address's real customer. One-time
//! codes that verify the claim live in `chat_verifications`, as hashes.
//!
//! Every existing customer was found through a channel identity and stays
//! verified.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        m.alter_table(
            Table::alter()
                .table(Customers::Table)
                .add_column(boolean(Customers::Verified).default(true))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Customers::Table)
                .add_column(string_null(Customers::ClaimedEmail))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ChatVerifications::Table)
                // One live code per unverified contact; a new request replaces it.
                .col(uuid(ChatVerifications::CustomerId).primary_key())
                .col(string(ChatVerifications::CodeHash))
                .col(timestamp_with_time_zone(ChatVerifications::ExpiresAt))
                .col(integer(ChatVerifications::AttemptsLeft))
                .col(integer(ChatVerifications::CodesSent))
                .col(timestamp_with_time_zone(ChatVerifications::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ChatVerifications::Table, ChatVerifications::CustomerId)
                        .to(Customers::Table, Customers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ChatVerifications::Table).to_owned())
            .await?;
        for column in [Customers::Verified, Customers::ClaimedEmail] {
            m.alter_table(Table::alter().table(Customers::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    Verified,
    ClaimedEmail,
}

#[derive(DeriveIden)]
enum ChatVerifications {
    Table,
    CustomerId,
    CodeHash,
    ExpiresAt,
    AttemptsLeft,
    CodesSent,
    CreatedAt,
}
