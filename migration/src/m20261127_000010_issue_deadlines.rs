//! Every issue gets a deadline: the office sets how many days an issue raised by a failed checklist
//! item has to be resolved, by severity. Existing rows take the defaults (HIGH 7, MEDIUM 15, LOW 30).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OfficeSettings {
    Table,
    IssueDueDaysHigh,
    IssueDueDaysMedium,
    IssueDueDaysLow,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite adds columns one at a time.
        for (column, days) in [
            (OfficeSettings::IssueDueDaysHigh, 7),
            (OfficeSettings::IssueDueDaysMedium, 15),
            (OfficeSettings::IssueDueDaysLow, 30),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OfficeSettings::Table)
                        .add_column(ColumnDef::new(column).integer().not_null().default(days))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in
            [OfficeSettings::IssueDueDaysHigh, OfficeSettings::IssueDueDaysMedium, OfficeSettings::IssueDueDaysLow]
        {
            manager.alter_table(Table::alter().table(OfficeSettings::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
