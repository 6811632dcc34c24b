//! 六包 pairing and obstruction cases (惩治查处): the office's list of pairing duties (six by
//! default), the duties each paired unit takes on for its project and when it was paired, the
//! service it logs; and obstruction cases with their investigators and steps. Existing pairings
//! keep their rows; their duties start empty (paired before duties were named).

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
enum Projects {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProjectPairedUnits {
    Table,
    Duties,
    PairedAt,
}

#[derive(DeriveIden)]
enum PairingDuties {
    Table,
    Code,
    Name,
    Position,
    Active,
}

#[derive(DeriveIden)]
enum PairingServices {
    Table,
    Id,
    ProjectId,
    UnitId,
    Duty,
    ServedOn,
    Text,
    PhotoIds,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum ObstructionCases {
    Table,
    Id,
    ProjectId,
    Stage,
    AccusedUnitId,
    AccusedText,
    Description,
    Evidence,
    Status,
    Outcome,
    Upheld,
    Feedback,
    ReportedBy,
    ReportedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ObstructionInvestigators {
    Table,
    CaseId,
    UserId,
}

#[derive(DeriveIden)]
enum ObstructionSteps {
    Table,
    Id,
    CaseId,
    Status,
    Note,
    ActedBy,
    ActedAt,
}

/// The office's default pairing duties (the source text names 六包 without spelling the six out).
const DEFAULT_DUTIES: [(&str, &str); 6] = [
    ("POLICY", "政策包：政策咨询与落实"),
    ("APPROVAL", "审批包：手续办理与代办"),
    ("LAND", "用地包：征地拆迁与用地保障"),
    ("UTILITIES", "要素包：水电路气讯配套"),
    ("FINANCING", "融资包：融资对接与资金争取"),
    ("ENVIRONMENT", "环境包：施工环境与矛盾协调"),
];

fn uuid(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}

fn at(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).timestamp_with_time_zone().not_null().to_owned()
}

fn text(c: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(c).string_len(len).not_null().to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<DynIden>,
) -> Result<(), DbErr> {
    let mut statement = Index::create().name(name).table(table).to_owned();
    for col in cols {
        statement.col(col);
    }
    manager.create_index(statement).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ProjectPairedUnits::Table)
                    .add_column(ColumnDef::new(ProjectPairedUnits::Duties).text().not_null().default("[]"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ProjectPairedUnits::Table)
                    .add_column(ColumnDef::new(ProjectPairedUnits::PairedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PairingDuties::Table)
                    .col(text(PairingDuties::Code, 32).primary_key())
                    .col(text(PairingDuties::Name, 100))
                    .col(ColumnDef::new(PairingDuties::Position).integer().not_null())
                    .col(ColumnDef::new(PairingDuties::Active).boolean().not_null())
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert()
            .into_table(PairingDuties::Table)
            .columns([PairingDuties::Code, PairingDuties::Name, PairingDuties::Position, PairingDuties::Active])
            .to_owned();
        for (position, (code, name)) in (1i32..).zip(DEFAULT_DUTIES) {
            insert
                .values([code.into(), name.into(), position.into(), true.into()])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        manager.exec_stmt(insert).await?;
        manager
            .create_table(
                Table::create()
                    .table(PairingServices::Table)
                    .col(uuid(PairingServices::Id).primary_key())
                    .col(uuid(PairingServices::ProjectId))
                    .col(uuid(PairingServices::UnitId))
                    .col(text(PairingServices::Duty, 32))
                    .col(ColumnDef::new(PairingServices::ServedOn).date().not_null())
                    .col(ColumnDef::new(PairingServices::Text).text().not_null())
                    .col(ColumnDef::new(PairingServices::PhotoIds).text().not_null())
                    .col(uuid(PairingServices::RecordedBy))
                    .col(at(PairingServices::RecordedAt))
                    .foreign_key(&mut fk(
                        "fk_pairing_services_project",
                        (PairingServices::Table, PairingServices::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_pairing_services_unit",
                        (PairingServices::Table, PairingServices::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_pairing_services_unit_on",
            PairingServices::Table,
            vec![PairingServices::UnitId.into_iden(), PairingServices::ServedOn.into_iden()],
        )
        .await?;
        index(
            manager,
            "ix_pairing_services_project_on",
            PairingServices::Table,
            vec![PairingServices::ProjectId.into_iden(), PairingServices::ServedOn.into_iden()],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ObstructionCases::Table)
                    .col(uuid(ObstructionCases::Id).primary_key())
                    .col(uuid(ObstructionCases::ProjectId))
                    .col(text(ObstructionCases::Stage, 16))
                    .col(ColumnDef::new(ObstructionCases::AccusedUnitId).uuid().null())
                    .col(ColumnDef::new(ObstructionCases::AccusedText).string_len(200).null())
                    .col(ColumnDef::new(ObstructionCases::Description).text().not_null())
                    .col(ColumnDef::new(ObstructionCases::Evidence).text().not_null())
                    .col(text(ObstructionCases::Status, 16))
                    .col(ColumnDef::new(ObstructionCases::Outcome).text().null())
                    .col(ColumnDef::new(ObstructionCases::Upheld).boolean().null())
                    .col(ColumnDef::new(ObstructionCases::Feedback).text().null())
                    .col(uuid(ObstructionCases::ReportedBy))
                    .col(at(ObstructionCases::ReportedAt))
                    .col(at(ObstructionCases::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_obstruction_cases_project",
                        (ObstructionCases::Table, ObstructionCases::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_obstruction_cases_accused",
                        (ObstructionCases::Table, ObstructionCases::AccusedUnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_obstruction_cases_reported",
            ObstructionCases::Table,
            vec![ObstructionCases::ReportedAt.into_iden(), ObstructionCases::Id.into_iden()],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ObstructionInvestigators::Table)
                    .col(uuid(ObstructionInvestigators::CaseId))
                    .col(uuid(ObstructionInvestigators::UserId))
                    .primary_key(
                        Index::create().col(ObstructionInvestigators::CaseId).col(ObstructionInvestigators::UserId),
                    )
                    .foreign_key(&mut fk(
                        "fk_obstruction_investigators_case",
                        (ObstructionInvestigators::Table, ObstructionInvestigators::CaseId),
                        (ObstructionCases::Table, ObstructionCases::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_obstruction_investigators_user",
            ObstructionInvestigators::Table,
            vec![ObstructionInvestigators::UserId.into_iden()],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ObstructionSteps::Table)
                    .col(uuid(ObstructionSteps::Id).primary_key())
                    .col(uuid(ObstructionSteps::CaseId))
                    .col(text(ObstructionSteps::Status, 16))
                    .col(ColumnDef::new(ObstructionSteps::Note).text().null())
                    .col(uuid(ObstructionSteps::ActedBy))
                    .col(at(ObstructionSteps::ActedAt))
                    .foreign_key(&mut fk(
                        "fk_obstruction_steps_case",
                        (ObstructionSteps::Table, ObstructionSteps::CaseId),
                        (ObstructionCases::Table, ObstructionCases::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "ix_obstruction_steps_case", ObstructionSteps::Table, vec![ObstructionSteps::CaseId.into_iden()])
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ObstructionSteps::Table.into_iden(),
            ObstructionInvestigators::Table.into_iden(),
            ObstructionCases::Table.into_iden(),
            PairingServices::Table.into_iden(),
            PairingDuties::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for column in [ProjectPairedUnits::PairedAt, ProjectPairedUnits::Duties] {
            manager.alter_table(Table::alter().table(ProjectPairedUnits::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
