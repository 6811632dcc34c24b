//! 未报送月报: the projects owing a period's report, counted by unit and listed.

use std::collections::HashMap;

use chrono::FixedOffset;
use entity::{project, user};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{Cell, MAX_ROWS, Table, bounded, text};
use crate::error::AppResult;
use crate::service::export::{Column, Kind, ready};
use crate::service::period::{Period, lacks_report};
use crate::service::{kit, labels};

const BY_UNIT: &[Column] = &[
    Column { header: "序号", width: 6.0, kind: Kind::Integer },
    Column { header: "责任单位", width: 24.0, kind: Kind::Text },
    Column { header: "未报送项目数", width: 12.0, kind: Kind::Integer },
];

const LISTED: &[Column] = &[
    Column { header: "序号", width: 6.0, kind: Kind::Integer },
    Column { header: "责任单位", width: 24.0, kind: Kind::Text },
    Column { header: "项目名称", width: 36.0, kind: Kind::Text },
    Column { header: "项目类别", width: 14.0, kind: Kind::Text },
    Column { header: "项目代码", width: 26.0, kind: Kind::Text },
    Column { header: "联系领导", width: 12.0, kind: Kind::Text },
];

/// Two worksheets: each unit with projects owing `period`'s report and how many (most first), and
/// every such project by unit and name (the same set `missingReports` pages through).
pub(super) async fn by_unit(db: &impl ConnectionTrait, period: Period, zone: FixedOffset) -> AppResult<Vec<Table>> {
    let rows = project::Entity::find()
        .filter(lacks_report(period, zone))
        .order_by_asc(project::Column::Id)
        .limit(MAX_ROWS + 1)
        .all(db)
        .await?;
    let mut rows = bounded(rows, "projects")?;
    let units = kit::unit_names(db).await?;
    let leaders: HashMap<Uuid, String> = user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::DisplayName])
        .filter(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(project::Column::LeaderId)
                    .from(project::Entity)
                    .and_where(lacks_report(period, zone))
                    .to_owned(),
            ),
        )
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let unit_name = |p: &project::Model| units.get(&p.responsible_unit_id).map_or("", String::as_str);
    let order = |p: &project::Model| (unit_name(p), p.responsible_unit_id, p.name.clone(), p.id);
    rows.sort_by_cached_key(order);
    let mut counts: Vec<(Uuid, &str, i64)> = Vec::new();
    for p in &rows {
        match counts.last_mut() {
            Some((unit, _, n)) if *unit == p.responsible_unit_id => *n += 1,
            _ => counts.push((p.responsible_unit_id, unit_name(p), 1)),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(b.1)));
    let heading = format!("{}年{}月", period.year, period.month);
    let summary = Table {
        title: "未报送月报汇总".to_owned(),
        subtitle: format!("{heading} · {}个单位共{}个项目未报送", counts.len(), rows.len()),
        columns: BY_UNIT,
        rows: ready(
            counts
                .iter()
                .zip(1..)
                .map(|((_, unit, n), i)| vec![Cell::Integer(i), Cell::Text((*unit).to_owned()), Cell::Integer(*n)])
                .collect::<Vec<_>>()
                .into_iter(),
        ),
    };
    let listed = Table {
        title: "未报送月报明细".to_owned(),
        subtitle: format!("{heading} · 共{}个项目", rows.len()),
        columns: LISTED,
        rows: ready(rows.into_iter().zip(1..).map(move |(p, i)| {
            vec![
                Cell::Integer(i),
                text(units.get(&p.responsible_unit_id)),
                Cell::Text(p.name),
                Cell::Text(labels::category(p.category).to_owned()),
                p.code.map_or(Cell::None, Cell::Text),
                text(leaders.get(&p.leader_id)),
            ]
        })),
    };
    Ok(vec![summary, listed])
}
