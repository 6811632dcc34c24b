//! Read speed at a province's size.
//! - Each unit's share of the dashboard (its projects, reports, slips and lights, and its projects and
//!   money per category and per industry) is kept in one row of `unit_rollups`, current when its mark
//!   in `unit_rollup_marks` says so, so the dashboard sums a row per unit instead of one per project.
//! - A kept light not computed from its inputs' version has `computed_version` NULL (it was "not
//!   equal to `version`", which the planner cannot estimate, so it read the whole table to find none).
//! - Which projects owe a report reads an index of status and creation time; which show a light, an
//!   index that holds their ids.

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
    Year,
}

/// A unit's figures (with, per month of the year, its projects that owe the month's report and have
/// none), then its projects, planned and completed fen per category and per industry (named by the
/// enums' stored values, lower case).
const FIGURES: [&str; 21] = [
    "projects",
    "reports_due",
    "slip_sum",
    "slip_count",
    "reports",
    "on_time",
    "green",
    "yellow",
    "red",
    "missing_01",
    "missing_02",
    "missing_03",
    "missing_04",
    "missing_05",
    "missing_06",
    "missing_07",
    "missing_08",
    "missing_09",
    "missing_10",
    "missing_11",
    "missing_12",
];
const GROUPS: [&str; 11] = [
    "key_construction",
    "key_preliminary",
    "key_development",
    "auto_parts",
    "salt_chemical",
    "textile",
    "paper",
    "food",
    "infrastructure",
    "social",
    "other",
];
const GROUP_FIGURES: [&str; 3] = ["projects", "plan_fen", "done_fen"];

#[derive(DeriveIden)]
enum ProjectLights {
    Table,
    ProjectId,
    Day,
    Light,
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
const OLD_BY_LIGHT: &str = "ix_project_lights_day_light";
const BY_LIGHT: &str = "ix_project_lights_day_light_project";
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
        // The projects showing a light on a day read the index alone.
        manager.drop_index(Index::drop().name(OLD_BY_LIGHT).table(ProjectLights::Table).to_owned()).await?;
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
        let mut rollups = Table::create();
        rollups
            .table(UnitRollups::Table)
            .col(ColumnDef::new(UnitRollups::UnitId).uuid().not_null().primary_key())
            .col(ColumnDef::new(UnitRollups::Year).integer().not_null());
        let grouped = GROUPS.iter().flat_map(|g| GROUP_FIGURES.iter().map(move |f| format!("{g}_{f}")));
        for name in FIGURES.iter().map(|f| (*f).to_owned()).chain(grouped) {
            rollups.col(ColumnDef::new(Alias::new(name)).big_integer().not_null().default(0));
        }
        manager
            .create_table(
                rollups
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
        manager.drop_index(Index::drop().name(BY_LIGHT).table(ProjectLights::Table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name(OLD_BY_LIGHT)
                    .table(ProjectLights::Table)
                    .col(ProjectLights::Day)
                    .col(ProjectLights::Light)
                    .to_owned(),
            )
            .await?;
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
