//! Webhooks: where the office's events are pushed (a third-party system, or a DingTalk or WeCom group
//! robot), each delivery and each attempt at it. A webhook reads the audit trail from a sequence
//! number of its own, so no event is skipped and none is queued twice; one instance at a time works
//! a webhook, under a lease that lapses if that instance dies.

use sea_orm_migration::prelude::*;

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    Name,
    Url,
    Target,
    EventTypes,
    Secret,
    OwnerId,
    UnitId,
    AfterSeq,
    Active,
    DisabledReason,
    FailingSince,
    LeaseOwner,
    LeaseUntil,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    WebhookId,
    Seq,
    EventType,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LastAttemptAt,
    DeliveredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    AttemptedAt,
    StatusCode,
    DurationMs,
    Response,
    Error,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use WebhookAttempts as A;
        use WebhookDeliveries as D;
        use Webhooks as W;
        manager
            .create_table(
                Table::create()
                    .table(W::Table)
                    .col(ColumnDef::new(W::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(W::Name).string_len(100).not_null())
                    .col(ColumnDef::new(W::Url).string_len(2048).not_null())
                    .col(ColumnDef::new(W::Target).string_len(16).not_null())
                    .col(ColumnDef::new(W::EventTypes).text().not_null())
                    .col(ColumnDef::new(W::Secret).string_len(256).not_null())
                    .col(ColumnDef::new(W::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(W::UnitId).uuid().null())
                    .col(ColumnDef::new(W::AfterSeq).big_integer().not_null())
                    .col(ColumnDef::new(W::Active).boolean().not_null())
                    .col(ColumnDef::new(W::DisabledReason).text().null())
                    .col(ColumnDef::new(W::FailingSince).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(W::LeaseOwner).uuid().null())
                    .col(ColumnDef::new(W::LeaseUntil).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(W::CreatedBy).uuid().not_null())
                    .col(ColumnDef::new(W::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(W::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut fk("fk_webhooks_owner", (W::Table, W::OwnerId), (Users::Table, Users::Id)))
                    .foreign_key(&mut fk("fk_webhooks_unit", (W::Table, W::UnitId), (Units::Table, Units::Id)))
                    .foreign_key(&mut fk("fk_webhooks_created_by", (W::Table, W::CreatedBy), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(ColumnDef::new(D::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(D::WebhookId).uuid().not_null())
                    .col(ColumnDef::new(D::Seq).big_integer().null())
                    .col(ColumnDef::new(D::EventType).string_len(64).not_null())
                    .col(ColumnDef::new(D::Payload).text().not_null())
                    .col(ColumnDef::new(D::Status).string_len(16).not_null())
                    .col(ColumnDef::new(D::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(D::NextAttemptAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(D::LastAttemptAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(D::DeliveredAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(D::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_webhook")
                            .from(D::Table, D::WebhookId)
                            .to(W::Table, W::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A webhook's queue head (its oldest pending delivery) and its history, newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_queue")
                    .table(D::Table)
                    .col(D::WebhookId)
                    .col(D::Status)
                    .col(D::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(ColumnDef::new(A::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(A::DeliveryId).big_integer().not_null())
                    .col(ColumnDef::new(A::AttemptedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(A::StatusCode).integer().null())
                    .col(ColumnDef::new(A::DurationMs).integer().not_null())
                    .col(ColumnDef::new(A::Response).text().null())
                    .col(ColumnDef::new(A::Error).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_attempts_delivery")
                            .from(A::Table, A::DeliveryId)
                            .to(D::Table, D::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_attempts_delivery")
                    .table(A::Table)
                    .col(A::DeliveryId)
                    .col(A::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebhookAttempts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Webhooks::Table).to_owned()).await
    }
}
