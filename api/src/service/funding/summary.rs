//! The office's figures of funding work for a year up to a day: per kind, targets against money
//! received, by unit (credited by shares, so money two units report is counted once), by month, by
//! campaign and by channel, with rankings and the change on the same days of the year before.
//! Only verified money received counts; promised money is shown apart, unverified money as pending.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use entity::funding_item::{self, FundingKind, FundingStage, MoneyFlow};
use entity::{funding_campaign, funding_entry, funding_item_unit, funding_stage, funding_target};
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::credit::{ranked, split};
use super::*;

/// A year's figures up to a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub year: i32,
    pub up_to: NaiveDate,
    /// Every kind, in the order of [`FundingKind`].
    pub kinds: Vec<KindSummary>,
}

/// The figures of one kind.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KindSummary {
    pub kind: Option<FundingKind>,
    pub target_fen: i64,
    pub received_fen: i64,
    pub pending_fen: i64,
    pub promised_fen: i64,
    pub repaid_fen: i64,
    /// Items with verified money received in the period.
    pub items: u64,
    /// Counterparts (enterprises, investors, bodies) those items name, each once.
    pub counterparts: u64,
    /// Items that reached the kind's promise (ALLOCATED, SIGNED, APPROVED) in the period.
    pub reached: u64,
    /// Of the items promised money in the period, those promised at least 1亿元.
    pub big_items: u64,
    /// Verified money received on the same days of the year before.
    pub previous_received_fen: i64,
    /// Units with a target or credit, ranked by completion of the target.
    pub units: Vec<UnitFigures>,
    pub months: Vec<MonthFigures>,
    pub campaigns: Vec<CampaignFigures>,
    pub channels: Vec<ChannelFigures>,
}

/// One unit's figures in one kind.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitFigures {
    pub unit_id: Uuid,
    pub target_fen: i64,
    pub received_fen: i64,
    pub pending_fen: i64,
    pub promised_fen: i64,
    /// 1 for the best completion among units with a target; none without a target.
    pub rank: Option<u32>,
}

/// One month of the period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MonthFigures {
    pub month: u32,
    pub received_fen: i64,
    pub promised_fen: i64,
}

/// One campaign's leads in the period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CampaignFigures {
    pub campaign_id: Uuid,
    pub name: String,
    pub reached: u64,
    pub big_items: u64,
    pub received_fen: i64,
    pub promised_fen: i64,
}

/// One channel (funding type, origin, financing channel, fiscal source) in the period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChannelFigures {
    pub channel: String,
    pub received_fen: i64,
    pub promised_fen: i64,
    pub items: u64,
    pub counterparts: u64,
}

/// One current entry with what the summary needs of its item.
struct Moved {
    item: Uuid,
    kind: FundingKind,
    channel: String,
    campaign: Option<Uuid>,
    counterpart: String,
    flow: MoneyFlow,
    on: NaiveDate,
    fen: i64,
    verified: bool,
}

/// The same day a year earlier (28 February for 29 February).
fn year_before(day: NaiveDate) -> NaiveDate {
    day.with_year(day.year() - 1).or_else(|| NaiveDate::from_ymd_opt(day.year() - 1, 2, 28)).unwrap_or(day)
}

fn first_of(year: i32) -> AppResult<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| AppError::bad_input("year", "a year from 2000 to 2100"))
}

/// `SELECT id FROM funding_entries WHERE current AND moved_on IN [from, to]`, as item ids.
fn moved_items(from: NaiveDate, to: NaiveDate) -> SelectStatement {
    use funding_entry::Column as E;
    Query::select()
        .column(E::ItemId)
        .from(funding_entry::Entity)
        .and_where(E::IsCurrent.eq(true))
        .and_where(E::MovedOn.gte(from))
        .and_where(E::MovedOn.lte(to))
        .to_owned()
}

async fn moved(db: &impl ConnectionTrait, from: NaiveDate, to: NaiveDate) -> AppResult<Vec<Moved>> {
    use funding_entry::Column as E;
    use funding_item::Column as I;
    let q = Query::select()
        .columns([(funding_entry::Entity, E::ItemId), (funding_entry::Entity, E::Flow)])
        .columns([(funding_entry::Entity, E::MovedOn), (funding_entry::Entity, E::AmountFen)])
        .column((funding_entry::Entity, E::VerifiedAt))
        .columns([(funding_item::Entity, I::Kind), (funding_item::Entity, I::Channel)])
        .columns([(funding_item::Entity, I::CampaignId), (funding_item::Entity, I::Counterpart)])
        .from(funding_entry::Entity)
        .inner_join(
            funding_item::Entity,
            Expr::col((funding_item::Entity, I::Id)).equals((funding_entry::Entity, E::ItemId)),
        )
        .and_where(Expr::col((funding_entry::Entity, E::IsCurrent)).eq(true))
        .and_where(Expr::col((funding_entry::Entity, E::MovedOn)).gte(from))
        .and_where(Expr::col((funding_entry::Entity, E::MovedOn)).lte(to))
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(db.get_database_backend().build(&q)).await? {
        let kind: String = row.try_get("", "kind")?;
        let flow: String = row.try_get("", "flow")?;
        let verified_at: Option<chrono::DateTime<chrono::Utc>> = row.try_get("", "verified_at")?;
        out.push(Moved {
            item: row.try_get("", "item_id")?,
            kind: FundingKind::try_from_value(&kind)?,
            channel: row.try_get("", "channel")?,
            campaign: row.try_get("", "campaign_id")?,
            counterpart: row.try_get("", "counterpart")?,
            flow: MoneyFlow::try_from_value(&flow)?,
            on: row.try_get("", "moved_on")?,
            fen: row.try_get("", "amount_fen")?,
            verified: verified_at.is_some(),
        });
    }
    Ok(out)
}

/// The year's figures up to `up_to` (the year's last day when later). Every reader of funding work
/// sees them: the ranking is the point (超常规下达指标任务，严格奖惩考核).
pub async fn summary(
    db: &impl ConnectionTrait,
    actor: &Actor,
    year: i32,
    up_to: Option<NaiveDate>,
) -> AppResult<Summary> {
    require_reader(actor)?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_input("year", "a year from 2000 to 2100"));
    }
    let start = first_of(year)?;
    let last = first_of(year + 1)?.pred_opt().unwrap_or(start);
    let up_to = up_to.unwrap_or(last).min(last);
    if up_to < start {
        return Err(AppError::bad_input("upTo", "a day of the year asked for"));
    }
    let (prev_start, prev_to) = (first_of(year - 1)?, year_before(up_to));
    let entries = moved(db, prev_start, up_to).await?;
    let shares = {
        use funding_item_unit::Column as S;
        let rows =
            funding_item_unit::Entity::find().filter(S::ItemId.in_subquery(moved_items(start, up_to))).all(db).await?;
        crate::service::grouped(rows.into_iter().map(|r| (r.item_id, r)))
    };
    let reached: Vec<(Uuid, FundingKind, Option<Uuid>)> = {
        use funding_stage::Column as St;
        let promise = [FundingStage::Allocated, FundingStage::Signed, FundingStage::Approved];
        let stages = funding_stage::Entity::find()
            .filter(St::Stage.is_in(promise))
            .filter(St::ReachedOn.gte(start))
            .filter(St::ReachedOn.lte(up_to))
            .all(db)
            .await?;
        let ids: Vec<Uuid> = stages.iter().map(|s| s.item_id).collect();
        let items = if ids.is_empty() {
            Vec::new()
        } else {
            funding_item::Entity::find().filter(funding_item::Column::Id.is_in(ids)).all(db).await?
        };
        items.into_iter().map(|i| (i.id, i.kind, i.campaign_id)).collect()
    };
    let targets = funding_target::Entity::find()
        .filter(funding_target::Column::Year.eq(year))
        .filter(funding_target::Column::IsCurrent.eq(true))
        .all(db)
        .await?;
    let names: HashMap<Uuid, String> =
        funding_campaign::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let kinds = [
        FundingKind::Grant,
        FundingKind::Investment,
        FundingKind::Financing,
        FundingKind::Fiscal,
        FundingKind::Advance,
        FundingKind::Incentive,
    ];
    let kinds = kinds
        .into_iter()
        .map(|kind| {
            let now: Vec<&Moved> = entries.iter().filter(|e| e.kind == kind && e.on >= start).collect();
            let before = entries.iter().filter(|e| e.kind == kind && e.on <= prev_to && e.on < start);
            let mut k = figures(kind, &now, &shares, &targets, &names);
            k.previous_received_fen =
                before.filter(|e| e.flow == MoneyFlow::Received && e.verified).map(|e| e.fen).sum();
            let reached_here: Vec<&(Uuid, FundingKind, Option<Uuid>)> =
                reached.iter().filter(|(_, k2, _)| *k2 == kind).collect();
            k.reached = reached_here.len() as u64;
            for c in &mut k.campaigns {
                c.reached = reached_here.iter().filter(|(_, _, camp)| *camp == Some(c.campaign_id)).count() as u64;
            }
            k
        })
        .collect();
    Ok(Summary { year, up_to, kinds })
}

fn figures(
    kind: FundingKind,
    now: &[&Moved],
    shares: &HashMap<Uuid, Vec<funding_item_unit::Model>>,
    targets: &[funding_target::Model],
    names: &HashMap<Uuid, String>,
) -> KindSummary {
    let counted = |e: &&&Moved| e.flow == MoneyFlow::Received && e.verified;
    let mut k = KindSummary { kind: Some(kind), ..Default::default() };
    let mut units: BTreeMap<Uuid, UnitFigures> = BTreeMap::new();
    for t in targets.iter().filter(|t| t.kind == kind && t.amount_fen > 0) {
        units
            .entry(t.unit_id)
            .or_insert_with(|| UnitFigures { unit_id: t.unit_id, ..Default::default() })
            .target_fen += t.amount_fen;
    }
    k.target_fen = units.values().map(|u| u.target_fen).sum();
    let mut months: BTreeMap<u32, MonthFigures> = BTreeMap::new();
    let mut campaigns: BTreeMap<Uuid, CampaignFigures> = BTreeMap::new();
    let mut channels: BTreeMap<String, (ChannelFigures, HashSet<Uuid>, HashSet<&str>)> = BTreeMap::new();
    let mut promised_per_item: HashMap<Uuid, i64> = HashMap::new();
    for e in now {
        let month =
            months.entry(e.on.month()).or_insert_with(|| MonthFigures { month: e.on.month(), ..Default::default() });
        let channel = channels.entry(e.channel.clone()).or_insert_with(|| {
            (ChannelFigures { channel: e.channel.clone(), ..Default::default() }, HashSet::new(), HashSet::new())
        });
        let campaign = e.campaign.map(|id| {
            campaigns.entry(id).or_insert_with(|| CampaignFigures {
                campaign_id: id,
                name: names.get(&id).cloned().unwrap_or_default(),
                ..Default::default()
            })
        });
        let parts = split(e.fen, shares.get(&e.item).map(Vec::as_slice).unwrap_or_default());
        let credit = |units: &mut BTreeMap<Uuid, UnitFigures>, add: fn(&mut UnitFigures, i64)| {
            for (unit, fen) in &parts {
                add(units.entry(*unit).or_insert_with(|| UnitFigures { unit_id: *unit, ..Default::default() }), *fen);
            }
        };
        match (e.flow, e.verified) {
            (MoneyFlow::Received, true) => {
                k.received_fen += e.fen;
                month.received_fen += e.fen;
                channel.0.received_fen += e.fen;
                channel.1.insert(e.item);
                channel.2.insert(e.counterpart.as_str());
                if let Some(c) = campaign {
                    c.received_fen += e.fen;
                }
                credit(&mut units, |u, f| u.received_fen += f);
            }
            (MoneyFlow::Received, false) => {
                k.pending_fen += e.fen;
                credit(&mut units, |u, f| u.pending_fen += f);
            }
            (MoneyFlow::Promised, _) => {
                k.promised_fen += e.fen;
                month.promised_fen += e.fen;
                channel.0.promised_fen += e.fen;
                if let Some(c) = campaign {
                    c.promised_fen += e.fen;
                }
                *promised_per_item.entry(e.item).or_default() += e.fen;
                credit(&mut units, |u, f| u.promised_fen += f);
            }
            (MoneyFlow::Repaid, _) => k.repaid_fen += e.fen,
        }
    }
    let received: Vec<&&Moved> = now.iter().filter(counted).collect();
    k.items = received.iter().map(|e| e.item).collect::<HashSet<_>>().len() as u64;
    k.counterparts = received.iter().map(|e| e.counterpart.as_str()).collect::<HashSet<_>>().len() as u64;
    let big: HashSet<Uuid> = promised_per_item.iter().filter(|(_, f)| **f >= BIG_ITEM_FEN).map(|(i, _)| *i).collect();
    k.big_items = big.len() as u64;
    for c in campaigns.values_mut() {
        c.big_items = now
            .iter()
            .filter(|e| e.campaign == Some(c.campaign_id) && big.contains(&e.item))
            .map(|e| e.item)
            .collect::<HashSet<_>>()
            .len() as u64;
    }
    k.units = ranked(units.into_values().collect());
    k.months = months.into_values().collect();
    k.campaigns = campaigns.into_values().collect();
    k.channels = channels
        .into_values()
        .map(|(mut c, items, counterparts)| {
            c.items = items.len() as u64;
            c.counterparts = counterparts.len() as u64;
            c
        })
        .collect();
    k
}

/// One unit's figures in every kind of the year (up to `up_to`), as the summary ranks them.
pub async fn unit_funding(
    db: &impl ConnectionTrait,
    actor: &Actor,
    unit: Uuid,
    year: i32,
    up_to: Option<NaiveDate>,
) -> AppResult<Vec<(FundingKind, UnitFigures)>> {
    let all = summary(db, actor, year, up_to).await?;
    Ok(all
        .kinds
        .into_iter()
        .filter_map(|k| {
            let kind = k.kind?;
            let figures = k
                .units
                .into_iter()
                .find(|u| u.unit_id == unit)
                .unwrap_or(UnitFigures { unit_id: unit, ..Default::default() });
            Some((kind, figures))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_before_keeps_the_day_or_falls_back_to_the_end_of_february() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(year_before(d(2024, 2, 29)), d(2023, 2, 28));
        assert_eq!(year_before(d(2026, 11, 28)), d(2025, 11, 28));
    }
}
