//! Issues: the problems blocking projects, their co-operating units, timelines and yearly numbers.

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
enum Issues {
    Table,
    Id,
    Number,
    ProjectId,
    Kind,
    Title,
    Description,
    Severity,
    Source,
    Status,
    ReporterId,
    AssignedUnitId,
    DueDate,
    Resolution,
    CreatePayload,
    EscalatedAt,
    EscalatedTo,
    CreatedAt,
    UpdatedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum IssueUnits {
    Table,
    IssueId,
    UnitId,
}

#[derive(DeriveIden)]
enum IssueEvents {
    Table,
    Id,
    IssueId,
    Kind,
    ActorId,
    Text,
    UnitId,
    At,
}

#[derive(DeriveIden)]
enum IssueCounters {
    Table,
    Year,
    Last,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Issues::Table)
                    .col(ColumnDef::new(Issues::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Issues::Number).string_len(16).not_null().unique_key())
                    .col(ColumnDef::new(Issues::ProjectId).uuid().not_null())
                    .col(ColumnDef::new(Issues::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Issues::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Issues::Description).text().not_null())
                    .col(ColumnDef::new(Issues::Severity).string_len(16).not_null())
                    .col(ColumnDef::new(Issues::Source).string_len(16).not_null())
                    .col(ColumnDef::new(Issues::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Issues::ReporterId).uuid().not_null())
                    .col(ColumnDef::new(Issues::AssignedUnitId).uuid().null())
                    .col(ColumnDef::new(Issues::DueDate).date().null())
                    .col(ColumnDef::new(Issues::Resolution).text().null())
                    .col(ColumnDef::new(Issues::CreatePayload).json_binary().not_null())
                    .col(ColumnDef::new(Issues::EscalatedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Issues::EscalatedTo).uuid().null())
                    .col(ColumnDef::new(Issues::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Issues::UpdatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Issues::ClosedAt).timestamp_with_time_zone().null())
                    .foreign_key(&mut fk(
                        "fk_issues_project",
                        (Issues::Table, Issues::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_issues_reporter",
                        (Issues::Table, Issues::ReporterId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_issues_unit",
                        (Issues::Table, Issues::AssignedUnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_issues_project", Issues::ProjectId),
            ("ix_issues_assigned_unit", Issues::AssignedUnitId),
            ("ix_issues_status", Issues::Status),
            ("ix_issues_due", Issues::DueDate),
            ("ix_issues_escalated_to", Issues::EscalatedTo),
        ] {
            manager.create_index(Index::create().name(name).table(Issues::Table).col(col).to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(IssueUnits::Table)
                    .col(ColumnDef::new(IssueUnits::IssueId).uuid().not_null())
                    .col(ColumnDef::new(IssueUnits::UnitId).uuid().not_null())
                    .primary_key(Index::create().col(IssueUnits::IssueId).col(IssueUnits::UnitId))
                    .foreign_key(&mut fk(
                        "fk_issue_units_issue",
                        (IssueUnits::Table, IssueUnits::IssueId),
                        (Issues::Table, Issues::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_issue_units_unit",
                        (IssueUnits::Table, IssueUnits::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_issue_units_unit").table(IssueUnits::Table).col(IssueUnits::UnitId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IssueEvents::Table)
                    .col(ColumnDef::new(IssueEvents::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(IssueEvents::IssueId).uuid().not_null())
                    .col(ColumnDef::new(IssueEvents::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(IssueEvents::ActorId).uuid().null())
                    .col(ColumnDef::new(IssueEvents::Text).text().null())
                    .col(ColumnDef::new(IssueEvents::UnitId).uuid().null())
                    .col(ColumnDef::new(IssueEvents::At).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut fk(
                        "fk_issue_events_issue",
                        (IssueEvents::Table, IssueEvents::IssueId),
                        (Issues::Table, Issues::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_issue_events_issue")
                    .table(IssueEvents::Table)
                    .col(IssueEvents::IssueId)
                    .col(IssueEvents::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IssueCounters::Table)
                    .col(ColumnDef::new(IssueCounters::Year).integer().not_null().primary_key())
                    .col(ColumnDef::new(IssueCounters::Last).integer().not_null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IssueCounters::Table.into_iden(),
            IssueEvents::Table.into_iden(),
            IssueUnits::Table.into_iden(),
            Issues::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
