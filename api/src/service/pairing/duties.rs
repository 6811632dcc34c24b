//! The office's list of pairing duties (六包): configurable, six by default.

use std::collections::BTreeSet;

use entity::pairing_duty;
use entity::user::Role;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use super::MAX_DUTIES;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::text;

/// One duty as the office names it.
#[derive(Debug, Clone)]
pub struct DutyInput {
    pub code: String,
    pub name: String,
}

/// The list, in its order: the active duties, and the retired ones too when `retired`.
pub async fn duties(db: &impl ConnectionTrait, retired: bool) -> AppResult<Vec<pairing_duty::Model>> {
    let mut q = pairing_duty::Entity::find();
    if !retired {
        q = q.filter(pairing_duty::Column::Active.eq(true));
    }
    Ok(q.order_by_asc(pairing_duty::Column::Active).order_by_asc(pairing_duty::Column::Position).all(db).await?)
}

/// `codes` (distinct, 1 to [`MAX_DUTIES`]) when every one is on the active list; `BAD_USER_INPUT`
/// naming `field` and the unknown codes otherwise.
pub async fn require_duties(db: &impl ConnectionTrait, field: &str, codes: &[String]) -> AppResult<Vec<String>> {
    let wanted: BTreeSet<String> = codes.iter().map(|c| text::trimmed(c).to_owned()).collect();
    if wanted.is_empty() || wanted.len() > MAX_DUTIES {
        return Err(AppError::bad_input(field, format!("name 1 to {MAX_DUTIES} duties")));
    }
    if let Some(long) = wanted.iter().find(|c| c.chars().count() > 32) {
        return Err(AppError::bad_input(field, format!("no duty has a code as long as {long:.40}…")));
    }
    let known: BTreeSet<String> = duties(db, false).await?.into_iter().map(|d| d.code).collect();
    let unknown: Vec<&String> = wanted.difference(&known).collect();
    if !unknown.is_empty() {
        return Err(AppError::bad_input(
            field,
            format!("not on the office's list of pairing duties: {unknown:?} (see pairingDuties)"),
        ));
    }
    Ok(wanted.into_iter().collect())
}

fn check_code(code: &str) -> AppResult<String> {
    let code = text::trimmed(code);
    let ok = (2..=32).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && code.starts_with(|c: char| c.is_ascii_uppercase());
    if ok {
        Ok(code.to_owned())
    } else {
        Err(AppError::bad_input("duties.code", "a code is 2 to 32 of A–Z, 0–9 and _, starting with a letter"))
    }
}

/// Replaces the office's list with `list`, in its order. A code left out is retired (pairings and
/// logs that name it keep it), a retired code listed again comes back. ADMIN.
pub async fn set_duties(
    db: &DatabaseConnection,
    actor: &Actor,
    list: Vec<DutyInput>,
) -> AppResult<Vec<pairing_duty::Model>> {
    actor.require_role(&[Role::Admin], "set the pairing duties")?;
    if list.is_empty() || list.len() > MAX_DUTIES {
        return Err(AppError::bad_input("duties", format!("list 1 to {MAX_DUTIES} duties")));
    }
    let mut rows = Vec::with_capacity(list.len());
    let mut seen = BTreeSet::new();
    for (position, duty) in (1i32..).zip(&list) {
        let code = check_code(&duty.code)?;
        if !seen.insert(code.clone()) {
            return Err(AppError::bad_input("duties.code", format!("{code} is listed twice")));
        }
        let name = text::required("duties.name", &duty.name, 2, 100)?;
        rows.push(pairing_duty::Model { code, name, position, active: true });
    }
    let txn = crate::db::begin_write(db).await?;
    let before = duties(&txn, true).await?;
    pairing_duty::Entity::update_many()
        .col_expr(pairing_duty::Column::Active, sea_orm::sea_query::Expr::value(false))
        .filter(pairing_duty::Column::Code.is_not_in(seen.iter().cloned()))
        .exec(&txn)
        .await?;
    for row in &rows {
        let active = pairing_duty::ActiveModel {
            code: Set(row.code.clone()),
            name: Set(row.name.clone()),
            position: Set(row.position),
            active: Set(true),
        };
        pairing_duty::Entity::insert(active)
            .on_conflict(
                OnConflict::column(pairing_duty::Column::Code)
                    .update_columns([
                        pairing_duty::Column::Name,
                        pairing_duty::Column::Position,
                        pairing_duty::Column::Active,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    let after = duties(&txn, true).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "county.pairing_duties",
            entity_type: "county",
            entity_id: "county".into(),
            changes: json!({ "pairing_duties": { "before": before, "after": after } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
