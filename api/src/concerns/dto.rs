//! API types of resident concerns.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules::{self, field};
use crate::http::Validate;

crate::text_enum! {
    /// What the concern is about; each street routes a category to one department or unit.
    pub enum ConcernCategory {
        /// 社情民意: opinions and suggestions
        Opinion = "opinion",
        /// 矛盾纠纷: disputes between neighbours, families, tenants
        Dispute = "dispute",
        /// 安全隐患: fire, gas, falling objects, electric bikes charged indoors
        Safety = "safety",
        /// 市场秩序: shops, street vendors, prices
        Market = "market",
        /// 环境卫生: rubbish, noise, greenery
        Environment = "environment",
        /// 设施维修: lifts, roads, lights, pipes
        Facility = "facility",
        /// 其他
        Other = "other",
    }
}

impl ConcernCategory {
    pub fn label(self) -> &'static str {
        match self {
            ConcernCategory::Opinion => "社情民意",
            ConcernCategory::Dispute => "矛盾纠纷",
            ConcernCategory::Safety => "安全隐患",
            ConcernCategory::Market => "市场秩序",
            ConcernCategory::Environment => "环境卫生",
            ConcernCategory::Facility => "设施维修",
            ConcernCategory::Other => "其他",
        }
    }

    /// Where a street that has not set its own routes sends a category, and the hours allowed
    /// to accept and to resolve it.
    pub fn default_route(self) -> (&'static str, i32, i32) {
        match self {
            ConcernCategory::Opinion => ("社区居委会", 24, 168),
            ConcernCategory::Dispute => ("人民调解委员会", 12, 72),
            ConcernCategory::Safety => ("街道安全生产办公室", 2, 24),
            ConcernCategory::Market => ("市场监督管理所", 24, 120),
            ConcernCategory::Environment => ("城管中队", 12, 72),
            ConcernCategory::Facility => ("物业服务中心", 24, 72),
            ConcernCategory::Other => ("社区居委会", 24, 168),
        }
    }
}

crate::text_enum! {
    pub enum Urgency {
        Normal = "normal",
        /// Halves both windows.
        Urgent = "urgent",
    }
}

crate::text_enum! {
    pub enum ConcernStatus {
        /// Routed to a handler, waiting to be accepted.
        Reported = "reported",
        Accepted = "accepted",
        InProgress = "in_progress",
        /// The handler says it is solved; waiting for the reporter's feedback.
        Resolved = "resolved",
        /// The reporter was satisfied.
        Closed = "closed",
        /// The reporter was not satisfied: back to the handler.
        Reopened = "reopened",
        /// Withdrawn by the reporter before work started.
        Withdrawn = "withdrawn",
    }
}

crate::text_enum! {
    pub enum HandlerType {
        /// A department of the street or community (派出所, 城管, 司法所 …), acted for by the community's staff.
        Department = "department",
        /// A co-building unit, acted for by its contacts.
        Unit = "unit",
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "safety", "urgency": "urgent", "title": "楼道堆放电动车充电", "description": "3号楼2单元楼道里有电动车整夜充电", "household_id": null, "grid_id": "0193a1b2-0000-7000-8000-000000000101", "lng": 119.9701, "lat": 31.8103, "address": "斜桥巷3号楼2单元"}))]
pub struct CreateConcern {
    pub category: ConcernCategory,
    pub urgency: Option<Urgency>,
    pub title: String,
    pub description: String,
    /// Where: a household, a grid, a point (WGS-84), or a community with an address.
    pub household_id: Option<String>,
    pub grid_id: Option<String>,
    pub community_id: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub address: Option<String>,
    /// The household visit the grid worker heard it on.
    pub visit_id: Option<String>,
    pub contact_phone: Option<String>,
}

impl Validate for CreateConcern {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "title", &self.title, 60);
        rules::text(&mut e, "description", &self.description, 2000);
        rules::opt_text(&mut e, "address", self.address.as_deref(), 200);
        rules::phone(&mut e, "contact_phone", self.contact_phone.as_deref());
        match (self.lng, self.lat) {
            (Some(lng), Some(lat)) => {
                if !(lng.is_finite() && (-180.0..=180.0).contains(&lng)) {
                    field(&mut e, "lng", "out_of_range", "lng is within ±180");
                }
                if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
                    field(&mut e, "lat", "out_of_range", "lat is within ±90");
                }
            }
            (None, None) => {}
            _ => field(
                &mut e,
                "lat",
                "required",
                "give both lng and lat, or neither",
            ),
        }
        if self.household_id.is_none()
            && self.grid_id.is_none()
            && self.community_id.is_none()
            && self.lng.is_none()
        {
            field(
                &mut e,
                "household_id",
                "required",
                "say where: a household, a grid, a point or a community",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConcernEventView {
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    /// report, route, accept, start, resolve, close, reopen, withdraw, warn, escalate
    #[schema(example = "accept")]
    pub action: String,
    pub from_status: Option<ConcernStatus>,
    pub to_status: ConcernStatus,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConcernPhotoView {
    pub id: String,
    pub content_type: String,
    pub size: i32,
    /// Download with the access token.
    #[schema(
        example = "/api/v1/concerns/0193a1b2-0000-7000-8000-000000006001/photos/0193a1b2-0000-7000-8000-000000006101"
    )]
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConcernLink {
    pub id: String,
    pub title: String,
    pub status: ConcernStatus,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000006001", "community_id": "0193a1b2-0000-7000-8000-000000000010", "community_name": "斜桥巷社区", "grid_id": "0193a1b2-0000-7000-8000-000000000101", "grid_name": "斜桥巷第一网格", "household_id": null, "visit_id": null, "lng": 119.9701, "lat": 31.8103, "address": "斜桥巷3号楼2单元", "category": "safety", "category_label": "安全隐患", "urgency": "urgent", "title": "楼道堆放电动车充电", "description": "3号楼2单元楼道里有电动车整夜充电", "reporter_name": "张海燕", "contact_phone": null, "channel": "grid_worker", "status": "accepted", "handler_type": "department", "handler_id": null, "handler_name": "街道安全生产办公室", "accept_due_at": "2026-11-23T03:00:00Z", "resolve_due_at": "2026-11-23T14:00:00Z", "accepted_at": "2026-11-23T02:10:00Z", "resolved_at": null, "closed_at": null, "resolution": null, "accept_overdue": false, "resolve_overdue": false, "due_soon": false, "reopen_count": 0, "escalated": false, "escalated_at": null, "repeat_of_id": null, "repeats": [], "photos": [], "media_urls": [], "actions": ["start", "resolve", "route"], "mine": false, "can_add_photo": true, "events": [], "version": 2, "created_at": "2026-11-23T02:00:00Z", "updated_at": "2026-11-23T02:10:00Z"}))]
pub struct ConcernView {
    pub id: String,
    pub community_id: String,
    pub community_name: String,
    pub grid_id: Option<String>,
    pub grid_name: Option<String>,
    pub household_id: Option<String>,
    pub visit_id: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub address: Option<String>,
    pub category: ConcernCategory,
    pub category_label: String,
    pub urgency: Urgency,
    pub title: String,
    pub description: String,
    /// Masked for readers other than the reporter, the handler and staff.
    pub reporter_name: String,
    /// Masked (`139****0000`) in lists and reads; in clear only in an unmasked read
    /// (`GET /concerns/{id}?unmask=true`).
    pub contact_phone: Option<String>,
    /// Who reported it and how: grid_worker (visit_id set when heard on a visit), resident, staff, open311
    pub channel: String,
    pub status: ConcernStatus,
    pub handler_type: HandlerType,
    pub handler_id: Option<String>,
    pub handler_name: String,
    pub accept_due_at: DateTime<Utc>,
    pub resolve_due_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub accept_overdue: bool,
    pub resolve_overdue: bool,
    /// Four fifths of the window have passed and it is not resolved.
    pub due_soon: bool,
    pub reopen_count: i32,
    /// Escalated to the street (督办): overdue, or reopened three times.
    pub escalated: bool,
    pub escalated_at: Option<DateTime<Utc>>,
    /// The first concern of the same category at the same place (repeats are linked to it).
    pub repeat_of_id: Option<String>,
    /// The other concerns linked with this one (detail only).
    pub repeats: Vec<ConcernLink>,
    pub photos: Vec<ConcernPhotoView>,
    /// Pictures filed by link (Open311 `media_url`).
    pub media_urls: Vec<String>,
    /// What the caller may do now.
    pub actions: Vec<String>,
    /// The caller reported it.
    pub mine: bool,
    /// The caller may add photos (the reporter, the handler, the grid's workers, staff).
    pub can_add_photo: bool,
    /// The timeline (detail only).
    pub events: Vec<ConcernEventView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "已安排人员上门"}))]
pub struct ConcernNote {
    pub note: Option<String>,
}

impl Validate for ConcernNote {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "note", self.note.as_deref(), 500);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"resolution": "已清理楼道，张贴禁止充电告示，物业每晚巡查"}))]
pub struct ResolveConcern {
    pub resolution: String,
}

impl Validate for ResolveConcern {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "resolution", &self.resolution, 1000);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"satisfied": false, "comment": "晚上还是有人充电"}))]
pub struct ConcernFeedback {
    /// Satisfied closes the concern; not satisfied reopens it.
    pub satisfied: bool,
    pub comment: Option<String>,
}

impl Validate for ConcernFeedback {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "comment", self.comment.as_deref(), 500);
        if !self.satisfied && self.comment.as_deref().is_none_or(|c| c.trim().is_empty()) {
            field(&mut e, "comment", "required", "say what is still wrong");
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"handler_type": "unit", "handler_id": "0193a1b2-0000-7000-8000-000000000f01", "note": "转共建单位处理"}))]
pub struct RouteConcern {
    pub handler_type: HandlerType,
    /// The unit, for a unit handler.
    pub handler_id: Option<String>,
    /// The department's name, for a department handler.
    pub handler_name: Option<String>,
    pub accept_within_hours: Option<i32>,
    pub resolve_within_hours: Option<i32>,
    pub note: Option<String>,
}

impl Validate for RouteConcern {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        match self.handler_type {
            HandlerType::Unit if self.handler_id.is_none() => {
                field(&mut e, "handler_id", "required", "name the unit")
            }
            HandlerType::Department
                if self
                    .handler_name
                    .as_deref()
                    .is_none_or(|n| n.trim().is_empty()) =>
            {
                field(&mut e, "handler_name", "required", "name the department")
            }
            _ => {}
        }
        rules::opt_text(&mut e, "handler_name", self.handler_name.as_deref(), 60);
        hours(&mut e, "accept_within_hours", self.accept_within_hours);
        hours(&mut e, "resolve_within_hours", self.resolve_within_hours);
        rules::opt_text(&mut e, "note", self.note.as_deref(), 500);
        rules::finish(e)
    }
}

fn hours(e: &mut Vec<FieldError>, name: &str, v: Option<i32>) {
    if let Some(h) = v {
        if !(1..=24 * 90).contains(&h) {
            field(e, name, "out_of_range", "between 1 hour and 90 days");
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "market", "handler_type": "department", "handler_id": null, "handler_name": "新丰街市场监督管理所", "accept_hours": 12, "resolve_hours": 96}))]
pub struct ConcernRoute {
    pub category: ConcernCategory,
    pub handler_type: HandlerType,
    pub handler_id: Option<String>,
    pub handler_name: String,
    pub accept_hours: i32,
    pub resolve_hours: i32,
}

impl Validate for ConcernRoute {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "handler_name", &self.handler_name, 60);
        if self.handler_type == HandlerType::Unit && self.handler_id.is_none() {
            field(&mut e, "handler_id", "required", "name the unit");
        }
        hours(&mut e, "accept_hours", Some(self.accept_hours));
        hours(&mut e, "resolve_hours", Some(self.resolve_hours));
        if self.resolve_hours < self.accept_hours {
            field(
                &mut e,
                "resolve_hours",
                "out_of_range",
                "resolution cannot be due before acceptance",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConcernRoutes {
    pub street_id: String,
    pub street_name: String,
    /// Every category: the street's own route, or the default (`custom: false`).
    pub routes: Vec<RouteView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteView {
    #[serde(flatten)]
    pub route: ConcernRoute,
    pub category_label: String,
    pub custom: bool,
}

/// The 12345 hot-line measures over concerns reported in a period.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
#[schema(example = json!({"reported": 120, "by_status": {"closed": 80, "resolved": 10, "in_progress": 12, "reported": 8, "accepted": 5, "reopened": 3, "withdrawn": 2}, "by_category": {"safety": 20}, "acceptance_due": 110, "accepted_on_time": 101, "on_time_acceptance_rate": 0.9182, "resolution_due": 100, "resolved_on_time": 86, "on_time_resolution_rate": 0.86, "feedback": 95, "satisfied": 85, "satisfaction_rate": 0.8947, "resolved": 93, "reopened": 9, "reopen_rate": 0.0968, "escalated": 6, "repeats": 4}))]
pub struct ConcernMetrics {
    pub reported: i64,
    pub by_status: std::collections::BTreeMap<String, i64>,
    pub by_category: std::collections::BTreeMap<String, i64>,
    /// Concerns accepted, or whose acceptance is overdue.
    pub acceptance_due: i64,
    pub accepted_on_time: i64,
    pub on_time_acceptance_rate: Option<f64>,
    /// Concerns resolved, or whose resolution is overdue.
    pub resolution_due: i64,
    pub resolved_on_time: i64,
    pub on_time_resolution_rate: Option<f64>,
    /// Feedback given (each reopen and the closing one count).
    pub feedback: i64,
    pub satisfied: i64,
    pub satisfaction_rate: Option<f64>,
    /// Concerns resolved at least once.
    pub resolved: i64,
    /// Of those, reopened at least once.
    pub reopened: i64,
    pub reopen_rate: Option<f64>,
    pub escalated: i64,
    /// Concerns linked to an earlier one at the same place.
    pub repeats: i64,
}
