//! The geodetic datums positions arrive in. Every position is stored in WGS-84; the datum a client
//! gave it in is kept beside it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A datum (coordinate system) a position is given or shown in. Positions are stored in WGS-84;
/// inside mainland China, GCJ-02 and BD-09 differ from it by a few hundred metres, outside they equal it.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Datum {
    /// WGS-84: GPS, Android's and iOS's own location services, camera EXIF. What is stored.
    #[default]
    #[sea_orm(string_value = "WGS84")]
    #[graphql(name = "WGS84")]
    #[serde(rename = "WGS84")]
    Wgs84,
    /// GCJ-02 (国测局坐标): the AMap (高德) and Tencent SDKs and maps, WeChat's `getLocation(type: 'gcj02')`.
    #[sea_orm(string_value = "GCJ02")]
    #[graphql(name = "GCJ02")]
    #[serde(rename = "GCJ02")]
    Gcj02,
    /// BD-09: Baidu's SDK and maps.
    #[sea_orm(string_value = "BD09")]
    #[graphql(name = "BD09")]
    #[serde(rename = "BD09")]
    Bd09,
}
