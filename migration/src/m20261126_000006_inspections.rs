//! Checklist templates (versioned, immutable once published), site inspections with their answers and
//! revisions, and the issues their failed items raised.

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
enum Issues {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ChecklistTemplates {
    Table,
    Id,
    Key,
    Version,
    Name,
    Description,
    PassScore,
    Body,
    PublishedBy,
    PublishedAt,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    Id,
    RootId,
    RevisionOf,
    Revision,
    IsCurrent,
    Kind,
    Focus,
    ProjectId,
    InspectorId,
    TemplateId,
    StartedAt,
    CompletedAt,
    ReceivedAt,
    Lat,
    Lng,
    AccuracyM,
    Answers,
    Score,
    Result,
    ReviewStatus,
    ReviewedBy,
    ReviewedAt,
    ReviewNote,
    CreatePayload,
}

#[derive(DeriveIden)]
enum InspectionIssues {
    Table,
    RootId,
    ItemKey,
    IssueId,
    InspectionId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChecklistTemplates::Table)
                    .col(ColumnDef::new(ChecklistTemplates::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ChecklistTemplates::Key).string_len(64).not_null())
                    .col(ColumnDef::new(ChecklistTemplates::Version).integer().not_null())
                    .col(ColumnDef::new(ChecklistTemplates::Name).string_len(200).not_null())
                    .col(ColumnDef::new(ChecklistTemplates::Description).text().not_null())
                    .col(ColumnDef::new(ChecklistTemplates::PassScore).integer().not_null())
                    .col(ColumnDef::new(ChecklistTemplates::Body).json_binary().not_null())
                    .col(ColumnDef::new(ChecklistTemplates::PublishedBy).uuid().null())
                    .col(ColumnDef::new(ChecklistTemplates::PublishedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_checklist_templates_key_version")
                    .table(ChecklistTemplates::Table)
                    .col(ChecklistTemplates::Key)
                    .col(ChecklistTemplates::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Inspections::Table)
                    .col(ColumnDef::new(Inspections::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Inspections::RootId).uuid().not_null())
                    .col(ColumnDef::new(Inspections::RevisionOf).uuid().null().unique_key())
                    .col(ColumnDef::new(Inspections::Revision).integer().not_null())
                    .col(ColumnDef::new(Inspections::IsCurrent).boolean().not_null())
                    .col(ColumnDef::new(Inspections::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Inspections::Focus).string_len(16).not_null())
                    .col(ColumnDef::new(Inspections::ProjectId).uuid().not_null())
                    .col(ColumnDef::new(Inspections::InspectorId).uuid().not_null())
                    .col(ColumnDef::new(Inspections::TemplateId).uuid().not_null())
                    .col(ColumnDef::new(Inspections::StartedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Inspections::CompletedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Inspections::ReceivedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Inspections::Lat).double().null())
                    .col(ColumnDef::new(Inspections::Lng).double().null())
                    .col(ColumnDef::new(Inspections::AccuracyM).double().null())
                    .col(ColumnDef::new(Inspections::Answers).json_binary().not_null())
                    .col(ColumnDef::new(Inspections::Score).double().null())
                    .col(ColumnDef::new(Inspections::Result).string_len(16).not_null())
                    .col(ColumnDef::new(Inspections::ReviewStatus).string_len(16).not_null())
                    .col(ColumnDef::new(Inspections::ReviewedBy).uuid().null())
                    .col(ColumnDef::new(Inspections::ReviewedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Inspections::ReviewNote).text().null())
                    .col(ColumnDef::new(Inspections::CreatePayload).json_binary().not_null())
                    .foreign_key(&mut fk(
                        "fk_inspections_project",
                        (Inspections::Table, Inspections::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_inspections_inspector",
                        (Inspections::Table, Inspections::InspectorId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_inspections_template",
                        (Inspections::Table, Inspections::TemplateId),
                        (ChecklistTemplates::Table, ChecklistTemplates::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_inspections_project", vec![Inspections::ProjectId]),
            ("ix_inspections_root", vec![Inspections::RootId]),
            ("ix_inspections_received", vec![Inspections::ReceivedAt, Inspections::Id]),
        ] {
            let mut index = Index::create().name(name).table(Inspections::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }
        // One current revision per inspection, in the database itself.
        manager
            .get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX ux_inspections_current ON inspections (root_id) WHERE is_current")
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InspectionIssues::Table)
                    .col(ColumnDef::new(InspectionIssues::RootId).uuid().not_null())
                    .col(ColumnDef::new(InspectionIssues::ItemKey).string_len(64).not_null())
                    .col(ColumnDef::new(InspectionIssues::IssueId).uuid().not_null())
                    .col(ColumnDef::new(InspectionIssues::InspectionId).uuid().not_null())
                    .primary_key(Index::create().col(InspectionIssues::RootId).col(InspectionIssues::ItemKey))
                    .foreign_key(&mut fk(
                        "fk_inspection_issues_issue",
                        (InspectionIssues::Table, InspectionIssues::IssueId),
                        (Issues::Table, Issues::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_inspection_issues_inspection",
                        (InspectionIssues::Table, InspectionIssues::InspectionId),
                        (Inspections::Table, Inspections::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in
            [InspectionIssues::Table.into_iden(), Inspections::Table.into_iden(), ChecklistTemplates::Table.into_iden()]
        {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
