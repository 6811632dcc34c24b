//! Checking a submission's answers against its template version: rules, score, failures.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::checklist_template::{Body, Item, ItemType};
use entity::inspection::{Answer, InspectionResult};
use entity::issue::IssueKind;
use uuid::Uuid;

use super::*;
use crate::error::Violation;

/// An answer as sent by a phone.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnswerInput {
    pub item_key: String,
    pub value: Option<String>,
    pub note: Option<String>,
    pub photo_ids: Vec<Uuid>,
}

/// A failed item, as the checklist's rules saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub item_key: String,
    pub label: String,
    pub note: Option<String>,
    pub raise: Option<IssueKind>,
}

/// The checked answers of a submission, with its score and failures.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub answers: Vec<Answer>,
    pub score: Option<f64>,
    pub result: InspectionResult,
    pub failures: Vec<Failure>,
    /// The project's progress as measured on site (形象进度), basis points, when the template has an
    /// item measuring it and it was answered.
    pub measured_progress_bp: Option<i32>,
}

/// Whether `value` fails `item` (PASS_FAIL_NA: FAIL; YES_NO: NO).
fn fails(item: &Item, value: Option<&str>) -> bool {
    matches!((item.item_type, value), (ItemType::PassFailNa, Some("FAIL")) | (ItemType::YesNo, Some("NO")))
}

/// Checks `answers` against a template version: every violation is reported with its item's key.
pub fn evaluate(body: &Body, pass_score: i32, answers: &[AnswerInput]) -> Result<Evaluation, Vec<Violation>> {
    let mut violations = Vec::new();
    let mut bad = |key: &str, message: String| violations.push(Violation { item_key: key.to_owned(), message });
    let items: HashMap<&str, &Item> = body.items().map(|i| (i.key.as_str(), i)).collect();
    let mut given: HashMap<&str, &AnswerInput> = HashMap::new();
    for a in answers {
        if !items.contains_key(a.item_key.as_str()) {
            bad(&a.item_key, "no such item in this template version".into());
        } else if given.insert(a.item_key.as_str(), a).is_some() {
            bad(&a.item_key, "answered twice".into());
        }
    }
    let (mut scored, mut passed) = (0u64, 0u64);
    let mut failures = Vec::new();
    let mut stored = Vec::new();
    let mut measured_progress_bp = None;
    for item in body.items() {
        let k = item.key.as_str();
        let answer = given.get(k);
        let value = answer.and_then(|a| a.value.as_deref()).map(str::trim).filter(|v| !v.is_empty());
        let note = answer.and_then(|a| a.note.as_deref()).map(str::trim).filter(|v| !v.is_empty());
        let photos = answer.map_or(0, |a| a.photo_ids.len());
        if item.item_type == ItemType::Photo {
            if value.is_some() {
                bad(k, "a PHOTO item takes photos, not a value".into());
            }
            let need = if item.required { item.min_photos.max(1) } else { item.min_photos };
            if (answer.is_some() || item.required) && (photos as u32) < need {
                bad(k, format!("needs at least {need} photo(s), got {photos}"));
            }
        } else {
            match value {
                None if item.required => bad(k, "required".into()),
                None => {}
                Some(v) => {
                    if let Some(problem) = value_problem(item, v) {
                        bad(k, problem);
                    }
                    if answer.is_some() && (photos as u32) < item.min_photos {
                        bad(k, format!("needs at least {} photo(s), got {photos}", item.min_photos));
                    }
                }
            }
        }
        if let Some(max) = item.max_photos
            && photos as u32 > max
        {
            bad(k, format!("takes at most {max} photo(s), got {photos}"));
        }
        if photos > MAX_PHOTOS_PER_ANSWER {
            bad(k, format!("at most {MAX_PHOTOS_PER_ANSWER} photos an answer"));
        }
        if note.is_some_and(|n| n.chars().count() > 2000) {
            bad(k, "a note has at most 2000 characters".into());
        }
        if let Some(a) = answer
            && a.photo_ids.iter().collect::<HashSet<_>>().len() != a.photo_ids.len()
        {
            bad(k, "the same photo is listed twice".into());
        }
        let failed = fails(item, value);
        if failed {
            if item.photo_required_on_fail && photos == 0 {
                bad(k, "a failed item needs a photo".into());
            }
            if item.note_required_on_fail && note.is_none() {
                bad(k, "a failed item needs a note".into());
            }
            failures.push(Failure {
                item_key: item.key.clone(),
                label: item.label.clone(),
                note: note.map(str::to_owned),
                raise: item.raise_issue_on_fail,
            });
        }
        if matches!(item.item_type, ItemType::PassFailNa | ItemType::YesNo) && value.is_some_and(|v| v != "NA") {
            scored += u64::from(item.weight);
            if !failed {
                passed += u64::from(item.weight);
            }
        }
        if item.measures_progress
            && let Some(percent) = value.and_then(|v| v.parse::<f64>().ok()).filter(|p| (0.0..=100.0).contains(p))
        {
            // A percentage from 0 to 100 in basis points fits an i32 exactly enough.
            measured_progress_bp = Some((percent * 100.0).round() as i32);
        }
        if let Some(a) = answer {
            stored.push(Answer {
                item_key: a.item_key.clone(),
                value: value.map(str::to_owned),
                note: note.map(str::to_owned),
                photo_ids: a.photo_ids.clone(),
            });
        }
    }
    if !violations.is_empty() {
        return Err(violations);
    }
    let score = (scored > 0).then(|| (passed as f64 * 1000.0 / scored as f64).round() / 10.0);
    let result = if score.is_none_or(|s| s >= f64::from(pass_score)) {
        InspectionResult::Passed
    } else {
        InspectionResult::Failed
    };
    Ok(Evaluation { answers: stored, score, result, failures, measured_progress_bp })
}

/// Why `v` is not a valid answer to `item`, if it is not.
fn value_problem(item: &Item, v: &str) -> Option<String> {
    match item.item_type {
        ItemType::PassFailNa if !matches!(v, "PASS" | "FAIL" | "NA") => Some("answer PASS, FAIL or NA".into()),
        ItemType::YesNo if !matches!(v, "YES" | "NO") => Some("answer YES or NO".into()),
        ItemType::Number => match v.parse::<f64>() {
            Ok(n) if n.is_finite() => {
                let unit = item.unit.as_deref().unwrap_or("");
                match (item.min, item.max) {
                    (Some(min), _) if n < min => Some(format!("at least {min}{unit}")),
                    (_, Some(max)) if n > max => Some(format!("at most {max}{unit}")),
                    _ => None,
                }
            }
            _ => Some("a number".into()),
        },
        ItemType::Text if v.chars().count() > 2000 => Some("at most 2000 characters".into()),
        ItemType::Choice if !item.options.iter().any(|o| o.trim() == v) => {
            Some(format!("one of: {}", item.options.join(", ")))
        }
        ItemType::Date if v.parse::<NaiveDate>().is_err() => Some("a date, YYYY-MM-DD".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::checklist_template::Section;

    fn item(key: &str, item_type: ItemType) -> Item {
        Item {
            key: key.into(),
            label: key.into(),
            item_type,
            required: true,
            weight: 1,
            min: None,
            max: None,
            unit: None,
            options: Vec::new(),
            min_photos: 0,
            max_photos: None,
            photo_required_on_fail: false,
            note_required_on_fail: false,
            raise_issue_on_fail: None,
            measures_progress: false,
        }
    }

    fn answer(key: &str, value: &str) -> AnswerInput {
        AnswerInput { item_key: key.into(), value: Some(value.into()), note: None, photo_ids: Vec::new() }
    }

    #[test]
    fn every_violation_is_reported_with_its_item() {
        let mut pm10 = item("pm10", ItemType::Number);
        pm10.max = Some(150.0);
        let mut cover = item("cover", ItemType::PassFailNa);
        cover.note_required_on_fail = true;
        let body = Body {
            sections: vec![Section { title: "扬尘".into(), items: vec![pm10, cover, item("date", ItemType::Date)] }],
        };
        let errors = evaluate(&body, 80, &[answer("pm10", "200"), answer("cover", "FAIL"), answer("ghost", "x")])
            .err()
            .unwrap_or_default();
        let keys: Vec<&str> = errors.iter().map(|v| v.item_key.as_str()).collect();
        assert_eq!(keys, ["ghost", "pm10", "cover", "date"], "{errors:?}");
    }

    #[test]
    fn the_score_is_weighted_and_na_is_left_out() -> Result<(), Vec<Violation>> {
        let mut heavy = item("heavy", ItemType::PassFailNa);
        heavy.weight = 3;
        let body = Body {
            sections: vec![Section {
                title: "s".into(),
                items: vec![heavy, item("light", ItemType::YesNo), item("na", ItemType::PassFailNa)],
            }],
        };
        let e = evaluate(&body, 80, &[answer("heavy", "PASS"), answer("light", "NO"), answer("na", "NA")])?;
        assert_eq!(e.score, Some(75.0));
        assert_eq!(e.result, InspectionResult::Failed);
        assert_eq!(e.failures.len(), 1);
        let e = evaluate(&body, 75, &[answer("heavy", "PASS"), answer("light", "NO"), answer("na", "NA")])?;
        assert_eq!(e.result, InspectionResult::Passed);
        Ok(())
    }
}
