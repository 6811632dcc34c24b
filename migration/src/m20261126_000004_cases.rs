//! Coordination cases (一项一策 / 一事一议): their participating units, measures, and links to the
//! records they concern (issues now; inspections and photos by the same table later).

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
enum Cases {
    Table,
    Id,
    Kind,
    ProjectId,
    Title,
    Policy,
    LeadUnitId,
    Status,
    Decision,
    DecidedOn,
    DecidedBy,
    OpenedBy,
    CreatedAt,
    UpdatedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum CaseUnits {
    Table,
    CaseId,
    UnitId,
}

#[derive(DeriveIden)]
enum CaseMeasures {
    Table,
    Id,
    CaseId,
    Position,
    Description,
    OwnerUnitId,
    Deadline,
    DoneOn,
}

#[derive(DeriveIden)]
enum CaseLinks {
    Table,
    CaseId,
    TargetType,
    TargetId,
    LinkedBy,
    LinkedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cases::Table)
                    .col(ColumnDef::new(Cases::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Cases::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Cases::ProjectId).uuid().null())
                    .col(ColumnDef::new(Cases::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Cases::Policy).text().not_null())
                    .col(ColumnDef::new(Cases::LeadUnitId).uuid().not_null())
                    .col(ColumnDef::new(Cases::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Cases::Decision).text().null())
                    .col(ColumnDef::new(Cases::DecidedOn).date().null())
                    .col(ColumnDef::new(Cases::DecidedBy).string_len(100).null())
                    .col(ColumnDef::new(Cases::OpenedBy).uuid().not_null())
                    .col(ColumnDef::new(Cases::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Cases::UpdatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Cases::ClosedAt).timestamp_with_time_zone().null())
                    .foreign_key(&mut fk(
                        "fk_cases_project",
                        (Cases::Table, Cases::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_cases_lead_unit",
                        (Cases::Table, Cases::LeadUnitId),
                        (Units::Table, Units::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_cases_opened_by",
                        (Cases::Table, Cases::OpenedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [("ix_cases_project", Cases::ProjectId), ("ix_cases_lead_unit", Cases::LeadUnitId)] {
            manager.create_index(Index::create().name(name).table(Cases::Table).col(col).to_owned()).await?;
        }
        // At most one open 一项一策 per project. A partial unique index says so in the database itself,
        // so two offices racing to open one cannot both succeed; SQLite and PostgreSQL both take it.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_cases_one_open_policy ON cases (project_id) \
                 WHERE kind = 'ONE_PROJECT_ONE_POLICY' AND status <> 'CLOSED'",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseUnits::Table)
                    .col(ColumnDef::new(CaseUnits::CaseId).uuid().not_null())
                    .col(ColumnDef::new(CaseUnits::UnitId).uuid().not_null())
                    .primary_key(Index::create().col(CaseUnits::CaseId).col(CaseUnits::UnitId))
                    .foreign_key(&mut fk(
                        "fk_case_units_case",
                        (CaseUnits::Table, CaseUnits::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_units_unit",
                        (CaseUnits::Table, CaseUnits::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_case_units_unit").table(CaseUnits::Table).col(CaseUnits::UnitId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseMeasures::Table)
                    .col(ColumnDef::new(CaseMeasures::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(CaseMeasures::CaseId).uuid().not_null())
                    .col(ColumnDef::new(CaseMeasures::Position).integer().not_null())
                    .col(ColumnDef::new(CaseMeasures::Description).text().not_null())
                    .col(ColumnDef::new(CaseMeasures::OwnerUnitId).uuid().not_null())
                    .col(ColumnDef::new(CaseMeasures::Deadline).date().null())
                    .col(ColumnDef::new(CaseMeasures::DoneOn).date().null())
                    .foreign_key(&mut fk(
                        "fk_case_measures_case",
                        (CaseMeasures::Table, CaseMeasures::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_measures_unit",
                        (CaseMeasures::Table, CaseMeasures::OwnerUnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_case_measures_case")
                    .table(CaseMeasures::Table)
                    .col(CaseMeasures::CaseId)
                    .col(CaseMeasures::Position)
                    .to_owned(),
            )
            .await?;

        // One table links a case to anything: the target's type names its table, so inspections and
        // photos join by adding a type, not a mechanism.
        manager
            .create_table(
                Table::create()
                    .table(CaseLinks::Table)
                    .col(ColumnDef::new(CaseLinks::CaseId).uuid().not_null())
                    .col(ColumnDef::new(CaseLinks::TargetType).string_len(16).not_null())
                    .col(ColumnDef::new(CaseLinks::TargetId).uuid().not_null())
                    .col(ColumnDef::new(CaseLinks::LinkedBy).uuid().null())
                    .col(ColumnDef::new(CaseLinks::LinkedAt).timestamp_with_time_zone().not_null())
                    .primary_key(
                        Index::create().col(CaseLinks::CaseId).col(CaseLinks::TargetType).col(CaseLinks::TargetId),
                    )
                    .foreign_key(&mut fk(
                        "fk_case_links_case",
                        (CaseLinks::Table, CaseLinks::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_case_links_target")
                    .table(CaseLinks::Table)
                    .col(CaseLinks::TargetType)
                    .col(CaseLinks::TargetId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CaseLinks::Table.into_iden(),
            CaseMeasures::Table.into_iden(),
            CaseUnits::Table.into_iden(),
            Cases::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
