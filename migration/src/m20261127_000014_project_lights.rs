//! Each project's light (红黄绿灯) kept in a row, so that lists filter and the dashboard counts by
//! light in SQL instead of computing every project's light on every request. A row is current when
//! it was computed for the county's today from the inputs of its `version`: every write that changes
//! what a light is computed from bumps `version` in its own transaction, and a reader recomputes the
//! rows that are not current. Existing projects get a row that is not current yet (computed on first
//! read). Beside the light it keeps what the project adds to the dashboard in that day's year (plan,
//! reported investment, reports submitted, on time and owed, the worst slip). Reading the newest reports of a project gets an index that fits it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProjectLights {
    Table,
    ProjectId,
    Version,
    ComputedVersion,
    Day,
    Light,
    SlipDays,
    Year,
    PlanFen,
    DoneFen,
    Reports,
    OnTime,
    ReportsDue,
    Detail,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum MonthlyReports {
    Table,
    ProjectId,
    Period,
    IsCurrent,
}

const STALE: &str = "ix_project_lights_stale";
const BY_LIGHT: &str = "ix_project_lights_day_light";
const RECENT_REPORTS: &str = "ix_reports_current_project_period";
const PERIOD_REPORTS: &str = "ix_reports_current_period_project";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProjectLights::Table)
                    .col(ColumnDef::new(ProjectLights::ProjectId).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ProjectLights::Version).big_integer().not_null().default(0))
                    .col(ColumnDef::new(ProjectLights::ComputedVersion).big_integer().null())
                    .col(ColumnDef::new(ProjectLights::Day).date().null())
                    .col(ColumnDef::new(ProjectLights::Light).string_len(16).null())
                    .col(ColumnDef::new(ProjectLights::SlipDays).big_integer().null())
                    .col(ColumnDef::new(ProjectLights::Year).integer().null())
                    .col(ColumnDef::new(ProjectLights::PlanFen).big_integer().null())
                    .col(ColumnDef::new(ProjectLights::DoneFen).big_integer().null())
                    .col(ColumnDef::new(ProjectLights::Reports).big_integer().null())
                    .col(ColumnDef::new(ProjectLights::OnTime).big_integer().null())
                    .col(ColumnDef::new(ProjectLights::ReportsDue).big_integer().null())
                    .col(ColumnDef::new(ProjectLights::Detail).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_light_project")
                            .from(ProjectLights::Table, ProjectLights::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Finding the rows a reader must recompute reads only those (a partial index).
        manager
            .create_index(
                Index::create()
                    .name(STALE)
                    .table(ProjectLights::Table)
                    .col(ProjectLights::ProjectId)
                    .and_where(
                        Expr::col(ProjectLights::ComputedVersion)
                            .is_null()
                            .or(Expr::col(ProjectLights::ComputedVersion).ne(Expr::col(ProjectLights::Version))),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_LIGHT)
                    .table(ProjectLights::Table)
                    .col(ProjectLights::Day)
                    .col(ProjectLights::Light)
                    .to_owned(),
            )
            .await?;
        let backfill = Query::insert()
            .into_table(ProjectLights::Table)
            .columns([ProjectLights::ProjectId])
            .select_from(Query::select().column(Projects::Id).from(Projects::Table).to_owned())
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(backfill).await?;
        manager
            .create_index(
                Index::create()
                    .name(RECENT_REPORTS)
                    .table(MonthlyReports::Table)
                    .col(MonthlyReports::ProjectId)
                    .col(MonthlyReports::Period)
                    .and_where(Expr::col(MonthlyReports::IsCurrent).eq(true))
                    .to_owned(),
            )
            .await?;
        // Which projects reported for a period (missing reports) reads the index alone.
        manager
            .create_index(
                Index::create()
                    .name(PERIOD_REPORTS)
                    .table(MonthlyReports::Table)
                    .col(MonthlyReports::Period)
                    .col(MonthlyReports::ProjectId)
                    .and_where(Expr::col(MonthlyReports::IsCurrent).eq(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(PERIOD_REPORTS).table(MonthlyReports::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name(RECENT_REPORTS).table(MonthlyReports::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ProjectLights::Table).to_owned()).await
    }
}
