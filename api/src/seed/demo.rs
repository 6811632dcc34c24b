//! The demo county, modelled on the source text (a county-level city's 项目建设年): 55 responsible
//! units, the project office, the leading group, and one demo account per role.

use chrono::{NaiveDate, Utc};
use entity::unit::{self, UnitKind};
use entity::user::{self, Role};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait};
use serde_json::json;
use uuid::Uuid;

use crate::auth::PasswordHasher;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::audit::{self, Change};

/// The password of every demo account (documented in the README).
pub const DEMO_PASSWORD: &str = "demo-2026";

/// Namespace for the demo's name-derived ids, so every run makes the same ids.
const NAMESPACE: Uuid = Uuid::from_u128(0x6b70_2d64_656d_6f00_8000_0000_0000_0001);

pub const PROJECT_OFFICE: &str = "项目办";
pub const LEADING_GROUP: &str = "项目建设年活动领导小组";

/// Functional departments; all but the two marked `false` carry funding targets.
const DEPARTMENTS: &[(&str, bool)] = &[
    ("发改局", true),
    ("工信局", true),
    ("科技局", true),
    ("财政局", true),
    ("自然资源局", true),
    ("生态环境局", true),
    ("住建局", true),
    ("交通运输局", true),
    ("水利局", true),
    ("农业农村局", true),
    ("商务局", true),
    ("文旅广体局", true),
    ("教育局", true),
    ("卫健局", true),
    ("人社局", true),
    ("应急管理局", true),
    ("市场监管局", true),
    ("行政审批服务局", true),
    ("城管局", true),
    ("林业局", true),
    ("民政局", true),
    ("公安局", true),
    ("司法局", true),
    ("医保局", true),
    ("税务局", true),
    ("金融办", true),
    ("招商促进中心", true),
    ("政务服务和大数据局", true),
    ("退役军人事务局", true),
    ("机关事务服务中心", true),
    ("高新区管委会", true),
    ("工业园区管委会", true),
    ("粮食和物资储备局", true),
    ("供销社", true),
    ("人防办", true),
    ("住房公积金管理部", true),
    ("统计局", false),
    ("审计局", false),
];

/// Department names, for seeding steps that hand out work.
pub const DEPARTMENT_NAMES: &[&str] = &[
    "发改局",
    "工信局",
    "科技局",
    "财政局",
    "自然资源局",
    "生态环境局",
    "住建局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文旅广体局",
    "教育局",
    "卫健局",
    "人社局",
    "应急管理局",
    "市场监管局",
    "行政审批服务局",
    "城管局",
    "林业局",
    "民政局",
    "高新区管委会",
    "工业园区管委会",
    "招商促进中心",
];

pub const TOWNSHIPS: &[&str] =
    &["襄阳街街道", "汪家桥街道", "三洲驿街道", "金鱼岭街道", "嘉山街道", "新洲镇", "白衣镇", "毛里湖镇", "药山镇"];

/// Enterprises that carry or serve projects (water, power, roads, gas: 水电路气).
pub const ENTERPRISES: &[&str] = &[
    "城市建设投资公司",
    "交通建设投资公司",
    "供电公司",
    "自来水公司",
    "燃气公司",
    "电信公司",
    "产业投资集团",
    "盐化集团",
];

/// One demo account per role, plus a few departments so that unit-scoped rules show.
pub struct DemoUser {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub unit: &'static str,
}

pub const USERS: &[DemoUser] = &[
    DemoUser { username: "admin", display_name: "王主任（项目办）", role: Role::Admin, unit: PROJECT_OFFICE },
    DemoUser { username: "leader", display_name: "李市长", role: Role::Leader, unit: LEADING_GROUP },
    DemoUser { username: "leader2", display_name: "张常务副市长", role: Role::Leader, unit: LEADING_GROUP },
    DemoUser {
        username: "deputy.auto",
        display_name: "刘副市长（联汽配产业）",
        role: Role::Leader,
        unit: LEADING_GROUP,
    },
    DemoUser {
        username: "deputy.salt",
        display_name: "孙副市长（联盐化产业）",
        role: Role::Leader,
        unit: LEADING_GROUP,
    },
    DemoUser {
        username: "deputy.textile",
        display_name: "吴副市长（联纺织产业）",
        role: Role::Leader,
        unit: LEADING_GROUP,
    },
    DemoUser {
        username: "deputy.paper",
        display_name: "郑副市长（联造纸产业）",
        role: Role::Leader,
        unit: LEADING_GROUP,
    },
    DemoUser {
        username: "deputy.food",
        display_name: "冯副市长（联食品产业）",
        role: Role::Leader,
        unit: LEADING_GROUP,
    },
    DemoUser { username: "fgj", display_name: "陈科长（发改局）", role: Role::Department, unit: "发改局" },
    DemoUser {
        username: "zrzyj", display_name: "刘股长（自然资源局）", role: Role::Department, unit: "自然资源局"
    },
    DemoUser {
        username: "sthjj", display_name: "周科长（生态环境局）", role: Role::Department, unit: "生态环境局"
    },
    DemoUser {
        username: "inspector", display_name: "赵督导（项目办）", role: Role::Inspector, unit: PROJECT_OFFICE
    },
    DemoUser {
        username: "integration",
        display_name: "市大数据平台",
        role: Role::Integration,
        unit: "政务服务和大数据局",
    },
];

/// The city leaders linked to projects (领导联项目): the mayor (组长) links the largest construction
/// projects; each deputy mayor one of the five industries the source text names (五大产业: 汽配, 盐化,
/// 纺织, 造纸, 食品) and its projects; the executive deputy mayor infrastructure, social undertakings
/// and the rest.
pub const MAYOR: &str = "leader";
pub const EXECUTIVE_DEPUTY: &str = "leader2";
pub const INDUSTRY_DEPUTIES: &[(entity::project::Industry, &str)] = &[
    (entity::project::Industry::AutoParts, "deputy.auto"),
    (entity::project::Industry::SaltChemical, "deputy.salt"),
    (entity::project::Industry::Textile, "deputy.textile"),
    (entity::project::Industry::Paper, "deputy.paper"),
    (entity::project::Industry::Food, "deputy.food"),
];

pub use super::logins::logins_with_demo_password;

/// The demo id of the thing called `name` in `domain` (e.g. `unit`, `自然资源局`).
pub fn demo_id(domain: &str, name: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{domain}:{name}").as_bytes())
}

/// All demo units: (name, kind, carries funding targets).
pub fn units() -> Vec<(&'static str, UnitKind, bool)> {
    let mut out =
        vec![(PROJECT_OFFICE, UnitKind::ProjectOffice, false), (LEADING_GROUP, UnitKind::LeadingGroup, false)];
    out.extend(DEPARTMENTS.iter().map(|&(name, targets)| (name, UnitKind::Department, targets)));
    out.extend(TOWNSHIPS.iter().map(|&name| (name, UnitKind::Township, true)));
    out.extend(ENTERPRISES.iter().map(|&name| (name, UnitKind::Enterprise, false)));
    out
}

/// The names of the 55 responsible units (责任单位): every unit but the project office and the group.
pub fn responsible_units() -> Vec<&'static str> {
    units()
        .into_iter()
        .filter(|(_, kind, _)| !matches!(kind, UnitKind::ProjectOffice | UnitKind::LeadingGroup))
        .map(|(name, _, _)| name)
        .collect()
}

/// What [`load`] did.
#[derive(Debug, Default)]
pub struct Loaded {
    pub units: usize,
    pub users: usize,
    pub projects: usize,
    pub issues: usize,
    pub cases: usize,
    pub templates: usize,
    pub meetings: usize,
    pub funding: usize,
    pub pairing_services: usize,
    pub evaluation_responses: usize,
}

/// Loads the demo county into an empty database; does nothing when units already exist.
/// `today` is the county's: reports, deadlines and lights are laid out around it.
pub async fn load(db: &DatabaseConnection, hasher: &PasswordHasher, today: NaiveDate) -> AppResult<Option<Loaded>> {
    if unit::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    load_hashed(db, hash_demo_passwords(hasher).await?, today).await
}

/// The demo accounts' password hashes, one per account, each with its own salt.
pub async fn hash_demo_passwords(hasher: &PasswordHasher) -> AppResult<Vec<String>> {
    let mut hashes = Vec::with_capacity(USERS.len());
    for _ in USERS {
        hashes.push(hasher.hash(DEMO_PASSWORD.to_owned()).await?);
    }
    Ok(hashes)
}

/// [`load`] with the accounts' hashes made beforehand (by [`hash_demo_passwords`]), so that seeding
/// many counties, as a test of every day of the year does, hashes once.
pub async fn load_hashed(db: &DatabaseConnection, hashes: Vec<String>, today: NaiveDate) -> AppResult<Option<Loaded>> {
    if unit::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    let txn = crate::db::begin_write(db).await?;
    let units = insert_units(&txn).await?;
    let users = insert_users(&txn, hashes).await?;
    let projects = super::projects::load(&txn, today).await?;
    let issues = super::issues::load(&txn, &projects, today).await?;
    let cases = super::cases::load(&txn, &projects, issues, today).await?;
    let templates = super::templates::load(&txn, &projects, today).await?;
    let meetings = super::meetings::load(&txn, today).await?;
    let funding = super::funding::load(&txn, &projects, today).await?;
    let pairing_services = super::pairing::load(&txn, &projects, today).await?;
    let evaluation_responses = super::evaluations::load(&txn, today).await?;
    let assessment_run = super::assessments::load(&txn, today).await?;
    crate::service::lights::track_untracked(&txn).await?;
    let projects = projects.len();
    let loaded = Loaded {
        units,
        users,
        projects,
        issues,
        cases,
        templates,
        meetings,
        funding,
        pairing_services,
        evaluation_responses,
    };
    audit::record(
        &txn,
        &Actor::System,
        Change {
            action: "seed.demo",
            entity_type: "county",
            entity_id: "demo".into(),
            changes: json!({
                "units": { "after": loaded.units },
                "users": { "after": loaded.users },
                "projects": { "after": loaded.projects },
                "issues": { "after": loaded.issues },
                "cases": { "after": loaded.cases },
                "templates": { "after": loaded.templates },
                "meetings": { "after": loaded.meetings },
                "funding_items": { "after": loaded.funding },
                "pairing_services": { "after": loaded.pairing_services },
                "evaluation_responses": { "after": loaded.evaluation_responses },
                "assessment_run": { "after": assessment_run },
            }),
        },
    )
    .await?;
    txn.commit().await?;
    // PostgreSQL plans from statistics that its autovacuum gathers a while after a bulk load; until
    // then it guesses every table small and picks plans for that. Gathered now, the first requests
    // to a fresh county are planned as later ones are.
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_unprepared("ANALYZE").await?;
    }
    Ok(Some(loaded))
}

async fn insert_units(db: &impl ConnectionTrait) -> AppResult<usize> {
    let now = Utc::now();
    let rows: Vec<_> = units()
        .into_iter()
        .map(|(name, kind, has_funding_targets)| {
            unit::Model {
                id: demo_id("unit", name),
                name: name.to_owned(),
                kind,
                has_funding_targets,
                head_user_id: None,
                created_at: now,
            }
            .into_active_model()
        })
        .collect();
    let n = rows.len();
    unit::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(n)
}

async fn insert_users(db: &impl ConnectionTrait, hashes: Vec<String>) -> AppResult<usize> {
    let now = Utc::now();
    let credentials: Vec<_> = USERS
        .iter()
        .zip(hashes)
        .map(|(u, password_hash)| {
            entity::user_credential::Model { user_id: demo_id("user", u.username), password_hash, changed_at: now }
                .into_active_model()
        })
        .collect();
    let rows: Vec<_> = USERS
        .iter()
        .map(|u| {
            user::Model {
                id: demo_id("user", u.username),
                username: u.username.to_owned(),
                display_name: u.display_name.to_owned(),
                role: u.role,
                unit_id: demo_id("unit", u.unit),
                active: true,
                session_epoch: 0,
                created_at: now,
                updated_at: now,
            }
            .into_active_model()
        })
        .collect();
    let n = rows.len();
    user::Entity::insert_many(rows).exec_without_returning(db).await?;
    entity::user_credential::Entity::insert_many(credentials).exec_without_returning(db).await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_county_has_55_responsible_units_45_with_targets() {
        let all = units();
        let responsible: Vec<_> =
            all.iter().filter(|(_, k, _)| !matches!(k, UnitKind::ProjectOffice | UnitKind::LeadingGroup)).collect();
        assert_eq!(responsible.len(), 55);
        assert_eq!(responsible_units().len(), 55);
        assert_eq!(responsible.iter().filter(|(_, _, t)| *t).count(), 45);
        let mut names: Vec<_> = all.iter().map(|(n, _, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "unit names are unique");
    }

    #[test]
    fn department_names_for_work_are_demo_units() {
        let names: Vec<_> = units().into_iter().map(|(n, _, _)| n).collect();
        assert!(DEPARTMENT_NAMES.iter().all(|d| names.contains(d)));
    }

    #[test]
    fn every_role_has_a_demo_user_in_a_demo_unit() {
        use sea_orm::Iterable;
        for role in Role::iter() {
            assert!(USERS.iter().any(|u| u.role == role), "{role:?} has no demo user");
        }
        let names: Vec<_> = units().into_iter().map(|(n, _, _)| n).collect();
        assert!(USERS.iter().all(|u| names.contains(&u.unit)));
    }
}
