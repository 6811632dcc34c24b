//! Issue lists are read newest first: an index in that order lets a page stop after its rows
//! instead of sorting every issue the caller may see.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Issues {
    Table,
    CreatedAt,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_issues_created")
                    .table(Issues::Table)
                    .col(Issues::CreatedAt)
                    .col(Issues::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_issues_created").table(Issues::Table).to_owned()).await
    }
}
