//! Funding work (争资、招商、融资): the money the programme raises, against each unit's targets,
//! counted once. Who may see an item is decided by [`item_visibility`]; who may change one, by
//! [`require_editor`]. Both live here and nowhere else.

mod campaigns;
mod credit;
mod items;
mod money;
mod query;
mod summary;
mod targets;

pub use campaigns::{NewCampaign, campaigns, count_campaigns, create_campaign};
pub use credit::split;
pub use items::{ItemDetails, NewItem, Share, advance_stage, record_item, update_item};
pub use money::{NewMoney, correct_money, record_money, verify_money};
pub use query::{
    ItemFilter, count, count_per_project, cursor, entries_of, list, pages_of_projects, shares_of, stages_of,
};
pub use summary::{
    CampaignFigures, ChannelFigures, KindSummary, MonthFigures, Summary, UnitFigures, summary, unit_funding,
};
pub use targets::{NewTarget, TargetFilter, count_targets, set_targets, targeted_units, targets};

use entity::funding_item::{self, FundingKind};
use entity::funding_item_unit;
use entity::user::Role;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::kit::{self, Units};

/// Units one item may credit.
pub const MAX_SHARES: usize = 10;
/// Targets one call may set.
pub const MAX_TARGETS: usize = 600;
/// 一亿元: an item promised at least this much is a 亿元项目.
pub const BIG_ITEM_FEN: i64 = 10_000 * 1_000_000;

/// What a caller sees of funding work, as a plain value loaders are keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// The office, leaders and unscoped integration keys: everything.
    All,
    /// A department (or a key narrowed to units): the items its units are credited with.
    Units(Units),
    /// Inspectors: none (money is not their work).
    Nothing,
}

/// The reach of `caller`.
pub fn reach(caller: &Caller) -> Reach {
    if caller.role() == Role::Inspector {
        return Reach::Nothing;
    }
    match kit::department_scope(caller) {
        Some(units) => Reach::Units(units),
        None => Reach::All,
    }
}

/// The items a caller of `reach` sees, as a query condition.
pub fn item_visibility(reach: Reach) -> Condition {
    match reach {
        Reach::All => Condition::all(),
        Reach::Units(units) => Condition::all().add(funding_item::Column::Id.in_subquery(kit::joined_by_unit(
            funding_item_unit::Column::ItemId,
            funding_item_unit::Column::UnitId,
            units,
        ))),
        Reach::Nothing => Condition::all().add(funding_item::Column::Id.is_null()),
    }
}

fn caller_items(caller: &Caller) -> Condition {
    item_visibility(reach(caller))
}

/// The office's summary and a unit's figures are for the office, leaders and units; `FORBIDDEN`
/// for inspectors.
pub fn require_reader(actor: &Actor) -> AppResult<Reach> {
    match reach(actor.caller()?) {
        Reach::Nothing => Err(AppError::Forbidden("funding work is read by the office, leaders and units".into())),
        reach => Ok(reach),
    }
}

/// One item as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<funding_item::Model> {
    crate::service::find_visible::<funding_item::Entity>(db, actor, id, caller_items, "funding item").await
}

/// [`find_for`] inside a write transaction, locking the row until it ends.
pub async fn lock_for(txn: &sea_orm::DatabaseTransaction, actor: &Actor, id: Uuid) -> AppResult<funding_item::Model> {
    crate::service::lock_visible::<funding_item::Entity>(txn, actor, id, caller_items, "funding item").await
}

/// Who may change an item: the office, or a department credited with it (a unit records and edits
/// its own items). Leaders read; inspectors see nothing.
pub async fn require_editor(db: &impl ConnectionTrait, caller: &Caller, item: Uuid) -> AppResult<()> {
    match caller.role() {
        Role::Admin => Ok(()),
        Role::Department => {
            let credited = funding_item_unit::Entity::find()
                .filter(funding_item_unit::Column::ItemId.eq(item))
                .filter(funding_item_unit::Column::UnitId.is_in(caller.units().as_slice().iter().copied()))
                .one(db)
                .await?;
            credited
                .map(|_| ())
                .ok_or_else(|| AppError::Forbidden("a unit changes the items it is credited with".into()))
        }
        _ => Err(AppError::Forbidden("funding items are recorded by units and the office".into())),
    }
}

/// `SELECT item_id FROM funding_item_units WHERE unit_id = unit`.
fn items_of_unit(unit: Uuid) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(funding_item_unit::Column::ItemId)
        .from(funding_item_unit::Entity)
        .and_where(funding_item_unit::Column::UnitId.eq(unit))
        .to_owned()
}

/// Whether `kind` takes targets; `BAD_USER_INPUT` naming `field` if not.
fn require_targeted(field: &str, kind: FundingKind) -> AppResult<()> {
    if FundingKind::TARGETED.contains(&kind) {
        Ok(())
    } else {
        Err(AppError::bad_input(field, "targets are set for GRANT, INVESTMENT and FINANCING"))
    }
}

impl kit::ClientKeyed for funding_item::Model {
    const KIND: &'static str = "funding_item";
}
