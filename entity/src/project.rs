//! A key project (重点项目). Money is stored as integer fen (1 万元 = 1,000,000 fen) so that sums are
//! exact on every database; the API speaks decimal 万元.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The three lists of the programme.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProjectCategory {
    /// Key construction project (重点建设项目): under construction this year.
    #[sea_orm(string_value = "KEY_CONSTRUCTION")]
    KeyConstruction,
    /// Key preliminary project (重点前期项目): not yet started, approvals in progress.
    #[sea_orm(string_value = "KEY_PRELIMINARY")]
    KeyPreliminary,
    /// Key development project (重点开发项目): being planned and packaged for funding or investors.
    #[sea_orm(string_value = "KEY_DEVELOPMENT")]
    KeyDevelopment,
}

/// The county's industries (the source text's five pillars, plus public works).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Industry {
    /// Auto parts (汽配).
    #[sea_orm(string_value = "AUTO_PARTS")]
    AutoParts,
    /// Salt chemicals (盐化).
    #[sea_orm(string_value = "SALT_CHEMICAL")]
    SaltChemical,
    /// Textiles (纺织).
    #[sea_orm(string_value = "TEXTILE")]
    Textile,
    /// Paper (造纸).
    #[sea_orm(string_value = "PAPER")]
    Paper,
    /// Food (食品).
    #[sea_orm(string_value = "FOOD")]
    Food,
    /// Infrastructure (基础设施): roads, water, power, gas.
    #[sea_orm(string_value = "INFRASTRUCTURE")]
    Infrastructure,
    /// Social undertakings (社会事业): schools, hospitals, housing.
    #[sea_orm(string_value = "SOCIAL")]
    Social,
    /// Anything else (其他).
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Where a project stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProjectStatus {
    /// Being planned (谋划中).
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    /// Preliminary work and approvals (前期).
    #[sea_orm(string_value = "PRELIMINARY")]
    Preliminary,
    /// Under construction (在建).
    #[sea_orm(string_value = "UNDER_CONSTRUCTION")]
    UnderConstruction,
    /// Construction completed (竣工).
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    /// In operation or production (投产运营).
    #[sea_orm(string_value = "IN_OPERATION")]
    InOperation,
    /// Suspended or slowed (停缓建).
    #[sea_orm(string_value = "SUSPENDED")]
    Suspended,
}

/// A project's traffic light (红黄绿灯), computed from investment against the time-proportional
/// target, milestone slips and missing monthly reports. It depends on today's date; the row kept for
/// it ([`crate::project_light`]) says which day it was computed for.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Light {
    /// On track (绿灯).
    #[sea_orm(string_value = "GREEN")]
    Green,
    /// Slipping: behind the time-proportional target, a milestone late, or a report missing (黄灯).
    #[sea_orm(string_value = "YELLOW")]
    Yellow,
    /// Seriously behind: far behind the target or a milestone late beyond the limit (红灯).
    #[sea_orm(string_value = "RED")]
    Red,
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// National project code (全国投资项目代码), 24 characters, when the project has one.
    #[sea_orm(unique)]
    pub code: Option<String>,
    pub name: String,
    pub category: ProjectCategory,
    pub industry: Industry,
    pub status: ProjectStatus,
    pub responsible_unit_id: Uuid,
    pub leader_id: Uuid,
    pub total_investment_fen: i64,
    /// Investment completed before the first monthly report in this system.
    pub prior_completed_fen: i64,
    /// Physical progress in hundredths of a percent (0..=10000).
    pub progress_bp: i32,
    pub planned_start: Option<Date>,
    pub planned_completion: Option<Date>,
    pub actual_start: Option<Date>,
    pub actual_completion: Option<Date>,
    pub lat: f64,
    pub lng: f64,
    pub site_radius_m: i32,
    /// Optional site boundary: `[[lng, lat], ...]`, WGS-84, closed or not.
    pub boundary: Option<Json>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub created_at: DateTimeUtc,
    /// The datum the site (`lat`, `lng`, `boundary`, stored in WGS-84) was last given in.
    pub location_datum: crate::geo::Datum,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Columns of `projects` kept off [`Model`] because they are not the project's own data: a copy of
/// its kept light ([`crate::project_light`]), set only while that light is current and cleared by
/// every write that makes it stale, so that a page showing lights reads them with its projects.
/// Written and read by the service's lights alone; a project written back whole leaves them be.
#[derive(Copy, Clone, Debug, DeriveIden)]
pub enum Carried {
    /// The kept light, or empty.
    KeptLight,
    /// The day `kept_light` was current on.
    KeptLightDay,
}
