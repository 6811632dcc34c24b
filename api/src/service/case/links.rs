//! Linking issues, inspections and photos to a case, each checked against its own visibility rule.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use entity::case::{self, CaseKind};
use entity::case_link::{self, LinkTarget};
use entity::issue::{self};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::kit;

/// `SELECT target_id FROM case_links WHERE case_id = ? AND target_type = ?`
pub(super) fn linked(case_id: Uuid, target: LinkTarget) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(case_link::Column::TargetId)
        .from(case_link::Entity)
        .and_where(case_link::Column::CaseId.eq(case_id))
        .and_where(case_link::Column::TargetType.eq(target))
        .to_owned()
}

/// Records of one kind to link or unlink.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub issues: Vec<Uuid>,
    pub inspections: Vec<Uuid>,
    pub photos: Vec<Uuid>,
}

impl Targets {
    fn by_kind(&self) -> [(LinkTarget, &'static str, BTreeSet<Uuid>); 3] {
        [
            (LinkTarget::Issue, "issueIds", self.issues.iter().copied().collect()),
            (LinkTarget::Inspection, "inspectionIds", self.inspections.iter().copied().collect()),
            (LinkTarget::Photo, "photoIds", self.photos.iter().copied().collect()),
        ]
    }
}

/// (id, project) of the records of one kind among `ids` that the caller may see.
async fn visible_with_project<E>(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<Uuid>,
    id: E::Column,
    project: E::Column,
    visible: Condition,
) -> AppResult<HashMap<Uuid, Uuid>>
where
    E: EntityTrait,
{
    Ok(E::find()
        .select_only()
        .column(id)
        .column(project)
        .filter(id.is_in(ids.iter().copied()))
        .filter(visible)
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Fails unless the caller can see every record in `ids` (hidden and missing answer alike) and, for
/// a 一项一策, each is of the case's project.
async fn check_targets(
    db: &impl ConnectionTrait,
    actor: &Actor,
    case: &case::Model,
    target: LinkTarget,
    field: &str,
    ids: &BTreeSet<Uuid>,
) -> AppResult<()> {
    use entity::{inspection, photo};
    if ids.is_empty() {
        return Ok(());
    }
    let caller = actor.caller()?;
    let found = match target {
        LinkTarget::Issue => {
            let visible = crate::service::issue::visibility(caller);
            visible_with_project::<issue::Entity>(db, ids, issue::Column::Id, issue::Column::ProjectId, visible).await?
        }
        LinkTarget::Inspection => {
            let (id, project) = (inspection::Column::Id, inspection::Column::ProjectId);
            visible_with_project::<inspection::Entity>(
                db,
                ids,
                id,
                project,
                crate::service::inspection::visibility(caller),
            )
            .await?
        }
        LinkTarget::Photo => {
            let (id, project) = (photo::Column::Id, photo::Column::ProjectId);
            visible_with_project::<photo::Entity>(db, ids, id, project, crate::service::photo::visibility(caller))
                .await?
        }
    };
    let kind = format!("{target:?}").to_lowercase();
    if let Some(missing) = ids.iter().find(|id| !found.contains_key(id)) {
        return Err(AppError::bad_input(field, format!("no {kind} has id {missing}")));
    }
    if case.kind == CaseKind::OneProjectOnePolicy
        && let Some((id, _)) = found.iter().find(|(_, p)| Some(**p) != case.project_id)
    {
        return Err(AppError::bad_input(field, format!("{kind} {id} is not of this case's project")));
    }
    Ok(())
}

/// Links records to a case; linking one already linked changes nothing. The office, an inspector or
/// the lead unit, on a case that is not closed, with records the caller can see.
pub async fn link(db: &DatabaseConnection, actor: &Actor, case_id: Uuid, targets: Targets) -> AppResult<case::Model> {
    let caller = actor.caller()?;
    let txn = crate::db::begin_write(db).await?;
    let case = lock_for(&txn, actor, case_id).await?;
    kit::workflow::authorize::<CaseWorkflow>(actor, &case, CaseAction::Link)?;
    let now = Utc::now();
    let mut rows = Vec::new();
    for (target, field, ids) in targets.by_kind() {
        check_targets(&txn, actor, &case, target, field, &ids).await?;
        let have = case_link::Entity::find()
            .filter(case_link::Column::CaseId.eq(case_id))
            .filter(case_link::Column::TargetType.eq(target))
            .filter(case_link::Column::TargetId.is_not_in(ids.iter().copied()))
            .count(&txn)
            .await? as usize;
        if have + ids.len() > MAX_LINKS_PER_KIND {
            return Err(AppError::bad_input(field, format!("a case links at most {MAX_LINKS_PER_KIND} of each kind")));
        }
        rows.extend(ids.into_iter().map(|target_id| case_link::ActiveModel {
            case_id: Set(case_id),
            target_type: Set(target),
            target_id: Set(target_id),
            linked_by: Set(Some(caller.id())),
            linked_at: Set(now),
        }));
    }
    if rows.is_empty() {
        return Err(AppError::bad_input("issueIds", "say what to link"));
    }
    case_link::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                case_link::Column::CaseId,
                case_link::Column::TargetType,
                case_link::Column::TargetId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "case.link",
            entity_type: "case",
            entity_id: case_id.to_string(),
            changes: json!({ "linked": { "before": null, "after": {
                "issues": targets.issues, "inspections": targets.inspections, "photos": targets.photos,
            } } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(case)
}

/// Removes links; removing one that is not there changes nothing. Who may link may unlink.
pub async fn unlink(db: &DatabaseConnection, actor: &Actor, case_id: Uuid, targets: Targets) -> AppResult<case::Model> {
    let _caller = actor.caller()?;
    let txn = crate::db::begin_write(db).await?;
    let case = lock_for(&txn, actor, case_id).await?;
    kit::workflow::authorize::<CaseWorkflow>(actor, &case, CaseAction::Link)?;
    let mut any = Condition::any();
    for (target, _, ids) in targets.by_kind() {
        if !ids.is_empty() {
            any = any.add(
                Condition::all()
                    .add(case_link::Column::TargetType.eq(target))
                    .add(case_link::Column::TargetId.is_in(ids)),
            );
        }
    }
    if any.is_empty() {
        return Err(AppError::bad_input("issueIds", "say what to unlink"));
    }
    case_link::Entity::delete_many().filter(case_link::Column::CaseId.eq(case_id)).filter(any).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "case.unlink",
            entity_type: "case",
            entity_id: case_id.to_string(),
            changes: json!({ "linked": { "before": {
                "issues": targets.issues, "inspections": targets.inspections, "photos": targets.photos,
            }, "after": null } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(case)
}
