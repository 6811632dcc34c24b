//! The demo county's project library: the source text's 82 key construction, 57 key preliminary and
//! 61 key development projects, with yearly plans, backward schedules and monthly reports up to the
//! last closed period — some late, some behind, some missing — so that all three lights show.
//! Deterministic for a given date: a fixed-seed generator, ids derived from names.

use chrono::{Datelike, NaiveDate, Utc};
use entity::project::{self, Industry, ProjectCategory, ProjectStatus};
use entity::{milestone, monthly_report, project_paired_unit, project_year_plan, schedule_plan};
use sea_orm::{ConnectionTrait, EntityTrait, IntoActiveModel};
use uuid::Uuid;

use super::demo::{EXECUTIVE_DEPUTY, INDUSTRY_DEPUTIES, MAYOR, TOWNSHIPS, demo_id, responsible_units};
use crate::error::AppResult;
use crate::service::report::{Period, last_closed_period};

/// The county seat the sites scatter around (29.60°N 111.88°E).
const CENTRE: (f64, f64) = (29.60, 111.88);
const FEN_PER_WAN: i64 = 1_000_000;

/// A small deterministic generator (SplitMix64), so the demo is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const CORES: &[(Industry, &[&str])] = &[
    (
        Industry::AutoParts,
        &[
            "汽车制动器",
            "汽车轮毂智能制造",
            "新能源汽车电机壳体",
            "汽车线束",
            "汽车座椅骨架",
            "精密齿轮",
            "汽车空调压缩机",
        ],
    ),
    (
        Industry::SaltChemical,
        &["盐化工循环经济", "离子膜烧碱", "精制盐技改", "氯碱下游精细化工", "纯碱扩能", "盐穴储气"],
    ),
    (Industry::Textile, &["高档纺纱", "智能织造", "无纺布生产线", "服装产业园", "印染废水提标"]),
    (Industry::Paper, &["生活用纸生产线", "包装纸板", "特种纸技改", "造纸废水深度处理"]),
    (Industry::Food, &["粮油精深加工", "冷链物流中心", "牛肉干食品", "酱卤食品产业园", "茶叶精制"]),
    (
        Industry::Infrastructure,
        &[
            "城区主干道改造",
            "澧水大桥",
            "污水处理厂扩建",
            "城乡供水一体化",
            "垃圾焚烧发电",
            "220千伏变电站",
            "天然气管网",
        ],
    ),
    (
        Industry::Social,
        &["人民医院住院楼", "第一中学新校区", "保障性住房", "老旧小区改造", "全民健身中心", "养老服务中心"],
    ),
    (Industry::Other, &["文旅小镇", "电商产业园", "现代农业示范园", "数据中心"]),
];

const STEPS: &[(&str, i32)] =
    &[("前期手续", 60), ("场地平整", 45), ("主体施工", 240), ("设备安装", 90), ("竣工验收", 30)];

/// How a demo project behaves, so that every light shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pace {
    OnTrack,
    Behind,
    FarBehind,
}

struct Counts {
    pub projects: usize,
    pub reports: usize,
}

/// Loads the library for the date `today`.
pub async fn load(db: &impl ConnectionTrait, today: NaiveDate) -> AppResult<Vec<(Uuid, Uuid)>> {
    let mut rng = Rng(0x6b70_2026);
    let now = Utc::now();
    let closed = last_closed_period(today, 5);
    let first_period = Period { year: closed.year, month: 1 };
    let year_start = NaiveDate::from_ymd_opt(first_period.year, 1, 1).unwrap_or(today);
    let created_at = year_start.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc();
    // Every one of the 55 responsible units carries projects (the source text hands all 200 to them);
    // the first round gives each unit one, in a shuffled order, and the rest go mostly to the units
    // that carry most in a real county (planning, industry, building, transport, the parks).
    let units = responsible_units();
    let mut first_round = units.clone();
    for i in (1..first_round.len()).rev() {
        first_round.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let heavy = [
        "发改局",
        "工信局",
        "住建局",
        "交通运输局",
        "高新区管委会",
        "工业园区管委会",
        "城市建设投资公司",
        "产业投资集团",
    ];
    let weighted: Vec<&str> =
        units.iter().copied().chain(heavy.iter().copied().cycle().take(heavy.len() * 3)).collect();
    // The units with demo accounts own a fair share, so their users see real work.
    let favoured = ["发改局", "自然资源局", "生态环境局"];
    let admin = demo_id("user", "admin");

    let mut projects = Vec::new();
    let mut paired = Vec::new();
    let mut plans = Vec::new();
    let mut schedules = Vec::new();
    let mut milestones = Vec::new();
    let mut reports = Vec::new();
    let mut used_names = std::collections::HashSet::new();
    let lists = [
        (ProjectCategory::KeyConstruction, 82),
        (ProjectCategory::KeyPreliminary, 57),
        (ProjectCategory::KeyDevelopment, 61),
    ];
    let mut n = 0usize;
    for (category, count) in lists {
        for _ in 0..count {
            n += 1;
            let (industry, cores) = *rng.pick(CORES);
            let core = *rng.pick(cores);
            let suffix = match category {
                ProjectCategory::KeyConstruction => "建设项目",
                ProjectCategory::KeyPreliminary => "项目（前期）",
                ProjectCategory::KeyDevelopment => "项目（谋划）",
            };
            let mut name = format!("{core}{suffix}");
            let mut phase = 2;
            while !used_names.insert(name.clone()) {
                name = format!(
                    "{core}{suffix}（{}期）",
                    ["", "", "二", "三", "四", "五", "六", "七", "八", "九"][phase.min(9)]
                );
                phase += 1;
                if phase > 9 {
                    name = format!("{core}{suffix}-{n}");
                    used_names.insert(name.clone());
                    break;
                }
            }
            let id = demo_id("project", &name);
            let unit_name = if n.is_multiple_of(5) {
                favoured[(n / 5) % 3]
            } else {
                first_round.pop().unwrap_or_else(|| *rng.pick(&weighted))
            };
            let unit_id = demo_id("unit", unit_name);
            let submitter = match unit_name {
                "发改局" => demo_id("user", "fgj"),
                "自然资源局" => demo_id("user", "zrzyj"),
                "生态环境局" => demo_id("user", "sthjj"),
                _ => admin,
            };
            let total_wan = match category {
                ProjectCategory::KeyConstruction => 5_000 + rng.below(195_000) as i64,
                ProjectCategory::KeyPreliminary => 3_000 + rng.below(100_000) as i64,
                ProjectCategory::KeyDevelopment => 10_000 + rng.below(300_000) as i64,
            };
            let plan_wan = match category {
                ProjectCategory::KeyConstruction => total_wan * (20 + rng.below(30) as i64) / 100,
                ProjectCategory::KeyPreliminary => total_wan * (2 + rng.below(4) as i64) / 100,
                ProjectCategory::KeyDevelopment => 0,
            };
            let pace = match rng.below(20) {
                0..=12 => Pace::OnTrack,
                13..=16 => Pace::Behind,
                _ => Pace::FarBehind,
            };
            let r = 15.0 * rng.unit().sqrt();
            let theta = rng.unit() * std::f64::consts::TAU;
            let lat = CENTRE.0 + r * theta.cos() / 111.0;
            let lng = CENTRE.1 + r * theta.sin() / (111.0 * CENTRE.0.to_radians().cos());
            let status = match category {
                ProjectCategory::KeyConstruction => ProjectStatus::UnderConstruction,
                ProjectCategory::KeyPreliminary => ProjectStatus::Preliminary,
                ProjectCategory::KeyDevelopment => ProjectStatus::Planned,
            };
            // Schedules are laid around today, not around the year's start, so that on any day of the
            // year a similar share of steps is due and the late ones show (January's seed would
            // otherwise see a year more of its schedules than February's).
            // A construction project has started (its start, a fact, is never after today): its
            // schedule ends at most 400 days on, inside the 465 days its steps take.
            let horizon = if category == ProjectCategory::KeyConstruction { 400 } else { 500 };
            let planned_completion = today + chrono::Duration::days(60 + rng.below(horizon) as i64);
            let total_days: i32 = STEPS.iter().map(|s| s.1).sum();
            let planned_start = planned_completion - chrono::Duration::days(i64::from(total_days));
            projects.push(project::Model {
                id,
                code: (category != ProjectCategory::KeyDevelopment).then(|| {
                    format!(
                        "{}-430781-{:02}-01-{:06}",
                        first_period.year - rng.below(2) as i32,
                        4 + rng.below(60),
                        100_000 + n
                    )
                }),
                name: name.clone(),
                category,
                industry,
                status,
                responsible_unit_id: unit_id,
                leader_id: linked_leader(category, industry, total_wan),
                total_investment_fen: total_wan * FEN_PER_WAN,
                prior_completed_fen: if category == ProjectCategory::KeyConstruction {
                    total_wan * FEN_PER_WAN / 10
                } else {
                    0
                },
                progress_bp: 0,
                planned_start: Some(planned_start),
                planned_completion: Some(planned_completion),
                actual_start: (category == ProjectCategory::KeyConstruction).then_some(planned_start),
                actual_completion: None,
                lat,
                lng,
                site_radius_m: 300 + 100 * rng.below(8) as i32,
                boundary: None,
                address: Some(format!("{}境内", rng.pick(TOWNSHIPS))),
                description: Some(format!("{name}，总投资{total_wan}万元。")),
                created_at,
                updated_at: now,
                location_datum: entity::geo::Datum::Wgs84,
            });
            for _ in 0..(1 + rng.below(3)) {
                let other: &&str = rng.pick(&units);
                let unit = demo_id("unit", other);
                if unit != unit_id
                    && !paired.iter().any(|p: &project_paired_unit::Model| p.project_id == id && p.unit_id == unit)
                {
                    paired.push(super::pairing::in_turn(id, unit, paired.len(), created_at));
                }
            }
            if plan_wan > 0 {
                for year in first_period.year..=today.year() {
                    plans.push(project_year_plan::Model { project_id: id, year, planned_fen: plan_wan * FEN_PER_WAN });
                }
            }
            if category == ProjectCategory::KeyConstruction {
                let plan_id = demo_id("schedule", &name);
                schedules.push(schedule_plan::Model {
                    id: plan_id,
                    project_id: id,
                    version: 1,
                    deadline: planned_completion,
                    is_current: true,
                    created_by: Some(admin),
                    created_at,
                });
                let mut start = planned_start;
                for (position, (step, days)) in STEPS.iter().enumerate() {
                    let finish = start + chrono::Duration::days(i64::from(*days));
                    let slip = match pace {
                        Pace::OnTrack => -(rng.below(5) as i64),
                        Pace::Behind => 3 + rng.below(20) as i64,
                        Pace::FarBehind => 35 + rng.below(40) as i64,
                    };
                    let actual = finish + chrono::Duration::days(slip);
                    milestones.push(milestone::Model {
                        id: demo_id("milestone", &format!("{name}/{step}")),
                        schedule_plan_id: plan_id,
                        project_id: id,
                        position: position as i32,
                        name: (*step).to_owned(),
                        duration_days: *days,
                        planned_start: start,
                        planned_finish: finish,
                        actual_finish: (actual < today && pace != Pace::FarBehind
                            || finish + chrono::Duration::days(slip) < today - chrono::Duration::days(60))
                        .then_some(actual.min(today)),
                    });
                    start = finish;
                }
            }
            // Monthly reports up to the last closed period; about one project in eight misses the last one.
            let misses_last = rng.below(8) == 0;
            let factor = match pace {
                Pace::OnTrack => 0.95 + 0.2 * rng.unit(),
                Pace::Behind => 0.86 + 0.06 * rng.unit(),
                Pace::FarBehind => 0.35 + 0.2 * rng.unit(),
            };
            let mut period = first_period;
            let mut progress = 0i32;
            while period <= closed {
                if !(misses_last && period == closed) {
                    let monthly = (plan_wan as f64 * FEN_PER_WAN as f64 / 12.0 * factor) as i64;
                    let monthly = monthly - monthly % 10_000; // whole 0.01 万元
                    progress = (progress + 300 + rng.below(500) as i32).min(10_000);
                    let due = period.day_of_next_month(5);
                    let late = rng.below(10) == 0;
                    let submitted = (if late {
                        due + chrono::Duration::days(2)
                    } else {
                        due - chrono::Duration::days(1 + rng.below(4) as i64)
                    })
                    .and_hms_opt(10, 0, 0)
                    .unwrap_or_default()
                    .and_utc();
                    reports.push(monthly_report::Model {
                        id: demo_id("report", &format!("{name}/{}", period.key())),
                        project_id: id,
                        period: period.key(),
                        version: 1,
                        is_current: true,
                        investment_fen: if category == ProjectCategory::KeyDevelopment { 0 } else { monthly },
                        progress_bp: progress,
                        narrative: format!(
                            "{}月完成{}，推进顺利。",
                            period.month,
                            match category {
                                ProjectCategory::KeyConstruction => "主体工程施工",
                                ProjectCategory::KeyPreliminary => "用地、环评等前期手续办理",
                                ProjectCategory::KeyDevelopment => "项目策划包装与对接洽谈",
                            }
                        ),
                        problems: (pace != Pace::OnTrack).then(|| "征地拆迁进度滞后，需协调自然资源局。".to_owned()),
                        unit_id,
                        submitted_by: submitter,
                        submitted_at: submitted,
                        on_time: !late,
                    });
                }
                period = period.next();
            }
            if let Some(p) = projects.last_mut() {
                p.progress_bp = progress;
            }
        }
    }
    let counts = Counts { projects: projects.len(), reports: reports.len() };
    let ids: Vec<(Uuid, Uuid)> = projects.iter().map(|p| (p.id, p.leader_id)).collect();
    insert_chunked(db, projects.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(db, paired.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(db, plans.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(db, schedules.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(db, milestones.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(db, reports.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    tracing::debug!(projects = counts.projects, reports = counts.reports, "demo library");
    Ok(ids)
}

/// The city leader a project is linked to (see [`super::demo::INDUSTRY_DEPUTIES`]): the mayor the
/// largest construction projects (抓大项目), a deputy mayor the projects of the industry he is linked
/// to, the executive deputy mayor the rest.
fn linked_leader(category: ProjectCategory, industry: Industry, total_wan: i64) -> Uuid {
    let username = if category == ProjectCategory::KeyConstruction && total_wan >= 150_000 {
        MAYOR
    } else {
        INDUSTRY_DEPUTIES.iter().find(|(i, _)| *i == industry).map_or(EXECUTIVE_DEPUTY, |(_, deputy)| deputy)
    };
    demo_id("user", username)
}

/// Inserts in chunks that stay under every backend's bind-parameter limit.
pub(crate) async fn insert_chunked<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> AppResult<()>
where
    A: sea_orm::ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(200).collect();
        A::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

/// The id every demo project gets from its name (for tests and scripts).
pub fn project_id(name: &str) -> Uuid {
    demo_id("project", name)
}
