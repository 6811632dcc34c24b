//! The quarterly evaluation of the project-building environment (项目建设环境集中测评): an
//! evaluation per quarter on a checklist template whose NUMBER items are the criteria, the
//! departments it scores and the units whose people answer it, one-time links for outside
//! respondents, and the responses — kept apart from who gave them (a respondent is known only by a
//! one-way hash, so each answers once).

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
enum EnvironmentEvaluations {
    Table,
    Id,
    Year,
    Quarter,
    Title,
    TemplateId,
    OpensOn,
    ClosesOn,
    MinResponses,
    OpenKey,
    ClosedAt,
    OpenedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EvaluationUnits {
    Table,
    EvaluationId,
    UnitId,
    Role,
}

#[derive(DeriveIden)]
enum EvaluationLinks {
    Table,
    Id,
    EvaluationId,
    TokenHash,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum EvaluationResponses {
    Table,
    Id,
    EvaluationId,
    RespondentHash,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum EvaluationScores {
    Table,
    ResponseId,
    EvaluationId,
    UnitId,
    ItemKey,
    Score,
}

#[derive(DeriveIden)]
enum EvaluationComments {
    Table,
    ResponseId,
    EvaluationId,
    UnitId,
    Text,
}

fn uuid(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}

fn at(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).timestamp_with_time_zone().not_null().to_owned()
}

fn text(c: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(c).string_len(len).not_null().to_owned()
}

fn to_evaluation(
    name: &str,
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    fk(name, (table, col), (EnvironmentEvaluations::Table, EnvironmentEvaluations::Id))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EnvironmentEvaluations::Table)
                    .col(uuid(EnvironmentEvaluations::Id).primary_key())
                    .col(ColumnDef::new(EnvironmentEvaluations::Year).integer().not_null())
                    .col(ColumnDef::new(EnvironmentEvaluations::Quarter).integer().not_null())
                    .col(text(EnvironmentEvaluations::Title, 200))
                    .col(uuid(EnvironmentEvaluations::TemplateId))
                    .col(ColumnDef::new(EnvironmentEvaluations::OpensOn).date().not_null())
                    .col(ColumnDef::new(EnvironmentEvaluations::ClosesOn).date().not_null())
                    .col(ColumnDef::new(EnvironmentEvaluations::MinResponses).integer().not_null())
                    // "2026-Q3" while open, null once closed: one open evaluation per quarter.
                    .col(ColumnDef::new(EnvironmentEvaluations::OpenKey).string_len(16).null().unique_key())
                    .col(ColumnDef::new(EnvironmentEvaluations::ClosedAt).timestamp_with_time_zone().null())
                    .col(uuid(EnvironmentEvaluations::OpenedBy))
                    .col(at(EnvironmentEvaluations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_environment_evaluations_quarter")
                    .table(EnvironmentEvaluations::Table)
                    .col(EnvironmentEvaluations::Year)
                    .col(EnvironmentEvaluations::Quarter)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EvaluationUnits::Table)
                    .col(uuid(EvaluationUnits::EvaluationId))
                    .col(uuid(EvaluationUnits::UnitId))
                    .col(text(EvaluationUnits::Role, 16))
                    .primary_key(
                        Index::create()
                            .col(EvaluationUnits::EvaluationId)
                            .col(EvaluationUnits::UnitId)
                            .col(EvaluationUnits::Role),
                    )
                    .foreign_key(&mut to_evaluation(
                        "fk_evaluation_units_evaluation",
                        EvaluationUnits::Table,
                        EvaluationUnits::EvaluationId,
                    ))
                    .foreign_key(&mut fk(
                        "fk_evaluation_units_unit",
                        (EvaluationUnits::Table, EvaluationUnits::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EvaluationLinks::Table)
                    .col(uuid(EvaluationLinks::Id).primary_key())
                    .col(uuid(EvaluationLinks::EvaluationId))
                    .col(text(EvaluationLinks::TokenHash, 64).unique_key())
                    .col(at(EvaluationLinks::ExpiresAt))
                    .col(ColumnDef::new(EvaluationLinks::UsedAt).timestamp_with_time_zone().null())
                    .foreign_key(&mut to_evaluation(
                        "fk_evaluation_links_evaluation",
                        EvaluationLinks::Table,
                        EvaluationLinks::EvaluationId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EvaluationResponses::Table)
                    .col(uuid(EvaluationResponses::Id).primary_key())
                    .col(uuid(EvaluationResponses::EvaluationId))
                    .col(text(EvaluationResponses::RespondentHash, 64))
                    .col(at(EvaluationResponses::SubmittedAt))
                    .foreign_key(&mut to_evaluation(
                        "fk_evaluation_responses_evaluation",
                        EvaluationResponses::Table,
                        EvaluationResponses::EvaluationId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_evaluation_responses_respondent")
                    .table(EvaluationResponses::Table)
                    .col(EvaluationResponses::EvaluationId)
                    .col(EvaluationResponses::RespondentHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EvaluationScores::Table)
                    .col(uuid(EvaluationScores::ResponseId))
                    .col(uuid(EvaluationScores::EvaluationId))
                    .col(uuid(EvaluationScores::UnitId))
                    .col(text(EvaluationScores::ItemKey, 64))
                    .col(ColumnDef::new(EvaluationScores::Score).double().not_null())
                    .primary_key(
                        Index::create()
                            .col(EvaluationScores::ResponseId)
                            .col(EvaluationScores::UnitId)
                            .col(EvaluationScores::ItemKey),
                    )
                    .foreign_key(&mut to_evaluation(
                        "fk_evaluation_scores_evaluation",
                        EvaluationScores::Table,
                        EvaluationScores::EvaluationId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_evaluation_scores_unit")
                    .table(EvaluationScores::Table)
                    .col(EvaluationScores::EvaluationId)
                    .col(EvaluationScores::UnitId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EvaluationComments::Table)
                    .col(uuid(EvaluationComments::ResponseId))
                    .col(uuid(EvaluationComments::EvaluationId))
                    .col(uuid(EvaluationComments::UnitId))
                    .col(ColumnDef::new(EvaluationComments::Text).text().not_null())
                    .primary_key(Index::create().col(EvaluationComments::ResponseId).col(EvaluationComments::UnitId))
                    .foreign_key(&mut to_evaluation(
                        "fk_evaluation_comments_evaluation",
                        EvaluationComments::Table,
                        EvaluationComments::EvaluationId,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            EvaluationComments::Table.into_iden(),
            EvaluationScores::Table.into_iden(),
            EvaluationResponses::Table.into_iden(),
            EvaluationLinks::Table.into_iden(),
            EvaluationUnits::Table.into_iden(),
            EnvironmentEvaluations::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
