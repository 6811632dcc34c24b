//! A unit (单位): a responsible department, a township, an enterprise, the project office or the
//! leading group. Every user belongs to exactly one.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What kind of body a unit is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnitKind {
    /// A functional department of the city government (职能部门), e.g. 发改局, 自然资源局.
    #[sea_orm(string_value = "DEPARTMENT")]
    Department,
    /// A township or sub-district (乡镇、街道).
    #[sea_orm(string_value = "TOWNSHIP")]
    Township,
    /// A state-owned or private enterprise that carries projects (企业).
    #[sea_orm(string_value = "ENTERPRISE")]
    Enterprise,
    /// The project office (项目办) that runs the programme day to day.
    #[sea_orm(string_value = "PROJECT_OFFICE")]
    ProjectOffice,
    /// The leading group (项目建设领导小组): the party secretary (市委书记) its adviser (顾问), the
    /// mayor (市长) its head (组长); leaders belong to it.
    #[sea_orm(string_value = "LEADING_GROUP")]
    LeadingGroup,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub name: String,
    pub kind: UnitKind,
    pub has_funding_targets: bool,
    /// The unit's head (一把手), who reports to the project office every month; one of its users.
    pub head_user_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::user::Entity")]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
