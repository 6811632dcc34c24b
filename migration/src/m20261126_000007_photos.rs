//! Photos taken as evidence: where the original and thumbnails are stored, what EXIF and the device
//! said, and how far the evidence can be trusted.

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
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Photos {
    Table,
    Id,
    ProjectId,
    InspectionId,
    IssueId,
    ChecklistItemKey,
    Caption,
    UploadedBy,
    Sha256,
    Format,
    ByteSize,
    Width,
    Height,
    ObjectKey,
    Thumbnails,
    ThumbnailNote,
    TakenAt,
    TakenOffset,
    ExifLat,
    ExifLng,
    ExifAltitude,
    ExifAccuracyM,
    Direction,
    CameraMake,
    CameraModel,
    Orientation,
    CapturedAt,
    DeviceLat,
    DeviceLng,
    DeviceAccuracyM,
    DeviceMocked,
    ReceivedAt,
    TrustScore,
    TrustReasons,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Photos::Table)
                    .col(ColumnDef::new(Photos::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Photos::ProjectId).uuid().not_null())
                    // The inspection and issue may reach the server after the photo: no foreign keys.
                    .col(ColumnDef::new(Photos::InspectionId).uuid().null())
                    .col(ColumnDef::new(Photos::IssueId).uuid().null())
                    .col(ColumnDef::new(Photos::ChecklistItemKey).string_len(64).null())
                    .col(ColumnDef::new(Photos::Caption).string_len(500).null())
                    .col(ColumnDef::new(Photos::UploadedBy).uuid().not_null())
                    .col(ColumnDef::new(Photos::Sha256).string_len(64).not_null())
                    .col(ColumnDef::new(Photos::Format).string_len(8).not_null())
                    .col(ColumnDef::new(Photos::ByteSize).big_integer().not_null())
                    .col(ColumnDef::new(Photos::Width).integer().not_null())
                    .col(ColumnDef::new(Photos::Height).integer().not_null())
                    .col(ColumnDef::new(Photos::ObjectKey).string_len(200).not_null())
                    .col(ColumnDef::new(Photos::Thumbnails).boolean().not_null())
                    .col(ColumnDef::new(Photos::ThumbnailNote).text().null())
                    .col(ColumnDef::new(Photos::TakenAt).timestamp().null())
                    .col(ColumnDef::new(Photos::TakenOffset).integer().null())
                    .col(ColumnDef::new(Photos::ExifLat).double().null())
                    .col(ColumnDef::new(Photos::ExifLng).double().null())
                    .col(ColumnDef::new(Photos::ExifAltitude).double().null())
                    .col(ColumnDef::new(Photos::ExifAccuracyM).double().null())
                    .col(ColumnDef::new(Photos::Direction).double().null())
                    .col(ColumnDef::new(Photos::CameraMake).string_len(100).null())
                    .col(ColumnDef::new(Photos::CameraModel).string_len(100).null())
                    .col(ColumnDef::new(Photos::Orientation).small_integer().null())
                    .col(ColumnDef::new(Photos::CapturedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Photos::DeviceLat).double().null())
                    .col(ColumnDef::new(Photos::DeviceLng).double().null())
                    .col(ColumnDef::new(Photos::DeviceAccuracyM).double().null())
                    .col(ColumnDef::new(Photos::DeviceMocked).boolean().not_null())
                    .col(ColumnDef::new(Photos::ReceivedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Photos::TrustScore).integer().not_null())
                    .col(ColumnDef::new(Photos::TrustReasons).json_binary().not_null())
                    .foreign_key(&mut fk(
                        "fk_photos_project",
                        (Photos::Table, Photos::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_photos_uploaded_by",
                        (Photos::Table, Photos::UploadedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_photos_project", Photos::ProjectId),
            ("ix_photos_inspection", Photos::InspectionId),
            ("ix_photos_issue", Photos::IssueId),
            ("ix_photos_sha256", Photos::Sha256),
        ] {
            manager.create_index(Index::create().name(name).table(Photos::Table).col(col).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_photos_received")
                    .table(Photos::Table)
                    .col(Photos::ReceivedAt)
                    .col(Photos::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Photos::Table).to_owned()).await
    }
}
