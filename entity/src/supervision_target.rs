//! What a KEY_PROBLEM supervision deals with: an open issue or a 一事一议 case.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Which kind of record a target is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetType {
    #[sea_orm(string_value = "ISSUE")]
    Issue,
    #[sea_orm(string_value = "CASE")]
    Case,
}
