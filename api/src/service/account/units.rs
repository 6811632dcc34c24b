//! Units: the county's organisation chart.

use chrono::Utc;
use entity::unit::{self, UnitKind};
use entity::user::Role;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::page::{Page, PageRequest};

/// Filters for [`list_units`].
#[derive(Debug, Default, Clone)]
pub struct UnitFilter {
    pub kind: Option<UnitKind>,
    pub has_funding_targets: Option<bool>,
    /// The year `has_funding_targets` asks about (the county's current year).
    pub funding_year: i32,
    pub search: Option<String>,
}

/// Units holding a target above 0 in `year`; when the year has no targets at all, the units' stored
/// designation (what a county had before targets were kept) stands.
fn targeted(year: i32) -> sea_orm::Condition {
    use entity::funding_target::Column as T;
    use sea_orm::sea_query::{Expr, Query};
    let set_for_year = Query::select()
        .expr(Expr::val(1))
        .from(entity::funding_target::Entity)
        .and_where(T::Year.eq(year))
        .and_where(T::IsCurrent.eq(true))
        .to_owned();
    let holding = Query::select()
        .column(T::UnitId)
        .from(entity::funding_target::Entity)
        .and_where(T::Year.eq(year))
        .and_where(T::IsCurrent.eq(true))
        .and_where(T::AmountFen.gt(0))
        .to_owned();
    sea_orm::Condition::any()
        .add(
            sea_orm::Condition::all()
                .add(Expr::exists(set_for_year.clone()))
                .add(unit::Column::Id.in_subquery(holding)),
        )
        .add(
            sea_orm::Condition::all()
                .add(Expr::exists(set_for_year).not())
                .add(unit::Column::HasFundingTargets.eq(true)),
        )
}

fn units_matching(filter: &UnitFilter) -> Select<unit::Entity> {
    use unit::Column as C;
    let mut q = unit::Entity::find();
    if let Some(kind) = filter.kind {
        q = q.filter(C::Kind.eq(kind));
    }
    match filter.has_funding_targets {
        Some(true) => q = q.filter(targeted(filter.funding_year)),
        Some(false) => q = q.filter(targeted(filter.funding_year).not()),
        None => {}
    }
    if let Some(text) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(crate::service::text::contains(C::Name, text));
    }
    q
}

/// Units are the county's public organisation chart: every signed-in user may read them, because
/// every role has to name units (assigning, co-operating, reporting).
pub async fn list_units(
    db: &DatabaseConnection,
    filter: &UnitFilter,
    page: &PageRequest,
) -> AppResult<Page<unit::Model>> {
    let mut q = units_matching(filter);
    if let Some(after) = &page.after {
        q = q.filter(unit::Column::Name.gt(after.as_str()));
    }
    let rows = q.order_by_asc(unit::Column::Name).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub async fn count_units(db: &DatabaseConnection, filter: &UnitFilter) -> AppResult<u64> {
    Ok(units_matching(filter).count(db).await?)
}

/// A unit to create.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub name: String,
    pub kind: UnitKind,
    pub has_funding_targets: bool,
}

/// Creates units, all or none, each in the audit trail. ADMIN only (or the command line). A name
/// already taken is `CONFLICT`.
pub async fn create_units(db: &DatabaseConnection, actor: &Actor, units: Vec<NewUnit>) -> AppResult<Vec<unit::Model>> {
    actor.require_role(&[Role::Admin], "create units")?;
    let mut made = Vec::with_capacity(units.len());
    let mut names = std::collections::HashSet::new();
    for u in units {
        let name = crate::service::text::required("name", &u.name, 2, 100)?;
        if !names.insert(name.clone()) {
            return Err(AppError::bad_input("name", format!("`{name}` is listed twice")));
        }
        made.push(unit::Model {
            id: Uuid::now_v7(),
            name,
            kind: u.kind,
            has_funding_targets: u.has_funding_targets,
            head_user_id: None,
            created_at: Utc::now(),
        });
    }
    let txn = crate::db::begin_write(db).await?;
    for model in &made {
        if unit::Entity::find().filter(unit::Column::Name.eq(model.name.as_str())).one(&txn).await?.is_some() {
            return Err(AppError::Conflict(format!("a unit named `{}` exists", model.name)));
        }
        unit::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await?;
        let changes = audit::diff(None, Some(model))?;
        audit::record(
            &txn,
            actor,
            Change { action: "unit.create", entity_type: "unit", entity_id: model.id.to_string(), changes },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(made)
}

/// Records (or, with `None`, clears) a unit's head (一把手): an active account of that unit. ADMIN only.
pub async fn set_unit_head(
    db: &DatabaseConnection,
    actor: &Actor,
    unit_id: Uuid,
    user_id: Option<Uuid>,
) -> AppResult<unit::Model> {
    actor.require_role(&[Role::Admin], "record unit heads")?;
    let txn = crate::db::begin_write(db).await?;
    let before =
        unit::Entity::find_by_id(unit_id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound("unit"))?;
    if let Some(user_id) = user_id {
        match entity::user::Entity::find_by_id(user_id).one(&txn).await? {
            Some(u) if u.unit_id == unit_id && u.active => {}
            Some(_) => return Err(AppError::bad_input("userId", "the head is an active account of the unit itself")),
            None => return Err(AppError::bad_input("userId", "no account has this id")),
        }
    }
    let after = unit::Model { head_user_id: user_id, ..before.clone() };
    crate::service::kit::save_audited(&txn, actor, "unit.set_head", "unit", unit_id, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn find_unit(db: &DatabaseConnection, id: Uuid) -> AppResult<unit::Model> {
    unit::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("unit"))
}

pub async fn find_unit_by_name(db: &DatabaseConnection, name: &str) -> AppResult<unit::Model> {
    unit::Entity::find().filter(unit::Column::Name.eq(name.trim())).one(db).await?.ok_or(AppError::NotFound("unit"))
}
