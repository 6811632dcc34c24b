//! Persisted documents: GraphQL documents kept by their SHA-256, shared by every instance. Clients
//! send the hash instead of the text (automatic persisted queries), and in trusted-documents mode
//! the server runs only documents registered beforehand as trusted.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PersistedDocuments {
    Table,
    Hash,
    Body,
    Trusted,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use PersistedDocuments as D;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(ColumnDef::new(D::Hash).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(D::Body).text().not_null())
                    .col(ColumnDef::new(D::Trusted).boolean().not_null())
                    .col(ColumnDef::new(D::CreatedBy).uuid().null())
                    .col(ColumnDef::new(D::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(D::LastUsedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PersistedDocuments::Table).to_owned()).await
    }
}
