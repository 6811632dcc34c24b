//! The light thresholds, reporting days and issue escalation days are read by several domains: their
//! table is named for what it holds. The rename keeps every row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HealthRules {
    Table,
}

#[derive(DeriveIden)]
enum OfficeSettings {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.rename_table(Table::rename().table(HealthRules::Table, OfficeSettings::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.rename_table(Table::rename().table(OfficeSettings::Table, HealthRules::Table).to_owned()).await
    }
}
