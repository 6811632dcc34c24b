//! From the audit trail to webhook messages: which event types an audit event is, and the body each
//! target receives — JSON for systems, a markdown message in Chinese for a group of people.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::webhook::{EventType, Target};
use entity::{audit_event, case, inspection, issue, monthly_report, photo, project, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The type of a ping (`pingWebhook`): sent whatever the webhook subscribes to.
pub const PING: &str = "webhook.ping";

/// The event type an audit action is, before what its record says is looked at.
fn base_type(action: &str) -> Option<EventType> {
    Some(match action {
        "issue.raise" => EventType::IssueRaised,
        "issue.assign" => EventType::IssueAssigned,
        "issue.overdue" => EventType::IssueOverdue,
        "issue.escalate" => EventType::IssueEscalated,
        "issue.resolve" => EventType::IssueResolved,
        "issue.close" => EventType::IssueClosed,
        "case.open" => EventType::CaseOpened,
        "case.decide" => EventType::CaseDecided,
        "case.close" => EventType::CaseClosed,
        "inspection.submit" => EventType::InspectionSubmitted,
        "photo.upload" => EventType::PhotoUploaded,
        "project.create" => EventType::ProjectCreated,
        "report.submit" => EventType::ReportSubmitted,
        "report.missing" => EventType::ReportMissing,
        "project.light_changed" => EventType::ProjectLightChanged,
        _ => return None,
    })
}

/// The records a page of events speaks of, loaded once a kind.
#[derive(Default)]
pub struct Records {
    issues: HashMap<Uuid, issue::Model>,
    cases: HashMap<Uuid, case::Model>,
    inspections: HashMap<Uuid, inspection::Model>,
    photos: HashMap<Uuid, photo::Model>,
    reports: HashMap<Uuid, monthly_report::Model>,
    projects: HashMap<Uuid, project::Model>,
    units: HashMap<Uuid, unit::Model>,
}

async fn by_id<E>(
    db: &impl ConnectionTrait,
    col: E::Column,
    ids: Vec<Uuid>,
    id: fn(&E::Model) -> Uuid,
) -> AppResult<HashMap<Uuid, E::Model>>
where
    E: EntityTrait,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(E::find().filter(col.is_in(ids)).all(db).await?.into_iter().map(|m| (id(&m), m)).collect())
}

impl Records {
    /// Loads what `events` speak of: their records, and the projects and units those name.
    pub async fn load(db: &impl ConnectionTrait, events: &[&audit_event::Model]) -> AppResult<Self> {
        let ids = |kind: &str| -> Vec<Uuid> {
            events.iter().filter(|e| e.entity_type == kind).filter_map(|e| e.entity_id.parse().ok()).collect()
        };
        let mut r = Self {
            issues: by_id::<issue::Entity>(db, issue::Column::Id, ids("issue"), |m| m.id).await?,
            cases: by_id::<case::Entity>(db, case::Column::Id, ids("case"), |m| m.id).await?,
            inspections: by_id::<inspection::Entity>(db, inspection::Column::Id, ids("inspection"), |m| m.id).await?,
            photos: by_id::<photo::Entity>(db, photo::Column::Id, ids("photo"), |m| m.id).await?,
            reports: by_id::<monthly_report::Entity>(db, monthly_report::Column::Id, ids("monthly_report"), |m| m.id)
                .await?,
            ..Self::default()
        };
        let mut projects = ids("project");
        projects.extend(r.issues.values().map(|i| i.project_id));
        projects.extend(r.cases.values().filter_map(|c| c.project_id));
        projects.extend(r.inspections.values().map(|i| i.project_id));
        projects.extend(r.photos.values().map(|p| p.project_id));
        projects.extend(r.reports.values().map(|m| m.project_id));
        projects.sort();
        projects.dedup();
        r.projects = by_id::<project::Entity>(db, project::Column::Id, projects, |m| m.id).await?;
        let mut units: Vec<Uuid> = r.issues.values().filter_map(|i| i.assigned_unit_id).collect();
        units.extend(r.reports.values().map(|m| m.unit_id));
        units.sort();
        units.dedup();
        r.units = by_id::<unit::Entity>(db, unit::Column::Id, units, |m| m.id).await?;
        Ok(r)
    }

    fn project_name(&self, id: Option<Uuid>) -> &str {
        id.and_then(|id| self.projects.get(&id)).map_or("（项目）", |p| p.name.as_str())
    }

    /// The event types `event` is: its action's, and for a failed inspection or a photo off its
    /// site, the sharper one too.
    pub fn types_of(&self, event: &audit_event::Model) -> Vec<EventType> {
        let Some(base) = base_type(&event.action) else {
            return Vec::new();
        };
        let id: Option<Uuid> = event.entity_id.parse().ok();
        let mut types = vec![base];
        match base {
            EventType::InspectionSubmitted
                if id
                    .and_then(|id| self.inspections.get(&id))
                    .is_some_and(|i| i.result == inspection::InspectionResult::Failed) =>
            {
                types.push(EventType::InspectionFailed);
            }
            EventType::PhotoUploaded if id.and_then(|id| self.photos.get(&id)).is_some_and(off_site) => {
                types.push(EventType::PhotoFlagged);
            }
            _ => {}
        }
        types
    }

    /// One line for people: what happened, naming the record as the office does.
    pub fn summary(&self, kind: EventType, event: &audit_event::Model) -> String {
        let id: Option<Uuid> = event.entity_id.parse().ok();
        let issue = id.and_then(|id| self.issues.get(&id));
        let issue_name = issue.map_or_else(
            || "问题".to_owned(),
            |i| format!("问题 {}（{}）", i.number, crate::service::labels::issue_kind(i.kind)),
        );
        let unit =
            issue.and_then(|i| i.assigned_unit_id).and_then(|u| self.units.get(&u)).map_or("", |u| u.name.as_str());
        let case_title = id.and_then(|id| self.cases.get(&id)).map_or("", |c| c.title.as_str());
        match kind {
            EventType::IssueRaised => {
                let title = issue.map_or("", |i| i.title.as_str());
                format!("新{issue_name}：{title}（{}）", self.project_name(issue.map(|i| i.project_id)))
            }
            EventType::IssueAssigned => {
                let due = issue.and_then(|i| i.due_date).map(|d| format!("，限 {d} 前办结")).unwrap_or_default();
                format!("{issue_name}已交办{unit}{due}")
            }
            EventType::IssueOverdue => {
                let due = issue.and_then(|i| i.due_date).map(|d| format!("（限 {d}）")).unwrap_or_default();
                let owner = if unit.is_empty() { String::new() } else { format!("，{unit}尚未办结") };
                format!("{issue_name}已逾期{due}{owner}")
            }
            EventType::IssueEscalated => format!("{issue_name}逾期未办结，已提级督办"),
            EventType::IssueResolved => format!("{issue_name}{unit}已办结，待核实"),
            EventType::IssueClosed => format!("{issue_name}已销号"),
            EventType::CaseOpened => format!("新协调事项：{case_title}"),
            EventType::CaseDecided => format!("协调事项已议定：{case_title}"),
            EventType::CaseClosed => format!("协调事项已办结：{case_title}"),
            EventType::InspectionSubmitted | EventType::InspectionFailed => {
                let i = id.and_then(|id| self.inspections.get(&id));
                let result = if i.is_some_and(|i| i.result == inspection::InspectionResult::Failed) {
                    "不合格"
                } else {
                    "合格"
                };
                let score = i.and_then(|i| i.score).map(|s| format!("，得分 {s:.0}")).unwrap_or_default();
                format!("{} 督查已提交：{result}{score}", self.project_name(i.map(|i| i.project_id)))
            }
            EventType::PhotoUploaded | EventType::PhotoFlagged => {
                let p = id.and_then(|id| self.photos.get(&id));
                let project = self.project_name(p.map(|p| p.project_id));
                match p.and_then(off_site_detail) {
                    Some(detail) => format!("{project} 的照片不在项目现场：{detail}"),
                    None => format!("{project} 新增现场照片"),
                }
            }
            EventType::ProjectCreated => format!("新项目：{}", self.project_name(id)),
            EventType::ReportSubmitted => {
                let r = id.and_then(|id| self.reports.get(&id));
                let period = r.map_or("", |r| r.period.as_str());
                format!("{} {period} 月报已报送", self.project_name(r.map(|r| r.project_id)))
            }
            EventType::ReportMissing => {
                let period = event.changes["period"]["after"].as_str().unwrap_or("");
                format!("{} {period} 月报未按时报送", self.project_name(id))
            }
            EventType::ProjectLightChanged => {
                let light = |v: &serde_json::Value| match v.as_str() {
                    Some("RED") => "红灯",
                    Some("YELLOW") => "黄灯",
                    Some("GREEN") => "绿灯",
                    _ => "未亮灯",
                };
                let (before, after) =
                    (light(&event.changes["light"]["before"]), light(&event.changes["light"]["after"]));
                format!("{} 由{before}转为{after}", self.project_name(id))
            }
        }
    }
}

fn off_site(p: &photo::Model) -> bool {
    off_site_detail(p).is_some()
}

/// What the trust check said of a photo taken off its project's site.
fn off_site_detail(p: &photo::Model) -> Option<String> {
    p.trust_reasons
        .as_array()?
        .iter()
        .find(|r| r["code"] == "OFF_SITE")
        .map(|r| r["detail"].as_str().unwrap_or("").to_owned())
}

/// The body sent to `target` for `event` as `kind`.
pub fn body(target: Target, kind: EventType, event: &audit_event::Model, summary: &str) -> AppResult<String> {
    let value = match target {
        Target::Standard => json!({
            "type": kind.name(),
            "timestamp": event.occurred_at,
            "data": {
                "seq": event.seq.to_string(),
                "action": event.action,
                "entityType": event.entity_type,
                "entityId": event.entity_id,
                "actorId": event.actor_id,
                "changes": event.changes,
                "summary": summary,
            },
        }),
        Target::Dingtalk | Target::Wecom => markdown(target, summary, event.occurred_at),
    };
    serde_json::to_string(&value).map_err(AppError::internal)
}

/// The body of a ping.
pub fn ping_body(target: Target, webhook_id: Uuid, now: DateTime<Utc>) -> AppResult<String> {
    let value = match target {
        Target::Standard => json!({ "type": PING, "timestamp": now, "data": { "webhookId": webhook_id } }),
        Target::Dingtalk | Target::Wecom => markdown(target, "重点项目推送测试：此群将收到所订阅的事件", now),
    };
    serde_json::to_string(&value).map_err(AppError::internal)
}

/// A group robot's markdown message: the line as a heading, the time (China's) under it.
fn markdown(target: Target, line: &str, at: DateTime<Utc>) -> Value {
    let when = at.with_timezone(&crate::clock::china()).format("%Y-%m-%d %H:%M");
    let text = format!("#### {line}\n\n> 重点项目管理系统 {when}");
    match target {
        Target::Dingtalk => json!({ "msgtype": "markdown", "markdown": { "title": line, "text": text } }),
        _ => json!({ "msgtype": "markdown", "markdown": { "content": text } }),
    }
}
