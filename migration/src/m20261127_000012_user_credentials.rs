//! Password hashes move out of `users` into `user_credentials`, so that reading an account (a list of
//! users, a project's leader, the caller of every request) never loads a hash: only sign-in and a
//! password change read the new table. Every hash moves with its account.

use sea_orm_migration::prelude::*;

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PasswordHash,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserCredentials {
    Table,
    UserId,
    PasswordHash,
    ChangedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserCredentials::Table)
                    .col(ColumnDef::new(UserCredentials::UserId).uuid().not_null().primary_key())
                    .col(ColumnDef::new(UserCredentials::PasswordHash).string_len(255).not_null())
                    .col(ColumnDef::new(UserCredentials::ChangedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut fk(
                        "fk_user_credentials_user",
                        (UserCredentials::Table, UserCredentials::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        let copy = Query::insert()
            .into_table(UserCredentials::Table)
            .columns([UserCredentials::UserId, UserCredentials::PasswordHash, UserCredentials::ChangedAt])
            .select_from(
                Query::select()
                    .columns([Users::Id, Users::PasswordHash, Users::UpdatedAt])
                    .from(Users::Table)
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(copy).await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::PasswordHash).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::PasswordHash).string_len(255).not_null().default(""))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE users SET password_hash = \
             (SELECT password_hash FROM user_credentials WHERE user_credentials.user_id = users.id)",
        )
        .await?;
        manager.drop_table(Table::drop().table(UserCredentials::Table).to_owned()).await
    }
}
