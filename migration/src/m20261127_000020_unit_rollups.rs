//! Read speed at a province's size.
//! - Each unit's share of the dashboard (projects, money, reports, slips and lights per category and
//!   industry) is kept in `unit_rollups`, current when its mark in `unit_rollup_marks` says so, so the
//!   dashboard sums a few rows per unit instead of a row per project.
//! - A kept light not computed from its inputs' version has `computed_version` NULL (it was "not
//!   equal to `version`", which the planner cannot estimate, so it read the whole table to find none).
//! - Which projects owe a report reads an index of status and creation time.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UnitRollupMarks {
    Table,
    UnitId,
    Version,
    ComputedVersion,
    Day,
}

#[derive(DeriveIden)]
enum UnitRollups {
    Table,
    UnitId,
    Category,
    Industry,
    Year,
    Projects,
    PlanFen,
    DoneFen,
    Reports,
    OnTime,
    ReportsDue,
    SlipSum,
    SlipCount,
    Green,
    Yellow,
    Red,
}

#[derive(DeriveIden)]
enum ProjectLights {
    Table,
    ProjectId,
    Version,
    ComputedVersion,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    ResponsibleUnitId,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
}

const OLD_STALE: &str = "ix_project_lights_stale";
const UNCOMPUTED: &str = "ix_project_lights_uncomputed";
const OWING: &str = "ix_projects_status_created";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(OLD_STALE).table(ProjectLights::Table).to_owned()).await?;
        let uncomputed = Query::update()
            .table(ProjectLights::Table)
            .value(ProjectLights::ComputedVersion, Option::<i64>::None)
            .and_where(Expr::col(ProjectLights::ComputedVersion).ne(Expr::col(ProjectLights::Version)))
            .to_owned();
        manager.exec_stmt(uncomputed).await?;
        manager
            .create_index(
                Index::create()
                    .name(UNCOMPUTED)
                    .table(ProjectLights::Table)
                    .col(ProjectLights::ProjectId)
                    .and_where(Expr::col(ProjectLights::ComputedVersion).is_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UnitRollupMarks::Table)
                    .col(ColumnDef::new(UnitRollupMarks::UnitId).uuid().not_null().primary_key())
                    .col(ColumnDef::new(UnitRollupMarks::Version).big_integer().not_null().default(0))
                    .col(ColumnDef::new(UnitRollupMarks::ComputedVersion).big_integer().null())
                    .col(ColumnDef::new(UnitRollupMarks::Day).date().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_rollup_marks_unit")
                            .from(UnitRollupMarks::Table, UnitRollupMarks::UnitId)
                            .to(Units::Table, Units::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let money = |c: UnitRollups| ColumnDef::new(c).big_integer().not_null().default(0).to_owned();
        manager
            .create_table(
                Table::create()
                    .table(UnitRollups::Table)
                    .col(ColumnDef::new(UnitRollups::UnitId).uuid().not_null())
                    .col(ColumnDef::new(UnitRollups::Category).string_len(24).not_null())
                    .col(ColumnDef::new(UnitRollups::Industry).string_len(24).not_null())
                    .col(ColumnDef::new(UnitRollups::Year).integer().not_null())
                    .col(money(UnitRollups::Projects))
                    .col(money(UnitRollups::PlanFen))
                    .col(money(UnitRollups::DoneFen))
                    .col(money(UnitRollups::Reports))
                    .col(money(UnitRollups::OnTime))
                    .col(money(UnitRollups::ReportsDue))
                    .col(money(UnitRollups::SlipSum))
                    .col(money(UnitRollups::SlipCount))
                    .col(money(UnitRollups::Green))
                    .col(money(UnitRollups::Yellow))
                    .col(money(UnitRollups::Red))
                    .primary_key(
                        Index::create().col(UnitRollups::UnitId).col(UnitRollups::Category).col(UnitRollups::Industry),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_rollups_mark")
                            .from(UnitRollups::Table, UnitRollups::UnitId)
                            .to(UnitRollupMarks::Table, UnitRollupMarks::UnitId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Every unit with projects gets a mark that is not current yet.
        let marks = Query::insert()
            .into_table(UnitRollupMarks::Table)
            .columns([UnitRollupMarks::UnitId])
            .select_from(
                Query::select().distinct().column(Projects::ResponsibleUnitId).from(Projects::Table).to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(marks).await?;
        manager
            .create_index(
                Index::create()
                    .name(OWING)
                    .table(Projects::Table)
                    .col(Projects::Status)
                    .col(Projects::CreatedAt)
                    .col(Projects::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(OWING).table(Projects::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(UnitRollups::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(UnitRollupMarks::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name(UNCOMPUTED).table(ProjectLights::Table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name(OLD_STALE)
                    .table(ProjectLights::Table)
                    .col(ProjectLights::ProjectId)
                    .and_where(
                        Expr::col(ProjectLights::ComputedVersion)
                            .is_null()
                            .or(Expr::col(ProjectLights::ComputedVersion).ne(Expr::col(ProjectLights::Version))),
                    )
                    .to_owned(),
            )
            .await
    }
}
