//! Each project carries a copy of its kept light on its own row (`kept_light`, current on
//! `kept_light_day`), so that a page showing lights reads them with its projects instead of
//! searching `project_lights` once per row. The copy is set only while the kept light is current
//! and cleared by every write that makes it stale; it starts empty, and the next read of each
//! light fills it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Projects {
    Table,
    KeptLight,
    KeptLightDay,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        let light = ColumnDef::new(Projects::KeptLight).string_len(16).null().to_owned();
        let day = ColumnDef::new(Projects::KeptLightDay).date().null().to_owned();
        for mut column in [light, day] {
            manager.alter_table(Table::alter().table(Projects::Table).add_column(&mut column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Projects::KeptLightDay, Projects::KeptLight] {
            manager.alter_table(Table::alter().table(Projects::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
