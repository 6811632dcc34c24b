//! A link from a coordination case to a record it concerns. One table for every kind of target, so
//! that a new kind of record joins cases by adding a [`LinkTarget`] value.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The kind of record a case links to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LinkTarget {
    /// An issue (问题).
    #[sea_orm(string_value = "ISSUE")]
    Issue,
    /// A site inspection (督导检查).
    #[sea_orm(string_value = "INSPECTION")]
    Inspection,
    /// A photo taken as evidence.
    #[sea_orm(string_value = "PHOTO")]
    Photo,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "case_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub target_type: LinkTarget,
    #[sea_orm(primary_key, auto_increment = false)]
    pub target_id: Uuid,
    pub linked_by: Option<Uuid>,
    pub linked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
