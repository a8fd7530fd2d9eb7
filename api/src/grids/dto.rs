use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules;
use crate::http::Validate;

crate::text_enum! {
    /// 一格三员: the three roles every grid has.
    pub enum GridRole {
        /// 居民服务员
        ServiceWorker = "service_worker",
        /// 民情收集员
        OpinionCollector = "opinion_collector",
        /// 党建指导员
        PartyInstructor = "party_instructor",
    }
}

/// The coordinate system of submitted coordinates. Stored boundaries are always WGS-84.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CoordinateSystem {
    /// WGS-84 (GPS, RFC 7946): the default.
    #[default]
    Wgs84,
    /// GCJ-02, as published by Chinese map services (AMap, Tencent); converted to WGS-84.
    Gcj02,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GridRoleView {
    pub id: String,
    pub role: GridRole,
    /// The staff account or member holding the role, when they have an account.
    pub user_id: Option<String>,
    pub person_name: String,
    pub started_on: NaiveDate,
    /// Set when the role passed to someone else or was vacated.
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000500", "community_id": "0193a1b2-0000-7000-8000-000000000010", "community_name": "斜桥巷社区", "branch_id": null, "name": "斜桥巷第1网格", "code": "XQX-G01", "household_count": 0, "overdue_households": 0, "boundary": {"type": "Polygon", "coordinates": [[[119.97, 31.79], [119.98, 31.79], [119.98, 31.8], [119.97, 31.8], [119.97, 31.79]]]}, "roles": [], "vacant_roles": ["service_worker", "opinion_collector", "party_instructor"], "version": 1, "created_at": "2026-11-23T03:00:00Z", "updated_at": "2026-11-23T03:00:00Z"}))]
pub struct GridView {
    pub id: String,
    pub community_id: String,
    pub community_name: String,
    /// The branch whose responsibility area (党建责任区) this grid is.
    pub branch_id: Option<String>,
    pub name: String,
    pub code: Option<String>,
    pub household_count: i32,
    /// Households not visited in the last 30 days (or never): the overdue ones to go to.
    pub overdue_households: i64,
    /// GeoJSON Polygon or MultiPolygon, WGS-84.
    #[schema(value_type = Option<Object>)]
    pub boundary: Option<Value>,
    /// Current holders of the grid roles.
    pub roles: Vec<GridRoleView>,
    /// Roles nobody holds now: a grid with any is flagged.
    pub vacant_roles: Vec<GridRole>,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"community_id": "0193a1b2-0000-7000-8000-000000000010", "name": "斜桥巷第1网格", "code": "XQX-G01", "boundary": {"type": "Polygon", "coordinates": [[[119.97, 31.79], [119.98, 31.79], [119.98, 31.8], [119.97, 31.8], [119.97, 31.79]]]}}))]
pub struct CreateGrid {
    pub community_id: String,
    pub name: String,
    pub code: Option<String>,
    pub branch_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub boundary: Option<Value>,
    /// The system of `boundary`'s coordinates; GCJ-02 is converted to WGS-84.
    #[serde(default)]
    pub coordinate_system: CoordinateSystem,
}

impl Validate for CreateGrid {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "community_id", &self.community_id, 64);
        rules::text(&mut e, "name", &self.name, 64);
        rules::opt_text(&mut e, "code", self.code.as_deref(), 32);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGrid {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub code: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub branch_id: Option<Option<String>>,
    /// `null` removes the boundary.
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<Object>, nullable)]
    pub boundary: Option<Option<Value>>,
    #[serde(default)]
    pub coordinate_system: CoordinateSystem,
    pub version: Option<i32>,
}

impl Validate for UpdateGrid {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "name", self.name.as_deref(), 64);
        rules::opt_text(
            &mut e,
            "code",
            self.code.as_ref().and_then(|c| c.as_deref()),
            32,
        );
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "service_worker", "person_name": "王秀英", "started_on": "2026-11-01"}))]
pub struct AssignGridRole {
    pub role: GridRole,
    /// The account of the person, if they have one (its display name is used unless `person_name` is given).
    pub user_id: Option<String>,
    pub person_name: Option<String>,
    /// Defaults to today; the previous holder's term ends the day before.
    pub started_on: Option<NaiveDate>,
}

impl Validate for AssignGridRole {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "person_name", self.person_name.as_deref(), 50);
        if self.user_id.is_none() && self.person_name.is_none() {
            e.push(FieldError {
                field: "person_name".into(),
                code: "required".into(),
                message: "give a user_id or a person_name".into(),
            });
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VacateGridRole {
    pub role: GridRole,
    /// Defaults to today.
    pub ended_on: Option<NaiveDate>,
}

impl Validate for VacateGridRole {}
