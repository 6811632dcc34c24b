//! Scheduling meetings (调度会): the meeting, who attends, the projects on its agenda with their
//! dispatch opinions, versions of its minutes, its decisions, and the action items (交办事项) it hands
//! to units with their timelines. Issues raised by a decision and a case decided at a meeting point
//! back to it; the office sets after how many days overdue an item goes to the meeting's chair.

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
enum Units {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    DecidedAtMeetingId,
}

#[derive(DeriveIden)]
enum Issues {
    Table,
    MeetingId,
    MeetingDecisionId,
}

#[derive(DeriveIden)]
enum OfficeSettings {
    Table,
    ActionItemChairAfterDays,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
    Kind,
    Title,
    ChairId,
    StartsAt,
    Place,
    Industry,
    Status,
    CancelReason,
    MinutesDraft,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    HeldAt,
}

#[derive(DeriveIden)]
enum MeetingUnits {
    Table,
    MeetingId,
    UnitId,
}

#[derive(DeriveIden)]
enum MeetingAttendees {
    Table,
    UserId,
}

#[derive(DeriveIden)]
enum MeetingAgenda {
    Table,
    MeetingId,
    ProjectId,
    Position,
    Opinion,
}

#[derive(DeriveIden)]
enum MeetingMinutes {
    Table,
    Id,
    MeetingId,
    Version,
    Text,
    ReplacesId,
    PublishedBy,
    PublishedAt,
}

#[derive(DeriveIden)]
enum MeetingDecisions {
    Table,
    Id,
    MeetingId,
    Position,
    Text,
    CaseId,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActionItems {
    Table,
    Id,
    MeetingId,
    DecisionId,
    Position,
    Task,
    OwnerUnitId,
    ProjectId,
    Deadline,
    Status,
    DoneReport,
    DoneOn,
    DoneAt,
    VerifiedAt,
    NoticedAt,
    EscalatedAt,
    EscalatedTo,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ActionItemUnits {
    Table,
    ItemId,
    UnitId,
}

#[derive(DeriveIden)]
enum ActionItemEvents {
    Table,
    Id,
    ItemId,
    Kind,
    ActorId,
    Text,
    UnitId,
    UserId,
    At,
}

fn uuid(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}

fn at(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).timestamp_with_time_zone().not_null().to_owned()
}

fn at_null(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).timestamp_with_time_zone().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Meetings::Table)
                    .col(uuid(Meetings::Id).primary_key())
                    .col(ColumnDef::new(Meetings::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Meetings::Title).string_len(200).not_null())
                    .col(uuid(Meetings::ChairId))
                    .col(at(Meetings::StartsAt))
                    .col(ColumnDef::new(Meetings::Place).string_len(200).not_null())
                    .col(ColumnDef::new(Meetings::Industry).string_len(32).null())
                    .col(ColumnDef::new(Meetings::Status).string_len(24).not_null())
                    .col(ColumnDef::new(Meetings::CancelReason).text().null())
                    .col(ColumnDef::new(Meetings::MinutesDraft).text().null())
                    .col(uuid(Meetings::CreatedBy))
                    .col(at(Meetings::CreatedAt))
                    .col(at(Meetings::UpdatedAt))
                    .col(at_null(Meetings::HeldAt))
                    .foreign_key(&mut fk(
                        "fk_meetings_chair",
                        (Meetings::Table, Meetings::ChairId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_meetings_created_by",
                        (Meetings::Table, Meetings::CreatedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_meetings_starts")
                    .table(Meetings::Table)
                    .col(Meetings::StartsAt)
                    .col(Meetings::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_meetings_chair")
                    .table(Meetings::Table)
                    .col(Meetings::ChairId)
                    .col(Meetings::StartsAt)
                    .to_owned(),
            )
            .await?;

        for (table, member, member_table, name) in [
            (MeetingUnits::Table.into_iden(), MeetingUnits::UnitId.into_iden(), Units::Table.into_iden(), "units"),
            (
                MeetingAttendees::Table.into_iden(),
                MeetingAttendees::UserId.into_iden(),
                Users::Table.into_iden(),
                "attendees",
            ),
        ] {
            let meeting = MeetingUnits::MeetingId.into_iden();
            manager
                .create_table(
                    Table::create()
                        .table(table.clone())
                        .col(uuid(meeting.clone()))
                        .col(uuid(member.clone()))
                        .primary_key(Index::create().col(meeting.clone()).col(member.clone()))
                        .foreign_key(&mut fk(
                            &format!("fk_meeting_{name}_meeting"),
                            (table.clone(), meeting.clone()),
                            (Meetings::Table, Meetings::Id),
                        ))
                        .foreign_key(&mut fk(
                            &format!("fk_meeting_{name}_member"),
                            (table.clone(), member.clone()),
                            (member_table, Alias::new("id")),
                        ))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create().name(format!("ix_meeting_{name}_member")).table(table).col(member).to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(MeetingAgenda::Table)
                    .col(uuid(MeetingAgenda::MeetingId))
                    .col(uuid(MeetingAgenda::ProjectId))
                    .col(ColumnDef::new(MeetingAgenda::Position).integer().not_null())
                    .col(ColumnDef::new(MeetingAgenda::Opinion).text().not_null())
                    .primary_key(Index::create().col(MeetingAgenda::MeetingId).col(MeetingAgenda::ProjectId))
                    .foreign_key(&mut fk(
                        "fk_meeting_agenda_meeting",
                        (MeetingAgenda::Table, MeetingAgenda::MeetingId),
                        (Meetings::Table, Meetings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_meeting_agenda_project",
                        (MeetingAgenda::Table, MeetingAgenda::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_meeting_agenda_project")
                    .table(MeetingAgenda::Table)
                    .col(MeetingAgenda::ProjectId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MeetingMinutes::Table)
                    .col(uuid(MeetingMinutes::Id).primary_key())
                    .col(uuid(MeetingMinutes::MeetingId))
                    .col(ColumnDef::new(MeetingMinutes::Version).integer().not_null())
                    .col(ColumnDef::new(MeetingMinutes::Text).text().not_null())
                    .col(ColumnDef::new(MeetingMinutes::ReplacesId).uuid().null())
                    .col(uuid(MeetingMinutes::PublishedBy))
                    .col(at(MeetingMinutes::PublishedAt))
                    .foreign_key(&mut fk(
                        "fk_meeting_minutes_meeting",
                        (MeetingMinutes::Table, MeetingMinutes::MeetingId),
                        (Meetings::Table, Meetings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_meeting_minutes_replaces",
                        (MeetingMinutes::Table, MeetingMinutes::ReplacesId),
                        (MeetingMinutes::Table, MeetingMinutes::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_meeting_minutes_published_by",
                        (MeetingMinutes::Table, MeetingMinutes::PublishedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_meeting_minutes_version")
                    .table(MeetingMinutes::Table)
                    .col(MeetingMinutes::MeetingId)
                    .col(MeetingMinutes::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MeetingDecisions::Table)
                    .col(uuid(MeetingDecisions::Id).primary_key())
                    .col(uuid(MeetingDecisions::MeetingId))
                    .col(ColumnDef::new(MeetingDecisions::Position).integer().not_null())
                    .col(ColumnDef::new(MeetingDecisions::Text).text().not_null())
                    .col(ColumnDef::new(MeetingDecisions::CaseId).uuid().null())
                    .col(uuid(MeetingDecisions::RecordedBy))
                    .col(at(MeetingDecisions::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_meeting_decisions_meeting",
                        (MeetingDecisions::Table, MeetingDecisions::MeetingId),
                        (Meetings::Table, Meetings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_meeting_decisions_case",
                        (MeetingDecisions::Table, MeetingDecisions::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_meeting_decisions_recorded_by",
                        (MeetingDecisions::Table, MeetingDecisions::RecordedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_meeting_decisions_meeting")
                    .table(MeetingDecisions::Table)
                    .col(MeetingDecisions::MeetingId)
                    .col(MeetingDecisions::Position)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ActionItems::Table)
                    .col(uuid(ActionItems::Id).primary_key())
                    .col(uuid(ActionItems::MeetingId))
                    .col(ColumnDef::new(ActionItems::DecisionId).uuid().null())
                    .col(ColumnDef::new(ActionItems::Position).integer().not_null())
                    .col(ColumnDef::new(ActionItems::Task).text().not_null())
                    .col(uuid(ActionItems::OwnerUnitId))
                    .col(ColumnDef::new(ActionItems::ProjectId).uuid().null())
                    .col(ColumnDef::new(ActionItems::Deadline).date().not_null())
                    .col(ColumnDef::new(ActionItems::Status).string_len(16).not_null())
                    .col(ColumnDef::new(ActionItems::DoneReport).text().null())
                    .col(ColumnDef::new(ActionItems::DoneOn).date().null())
                    .col(at_null(ActionItems::DoneAt))
                    .col(at_null(ActionItems::VerifiedAt))
                    .col(at_null(ActionItems::NoticedAt))
                    .col(at_null(ActionItems::EscalatedAt))
                    .col(ColumnDef::new(ActionItems::EscalatedTo).uuid().null())
                    .col(at(ActionItems::CreatedAt))
                    .col(at(ActionItems::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_action_items_meeting",
                        (ActionItems::Table, ActionItems::MeetingId),
                        (Meetings::Table, Meetings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_action_items_decision",
                        (ActionItems::Table, ActionItems::DecisionId),
                        (MeetingDecisions::Table, MeetingDecisions::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_action_items_owner",
                        (ActionItems::Table, ActionItems::OwnerUnitId),
                        (Units::Table, Units::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_action_items_project",
                        (ActionItems::Table, ActionItems::ProjectId),
                        (Projects::Table, Projects::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_action_items_escalated_to",
                        (ActionItems::Table, ActionItems::EscalatedTo),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_action_items_meeting", vec![ActionItems::MeetingId, ActionItems::Position]),
            ("ix_action_items_owner", vec![ActionItems::OwnerUnitId, ActionItems::Status]),
            ("ix_action_items_deadline", vec![ActionItems::Status, ActionItems::Deadline]),
            ("ix_action_items_created", vec![ActionItems::CreatedAt, ActionItems::Id]),
        ] {
            let mut index = Index::create().name(name).table(ActionItems::Table).to_owned();
            for c in cols {
                index.col(c);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ActionItemUnits::Table)
                    .col(uuid(ActionItemUnits::ItemId))
                    .col(uuid(ActionItemUnits::UnitId))
                    .primary_key(Index::create().col(ActionItemUnits::ItemId).col(ActionItemUnits::UnitId))
                    .foreign_key(&mut fk(
                        "fk_action_item_units_item",
                        (ActionItemUnits::Table, ActionItemUnits::ItemId),
                        (ActionItems::Table, ActionItems::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_action_item_units_unit",
                        (ActionItemUnits::Table, ActionItemUnits::UnitId),
                        (Units::Table, Units::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_action_item_units_unit")
                    .table(ActionItemUnits::Table)
                    .col(ActionItemUnits::UnitId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ActionItemEvents::Table)
                    .col(ColumnDef::new(ActionItemEvents::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(uuid(ActionItemEvents::ItemId))
                    .col(ColumnDef::new(ActionItemEvents::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(ActionItemEvents::ActorId).uuid().null())
                    .col(ColumnDef::new(ActionItemEvents::Text).text().null())
                    .col(ColumnDef::new(ActionItemEvents::UnitId).uuid().null())
                    .col(ColumnDef::new(ActionItemEvents::UserId).uuid().null())
                    .col(at(ActionItemEvents::At))
                    .foreign_key(&mut fk(
                        "fk_action_item_events_item",
                        (ActionItemEvents::Table, ActionItemEvents::ItemId),
                        (ActionItems::Table, ActionItems::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_action_item_events_item")
                    .table(ActionItemEvents::Table)
                    .col(ActionItemEvents::ItemId)
                    .col(ActionItemEvents::Id)
                    .to_owned(),
            )
            .await?;

        // Links back from what a meeting decided. Plain nullable columns: SQLite cannot add a column
        // with a foreign key to an existing table, and a meeting is never deleted.
        manager
            .alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(ColumnDef::new(Cases::DecidedAtMeetingId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Issues::Table)
                    .add_column(ColumnDef::new(Issues::MeetingId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Issues::Table)
                    .add_column(ColumnDef::new(Issues::MeetingDecisionId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_issues_meeting").table(Issues::Table).col(Issues::MeetingId).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OfficeSettings::Table)
                    .add_column(
                        ColumnDef::new(OfficeSettings::ActionItemChairAfterDays).integer().not_null().default(7),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A correction points at the version it replaces: SQLite's drop deletes row by row.
        manager.get_connection().execute_unprepared("UPDATE meeting_minutes SET replaces_id = NULL").await?;
        for table in [
            ActionItemEvents::Table.into_iden(),
            ActionItemUnits::Table.into_iden(),
            ActionItems::Table.into_iden(),
            MeetingDecisions::Table.into_iden(),
            MeetingMinutes::Table.into_iden(),
            MeetingAgenda::Table.into_iden(),
            MeetingAttendees::Table.into_iden(),
            MeetingUnits::Table.into_iden(),
            Meetings::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(OfficeSettings::Table)
                    .drop_column(OfficeSettings::ActionItemChairAfterDays)
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name("ix_issues_meeting").table(Issues::Table).to_owned()).await?;
        for column in [Issues::MeetingDecisionId, Issues::MeetingId] {
            manager.alter_table(Table::alter().table(Issues::Table).drop_column(column).to_owned()).await?;
        }
        manager
            .alter_table(Table::alter().table(Cases::Table).drop_column(Cases::DecidedAtMeetingId).to_owned())
            .await?;
        Ok(())
    }
}
