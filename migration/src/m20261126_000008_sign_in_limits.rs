//! Sign-in limits counted before the password is checked: token buckets (per client address, per
//! account) taken with one conditional write each, and the addresses from which each account has
//! signed in, so that strangers' failures do not lock its owner out. The failure log they replace
//! held only transient counts and is dropped.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateBuckets {
    Table,
    Key,
    Tokens,
    UpdatedMs,
}

#[derive(DeriveIden)]
enum KnownSignInAddresses {
    Table,
    Username,
    Address,
    LastSuccessAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateBuckets::Table)
                    .col(ColumnDef::new(RateBuckets::Key).string_len(200).not_null().primary_key())
                    .col(ColumnDef::new(RateBuckets::Tokens).double().not_null())
                    .col(ColumnDef::new(RateBuckets::UpdatedMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KnownSignInAddresses::Table)
                    .col(ColumnDef::new(KnownSignInAddresses::Username).string_len(64).not_null())
                    .col(ColumnDef::new(KnownSignInAddresses::Address).string_len(64).not_null())
                    .col(ColumnDef::new(KnownSignInAddresses::LastSuccessAt).timestamp_with_time_zone().not_null())
                    .primary_key(Index::create().col(KnownSignInAddresses::Username).col(KnownSignInAddresses::Address))
                    .to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(LoginFailures::Table).if_exists().to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KnownSignInAddresses::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(RateBuckets::Table).to_owned()).await
    }
}
