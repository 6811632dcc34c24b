//! The project library's orders read off an index each: by name and by total investment, each with
//! the id that makes the order total (the keyset cursors compare both). With the name alone indexed,
//! every page sorted the projects of equal name by id after the scan (PostgreSQL's incremental sort,
//! SQLite's temporary b-tree); ordered by investment, every page sorted the whole library.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    Name,
    TotalInvestmentFen,
}

const BY_NAME: &str = "ix_projects_name";
const BY_NAME_ID: &str = "ix_projects_name_id";
const BY_INVESTMENT_ID: &str = "ix_projects_investment_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let index = |name: &str, first: Projects| {
            Index::create().name(name).table(Projects::Table).col(first).col(Projects::Id).to_owned()
        };
        manager.create_index(index(BY_NAME_ID, Projects::Name)).await?;
        manager.create_index(index(BY_INVESTMENT_ID, Projects::TotalInvestmentFen)).await?;
        // Every search by name is served by the wider index.
        manager.drop_index(Index::drop().name(BY_NAME).table(Projects::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(Index::create().name(BY_NAME).table(Projects::Table).col(Projects::Name).to_owned())
            .await?;
        for name in [BY_INVESTMENT_ID, BY_NAME_ID] {
            manager.drop_index(Index::drop().name(name).table(Projects::Table).to_owned()).await?;
        }
        Ok(())
    }
}
