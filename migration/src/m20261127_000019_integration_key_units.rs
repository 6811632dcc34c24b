//! An integration key may be narrowed to several units (it then sees and does what a user of any of
//! them may). The one unit a key could name before moves here; `integration_keys.unit_id` keeps the
//! first, which its account belongs to.

use sea_orm_migration::prelude::*;

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IntegrationKeyUnits {
    Table,
    KeyId,
    UnitId,
}

#[derive(DeriveIden)]
enum IntegrationKeys {
    Table,
    Id,
    UnitId,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use IntegrationKeyUnits as U;
        manager
            .create_table(
                Table::create()
                    .table(U::Table)
                    .col(ColumnDef::new(U::KeyId).uuid().not_null())
                    .col(ColumnDef::new(U::UnitId).uuid().not_null())
                    .primary_key(Index::create().col(U::KeyId).col(U::UnitId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_integration_key_units_key")
                            .from(U::Table, U::KeyId)
                            .to(IntegrationKeys::Table, IntegrationKeys::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk(
                        "fk_integration_key_units_unit",
                        (U::Table, U::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        let copy = Query::insert()
            .into_table(U::Table)
            .columns([U::KeyId, U::UnitId])
            .select_from(
                Query::select()
                    .columns([IntegrationKeys::Id, IntegrationKeys::UnitId])
                    .from(IntegrationKeys::Table)
                    .and_where(Expr::col(IntegrationKeys::UnitId).is_not_null())
                    .to_owned(),
            )
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        manager.exec_stmt(copy).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IntegrationKeyUnits::Table).to_owned()).await
    }
}
