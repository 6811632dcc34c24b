//! A checklist template version (检查表): sections of items, each with its type, rules and evidence
//! needs. Publishing a change makes a new version; a version never changes once published.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::issue::IssueKind;

/// What an item asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemType {
    /// PASS, FAIL or NA (not applicable); FAIL fails the item.
    PassFailNa,
    /// YES or NO; NO fails the item.
    YesNo,
    /// A number, within the item's min and max when set.
    Number,
    /// Free text.
    Text,
    /// One of the item's options.
    Choice,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// Photos only: the evidence is the answer.
    Photo,
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, async_graphql::SimpleObject)]
#[graphql(name = "ChecklistItem")]
pub struct Item {
    /// Stable within the template across versions, e.g. `dust.cover`.
    pub key: String,
    /// What the inspector is asked.
    pub label: String,
    /// What kind of answer it takes.
    #[serde(rename = "type")]
    #[graphql(name = "type")]
    pub item_type: ItemType,
    /// Whether it must be answered.
    pub required: bool,
    /// Weight in the score (PASS_FAIL_NA and YES_NO items only).
    pub weight: u32,
    /// Smallest valid NUMBER.
    pub min: Option<f64>,
    /// Largest valid NUMBER.
    pub max: Option<f64>,
    /// Unit of a NUMBER, e.g. `μg/m³`.
    pub unit: Option<String>,
    /// The options of a CHOICE.
    pub options: Vec<String>,
    /// Photos an answer needs at least.
    pub min_photos: u32,
    /// Photos an answer takes at most.
    pub max_photos: Option<u32>,
    /// A failed answer needs a photo.
    pub photo_required_on_fail: bool,
    /// A failed answer needs a note.
    pub note_required_on_fail: bool,
    /// Raise an issue of this kind when the item fails.
    pub raise_issue_on_fail: Option<IssueKind>,
    /// The answer is the project's measured progress (形象进度), in percent: a NUMBER from 0 to 100
    /// that reported progress is checked against.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub measures_progress: bool,
}

/// A titled group of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, async_graphql::SimpleObject)]
#[graphql(name = "ChecklistSection")]
pub struct Section {
    /// Heading.
    pub title: String,
    /// The items, in order.
    pub items: Vec<Item>,
}

/// Everything a version holds besides its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Body {
    pub sections: Vec<Section>,
}

impl Body {
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "checklist_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable across versions, e.g. `progress`.
    pub key: String,
    pub version: i32,
    pub name: String,
    pub description: String,
    /// The score (0–100) at or above which an inspection passes.
    pub pass_score: i32,
    /// A [`Body`], as JSON.
    pub body: Json,
    pub published_by: Option<Uuid>,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
