//! The newest reports of many projects at once, read with the columns their reader shows.

use std::collections::HashMap;

use entity::monthly_report::{self, Column as C};
use sea_orm::sea_query::{
    Alias, Expr, Order, PostgresQueryBuilder, Query, SelectStatement, SimpleExpr, SqliteQueryBuilder, Values,
};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::nested::placeholder;
use crate::error::AppResult;
use crate::service::columns::{Columns, Partial, Pick};

/// A set of a monthly report's columns.
pub type ReportColumns = Columns<monthly_report::Model>;

impl Partial for monthly_report::Model {
    type Column = C;
    const ID: C = C::Id;

    fn position(column: C) -> u32 {
        column as u32
    }

    /// Placeholders: those of [`placeholder`].
    fn pick(pick: &Pick<'_, Self>) -> Result<Self, DbErr> {
        let p = placeholder();
        Ok(monthly_report::Model {
            id: pick.get(C::Id)?,
            project_id: pick.or(C::ProjectId, p.project_id)?,
            period: pick.or(C::Period, p.period)?,
            version: pick.or(C::Version, p.version)?,
            is_current: pick.or(C::IsCurrent, p.is_current)?,
            investment_fen: pick.or(C::InvestmentFen, p.investment_fen)?,
            progress_bp: pick.or(C::ProgressBp, p.progress_bp)?,
            narrative: pick.or(C::Narrative, p.narrative)?,
            problems: pick.or(C::Problems, p.problems)?,
            unit_id: pick.or(C::UnitId, p.unit_id)?,
            submitted_by: pick.or(C::SubmittedBy, p.submitted_by)?,
            submitted_at: pick.or(C::SubmittedAt, p.submitted_at)?,
            on_time: pick.or(C::OnTime, p.on_time)?,
        })
    }
}

/// The newest `limit` current reports of each of many projects, newest period first, with `columns`
/// read (and the project and period, which place them), in one statement that reads each project's
/// newest reports backwards off its (project, period) index and nothing else: a lateral join over
/// the ids (bound as one array) on PostgreSQL, a compound of one small select per project on SQLite
/// (which has no lateral join). A list showing "the last three reports" reads three rows per project. Each project's reports are put
/// in order here rather than by the statement: sorting a few rows per project costs less than the
/// database sorting them all.
pub async fn recent_reports(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
    limit: u32,
    columns: ReportColumns,
) -> AppResult<HashMap<Uuid, Vec<monthly_report::Model>>> {
    if project_ids.is_empty() || limit == 0 {
        return Ok(HashMap::new());
    }
    let backend = db.get_database_backend();
    let columns = columns.with(C::ProjectId).with(C::Period);
    let mut found: HashMap<Uuid, Vec<monthly_report::Model>> = HashMap::with_capacity(project_ids.len());
    // PostgreSQL: one statement for any number of projects, the ids bound as one array. SQLite
    // compounds at most 500 selects and binds at most 32,766 values (two per select here); a
    // page holds at most 100 projects, a nested list more.
    let statements: Vec<sea_orm::Statement> = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            let newest = newest_query(columns, limit, Expr::cust(r#"p."id""#)).to_string(PostgresQueryBuilder);
            let sql = format!(r#"SELECT r.* FROM unnest($1::uuid[]) AS p("id") CROSS JOIN LATERAL ({newest}) r"#);
            vec![sea_orm::Statement::from_sql_and_values(backend, sql, [project_ids.to_vec().into()])]
        }
        _ => project_ids
            .chunks(400)
            .map(|chunk| {
                let (mut sql, mut values) = (Vec::with_capacity(chunk.len()), Vec::with_capacity(2 * chunk.len()));
                for id in chunk {
                    let (each, Values(bound)) =
                        newest_query(columns, limit, Expr::val(*id).into()).build(SqliteQueryBuilder);
                    sql.push(format!("SELECT * FROM ({each})"));
                    values.extend(bound);
                }
                sea_orm::Statement::from_sql_and_values(backend, sql.join(" UNION ALL "), values)
            })
            .collect(),
    };
    for statement in statements {
        let rows = db.query_all(statement).await?;
        let Some(first) = rows.first() else { continue };
        let reader = columns.reader(&first.column_names(), "")?;
        for row in &rows {
            let report = reader.read(row)?;
            found.entry(report.project_id).or_default().push(report);
        }
    }
    for reports in found.values_mut() {
        reports.sort_unstable_by(|a, b| b.period.cmp(&a.period));
    }
    Ok(found)
}

/// The newest `limit` current reports of the project whose id is `project`, with `columns`, read
/// backwards off the index of current reports by (project, period). Every reader of a project's
/// newest reports builds on this one statement: [`recent_reports`], and a page of projects that
/// reads them in its own statement ([`super::Newest`]).
pub(super) fn newest_query(columns: ReportColumns, limit: u32, project: SimpleExpr) -> SelectStatement {
    let m = Alias::new("m");
    Query::select()
        .columns(columns.iter().map(|c| (m.clone(), c)))
        .from_as(monthly_report::Entity, m.clone())
        .and_where(Expr::col((m.clone(), C::ProjectId)).eq(project))
        .and_where(Expr::col((m.clone(), C::IsCurrent)).into())
        .order_by((m, C::Period), Order::Desc)
        .limit(u64::from(limit))
        .to_owned()
}
