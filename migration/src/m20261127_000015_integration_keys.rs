//! Integration keys: scoped, revocable credentials for third-party systems. Each key acts through
//! an account of its own (no password, so nobody signs in with it), which the audit trail names as
//! the author of what the key does. Only a hash of the secret is stored.

use sea_orm_migration::prelude::*;

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IntegrationKeys {
    Table,
    Id,
    Name,
    Prefix,
    SecretHash,
    Scopes,
    UserId,
    UnitId,
    RateLimitPerMinute,
    ExpiresAt,
    RevokedAt,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RequestCount,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use IntegrationKeys as K;
        manager
            .create_table(
                Table::create()
                    .table(K::Table)
                    .col(ColumnDef::new(K::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(K::Name).string_len(100).not_null())
                    .col(ColumnDef::new(K::Prefix).string_len(16).not_null())
                    .col(ColumnDef::new(K::SecretHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(K::Scopes).text().not_null())
                    .col(ColumnDef::new(K::UserId).uuid().not_null().unique_key())
                    .col(ColumnDef::new(K::UnitId).uuid().null())
                    .col(ColumnDef::new(K::RateLimitPerMinute).integer().not_null())
                    .col(ColumnDef::new(K::ExpiresAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(K::RevokedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(K::CreatedBy).uuid().not_null())
                    .col(ColumnDef::new(K::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(K::LastUsedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(K::RequestCount).big_integer().not_null().default(0))
                    .foreign_key(&mut fk("fk_integration_keys_user", (K::Table, K::UserId), (Users::Table, Users::Id)))
                    .foreign_key(&mut fk("fk_integration_keys_unit", (K::Table, K::UnitId), (Units::Table, Units::Id)))
                    .foreign_key(&mut fk(
                        "fk_integration_keys_created_by",
                        (K::Table, K::CreatedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IntegrationKeys::Table).to_owned()).await
    }
}
