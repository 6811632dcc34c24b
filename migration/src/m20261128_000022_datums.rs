//! Positions from China's map SDKs: every position is stored in WGS-84 as before, and the datum a
//! client gave it in (WGS-84, GCJ-02 or BD-09) is kept beside it. Rows from before were all given in
//! WGS-84: projects say so, and photos and inspections do where they have a device position.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Projects {
    Table,
    LocationDatum,
}

#[derive(DeriveIden)]
enum Photos {
    Table,
    DeviceLat,
    DeviceDatum,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    Lat,
    LocationDatum,
}

const WGS84: &str = "WGS84";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Projects::Table)
                    .add_column(ColumnDef::new(Projects::LocationDatum).string_len(8).not_null().default(WGS84))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Photos::Table)
                    .add_column(ColumnDef::new(Photos::DeviceDatum).string_len(8).null())
                    .to_owned(),
            )
            .await?;
        let photos = Query::update()
            .table(Photos::Table)
            .value(Photos::DeviceDatum, WGS84)
            .and_where(Expr::col(Photos::DeviceLat).is_not_null())
            .to_owned();
        manager.exec_stmt(photos).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Inspections::Table)
                    .add_column(ColumnDef::new(Inspections::LocationDatum).string_len(8).null())
                    .to_owned(),
            )
            .await?;
        let inspections = Query::update()
            .table(Inspections::Table)
            .value(Inspections::LocationDatum, WGS84)
            .and_where(Expr::col(Inspections::Lat).is_not_null())
            .to_owned();
        manager.exec_stmt(inspections).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Inspections::Table).drop_column(Inspections::LocationDatum).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Photos::Table).drop_column(Photos::DeviceDatum).to_owned()).await?;
        manager.alter_table(Table::alter().table(Projects::Table).drop_column(Projects::LocationDatum).to_owned()).await
    }
}
