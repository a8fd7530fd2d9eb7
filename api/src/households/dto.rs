use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules;
use crate::http::Validate;

/// Tags that put a household in a key group (重点人群), visited at least three times a quarter.
pub const KEY_GROUP_TAGS: [&str; 3] = ["elderly_alone", "disabled", "hardship"];

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000700", "grid_id": "0193a1b2-0000-7000-8000-000000000500", "grid_name": "斜桥巷第1网格", "building": "3幢", "unit": "2单元", "room": "301", "address": "3幢2单元301", "residents": 2, "head_name": "王*英", "head_phone": "138****5678", "masked": true, "tags": ["elderly_alone"], "key_group": true, "last_visited_on": "2026-11-12", "version": 1, "created_at": "2026-11-23T03:00:00Z", "updated_at": "2026-11-23T03:00:00Z"}))]
pub struct HouseholdView {
    pub id: String,
    pub grid_id: String,
    pub grid_name: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    /// building + unit + room, for display.
    pub address: String,
    pub residents: i32,
    /// Masked (`王*英`) except in an unmasked read and in the lists of the grid's own workers.
    pub head_name: String,
    /// Masked (`138****5678`) in every list; in clear only in an unmasked read
    /// (`GET /households/{id}?unmask=true`).
    pub head_phone: Option<String>,
    /// Whether anything in this answer is masked (the phone always is in lists).
    pub masked: bool,
    pub tags: Vec<String>,
    /// Elderly living alone, disabled or hardship family.
    pub key_group: bool,
    pub last_visited_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn check_tags(e: &mut Vec<FieldError>, tags: &[String]) {
    if tags.len() > 10 {
        e.push(FieldError {
            field: "tags".into(),
            code: "too_many".into(),
            message: "at most 10 tags".into(),
        });
    }
    for t in tags {
        let ok = !t.is_empty()
            && t.len() <= 32
            && t.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            e.push(FieldError {
                field: "tags".into(),
                code: "invalid_format".into(),
                message: format!("tag {t:?} must be snake_case, at most 32 characters"),
            });
        }
    }
}

fn check_phone(e: &mut Vec<FieldError>, phone: Option<&str>) {
    if let Some(p) = phone {
        let digits = p.chars().filter(|c| c.is_ascii_digit()).count();
        if !(5..=20).contains(&digits)
            || !p
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ')
        {
            e.push(FieldError {
                field: "head_phone".into(),
                code: "invalid_format".into(),
                message: "head_phone must be a phone number".into(),
            });
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grid_id": "0193a1b2-0000-7000-8000-000000000500", "building": "3幢", "unit": "2单元", "room": "301", "residents": 2, "head_name": "王秀英", "head_phone": "13812345678", "tags": ["elderly_alone"]}))]
pub struct CreateHousehold {
    pub grid_id: String,
    pub building: String,
    #[serde(default)]
    pub unit: String,
    pub room: String,
    #[serde(default = "one")]
    pub residents: i32,
    pub head_name: String,
    pub head_phone: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

fn one() -> i32 {
    1
}

impl Validate for CreateHousehold {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "grid_id", &self.grid_id, 64);
        rules::text(&mut e, "building", &self.building, 32);
        if self.unit.chars().count() > 32 {
            e.push(FieldError {
                field: "unit".into(),
                code: "too_long".into(),
                message: "unit must be at most 32 characters".into(),
            });
        }
        rules::text(&mut e, "room", &self.room, 32);
        rules::text(&mut e, "head_name", &self.head_name, 50);
        if !(0..=50).contains(&self.residents) {
            e.push(FieldError {
                field: "residents".into(),
                code: "out_of_range".into(),
                message: "residents must be 0 to 50".into(),
            });
        }
        check_phone(&mut e, self.head_phone.as_deref());
        check_tags(&mut e, &self.tags);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateHousehold {
    pub residents: Option<i32>,
    pub head_name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub head_phone: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub version: Option<i32>,
}

impl Validate for UpdateHousehold {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "head_name", self.head_name.as_deref(), 50);
        if self.residents.is_some_and(|r| !(0..=50).contains(&r)) {
            e.push(FieldError {
                field: "residents".into(),
                code: "out_of_range".into(),
                message: "residents must be 0 to 50".into(),
            });
        }
        check_phone(&mut e, self.head_phone.as_ref().and_then(|p| p.as_deref()));
        if let Some(t) = &self.tags {
            check_tags(&mut e, t);
        }
        rules::finish(e)
    }
}

crate::text_enum! {
    pub enum VisitKind {
        Routine = "routine",
        KeyGroup = "key_group",
        FollowUp = "follow_up",
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"household_id": "0193a1b2-0000-7000-8000-000000000700", "kind": "routine", "concern_found": false}))]
pub struct CreateVisit {
    pub household_id: String,
    /// Defaults to today; never in the future.
    pub visited_on: Option<NaiveDate>,
    #[serde(default = "routine")]
    pub kind: VisitKind,
    pub notes: Option<String>,
    #[serde(default)]
    pub concern_found: bool,
}

fn routine() -> VisitKind {
    VisitKind::Routine
}

impl Validate for CreateVisit {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "household_id", &self.household_id, 64);
        if self
            .notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > 2000)
        {
            e.push(FieldError {
                field: "notes".into(),
                code: "too_long".into(),
                message: "notes must be at most 2000 characters".into(),
            });
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitView {
    pub id: String,
    pub household_id: String,
    pub grid_id: String,
    pub worker_id: Option<String>,
    pub worker_name: String,
    pub visited_on: NaiveDate,
    pub kind: VisitKind,
    pub notes: Option<String>,
    pub concern_found: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
