//! The payloads creates were made from (kept to tell a replayed create from a different one under
//! the same client-chosen id) move out of `issues` and `inspections` into `client_payloads`, so that
//! reading issues and inspections loads only what they show. Every payload moves with its row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ClientPayloads {
    Table,
    Kind,
    Id,
    Payload,
}

#[derive(DeriveIden)]
enum Issues {
    Table,
    Id,
    CreatePayload,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    Id,
    CreatePayload,
}

/// The tables whose rows keep a payload, with the kind their payloads are filed under.
fn owners() -> [(&'static str, DynIden, DynIden, DynIden); 2] {
    [
        ("issue", Issues::Table.into_iden(), Issues::Id.into_iden(), Issues::CreatePayload.into_iden()),
        (
            "inspection",
            Inspections::Table.into_iden(),
            Inspections::Id.into_iden(),
            Inspections::CreatePayload.into_iden(),
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ClientPayloads::Table)
                    .col(ColumnDef::new(ClientPayloads::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(ClientPayloads::Id).uuid().not_null())
                    .col(ColumnDef::new(ClientPayloads::Payload).json().not_null())
                    .primary_key(Index::create().col(ClientPayloads::Kind).col(ClientPayloads::Id))
                    .to_owned(),
            )
            .await?;
        for (kind, table, id, payload) in owners() {
            let copy = Query::insert()
                .into_table(ClientPayloads::Table)
                .columns([ClientPayloads::Kind, ClientPayloads::Id, ClientPayloads::Payload])
                .select_from(
                    Query::select()
                        .expr(Expr::val(kind))
                        .column(id)
                        .column(payload.clone())
                        .from(table.clone())
                        .to_owned(),
                )
                .map_err(|e| DbErr::Migration(e.to_string()))?
                .to_owned();
            manager.exec_stmt(copy).await?;
            manager.alter_table(Table::alter().table(table).drop_column(payload).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (kind, table, _, payload) in owners() {
            manager
                .alter_table(
                    Table::alter()
                        .table(table.clone())
                        .add_column(ColumnDef::new(payload.clone()).json().not_null().default("{}"))
                        .to_owned(),
                )
                .await?;
            let t = table.to_string();
            let p = payload.to_string();
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "UPDATE {t} SET {p} = COALESCE((SELECT payload FROM client_payloads \
                     WHERE client_payloads.kind = '{kind}' AND client_payloads.id = {t}.id), '{{}}')"
                ))
                .await?;
        }
        manager.drop_table(Table::drop().table(ClientPayloads::Table).to_owned()).await
    }
}
