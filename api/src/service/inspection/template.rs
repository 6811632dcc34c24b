//! Checklist templates (检查表): publishing versions and reading them back.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::Utc;
use entity::checklist_template::{self, Body, ItemType, Section};
use entity::user::Role;
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::error::{AppError, AppResult, Violation};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::page::{Page, PageRequest};

fn valid_key(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
}

/// A template version's body, read back from storage.
pub fn body_of(template: &checklist_template::Model) -> AppResult<Body> {
    serde_json::from_value(template.body.clone()).map_err(|e| AppError::internal(format!("template body: {e}")))
}

/// What [`publish`] needs.
#[derive(Debug, Clone)]
pub struct NewTemplate {
    pub key: String,
    pub name: String,
    pub description: String,
    pub pass_score: i32,
    pub sections: Vec<Section>,
}

/// Every rule a template breaks, each with the item (or section) it concerns.
fn template_violations(t: &NewTemplate) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut bad =
        |key: &str, message: &str| out.push(Violation { item_key: key.to_owned(), message: message.to_owned() });
    if t.sections.is_empty() {
        bad("sections", "a template has at least one section");
    }
    let mut seen = HashSet::new();
    let mut count = 0;
    let mut measuring = 0;
    for (i, section) in t.sections.iter().enumerate() {
        if crate::service::text::required("title", &section.title, 1, 200).is_err() {
            bad(&format!("sections[{i}]"), "a section title has 1 to 200 characters");
        }
        if section.items.is_empty() {
            bad(&format!("sections[{i}]"), "a section has at least one item");
        }
        for item in &section.items {
            count += 1;
            let k = item.key.as_str();
            if !valid_key(k) {
                bad(k, "a key has 1 to 64 characters: a-z, 0-9, '.', '_', '-'");
            }
            if !seen.insert(k) {
                bad(k, "the key is used twice");
            }
            if crate::service::text::required("label", &item.label, 1, 500).is_err() {
                bad(k, "a label has 1 to 500 characters");
            }
            if item.weight > 100 {
                bad(k, "a weight is 0 to 100");
            }
            if let (Some(min), Some(max)) = (item.min, item.max)
                && min > max
            {
                bad(k, "min is above max");
            }
            if item.min.is_some_and(|v| !v.is_finite()) || item.max.is_some_and(|v| !v.is_finite()) {
                bad(k, "min and max are finite numbers");
            }
            if (item.min.is_some() || item.max.is_some() || item.unit.is_some()) && item.item_type != ItemType::Number {
                bad(k, "min, max and unit are for NUMBER items");
            }
            let options: HashSet<&str> = item.options.iter().map(|o| o.trim()).collect();
            match item.item_type {
                ItemType::Choice
                    if item.options.len() < 2 || options.len() != item.options.len() || options.contains("") =>
                {
                    bad(k, "a CHOICE item has two or more distinct, non-empty options")
                }
                ItemType::Choice => {}
                _ if !item.options.is_empty() => bad(k, "options are for CHOICE items"),
                _ => {}
            }
            if item.max_photos.is_some_and(|m| m < item.min_photos) {
                bad(k, "maxPhotos is below minPhotos");
            }
            if item.min_photos as usize > MAX_PHOTOS_PER_ANSWER
                || item.max_photos.is_some_and(|m| m as usize > MAX_PHOTOS_PER_ANSWER)
            {
                bad(k, "at most 20 photos an item");
            }
            let can_fail = matches!(item.item_type, ItemType::PassFailNa | ItemType::YesNo);
            if !can_fail
                && (item.photo_required_on_fail || item.note_required_on_fail || item.raise_issue_on_fail.is_some())
            {
                bad(k, "rules on failure are for PASS_FAIL_NA and YES_NO items");
            }
            if item.measures_progress {
                measuring += 1;
                let percent = item.min.is_some_and(|m| m >= 0.0) && item.max.is_some_and(|m| m <= 100.0);
                if item.item_type != ItemType::Number || !percent || measuring > 1 {
                    bad(k, "the one item measuring progress is a NUMBER with min 0 or more and max 100 or less");
                }
            }
            if item.item_type == ItemType::Photo && item.max_photos == Some(0) {
                bad(k, "a PHOTO item takes photos");
            }
        }
    }
    if count > MAX_ITEMS {
        bad("sections", "a template has at most 200 items");
    }
    out
}

/// Publishes a template: a new version of `key` (version 1 for a new key). Publishing what the latest
/// version already says returns it unchanged. ADMIN only.
pub async fn publish(db: &DatabaseConnection, actor: &Actor, t: NewTemplate) -> AppResult<checklist_template::Model> {
    actor.require_role(&[Role::Admin], "publish checklist templates")?;
    let name = crate::service::text::required("name", &t.name, 2, 200)?;
    if !valid_key(&t.key) {
        return Err(AppError::bad_input("key", "a key has 1 to 64 characters: a-z, 0-9, '.', '_', '-'"));
    }
    if !(0..=100).contains(&t.pass_score) {
        return Err(AppError::bad_input("passScore", "a pass score is 0 to 100"));
    }
    if t.description.chars().count() > 5000 {
        return Err(AppError::bad_input("description", "at most 5000 characters"));
    }
    let violations = template_violations(&t);
    if !violations.is_empty() {
        return Err(AppError::Violations(violations));
    }
    let body = serde_json::to_value(Body { sections: t.sections }).map_err(AppError::internal)?;
    let txn = crate::db::begin_write(db).await?;
    let latest = checklist_template::Entity::find()
        .filter(checklist_template::Column::Key.eq(&t.key))
        .order_by_desc(checklist_template::Column::Version)
        .one(&txn)
        .await?;
    if let Some(l) = &latest
        && l.body == body
        && l.name == name
        && l.description == t.description.trim()
        && l.pass_score == t.pass_score
    {
        return Ok(l.clone());
    }
    let model = checklist_template::Model {
        id: Uuid::now_v7(),
        key: t.key,
        version: latest.map_or(1, |l| l.version + 1),
        name,
        description: t.description.trim().to_owned(),
        pass_score: t.pass_score,
        body,
        published_by: actor.user_id(),
        published_at: Utc::now(),
    };
    // Two publishers racing for the same version number: the unique index lets one win.
    checklist_template::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "template.publish",
            entity_type: "checklist_template",
            entity_id: model.id.to_string(),
            changes: json!({ "key": { "after": model.key }, "version": { "after": model.version } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

fn template_query(key: Option<&str>, all_versions: bool) -> Select<checklist_template::Entity> {
    use checklist_template::Column as C;
    let mut q = checklist_template::Entity::find();
    if let Some(key) = key {
        q = q.filter(C::Key.eq(key));
    }
    if !all_versions {
        let latest = Query::select()
            .expr(Expr::col((Alias::new("t2"), C::Version)).max())
            .from_as(checklist_template::Entity, Alias::new("t2"))
            .and_where(Expr::col((Alias::new("t2"), C::Key)).equals((checklist_template::Entity, C::Key)))
            .to_owned();
        q = q.filter(Expr::col((checklist_template::Entity, C::Version)).in_subquery(latest));
    }
    q
}

/// Templates: the latest version of each key, or every version; by key, newest version first.
pub async fn templates(
    db: &DatabaseConnection,
    key: Option<&str>,
    all_versions: bool,
    page: &PageRequest,
) -> AppResult<Page<checklist_template::Model>> {
    use checklist_template::Column as C;
    let mut q = template_query(key, all_versions);
    if let Some(after) = &page.after {
        let bad = || AppError::bad_input("after", "not a cursor of this list");
        let (k, v) = after.rsplit_once('|').ok_or_else(bad)?;
        let v: i32 = v.parse().map_err(|_| bad())?;
        q = q.filter(Condition::any().add(C::Key.gt(k)).add(Condition::all().add(C::Key.eq(k)).add(C::Version.lt(v))));
    }
    let rows = q.order_by_asc(C::Key).order_by_desc(C::Version).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub async fn template_count(db: &DatabaseConnection, key: Option<&str>, all_versions: bool) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(template_query(key, all_versions).count(db).await?)
}

pub fn template_cursor(t: &checklist_template::Model) -> String {
    format!("{}|{}", t.key, t.version)
}

pub async fn template(db: &impl ConnectionTrait, id: Uuid) -> AppResult<checklist_template::Model> {
    checklist_template::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("checklist template"))
}

/// Template versions by id, for loaders.
pub async fn templates_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, checklist_template::Model>> {
    let ids: BTreeSet<Uuid> = ids.iter().copied().collect();
    Ok(checklist_template::Entity::find()
        .filter(checklist_template::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect())
}
