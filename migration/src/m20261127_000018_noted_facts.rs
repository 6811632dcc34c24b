//! What the periodic jobs have noted in the audit trail of the events time causes (an issue past its
//! deadline, a report not in by its due day, a project's light changing), so each is noted once, by
//! one instance, and again only when the fact changes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NotedFacts {
    Table,
    Key,
    Value,
    NotedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use NotedFacts as F;
        manager
            .create_table(
                Table::create()
                    .table(F::Table)
                    .col(ColumnDef::new(F::Key).string_len(200).not_null().primary_key())
                    .col(ColumnDef::new(F::Value).string_len(64).not_null())
                    .col(ColumnDef::new(F::NotedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(NotedFacts::Table).to_owned()).await
    }
}
