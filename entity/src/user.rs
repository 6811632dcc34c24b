//! A person (or an integration) who signs in.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a user may do; combined with the user's unit it decides what the user sees.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Project office staff (项目办): keep the project library, assign work, see everything.
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    /// A city leader linked to projects (联系领导): follows them, chairs scheduling meetings.
    #[sea_orm(string_value = "LEADER")]
    Leader,
    /// A responsible unit's staff (责任单位): reports progress, resolves issues assigned to the unit.
    #[sea_orm(string_value = "DEPARTMENT")]
    Department,
    /// A field inspector (督导员): runs checklists on site, takes photos, raises issues.
    #[sea_orm(string_value = "INSPECTOR")]
    Inspector,
    /// A third-party system (第三方系统) reading data with a scoped credential.
    #[sea_orm(string_value = "INTEGRATION")]
    Integration,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Uuid,
    pub active: bool,
    /// Bumped whenever existing tokens must stop working (password change, deactivation).
    pub session_epoch: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::unit::Entity", from = "Column::UnitId", to = "super::unit::Column::Id")]
    Unit,
    #[sea_orm(has_one = "super::user_credential::Entity")]
    Credential,
}

impl Related<super::unit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Unit.def()
    }
}

impl Related<super::user_credential::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Credential.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
