//! The demo county's funding work in the year before today's, as the source text reports it
//! (去年): 1.2亿元 of higher-level subsidies and 2000多万元 for low-rent housing at 400 元/㎡; 38
//! industrial projects signed with 20亿元 in place, 5 亿元项目 from the 百日集中招商 campaign
//! (August to November); 48 enterprises financed 4.2亿元 through the credit alliance, twice the year
//! before; 5000万元 of local matching and 3.5亿元 of integrated funds; 300多万元 advanced to 10
//! departments; a 50万元 credit bonus; and targets for the 45 units with a channel to higher-level
//! funds, some met and some not. Every sum received is verified, so `fundingSummary` shows these
//! figures exactly.

use chrono::{NaiveDate, Utc};
use entity::funding_item::{self, FundingKind, FundingStage, MoneyFlow};
use entity::{funding_campaign, funding_entry, funding_item_unit, funding_stage, funding_target};
use sea_orm::{ActiveValue::Set, ConnectionTrait, IntoActiveModel};
use uuid::Uuid;

use super::demo::{demo_id, units};
use super::projects::insert_chunked;
use crate::error::AppResult;

const WAN: i64 = 1_000_000;

/// One demo item: its kind, name, other party, channel, units with shares (percent), stage, and
/// money as (flow, month, day, 万元).
struct Item {
    kind: FundingKind,
    name: String,
    counterpart: String,
    channel: &'static str,
    programme: Option<&'static str>,
    bank: Option<&'static str>,
    industry: Option<&'static str>,
    standard: Option<(&'static str, i64, &'static str)>,
    units: Vec<(&'static str, i32)>,
    stage: Option<FundingStage>,
    campaign: bool,
    project: Option<Uuid>,
    money: Vec<(MoneyFlow, i32, u32, u32, i64)>,
}

impl Item {
    fn new(kind: FundingKind, name: impl Into<String>, counterpart: impl Into<String>, channel: &'static str) -> Self {
        Self {
            kind,
            name: name.into(),
            counterpart: counterpart.into(),
            channel,
            programme: None,
            bank: None,
            industry: None,
            standard: None,
            units: Vec::new(),
            stage: kind.stages().first().copied(),
            campaign: false,
            project: None,
            money: Vec::new(),
        }
    }
}

fn grants(y: i32) -> Vec<Item> {
    use MoneyFlow::{Promised, Received};
    let subsidy = |name: &str, body: &str, programme, units: Vec<(&'static str, i32)>, wan: i64, month| {
        let mut i = Item::new(FundingKind::Grant, name, body, "上级补助");
        i.programme = Some(programme);
        i.units = units;
        i.money = vec![
            (Promised, y, month, 10, wan),
            (Received, y, month + 1, 20, wan / 2),
            (Received, y, month + 3, 20, wan - wan / 2),
        ];
        i
    };
    let mut out = vec![
        // Applied for jointly: counted once, credited 60/40.
        subsidy(
            "污水处理厂建设",
            "国家发改委",
            "城镇污水处理设施建设",
            vec![("住建局", 60), ("生态环境局", 40)],
            4_500,
            3,
        ),
        subsidy("垃圾填埋场建设", "财政部", "城乡环境卫生设施", vec![("城管局", 100)], 3_200, 4),
        subsidy("节能减排淘汰落后产能", "省财政厅", "节能减排专项", vec![("工信局", 100)], 2_300, 5),
        subsidy("纺织企业技改贴息", "省发改委", "技术改造贴息", vec![("工信局", 50), ("科技局", 50)], 2_000, 6),
    ];
    // 西部地区政策: 400 元 per ㎡ on 53,750 ㎡.
    let mut housing = Item::new(FundingKind::Grant, "廉租房建设", "国家发改委", "中央预算内投资");
    housing.programme = Some("保障性安居工程");
    housing.standard = Some(("每平方米国家补助400元", 40_000, "㎡"));
    housing.units = vec![("住建局", 100)];
    housing.money = vec![(Promised, y, 2, 28, 2_150), (Received, y, 4, 15, 1_000), (Received, y, 9, 15, 1_150)];
    out.push(housing);
    // 挤进了计划笼子: in the higher level's plan, no money yet.
    for (name, unit) in [
        ("人民医院医技大楼", "卫健局"),
        ("自来水厂管网改造", "住建局"),
        ("档案馆建设", "机关事务服务中心"),
        ("农村可再生能源利用", "农业农村局"),
    ] {
        let mut i = Item::new(FundingKind::Grant, name, "省发改委", "中央预算内投资");
        i.units = vec![(unit, 100)];
        i.stage = Some(FundingStage::InPlan);
        out.push(i);
    }
    out
}

const INDUSTRIES: [&str; 5] = ["汽配", "盐化", "纺织", "造纸", "食品"];

fn leads(y: i32) -> Vec<Item> {
    use MoneyFlow::{Promised, Received};
    let mut out = Vec::new();
    // The campaign's 5 亿元项目: contracted at least 1亿元 each, 7300万元 of each in place.
    let big = [
        ("湖南长天九五", 15_000),
        ("中沃汽配", 12_000),
        ("盐化新材料", 11_000),
        ("特种纸业", 10_500),
        ("绿色食品产业园", 10_000),
    ];
    for (n, (name, contracted)) in big.into_iter().enumerate() {
        let month = 9 + (n as u32 % 3);
        let mut i =
            Item::new(FundingKind::Investment, format!("{name}项目"), name, if n == 1 { "港澳台资" } else { "内资" });
        i.industry = Some(INDUSTRIES[n]);
        i.units = if n % 2 == 0 {
            vec![("招商促进中心", 50), ("高新区管委会", 50)]
        } else {
            vec![("招商促进中心", 100)]
        };
        i.campaign = true;
        i.money =
            vec![(Promised, y, month, 5, contracted), (Received, y, month, 25, 3_000), (Received, y, 12, 10, 4_300)];
        out.push(i);
    }
    // 33 more, from 4000万元 to 6000万元 in place each; the last 7 signed in the campaign.
    let hosts = ["招商促进中心", "工业园区管委会", "高新区管委会", "商务局", "工信局", "新洲镇"];
    for n in 0..33u32 {
        let in_place = 4_000 + i64::from(n % 5) * 500;
        let month = if n >= 26 { 8 + n % 4 } else { 1 + n % 7 };
        let origin = if n % 11 == 3 { "外资" } else { "内资" };
        let mut i = Item::new(
            FundingKind::Investment,
            format!("{}产业项目{:02}", INDUSTRIES[n as usize % 5], n + 1),
            format!("投资方{:02}", n + 1),
            origin,
        );
        i.industry = Some(INDUSTRIES[n as usize % 5]);
        i.units = vec![(hosts[n as usize % hosts.len()], 100)];
        i.campaign = n >= 26;
        i.money = vec![(Promised, y, month, 3, in_place + 2_000), (Received, y, month, 28, in_place)];
        out.push(i);
    }
    // 中联重科与东风汽车: a 2.5万套 chassis project, intent agreed, not signed.
    let mut chassis = Item::new(FundingKind::Investment, "年产2.5万套工程车底盘", "中联重科、东风汽车公司", "内资");
    chassis.industry = Some("汽配");
    chassis.units = vec![("招商促进中心", 100)];
    chassis.stage = Some(FundingStage::Intent);
    out.push(chassis);
    out
}

fn deals(y: i32) -> Vec<Item> {
    let deal = |n: u32, year: i32, wan: i64| {
        let mut i = Item::new(
            FundingKind::Financing,
            format!("中小企业{:02}技改贷款", n + 1),
            format!("中小企业{:02}", n + 1),
            "信用联盟",
        );
        i.bank = Some(["农业银行", "工商银行", "农村商业银行"][n as usize % 3]);
        i.units =
            if n.is_multiple_of(4) { vec![("金融办", 50), ("工信局", 50)] } else { vec![("金融办", 100)] };
        i.money =
            vec![(MoneyFlow::Promised, year, 1 + n % 12, 5, wan), (MoneyFlow::Received, year, 1 + n % 12, 20, wan)];
        i
    };
    // 48 enterprises, 4.2亿元 in all; the year before, 30 enterprises and 2.1亿元.
    let mut out: Vec<Item> = (0..48).map(|n| deal(n, y, 800 + i64::from(n % 4) * 50)).collect();
    out.extend((0..30).map(|n| {
        let mut i = deal(n, y - 1, 700);
        i.name = format!("{}（上年）", i.name);
        i
    }));
    out
}

fn county_money(y: i32, projects: &[(Uuid, Uuid)], names: &[(Uuid, &'static str)]) -> Vec<Item> {
    let unit_name = |unit: Uuid| names.iter().find(|(id, _)| *id == unit).map_or("财政局", |(_, n)| *n);
    let mut out = Vec::new();
    // 本级财政配套 5000万元 over 10 projects, 整合资金 3.5亿元 over 14.
    for (n, (project, unit)) in projects.iter().take(24).enumerate() {
        let (channel, wan) = if n < 10 { ("本级配套", 500) } else { ("整合资金", 2_500) };
        let mut i = Item::new(FundingKind::Fiscal, format!("{channel}资金"), "县财政", channel);
        i.units = vec![(unit_name(*unit), 100)];
        i.project = Some(*project);
        i.money = vec![(MoneyFlow::Received, y, 3 + (n as u32 % 9), 12, wan)];
        out.push(i);
    }
    // 预借前期工作经费: 315万元 to 10 departments, three of them repaid.
    let borrowers = [
        "发改局",
        "交通运输局",
        "水利局",
        "自然资源局",
        "文旅广体局",
        "教育局",
        "卫健局",
        "农业农村局",
        "林业局",
        "城管局",
    ];
    for (n, unit) in borrowers.into_iter().enumerate() {
        let wan = if n == 0 { 45 } else { 30 };
        let mut i = Item::new(FundingKind::Advance, "前期工作经费", unit, "预借前期工作经费");
        i.units = vec![(unit, 100)];
        i.money = vec![(MoneyFlow::Received, y, 2 + n as u32 % 5, 8, wan)];
        if n % 3 == 1 {
            i.money.push((MoneyFlow::Repaid, y, 11, 30, wan));
        }
        out.push(i);
    }
    // 金融机构新增工业贷款奖励: 50万元 of credit bonus.
    for (bank, wan) in [("农业银行", 20), ("工商银行", 20), ("农村商业银行", 10)] {
        let mut i = Item::new(FundingKind::Incentive, "新增工业贷款奖励", bank, "信贷奖金");
        i.units = vec![("金融办", 100)];
        i.money = vec![(MoneyFlow::Received, y, 12, 28, wan)];
        out.push(i);
    }
    out
}

/// Grant targets for the 45 units with a channel to higher-level funds (100 to 1000万元, so some
/// are met and some not), and investment and financing targets for the units that do that work.
fn targets() -> Vec<(&'static str, FundingKind, i64)> {
    let mut out: Vec<(&'static str, FundingKind, i64)> = units()
        .into_iter()
        .filter(|(_, _, targeted)| *targeted)
        .enumerate()
        .map(|(n, (name, _, _))| (name, FundingKind::Grant, 100 + (n as i64 * 137) % 900))
        .collect();
    for (name, wan) in
        [("招商促进中心", 80_000), ("高新区管委会", 30_000), ("工业园区管委会", 20_000), ("商务局", 20_000)]
    {
        out.push((name, FundingKind::Investment, wan));
    }
    for (name, wan) in [("金融办", 35_000), ("工信局", 8_000)] {
        out.push((name, FundingKind::Financing, wan));
    }
    out
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m.clamp(1, 12), d).unwrap_or_default()
}

/// Loads the year before `today`'s. `projects` are (project, responsible unit).
pub async fn load(db: &impl ConnectionTrait, projects: &[(Uuid, Uuid)], today: NaiveDate) -> AppResult<usize> {
    let y = chrono::Datelike::year(&today) - 1;
    let now = Utc::now();
    let admin = demo_id("user", "admin");
    let unit = |name: &str| demo_id("unit", name);
    let names: Vec<(Uuid, &'static str)> = units().into_iter().map(|(n, _, _)| (unit(n), n)).collect();
    let campaign = funding_campaign::Model {
        id: demo_id("funding_campaign", "百日集中招商"),
        name: "百日集中招商".into(),
        starts_on: day(y, 8, 1),
        ends_on: day(y, 11, 30),
        created_by: admin,
        created_at: now,
    };
    insert_chunked(db, vec![campaign.clone().into_active_model()]).await?;
    let target_rows = targets()
        .into_iter()
        .map(|(name, kind, wan)| {
            funding_target::Model {
                id: demo_id("funding_target", &format!("{y}:{name}:{kind:?}")),
                unit_id: unit(name),
                year: y,
                kind,
                amount_fen: wan * WAN,
                version: 1,
                is_current: true,
                note: Some("超常规下达指标任务".into()),
                set_by: admin,
                set_at: now,
            }
            .into_active_model()
        })
        .collect();
    insert_chunked(db, target_rows).await?;
    let mut all = grants(y);
    all.extend(leads(y));
    all.extend(deals(y));
    all.extend(county_money(y, projects, &names));
    let (mut items, mut shares, mut stages, mut entries) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (n, i) in all.iter().enumerate() {
        let id = demo_id("funding_item", &format!("{n}:{}", i.name));
        let first_day = i.money.iter().map(|m| day(m.1, m.2, m.3)).min().unwrap_or(day(y, 1, 10));
        let mut stage = i.stage;
        let stages_of_kind = i.kind.stages();
        let mut reached: Vec<(FundingStage, NaiveDate, Option<i64>)> = Vec::new();
        for (flow, yy, m, d, wan) in &i.money {
            if let Some(s) = i.kind.stage_of(*flow) {
                let at = |s: FundingStage| stages_of_kind.iter().position(|x| *x == s);
                if stage.and_then(at) < at(s) {
                    stage = Some(s);
                }
                if !reached.iter().any(|(r, _, _)| *r == s) {
                    reached.push((s, day(*yy, *m, *d), Some(wan * WAN)));
                }
            }
        }
        if let Some(first) = stages_of_kind.first().copied().filter(|f| !reached.iter().any(|(r, _, _)| r == f)) {
            reached.insert(0, (first, first_day.pred_opt().unwrap_or(first_day), None));
        }
        if let Some(s) = i.stage.filter(|s| !reached.iter().any(|(r, _, _)| r == s)) {
            reached.push((s, first_day, None));
        }
        items.push(
            funding_item::Model {
                id,
                kind: i.kind,
                name: i.name.clone(),
                counterpart: i.counterpart.clone(),
                channel: i.channel.into(),
                programme: i.programme.map(Into::into),
                bank: i.bank.map(Into::into),
                industry: i.industry.map(Into::into),
                standard: i.standard.map(|s| s.0.into()),
                standard_fen: i.standard.map(|s| s.1),
                standard_unit: i.standard.map(|s| s.2.into()),
                stage,
                campaign_id: i.campaign.then_some(campaign.id),
                project_id: i.project,
                notes: None,
                created_by: admin,
                created_at: now,
                updated_at: now,
            }
            .into_active_model(),
        );
        for (name, percent) in &i.units {
            shares.push(funding_item_unit::ActiveModel {
                item_id: Set(id),
                unit_id: Set(unit(name)),
                share_bp: Set(percent * 100),
            });
        }
        for (s, on, amount_fen) in reached {
            stages.push(funding_stage::ActiveModel {
                item_id: Set(id),
                stage: Set(s),
                reached_on: Set(on),
                amount_fen: Set(amount_fen),
                recorded_by: Set(admin),
                recorded_at: Set(now),
            });
        }
        for (k, (flow, yy, m, d, wan)) in i.money.iter().enumerate() {
            entries.push(
                funding_entry::Model {
                    id: demo_id("funding_entry", &format!("{n}:{k}")),
                    item_id: id,
                    flow: *flow,
                    moved_on: day(*yy, *m, *d),
                    amount_fen: wan * WAN,
                    is_current: true,
                    replaces: None,
                    reason: None,
                    verified_by: Some(admin),
                    verified_at: Some(now),
                    recorded_by: admin,
                    recorded_at: now,
                }
                .into_active_model(),
            );
        }
    }
    let n = items.len();
    insert_chunked(db, items).await?;
    insert_chunked(db, shares).await?;
    insert_chunked(db, stages).await?;
    insert_chunked(db, entries).await?;
    Ok(n)
}
