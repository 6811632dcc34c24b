//! The project library: projects, paired units, yearly plans, backward schedules, monthly reports,
//! period locks and the light thresholds.

use sea_orm_migration::prelude::*;

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    Code,
    Name,
    Category,
    Industry,
    Status,
    ResponsibleUnitId,
    LeaderId,
    TotalInvestmentFen,
    PriorCompletedFen,
    ProgressBp,
    PlannedStart,
    PlannedCompletion,
    ActualStart,
    ActualCompletion,
    Lat,
    Lng,
    SiteRadiusM,
    Boundary,
    Address,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProjectPairedUnits {
    Table,
    ProjectId,
    UnitId,
}

#[derive(DeriveIden)]
enum ProjectYearPlans {
    Table,
    ProjectId,
    Year,
    PlannedFen,
}

#[derive(DeriveIden)]
enum SchedulePlans {
    Table,
    Id,
    ProjectId,
    Version,
    Deadline,
    IsCurrent,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Milestones {
    Table,
    Id,
    SchedulePlanId,
    ProjectId,
    Position,
    Name,
    DurationDays,
    PlannedStart,
    PlannedFinish,
    ActualFinish,
}

#[derive(DeriveIden)]
enum MonthlyReports {
    Table,
    Id,
    ProjectId,
    Period,
    Version,
    IsCurrent,
    InvestmentFen,
    ProgressBp,
    Narrative,
    Problems,
    UnitId,
    SubmittedBy,
    SubmittedAt,
    OnTime,
}

#[derive(DeriveIden)]
enum ReportingPeriodLocks {
    Table,
    Period,
    LockedBy,
    LockedAt,
}

#[derive(DeriveIden)]
enum HealthRules {
    Table,
    Id,
    YellowGapPp,
    RedGapPp,
    RedLateDays,
    ReportDueDay,
    ReportLockDay,
    IssueDueSoonDays,
    IssueLeaderAfterDays,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Projects::Table)
                    .col(ColumnDef::new(Projects::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Projects::Code).string_len(24).null().unique_key())
                    .col(ColumnDef::new(Projects::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Projects::Category).string_len(24).not_null())
                    .col(ColumnDef::new(Projects::Industry).string_len(24).not_null())
                    .col(ColumnDef::new(Projects::Status).string_len(24).not_null())
                    .col(ColumnDef::new(Projects::ResponsibleUnitId).uuid().not_null())
                    .col(ColumnDef::new(Projects::LeaderId).uuid().not_null())
                    .col(ColumnDef::new(Projects::TotalInvestmentFen).big_integer().not_null())
                    .col(ColumnDef::new(Projects::PriorCompletedFen).big_integer().not_null().default(0))
                    .col(ColumnDef::new(Projects::ProgressBp).integer().not_null().default(0))
                    .col(ColumnDef::new(Projects::PlannedStart).date().null())
                    .col(ColumnDef::new(Projects::PlannedCompletion).date().null())
                    .col(ColumnDef::new(Projects::ActualStart).date().null())
                    .col(ColumnDef::new(Projects::ActualCompletion).date().null())
                    .col(ColumnDef::new(Projects::Lat).double().not_null())
                    .col(ColumnDef::new(Projects::Lng).double().not_null())
                    .col(ColumnDef::new(Projects::SiteRadiusM).integer().not_null())
                    .col(ColumnDef::new(Projects::Boundary).json_binary().null())
                    .col(ColumnDef::new(Projects::Address).string_len(300).null())
                    .col(ColumnDef::new(Projects::Description).text().null())
                    .col(ColumnDef::new(Projects::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Projects::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut fk(
                        "fk_projects_unit",
                        (Projects::Table, Projects::ResponsibleUnitId),
                        (Units::Table, Units::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_projects_leader",
                        (Projects::Table, Projects::LeaderId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_projects_unit", Projects::ResponsibleUnitId),
            ("ix_projects_leader", Projects::LeaderId),
            ("ix_projects_category", Projects::Category),
            ("ix_projects_name", Projects::Name),
            ("ix_projects_lat", Projects::Lat),
        ] {
            manager.create_index(Index::create().name(name).table(Projects::Table).col(col).to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ProjectPairedUnits::Table)
                    .col(ColumnDef::new(ProjectPairedUnits::ProjectId).uuid().not_null())
                    .col(ColumnDef::new(ProjectPairedUnits::UnitId).uuid().not_null())
                    .primary_key(Index::create().col(ProjectPairedUnits::ProjectId).col(ProjectPairedUnits::UnitId))
                    .foreign_key(&mut fk(
                        "fk_paired_project",
                        (ProjectPairedUnits::Table, ProjectPairedUnits::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_paired_unit",
                        (ProjectPairedUnits::Table, ProjectPairedUnits::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_paired_unit")
                    .table(ProjectPairedUnits::Table)
                    .col(ProjectPairedUnits::UnitId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectYearPlans::Table)
                    .col(ColumnDef::new(ProjectYearPlans::ProjectId).uuid().not_null())
                    .col(ColumnDef::new(ProjectYearPlans::Year).integer().not_null())
                    .col(ColumnDef::new(ProjectYearPlans::PlannedFen).big_integer().not_null())
                    .primary_key(Index::create().col(ProjectYearPlans::ProjectId).col(ProjectYearPlans::Year))
                    .foreign_key(&mut fk(
                        "fk_year_plan_project",
                        (ProjectYearPlans::Table, ProjectYearPlans::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SchedulePlans::Table)
                    .col(ColumnDef::new(SchedulePlans::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(SchedulePlans::ProjectId).uuid().not_null())
                    .col(ColumnDef::new(SchedulePlans::Version).integer().not_null())
                    .col(ColumnDef::new(SchedulePlans::Deadline).date().not_null())
                    .col(ColumnDef::new(SchedulePlans::IsCurrent).boolean().not_null())
                    .col(ColumnDef::new(SchedulePlans::CreatedBy).uuid().null())
                    .col(ColumnDef::new(SchedulePlans::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut fk(
                        "fk_schedule_project",
                        (SchedulePlans::Table, SchedulePlans::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_schedule_project_version")
                    .table(SchedulePlans::Table)
                    .col(SchedulePlans::ProjectId)
                    .col(SchedulePlans::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Milestones::Table)
                    .col(ColumnDef::new(Milestones::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Milestones::SchedulePlanId).uuid().not_null())
                    .col(ColumnDef::new(Milestones::ProjectId).uuid().not_null())
                    .col(ColumnDef::new(Milestones::Position).integer().not_null())
                    .col(ColumnDef::new(Milestones::Name).string_len(100).not_null())
                    .col(ColumnDef::new(Milestones::DurationDays).integer().not_null())
                    .col(ColumnDef::new(Milestones::PlannedStart).date().not_null())
                    .col(ColumnDef::new(Milestones::PlannedFinish).date().not_null())
                    .col(ColumnDef::new(Milestones::ActualFinish).date().null())
                    .foreign_key(&mut fk(
                        "fk_milestone_plan",
                        (Milestones::Table, Milestones::SchedulePlanId),
                        (SchedulePlans::Table, SchedulePlans::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_milestone_project",
                        (Milestones::Table, Milestones::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_milestones_plan")
                    .table(Milestones::Table)
                    .col(Milestones::SchedulePlanId)
                    .col(Milestones::Position)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MonthlyReports::Table)
                    .col(ColumnDef::new(MonthlyReports::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(MonthlyReports::ProjectId).uuid().not_null())
                    .col(ColumnDef::new(MonthlyReports::Period).string_len(7).not_null())
                    .col(ColumnDef::new(MonthlyReports::Version).integer().not_null())
                    .col(ColumnDef::new(MonthlyReports::IsCurrent).boolean().not_null())
                    .col(ColumnDef::new(MonthlyReports::InvestmentFen).big_integer().not_null())
                    .col(ColumnDef::new(MonthlyReports::ProgressBp).integer().not_null())
                    .col(ColumnDef::new(MonthlyReports::Narrative).text().not_null())
                    .col(ColumnDef::new(MonthlyReports::Problems).text().null())
                    .col(ColumnDef::new(MonthlyReports::UnitId).uuid().not_null())
                    .col(ColumnDef::new(MonthlyReports::SubmittedBy).uuid().not_null())
                    .col(ColumnDef::new(MonthlyReports::SubmittedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(MonthlyReports::OnTime).boolean().not_null())
                    .foreign_key(&mut fk(
                        "fk_report_project",
                        (MonthlyReports::Table, MonthlyReports::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_report_unit",
                        (MonthlyReports::Table, MonthlyReports::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_report_user",
                        (MonthlyReports::Table, MonthlyReports::SubmittedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_reports_project_period_version")
                    .table(MonthlyReports::Table)
                    .col(MonthlyReports::ProjectId)
                    .col(MonthlyReports::Period)
                    .col(MonthlyReports::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_reports_period")
                    .table(MonthlyReports::Table)
                    .col(MonthlyReports::Period)
                    .col(MonthlyReports::IsCurrent)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReportingPeriodLocks::Table)
                    .col(ColumnDef::new(ReportingPeriodLocks::Period).string_len(7).not_null().primary_key())
                    .col(ColumnDef::new(ReportingPeriodLocks::LockedBy).uuid().null())
                    .col(ColumnDef::new(ReportingPeriodLocks::LockedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(HealthRules::Table)
                    .col(ColumnDef::new(HealthRules::Id).integer().not_null().primary_key())
                    .col(ColumnDef::new(HealthRules::YellowGapPp).integer().not_null())
                    .col(ColumnDef::new(HealthRules::RedGapPp).integer().not_null())
                    .col(ColumnDef::new(HealthRules::RedLateDays).integer().not_null())
                    .col(ColumnDef::new(HealthRules::ReportDueDay).integer().not_null())
                    .col(ColumnDef::new(HealthRules::ReportLockDay).integer().not_null())
                    .col(ColumnDef::new(HealthRules::IssueDueSoonDays).integer().not_null())
                    .col(ColumnDef::new(HealthRules::IssueLeaderAfterDays).integer().not_null())
                    .col(ColumnDef::new(HealthRules::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        let mut defaults = Query::insert();
        defaults
            .into_table(HealthRules::Table)
            .columns([
                HealthRules::Id,
                HealthRules::YellowGapPp,
                HealthRules::RedGapPp,
                HealthRules::RedLateDays,
                HealthRules::ReportDueDay,
                HealthRules::ReportLockDay,
                HealthRules::IssueDueSoonDays,
                HealthRules::IssueLeaderAfterDays,
                HealthRules::UpdatedAt,
            ])
            .values([
                1.into(),
                10.into(),
                20.into(),
                30.into(),
                5.into(),
                10.into(),
                3.into(),
                7.into(),
                Expr::current_timestamp().into(),
            ])
            .map_err(|e| DbErr::Migration(e.to_string()))?;
        manager.exec_stmt(defaults.to_owned()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            HealthRules::Table.into_iden(),
            ReportingPeriodLocks::Table.into_iden(),
            MonthlyReports::Table.into_iden(),
            Milestones::Table.into_iden(),
            SchedulePlans::Table.into_iden(),
            ProjectYearPlans::Table.into_iden(),
            ProjectPairedUnits::Table.into_iden(),
            Projects::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
