//! A light's projects in name order without reading them all: each kept light holds its project's
//! name as of its last computation, and the index of the projects showing a light on a day is in
//! name order, so `projects(filter: { light: RED }, first: 50)` reads the 50 entries it shows
//! whatever share of a province is red and however the red ones fall in name order.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProjectLights {
    Table,
    ProjectId,
    Day,
    Light,
    Name,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    Name,
}

const BY_LIGHT: &str = "ix_project_lights_day_light_project";
const BY_LIGHT_NAME: &str = "ix_project_lights_day_light_name";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ProjectLights::Table)
                    .add_column(ColumnDef::new(ProjectLights::Name).string_len(200).null())
                    .to_owned(),
            )
            .await?;
        let names = Query::update()
            .table(ProjectLights::Table)
            .value(
                ProjectLights::Name,
                SimpleExpr::SubQuery(
                    None,
                    Box::new(
                        Query::select()
                            .column(Projects::Name)
                            .from(Projects::Table)
                            .and_where(
                                Expr::col((Projects::Table, Projects::Id))
                                    .equals((ProjectLights::Table, ProjectLights::ProjectId)),
                            )
                            .to_owned()
                            .into_sub_query_statement(),
                    ),
                ),
            )
            .to_owned();
        manager.exec_stmt(names).await?;
        manager.drop_index(Index::drop().name(BY_LIGHT).table(ProjectLights::Table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_LIGHT_NAME)
                    .table(ProjectLights::Table)
                    .col(ProjectLights::Day)
                    .col(ProjectLights::Light)
                    .col(ProjectLights::Name)
                    .col(ProjectLights::ProjectId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(BY_LIGHT_NAME).table(ProjectLights::Table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_LIGHT)
                    .table(ProjectLights::Table)
                    .col(ProjectLights::Day)
                    .col(ProjectLights::Light)
                    .col(ProjectLights::ProjectId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(ProjectLights::Table).drop_column(ProjectLights::Name).to_owned())
            .await
    }
}
