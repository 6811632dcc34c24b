//! 每月项目进展情况表: every project with its figures for a period.

use std::collections::{HashMap, HashSet};

use entity::monthly_report;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};
use uuid::Uuid;

use super::{Cell, MAX_ROWS, Table, bounded, text};
use crate::clock::Day;
use crate::error::AppResult;
use crate::service::export::{Column, Kind, ready};
use crate::service::money::{bp_to_percent, fen_to_wan};
use crate::service::period::Period;
use crate::service::project::ProjectFilter;
use crate::service::{health, labels, project as projects, report};

const MONTHLY: &[Column] = &[
    Column { header: "序号", width: 6.0, kind: Kind::Integer },
    Column { header: "项目名称", width: 36.0, kind: Kind::Text },
    Column { header: "项目类别", width: 14.0, kind: Kind::Text },
    Column { header: "所属产业", width: 10.0, kind: Kind::Text },
    Column { header: "责任单位", width: 18.0, kind: Kind::Text },
    Column { header: "总投资（万元）", width: 14.0, kind: Kind::Wan },
    Column { header: "年度计划投资（万元）", width: 14.0, kind: Kind::Wan },
    Column { header: "本月完成投资（万元）", width: 14.0, kind: Kind::Wan },
    Column { header: "年度累计完成投资（万元）", width: 14.0, kind: Kind::Wan },
    Column { header: "年度计划完成率", width: 12.0, kind: Kind::Percent },
    Column { header: "形象进度", width: 10.0, kind: Kind::Percent },
    Column { header: "红黄绿灯", width: 8.0, kind: Kind::Text },
    Column { header: "原因", width: 40.0, kind: Kind::Text },
    Column { header: "本月报送", width: 10.0, kind: Kind::Text },
];

/// A project's reported figures for a period: the year's investment up to it, the period's own
/// investment and progress, and whether it reported for the period.
#[derive(Default, Clone, Copy)]
struct Reported {
    year_fen: i64,
    month_fen: i64,
    month_progress_bp: Option<i32>,
}

/// 每月项目进展情况表: every project, by list then name, with its figures for the period.
pub(super) async fn monthly_report(
    db: &(impl ConnectionTrait + TransactionTrait),
    period: Period,
    day: Day,
) -> AppResult<Table> {
    let today = day.date;
    let mut rows = bounded(projects::all_matching(db, &ProjectFilter::default(), MAX_ROWS + 1).await?, "projects")?;
    rows.sort_by(|a, b| (a.category as u8, &a.name, a.id).cmp(&(b.category as u8, &b.name, b.id)));
    let ids: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
    let plans = projects::year_plans(db, &ids, period.year).await?;
    let lights = health::of(db, &ids, day).await?;
    let reported = reported_for(db, period).await?;
    let missing: HashSet<Uuid> = report::missing_ids(db, period, day.zone).await?.into_iter().collect();
    let units = crate::service::kit::unit_names(db).await?;
    let subtitle = format!("{}年{}月 · 共{}个项目 · 红黄绿灯截至{today}", period.year, period.month, rows.len());
    let table_rows = rows.into_iter().zip(1..).map(move |(p, n)| {
        let plan = plans.get(&p.id).copied().unwrap_or(0);
        let r = reported.get(&p.id).copied().unwrap_or_default();
        let light = lights.get(&p.id);
        let share = (plan > 0).then(|| Decimal::from(r.year_fen) / Decimal::from(plan));
        let filed = if missing.contains(&p.id) {
            "未报送"
        } else if r.month_progress_bp.is_some() {
            "已报送"
        } else {
            "无需报送"
        };
        vec![
            Cell::Integer(n),
            Cell::Text(p.name),
            Cell::Text(labels::category(p.category).to_owned()),
            Cell::Text(labels::industry(p.industry).to_owned()),
            text(units.get(&p.responsible_unit_id)),
            Cell::Number(fen_to_wan(p.total_investment_fen)),
            Cell::Number(fen_to_wan(plan)),
            Cell::Number(fen_to_wan(r.month_fen)),
            Cell::Number(fen_to_wan(r.year_fen)),
            share.map_or(Cell::None, Cell::Number),
            Cell::Number(bp_to_percent(r.month_progress_bp.unwrap_or(p.progress_bp)) / Decimal::from(100)),
            light.map_or(Cell::None, |h| Cell::Text(labels::light(h.light).to_owned())),
            light.map_or(Cell::None, |h| Cell::Text(h.reasons.join("；"))),
            Cell::Text(filed.to_owned()),
        ]
    });
    Ok(Table { title: "每月项目进展情况表".to_owned(), subtitle, columns: MONTHLY, rows: ready(table_rows) })
}

/// Every project's current reports of `period`'s year up to it, summed in SQL.
async fn reported_for(db: &impl ConnectionTrait, period: Period) -> AppResult<HashMap<Uuid, Reported>> {
    use monthly_report::Column as C;
    let bigint = || Alias::new("BIGINT");
    let this = || C::Period.eq(period.key());
    let month_fen = Expr::case(this(), Expr::col(C::InvestmentFen)).finally(0);
    let progress = Expr::case(this(), Expr::col(C::ProgressBp)).finally(-1);
    let rows: Vec<(Uuid, i64, i64, i64)> = monthly_report::Entity::find()
        .select_only()
        .column(C::ProjectId)
        .expr(Expr::expr(Func::sum(Expr::col(C::InvestmentFen))).cast_as(bigint()))
        .expr(Expr::expr(Func::sum(month_fen)).cast_as(bigint()))
        .expr(Expr::expr(Func::max(progress)).cast_as(bigint()))
        .filter(C::IsCurrent.eq(true))
        .filter(C::Period.gte(format!("{:04}-01", period.year)))
        .filter(C::Period.lte(period.key()))
        .group_by(C::ProjectId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, year_fen, month_fen, progress)| {
            let month_progress_bp = (progress >= 0).then(|| i32::try_from(progress).unwrap_or(0));
            (id, Reported { year_fen, month_fen, month_progress_bp })
        })
        .collect())
}
