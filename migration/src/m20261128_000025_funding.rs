//! Funding work (争资、招商、融资): each unit's yearly targets, kept in versions; the items that raise
//! money (grant applications, investment leads, financing deals, fiscal inputs, preliminary-work
//! advances, incentive payments) with the units credited and their shares, the stages they reached,
//! and the money itself, entry by entry, verified by the office and corrected only by a new entry;
//! and the campaigns leads belong to.

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
enum FundingCampaigns {
    Table,
    Id,
    Name,
    StartsOn,
    EndsOn,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FundingTargets {
    Table,
    Id,
    UnitId,
    Year,
    Kind,
    AmountFen,
    Version,
    IsCurrent,
    Note,
    SetBy,
    SetAt,
}

#[derive(DeriveIden)]
enum FundingItems {
    Table,
    Id,
    Kind,
    Name,
    Counterpart,
    Channel,
    Programme,
    Bank,
    Industry,
    Standard,
    StandardFen,
    StandardUnit,
    Stage,
    CampaignId,
    ProjectId,
    Notes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FundingItemUnits {
    Table,
    ItemId,
    UnitId,
    ShareBp,
}

#[derive(DeriveIden)]
enum FundingStages {
    Table,
    ItemId,
    Stage,
    ReachedOn,
    AmountFen,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum FundingEntries {
    Table,
    Id,
    ItemId,
    Flow,
    MovedOn,
    AmountFen,
    IsCurrent,
    Replaces,
    Reason,
    VerifiedBy,
    VerifiedAt,
    RecordedBy,
    RecordedAt,
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
            .create_table(
                Table::create()
                    .table(FundingCampaigns::Table)
                    .col(uuid(FundingCampaigns::Id).primary_key())
                    .col(text(FundingCampaigns::Name, 200))
                    .col(ColumnDef::new(FundingCampaigns::StartsOn).date().not_null())
                    .col(ColumnDef::new(FundingCampaigns::EndsOn).date().not_null())
                    .col(uuid(FundingCampaigns::CreatedBy))
                    .col(at(FundingCampaigns::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FundingTargets::Table)
                    .col(uuid(FundingTargets::Id).primary_key())
                    .col(uuid(FundingTargets::UnitId))
                    .col(ColumnDef::new(FundingTargets::Year).integer().not_null())
                    .col(text(FundingTargets::Kind, 16))
                    .col(ColumnDef::new(FundingTargets::AmountFen).big_integer().not_null())
                    .col(ColumnDef::new(FundingTargets::Version).integer().not_null())
                    .col(ColumnDef::new(FundingTargets::IsCurrent).boolean().not_null())
                    .col(ColumnDef::new(FundingTargets::Note).text().null())
                    .col(uuid(FundingTargets::SetBy))
                    .col(at(FundingTargets::SetAt))
                    .foreign_key(&mut fk(
                        "fk_funding_targets_unit",
                        (FundingTargets::Table, FundingTargets::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_funding_targets_version")
                    .table(FundingTargets::Table)
                    .col(FundingTargets::UnitId)
                    .col(FundingTargets::Year)
                    .col(FundingTargets::Kind)
                    .col(FundingTargets::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_funding_targets_year",
            FundingTargets::Table,
            vec![FundingTargets::Year.into_iden(), FundingTargets::IsCurrent.into_iden()],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(FundingItems::Table)
                    .col(uuid(FundingItems::Id).primary_key())
                    .col(text(FundingItems::Kind, 16))
                    .col(text(FundingItems::Name, 200))
                    .col(text(FundingItems::Counterpart, 200))
                    .col(text(FundingItems::Channel, 64))
                    .col(ColumnDef::new(FundingItems::Programme).string_len(200).null())
                    .col(ColumnDef::new(FundingItems::Bank).string_len(200).null())
                    .col(ColumnDef::new(FundingItems::Industry).string_len(32).null())
                    .col(ColumnDef::new(FundingItems::Standard).string_len(200).null())
                    .col(ColumnDef::new(FundingItems::StandardFen).big_integer().null())
                    .col(ColumnDef::new(FundingItems::StandardUnit).string_len(16).null())
                    .col(ColumnDef::new(FundingItems::Stage).string_len(16).null())
                    .col(ColumnDef::new(FundingItems::CampaignId).uuid().null())
                    .col(ColumnDef::new(FundingItems::ProjectId).uuid().null())
                    .col(ColumnDef::new(FundingItems::Notes).text().null())
                    .col(uuid(FundingItems::CreatedBy))
                    .col(at(FundingItems::CreatedAt))
                    .col(at(FundingItems::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_funding_items_campaign",
                        (FundingItems::Table, FundingItems::CampaignId),
                        (FundingCampaigns::Table, FundingCampaigns::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_funding_items_project",
                        (FundingItems::Table, FundingItems::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_funding_items_kind_created",
            FundingItems::Table,
            vec![FundingItems::Kind.into_iden(), FundingItems::CreatedAt.into_iden(), FundingItems::Id.into_iden()],
        )
        .await?;
        index(manager, "ix_funding_items_project", FundingItems::Table, vec![FundingItems::ProjectId.into_iden()])
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FundingItemUnits::Table)
                    .col(uuid(FundingItemUnits::ItemId))
                    .col(uuid(FundingItemUnits::UnitId))
                    .col(ColumnDef::new(FundingItemUnits::ShareBp).integer().not_null())
                    .primary_key(Index::create().col(FundingItemUnits::ItemId).col(FundingItemUnits::UnitId))
                    .foreign_key(&mut fk(
                        "fk_funding_item_units_item",
                        (FundingItemUnits::Table, FundingItemUnits::ItemId),
                        (FundingItems::Table, FundingItems::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_funding_item_units_unit",
                        (FundingItemUnits::Table, FundingItemUnits::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_funding_item_units_unit",
            FundingItemUnits::Table,
            vec![FundingItemUnits::UnitId.into_iden()],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(FundingStages::Table)
                    .col(uuid(FundingStages::ItemId))
                    .col(text(FundingStages::Stage, 16))
                    .col(ColumnDef::new(FundingStages::ReachedOn).date().not_null())
                    .col(ColumnDef::new(FundingStages::AmountFen).big_integer().null())
                    .col(uuid(FundingStages::RecordedBy))
                    .col(at(FundingStages::RecordedAt))
                    .primary_key(Index::create().col(FundingStages::ItemId).col(FundingStages::Stage))
                    .foreign_key(&mut fk(
                        "fk_funding_stages_item",
                        (FundingStages::Table, FundingStages::ItemId),
                        (FundingItems::Table, FundingItems::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FundingEntries::Table)
                    .col(uuid(FundingEntries::Id).primary_key())
                    .col(uuid(FundingEntries::ItemId))
                    .col(text(FundingEntries::Flow, 16))
                    .col(ColumnDef::new(FundingEntries::MovedOn).date().not_null())
                    .col(ColumnDef::new(FundingEntries::AmountFen).big_integer().not_null())
                    .col(ColumnDef::new(FundingEntries::IsCurrent).boolean().not_null())
                    .col(ColumnDef::new(FundingEntries::Replaces).uuid().null().unique_key())
                    .col(ColumnDef::new(FundingEntries::Reason).text().null())
                    .col(ColumnDef::new(FundingEntries::VerifiedBy).uuid().null())
                    .col(ColumnDef::new(FundingEntries::VerifiedAt).timestamp_with_time_zone().null())
                    .col(uuid(FundingEntries::RecordedBy))
                    .col(at(FundingEntries::RecordedAt))
                    .foreign_key(&mut fk(
                        "fk_funding_entries_item",
                        (FundingEntries::Table, FundingEntries::ItemId),
                        (FundingItems::Table, FundingItems::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "ix_funding_entries_item", FundingEntries::Table, vec![FundingEntries::ItemId.into_iden()])
            .await?;
        index(
            manager,
            "ix_funding_entries_on",
            FundingEntries::Table,
            vec![FundingEntries::MovedOn.into_iden(), FundingEntries::IsCurrent.into_iden()],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FundingEntries::Table.into_iden(),
            FundingStages::Table.into_iden(),
            FundingItemUnits::Table.into_iden(),
            FundingItems::Table.into_iden(),
            FundingTargets::Table.into_iden(),
            FundingCampaigns::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
