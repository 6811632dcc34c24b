//! A supervision bulletin (督导通报): a period's figures compiled and published, never changed.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "bulletins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub year: i32,
    /// 1, 2, … within the year.
    pub number: i32,
    /// The month it reports on, `YYYY-MM`.
    pub period: String,
    pub title: String,
    /// The office's own words.
    pub body: Option<String>,
    /// The compiled figures, as JSON text.
    #[sea_orm(column_type = "Text")]
    pub figures: String,
    pub published_by: Uuid,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
