//! Supervision that follows through (督导): tasks of the three kinds planned, drawn or proposed, with
//! their projects, inspectors and (for key problems) the issues and cases they deal with; an
//! inspection names its task and the problems it looked at; published bulletins (督导通报); and how
//! often the office wants each category of project tracked.

use sea_orm_migration::prelude::*;

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    TaskId,
    MeasuredProgressBp,
    ProjectId,
    Kind,
    CompletedAt,
}

#[derive(DeriveIden)]
enum OfficeSettings {
    Table,
    EvidenceGapPp,
    EvidenceRisePp,
    EvidencePhotoTrust,
    EvidenceInvestmentWan,
    TrackingMonthsConstruction,
    TrackingMonthsPreliminary,
    TrackingMonthsDevelopment,
}

#[derive(DeriveIden)]
enum SupervisionTasks {
    Table,
    Id,
    Kind,
    Origin,
    Title,
    WindowFrom,
    WindowTo,
    DoneAt,
    Summary,
    ClosedAt,
    ClosedBy,
    DrawSeed,
    DrawCandidates,
    ProposedFor,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SupervisionTaskProjects {
    Table,
    TaskId,
    ProjectId,
    Position,
}

#[derive(DeriveIden)]
enum SupervisionTaskInspectors {
    Table,
    TaskId,
    UserId,
}

#[derive(DeriveIden)]
enum SupervisionTaskTargets {
    Table,
    TaskId,
    TargetType,
    TargetId,
}

#[derive(DeriveIden)]
enum InspectionTargets {
    Table,
    InspectionId,
    TargetType,
    TargetId,
    Verified,
}

#[derive(DeriveIden)]
enum Bulletins {
    Table,
    Id,
    Year,
    Number,
    Period,
    Title,
    Body,
    Figures,
    PublishedBy,
    PublishedAt,
}

fn uuid(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}

fn at(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).timestamp_with_time_zone().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SupervisionTasks::Table)
                    .col(uuid(SupervisionTasks::Id).primary_key())
                    .col(ColumnDef::new(SupervisionTasks::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(SupervisionTasks::Origin).string_len(16).not_null())
                    .col(ColumnDef::new(SupervisionTasks::Title).string_len(200).not_null())
                    .col(ColumnDef::new(SupervisionTasks::WindowFrom).date().not_null())
                    .col(ColumnDef::new(SupervisionTasks::WindowTo).date().not_null())
                    .col(ColumnDef::new(SupervisionTasks::DoneAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(SupervisionTasks::Summary).text().null())
                    .col(ColumnDef::new(SupervisionTasks::ClosedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(SupervisionTasks::ClosedBy).uuid().null())
                    .col(ColumnDef::new(SupervisionTasks::DrawSeed).big_integer().null())
                    .col(ColumnDef::new(SupervisionTasks::DrawCandidates).text().null())
                    .col(ColumnDef::new(SupervisionTasks::ProposedFor).string_len(64).null().unique_key())
                    .col(ColumnDef::new(SupervisionTasks::CreatedBy).uuid().null())
                    .col(at(SupervisionTasks::CreatedAt))
                    .col(at(SupervisionTasks::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_supervision_tasks_created_by",
                        (SupervisionTasks::Table, SupervisionTasks::CreatedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_supervision_tasks_created")
                    .table(SupervisionTasks::Table)
                    .col(SupervisionTasks::CreatedAt)
                    .col(SupervisionTasks::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupervisionTaskProjects::Table)
                    .col(uuid(SupervisionTaskProjects::TaskId))
                    .col(uuid(SupervisionTaskProjects::ProjectId))
                    .col(ColumnDef::new(SupervisionTaskProjects::Position).integer().not_null())
                    .primary_key(
                        Index::create().col(SupervisionTaskProjects::TaskId).col(SupervisionTaskProjects::ProjectId),
                    )
                    .foreign_key(&mut fk(
                        "fk_supervision_task_projects_task",
                        (SupervisionTaskProjects::Table, SupervisionTaskProjects::TaskId),
                        (SupervisionTasks::Table, SupervisionTasks::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_supervision_task_projects_project",
                        (SupervisionTaskProjects::Table, SupervisionTaskProjects::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_supervision_task_projects_project")
                    .table(SupervisionTaskProjects::Table)
                    .col(SupervisionTaskProjects::ProjectId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupervisionTaskInspectors::Table)
                    .col(uuid(SupervisionTaskInspectors::TaskId))
                    .col(uuid(SupervisionTaskInspectors::UserId))
                    .primary_key(
                        Index::create().col(SupervisionTaskInspectors::TaskId).col(SupervisionTaskInspectors::UserId),
                    )
                    .foreign_key(&mut fk(
                        "fk_supervision_task_inspectors_task",
                        (SupervisionTaskInspectors::Table, SupervisionTaskInspectors::TaskId),
                        (SupervisionTasks::Table, SupervisionTasks::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_supervision_task_inspectors_user",
                        (SupervisionTaskInspectors::Table, SupervisionTaskInspectors::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_supervision_task_inspectors_user")
                    .table(SupervisionTaskInspectors::Table)
                    .col(SupervisionTaskInspectors::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupervisionTaskTargets::Table)
                    .col(uuid(SupervisionTaskTargets::TaskId))
                    .col(ColumnDef::new(SupervisionTaskTargets::TargetType).string_len(8).not_null())
                    .col(uuid(SupervisionTaskTargets::TargetId))
                    .primary_key(
                        Index::create()
                            .col(SupervisionTaskTargets::TaskId)
                            .col(SupervisionTaskTargets::TargetType)
                            .col(SupervisionTaskTargets::TargetId),
                    )
                    .foreign_key(&mut fk(
                        "fk_supervision_task_targets_task",
                        (SupervisionTaskTargets::Table, SupervisionTaskTargets::TaskId),
                        (SupervisionTasks::Table, SupervisionTasks::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InspectionTargets::Table)
                    .col(uuid(InspectionTargets::InspectionId))
                    .col(ColumnDef::new(InspectionTargets::TargetType).string_len(8).not_null())
                    .col(uuid(InspectionTargets::TargetId))
                    .col(ColumnDef::new(InspectionTargets::Verified).boolean().not_null().default(false))
                    .primary_key(
                        Index::create()
                            .col(InspectionTargets::InspectionId)
                            .col(InspectionTargets::TargetType)
                            .col(InspectionTargets::TargetId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Bulletins::Table)
                    .col(uuid(Bulletins::Id).primary_key())
                    .col(ColumnDef::new(Bulletins::Year).integer().not_null())
                    .col(ColumnDef::new(Bulletins::Number).integer().not_null())
                    .col(ColumnDef::new(Bulletins::Period).string_len(7).not_null())
                    .col(ColumnDef::new(Bulletins::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Bulletins::Body).text().null())
                    .col(ColumnDef::new(Bulletins::Figures).text().not_null())
                    .col(uuid(Bulletins::PublishedBy))
                    .col(at(Bulletins::PublishedAt))
                    .foreign_key(&mut fk(
                        "fk_bulletins_published_by",
                        (Bulletins::Table, Bulletins::PublishedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_bulletins_number")
                    .table(Bulletins::Table)
                    .col(Bulletins::Year)
                    .col(Bulletins::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // A plain nullable column: SQLite cannot add one with a foreign key, and a task is never
        // deleted.
        manager
            .alter_table(
                Table::alter()
                    .table(Inspections::Table)
                    .add_column(ColumnDef::new(Inspections::TaskId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Inspections::Table)
                    .add_column(ColumnDef::new(Inspections::MeasuredProgressBp).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inspections_task")
                    .table(Inspections::Table)
                    .col(Inspections::TaskId)
                    .to_owned(),
            )
            .await?;
        // Coverage, task progress and bulletins read inspections by kind and time, per project or
        // over the county.
        manager
            .create_index(
                Index::create()
                    .name("ix_inspections_project_kind_completed")
                    .table(Inspections::Table)
                    .col(Inspections::ProjectId)
                    .col(Inspections::Kind)
                    .col(Inspections::CompletedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inspections_kind_completed")
                    .table(Inspections::Table)
                    .col(Inspections::Kind)
                    .col(Inspections::CompletedAt)
                    .to_owned(),
            )
            .await?;
        for (column, months) in [
            (OfficeSettings::TrackingMonthsConstruction, 1),
            (OfficeSettings::TrackingMonthsPreliminary, 0),
            (OfficeSettings::TrackingMonthsDevelopment, 0),
            (OfficeSettings::EvidenceGapPp, 15),
            (OfficeSettings::EvidenceRisePp, 5),
            (OfficeSettings::EvidencePhotoTrust, 60),
            (OfficeSettings::EvidenceInvestmentWan, 500),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OfficeSettings::Table)
                        .add_column(ColumnDef::new(column).integer().not_null().default(months))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            OfficeSettings::EvidenceInvestmentWan,
            OfficeSettings::EvidencePhotoTrust,
            OfficeSettings::EvidenceRisePp,
            OfficeSettings::EvidenceGapPp,
            OfficeSettings::TrackingMonthsDevelopment,
            OfficeSettings::TrackingMonthsPreliminary,
            OfficeSettings::TrackingMonthsConstruction,
        ] {
            manager.alter_table(Table::alter().table(OfficeSettings::Table).drop_column(column).to_owned()).await?;
        }
        for name in ["ix_inspections_kind_completed", "ix_inspections_project_kind_completed"] {
            manager.drop_index(Index::drop().name(name).table(Inspections::Table).to_owned()).await?;
        }
        manager.drop_index(Index::drop().name("ix_inspections_task").table(Inspections::Table).to_owned()).await?;
        for column in [Inspections::MeasuredProgressBp, Inspections::TaskId] {
            manager.alter_table(Table::alter().table(Inspections::Table).drop_column(column).to_owned()).await?;
        }
        for table in [
            Bulletins::Table.into_iden(),
            InspectionTargets::Table.into_iden(),
            SupervisionTaskTargets::Table.into_iden(),
            SupervisionTaskInspectors::Table.into_iden(),
            SupervisionTaskProjects::Table.into_iden(),
            SupervisionTasks::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
