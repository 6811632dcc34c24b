//! Units, users, the login lockout and the audit trail.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
    Name,
    Kind,
    HasFundingTargets,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    Role,
    UnitId,
    Active,
    SessionEpoch,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Username,
    AttemptedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Seq,
    OccurredAt,
    ActorId,
    Action,
    EntityType,
    EntityId,
    Changes,
    RequestId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Units::Table)
                    .col(ColumnDef::new(Units::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Units::Name).string_len(100).not_null().unique_key())
                    .col(ColumnDef::new(Units::Kind).string_len(24).not_null())
                    .col(ColumnDef::new(Units::HasFundingTargets).boolean().not_null().default(false))
                    .col(ColumnDef::new(Units::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Users::Username).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(Users::DisplayName).string_len(100).not_null())
                    .col(ColumnDef::new(Users::PasswordHash).string_len(255).not_null())
                    .col(ColumnDef::new(Users::Role).string_len(16).not_null())
                    .col(ColumnDef::new(Users::UnitId).uuid().not_null())
                    .col(ColumnDef::new(Users::Active).boolean().not_null().default(true))
                    .col(ColumnDef::new(Users::SessionEpoch).integer().not_null().default(0))
                    .col(ColumnDef::new(Users::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Users::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_unit")
                            .from(Users::Table, Users::UnitId)
                            .to(Units::Table, Units::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_users_unit").table(Users::Table).col(Users::UnitId).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(ColumnDef::new(LoginFailures::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(LoginFailures::Username).string_len(64).not_null())
                    .col(ColumnDef::new(LoginFailures::AttemptedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_login_failures_username_at")
                    .table(LoginFailures::Table)
                    .col(LoginFailures::Username)
                    .col(LoginFailures::AttemptedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(ColumnDef::new(AuditEvents::Seq).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AuditEvents::OccurredAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AuditEvents::ActorId).uuid().null())
                    .col(ColumnDef::new(AuditEvents::Action).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvents::EntityType).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvents::EntityId).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvents::Changes).json_binary().not_null())
                    .col(ColumnDef::new(AuditEvents::RequestId).string_len(64).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_entity")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::EntityType)
                    .col(AuditEvents::EntityId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_actor")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::ActorId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditEvents::Table.into_iden(),
            LoginFailures::Table.into_iden(),
            Users::Table.into_iden(),
            Units::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
