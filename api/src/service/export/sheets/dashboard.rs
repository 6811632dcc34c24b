//! The dashboard as sheets: the year's figures by project category, by industry and by unit, the
//! same figures the `dashboard` query gives.

use entity::project::Light;
use rust_decimal::Decimal;
use sea_orm::DatabaseConnection;

use super::{Cell, Table};
use crate::error::AppResult;
use crate::service::dashboard::{self, Totals};
use crate::service::export::{Column, Kind, ready};
use crate::service::labels;
use crate::service::money::fen_to_wan;

const BY_GROUP_CATEGORY: &[Column] = &[
    Column { header: "项目类别", width: 16.0, kind: Kind::Text },
    Column { header: "项目数", width: 8.0, kind: Kind::Integer },
    Column { header: "年度计划投资（万元）", width: 16.0, kind: Kind::Wan },
    Column { header: "年度完成投资（万元）", width: 16.0, kind: Kind::Wan },
    Column { header: "年度计划完成率", width: 12.0, kind: Kind::Percent },
];

const BY_GROUP_INDUSTRY: &[Column] = &[
    Column { header: "所属产业", width: 16.0, kind: Kind::Text },
    Column { header: "项目数", width: 8.0, kind: Kind::Integer },
    Column { header: "年度计划投资（万元）", width: 16.0, kind: Kind::Wan },
    Column { header: "年度完成投资（万元）", width: 16.0, kind: Kind::Wan },
    Column { header: "年度计划完成率", width: 12.0, kind: Kind::Percent },
];

const BY_UNIT: &[Column] = &[
    Column { header: "序号", width: 6.0, kind: Kind::Integer },
    Column { header: "责任单位", width: 24.0, kind: Kind::Text },
    Column { header: "项目数", width: 8.0, kind: Kind::Integer },
    Column { header: "应报月报", width: 10.0, kind: Kind::Integer },
    Column { header: "已报送", width: 10.0, kind: Kind::Integer },
    Column { header: "按时报送", width: 10.0, kind: Kind::Integer },
    Column { header: "平均滞后天数", width: 12.0, kind: Kind::Decimal },
];

/// The dashboard of `year` as of `today` in three worksheets: by category (with the lights in its
/// subtitle), by industry, by unit.
pub(super) async fn tables(db: &DatabaseConnection, year: i32, day: crate::clock::Day) -> AppResult<Vec<Table>> {
    let today = day.date;
    let d = dashboard::build(db, year, day).await?;
    let light = |l: Light| format!("{}{}个", labels::light(l), d.lights.get(&l).copied().unwrap_or(0));
    let lights = [Light::Red, Light::Yellow, Light::Green].map(light).join("、");
    let mut by_category: Vec<Vec<Cell>> =
        d.by_category.iter().map(|(c, t)| group_row(labels::category(*c), t)).collect();
    by_category.push(group_row("合计", &d.total));
    let mut by_industry: Vec<Vec<Cell>> =
        d.by_industry.iter().map(|(i, t)| group_row(labels::industry(*i), t)).collect();
    by_industry.push(group_row("合计", &d.total));
    let by_unit = d.by_unit.into_iter().zip(1..).map(|(u, n)| {
        vec![
            Cell::Integer(n),
            u.unit.map_or(Cell::None, |u| Cell::Text(u.name)),
            Cell::Integer(u.projects),
            Cell::Integer(u.reports_due),
            Cell::Integer(u.reports_submitted),
            Cell::Integer(u.reports_on_time),
            u.average_slip_days.map_or(Cell::None, Cell::Number),
        ]
    });
    let heading = format!("{year}年 · 截至{today}");
    Ok(vec![
        Table {
            title: "重点项目按类别汇总".to_owned(),
            subtitle: format!("{heading} · 共{}个项目 · {lights}", d.total.projects),
            columns: BY_GROUP_CATEGORY,
            rows: ready(by_category.into_iter()),
        },
        Table {
            title: "重点项目按产业汇总".to_owned(),
            subtitle: heading.clone(),
            columns: BY_GROUP_INDUSTRY,
            rows: ready(by_industry.into_iter()),
        },
        Table {
            title: "责任单位推进情况".to_owned(), subtitle: heading, columns: BY_UNIT, rows: ready(by_unit)
        },
    ])
}

fn group_row(name: &str, t: &Totals) -> Vec<Cell> {
    let share = (t.planned_fen > 0).then(|| Decimal::from(t.completed_fen) / Decimal::from(t.planned_fen));
    vec![
        Cell::Text(name.to_owned()),
        Cell::Integer(t.projects),
        Cell::Number(fen_to_wan(t.planned_fen)),
        Cell::Number(fen_to_wan(t.completed_fen)),
        share.map_or(Cell::None, Cell::Number),
    ]
}
