//! Unit assessment (考核): versioned schemes of weighted metrics and veto conditions, frozen runs
//! with every unit's figures, the one-vote veto (一票否决) on the record, and rewards.

use sea_orm_migration::prelude::*;

use crate::helpers::{at, fen, fk, index, long, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Units {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum AssessmentSchemes {
    Table,
    Id,
    Name,
    Year,
    Version,
    IsCurrent,
    Metrics,
    Vetoes,
    DeductionFen,
    PublishedBy,
    PublishedAt,
}

#[derive(DeriveIden, Clone)]
enum AssessmentRuns {
    Table,
    Id,
    SchemeId,
    Period,
    AsOf,
    Fingerprint,
    Status,
    CreatedBy,
    CreatedAt,
    PublishedBy,
    PublishedAt,
}

#[derive(DeriveIden, Clone)]
enum AssessmentResults {
    Table,
    RunId,
    UnitId,
    Score,
    Rank,
    Vetoed,
    DeductionFen,
    Metrics,
    Vetoes,
}

#[derive(DeriveIden, Clone)]
enum AssessmentVetoes {
    Table,
    Id,
    UnitId,
    Period,
    Condition,
    Source,
    Reason,
    DeductionFen,
    RecordedBy,
    RecordedAt,
    LiftedAt,
    LiftedBy,
    LiftReason,
}

#[derive(DeriveIden, Clone)]
enum AssessmentAwards {
    Table,
    Id,
    UnitId,
    UserId,
    Period,
    Year,
    AmountFen,
    Basis,
    GrantedBy,
    GrantedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AssessmentSchemes::Table)
                    .col(uuid(AssessmentSchemes::Id).primary_key())
                    .col(text(AssessmentSchemes::Name, 200))
                    .col(ColumnDef::new(AssessmentSchemes::Year).integer().not_null())
                    .col(ColumnDef::new(AssessmentSchemes::Version).integer().not_null())
                    .col(ColumnDef::new(AssessmentSchemes::IsCurrent).boolean().not_null())
                    .col(long(AssessmentSchemes::Metrics))
                    .col(long(AssessmentSchemes::Vetoes))
                    .col(fen(AssessmentSchemes::DeductionFen))
                    .col(uuid(AssessmentSchemes::PublishedBy))
                    .col(at(AssessmentSchemes::PublishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_assessment_schemes_version",
                    AssessmentSchemes::Table,
                    vec![AssessmentSchemes::Year, AssessmentSchemes::Name, AssessmentSchemes::Version],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AssessmentRuns::Table)
                    .col(uuid(AssessmentRuns::Id).primary_key())
                    .col(uuid(AssessmentRuns::SchemeId))
                    .col(text(AssessmentRuns::Period, 8))
                    .col(ColumnDef::new(AssessmentRuns::AsOf).date().not_null())
                    .col(text(AssessmentRuns::Fingerprint, 64))
                    .col(text(AssessmentRuns::Status, 16))
                    .col(uuid(AssessmentRuns::CreatedBy))
                    .col(at(AssessmentRuns::CreatedAt))
                    .col(ColumnDef::new(AssessmentRuns::PublishedBy).uuid().null())
                    .col(ColumnDef::new(AssessmentRuns::PublishedAt).timestamp_with_time_zone().null())
                    .foreign_key(&mut fk(
                        "fk_assessment_runs_scheme",
                        (AssessmentRuns::Table, AssessmentRuns::SchemeId),
                        (AssessmentSchemes::Table, AssessmentSchemes::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_assessment_runs_period",
                AssessmentRuns::Table,
                vec![AssessmentRuns::Period, AssessmentRuns::CreatedAt],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AssessmentResults::Table)
                    .col(uuid(AssessmentResults::RunId))
                    .col(uuid(AssessmentResults::UnitId))
                    .col(ColumnDef::new(AssessmentResults::Score).double().null())
                    .col(ColumnDef::new(AssessmentResults::Rank).integer().not_null())
                    .col(ColumnDef::new(AssessmentResults::Vetoed).boolean().not_null())
                    .col(fen(AssessmentResults::DeductionFen))
                    .col(long(AssessmentResults::Metrics))
                    .col(long(AssessmentResults::Vetoes))
                    .primary_key(Index::create().col(AssessmentResults::RunId).col(AssessmentResults::UnitId))
                    .foreign_key(&mut fk(
                        "fk_assessment_results_run",
                        (AssessmentResults::Table, AssessmentResults::RunId),
                        (AssessmentRuns::Table, AssessmentRuns::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_assessment_results_unit",
                        (AssessmentResults::Table, AssessmentResults::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_assessment_results_rank",
                AssessmentResults::Table,
                vec![AssessmentResults::RunId, AssessmentResults::Rank, AssessmentResults::UnitId],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AssessmentVetoes::Table)
                    .col(uuid(AssessmentVetoes::Id).primary_key())
                    .col(uuid(AssessmentVetoes::UnitId))
                    .col(text(AssessmentVetoes::Period, 8))
                    .col(text(AssessmentVetoes::Condition, 32))
                    .col(text(AssessmentVetoes::Source, 16))
                    .col(long(AssessmentVetoes::Reason))
                    .col(fen(AssessmentVetoes::DeductionFen))
                    .col(uuid(AssessmentVetoes::RecordedBy))
                    .col(at(AssessmentVetoes::RecordedAt))
                    .col(ColumnDef::new(AssessmentVetoes::LiftedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(AssessmentVetoes::LiftedBy).uuid().null())
                    .col(ColumnDef::new(AssessmentVetoes::LiftReason).text().null())
                    .foreign_key(&mut fk(
                        "fk_assessment_vetoes_unit",
                        (AssessmentVetoes::Table, AssessmentVetoes::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_assessment_vetoes_condition",
                    AssessmentVetoes::Table,
                    vec![AssessmentVetoes::UnitId, AssessmentVetoes::Period, AssessmentVetoes::Condition],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AssessmentAwards::Table)
                    .col(uuid(AssessmentAwards::Id).primary_key())
                    .col(ColumnDef::new(AssessmentAwards::UnitId).uuid().null())
                    .col(ColumnDef::new(AssessmentAwards::UserId).uuid().null())
                    .col(text(AssessmentAwards::Period, 8))
                    .col(ColumnDef::new(AssessmentAwards::Year).integer().not_null())
                    .col(fen(AssessmentAwards::AmountFen))
                    .col(long(AssessmentAwards::Basis))
                    .col(uuid(AssessmentAwards::GrantedBy))
                    .col(at(AssessmentAwards::GrantedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_assessment_awards_year",
                AssessmentAwards::Table,
                vec![AssessmentAwards::Year, AssessmentAwards::GrantedAt],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AssessmentAwards::Table.into_iden(),
            AssessmentVetoes::Table.into_iden(),
            AssessmentResults::Table.into_iden(),
            AssessmentRuns::Table.into_iden(),
            AssessmentSchemes::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
