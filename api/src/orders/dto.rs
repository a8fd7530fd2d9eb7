//! API types of orders.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules::{self, field};
use crate::http::Validate;

crate::text_enum! {
    /// Who serves: a co-building unit, a volunteer team or one volunteer.
    pub enum ProviderType {
        Unit = "unit",
        Team = "team",
        Volunteer = "volunteer",
    }
}

crate::text_enum! {
    pub enum MenuStatus {
        Active = "active",
        Withdrawn = "withdrawn",
    }
}

crate::text_enum! {
    /// 点单 → 派单 → 接单 → 完成 → 评单.
    pub enum OrderStatus {
        /// Ordered by a resident, waiting to be dispatched (again, after a decline).
        Ordered = "ordered",
        /// Dispatched to a provider, waiting for them to accept.
        Dispatched = "dispatched",
        Accepted = "accepted",
        /// Done, with evidence; waiting for the resident's rating.
        Completed = "completed",
        Rated = "rated",
        Cancelled = "cancelled",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000003001", "community_id": "0193a1b2-0000-7000-8000-000000000010", "community_name": "斜桥巷社区", "provider_type": "unit", "provider_id": "0193a1b2-0000-7000-8000-000000000f01", "provider_name": "常州市第一人民医院", "category_id": null, "title": "上门测血压", "description": "每周二上午，行动不便的老人可预约上门", "place": null, "schedule": "每周二 9:00–11:00", "monthly_capacity": 20, "status": "active", "can_manage": false, "version": 1, "created_at": "2026-03-01T02:00:00Z", "updated_at": "2026-03-01T02:00:00Z"}))]
pub struct MenuItemView {
    pub id: String,
    pub community_id: String,
    pub community_name: String,
    pub provider_type: ProviderType,
    pub provider_id: String,
    pub provider_name: String,
    pub category_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub place: Option<String>,
    pub schedule: Option<String>,
    pub monthly_capacity: Option<i32>,
    pub status: MenuStatus,
    pub can_manage: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"community_id": "0193a1b2-0000-7000-8000-000000000010", "provider_type": "unit", "provider_id": "0193a1b2-0000-7000-8000-000000000f01", "title": "上门测血压", "schedule": "每周二 9:00–11:00", "monthly_capacity": 20}))]
pub struct CreateMenuItem {
    /// The community whose residents may order it.
    pub community_id: String,
    pub provider_type: ProviderType,
    pub provider_id: String,
    pub category_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub place: Option<String>,
    /// When it is offered, in words (每周二上午).
    pub schedule: Option<String>,
    pub monthly_capacity: Option<i32>,
}

impl Validate for CreateMenuItem {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "community_id", &self.community_id, 64);
        rules::text(&mut e, "provider_id", &self.provider_id, 64);
        rules::text(&mut e, "title", &self.title, 100);
        rules::opt_text(&mut e, "description", self.description.as_deref(), 2000);
        rules::opt_text(&mut e, "place", self.place.as_deref(), 100);
        rules::opt_text(&mut e, "schedule", self.schedule.as_deref(), 100);
        if self
            .monthly_capacity
            .is_some_and(|c| !(1..=100_000).contains(&c))
        {
            field(
                &mut e,
                "monthly_capacity",
                "out_of_range",
                "capacity is 1 to 100,000 a month",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "withdrawn", "version": 1}))]
pub struct UpdateMenuItem {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub schedule: Option<Option<String>>,
    pub status: Option<MenuStatus>,
    pub version: Option<i32>,
}

impl Validate for UpdateMenuItem {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "title", self.title.as_deref(), 100);
        rules::opt_text(
            &mut e,
            "description",
            self.description.as_ref().and_then(|d| d.as_deref()),
            2000,
        );
        rules::opt_text(
            &mut e,
            "schedule",
            self.schedule.as_ref().and_then(|d| d.as_deref()),
            100,
        );
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderEventView {
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    /// `order`, `dispatch`, `accept`, `decline`, `complete`, `rate`, `cancel`.
    pub action: String,
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000004001", "community_id": "0193a1b2-0000-7000-8000-000000000010", "community_name": "斜桥巷社区", "resident_name": "李*英", "contact_phone": "139****0000", "address": null, "menu_item_id": "0193a1b2-0000-7000-8000-000000003001", "title": "上门测血压", "description": "母亲行动不便", "status": "dispatched", "provider_type": "unit", "provider_id": "0193a1b2-0000-7000-8000-000000000f01", "provider_name": "常州市第一人民医院", "dispatched_at": "2026-11-23T02:00:00Z", "accept_due_at": "2026-11-24T02:00:00Z", "accepted_at": null, "complete_due_at": null, "completed_at": null, "minutes": null, "evidence": [], "rating": null, "comment": null, "accept_overdue": false, "complete_overdue": false, "actions": ["accept", "decline"], "events": [], "version": 2, "created_at": "2026-11-23T01:00:00Z", "updated_at": "2026-11-23T02:00:00Z"}))]
pub struct OrderView {
    pub id: String,
    pub community_id: String,
    pub community_name: String,
    /// Masked except for the resident themself and the community's staff.
    pub resident_name: String,
    /// Masked (`139****0000`) in lists and reads; in clear only in an unmasked read
    /// (`GET /service-orders/{id}?unmask=true`).
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub menu_item_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub status: OrderStatus,
    pub provider_type: Option<ProviderType>,
    pub provider_id: Option<String>,
    pub provider_name: Option<String>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub accept_due_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub complete_due_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Minutes of service recorded at completion.
    pub minutes: Option<i32>,
    /// Photos or notes proving the service (file references or URLs).
    pub evidence: Vec<String>,
    pub rating: Option<i32>,
    pub comment: Option<String>,
    /// Dispatched and not accepted by its due time.
    pub accept_overdue: bool,
    /// Accepted and not done by its due time.
    pub complete_overdue: bool,
    /// What the caller may do next.
    pub actions: Vec<String>,
    /// The timeline (on a single order; empty in lists).
    pub events: Vec<OrderEventView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"menu_item_id": "0193a1b2-0000-7000-8000-000000003001", "description": "母亲行动不便，请上门", "contact_phone": "13905190000", "address": "斜桥巷12号3单元"}))]
pub struct CreateOrder {
    /// Order from the menu …
    pub menu_item_id: Option<String>,
    /// … or ask for something not on it, in a community.
    pub community_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
}

impl Validate for CreateOrder {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if self.menu_item_id.is_none() {
            rules::text(
                &mut e,
                "community_id",
                self.community_id.as_deref().unwrap_or(""),
                64,
            );
            rules::text(&mut e, "title", self.title.as_deref().unwrap_or(""), 100);
        } else {
            rules::opt_text(&mut e, "title", self.title.as_deref(), 100);
        }
        rules::opt_text(&mut e, "description", self.description.as_deref(), 2000);
        rules::opt_text(&mut e, "address", self.address.as_deref(), 200);
        rules::phone(&mut e, "contact_phone", self.contact_phone.as_deref());
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"provider_type": "unit", "provider_id": "0193a1b2-0000-7000-8000-000000000f01", "accept_within_hours": 24, "complete_within_hours": 72}))]
pub struct DispatchOrder {
    pub provider_type: ProviderType,
    pub provider_id: String,
    /// Hours the provider has to accept (default 24).
    pub accept_within_hours: Option<i64>,
    /// Hours from acceptance to done (default 72).
    pub complete_within_hours: Option<i64>,
    pub note: Option<String>,
}

impl Validate for DispatchOrder {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "provider_id", &self.provider_id, 64);
        if self
            .accept_within_hours
            .is_some_and(|h| !(1..=720).contains(&h))
        {
            field(
                &mut e,
                "accept_within_hours",
                "out_of_range",
                "1 to 720 hours",
            );
        }
        if self
            .complete_within_hours
            .is_some_and(|h| !(1..=2160).contains(&h))
        {
            field(
                &mut e,
                "complete_within_hours",
                "out_of_range",
                "1 to 2,160 hours",
            );
        }
        rules::opt_text(&mut e, "note", self.note.as_deref(), 200);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "周二上午上门"}))]
pub struct OrderNote {
    pub note: Option<String>,
}

impl Validate for OrderNote {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "note", self.note.as_deref(), 200);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "本周医护人员已排满"}))]
pub struct DeclineOrder {
    pub reason: String,
}

impl Validate for DeclineOrder {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "reason", &self.reason, 200);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"evidence": ["/files/0193a1b2-photo-1.jpg"], "minutes": 60, "note": "已上门测量，血压正常"}))]
pub struct CompleteOrder {
    /// At least one photo reference or note proving the service.
    pub evidence: Vec<String>,
    /// Minutes of service; for a volunteer or a team these go into the service-hours ledger.
    pub minutes: Option<i32>,
    /// For a team: the members who served (each credited `minutes`).
    #[serde(default)]
    pub volunteer_ids: Vec<String>,
    pub note: Option<String>,
}

impl Validate for CompleteOrder {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if self.evidence.is_empty() || self.evidence.len() > 9 {
            field(
                &mut e,
                "evidence",
                "out_of_range",
                "one to nine pieces of evidence",
            );
        }
        for (i, x) in self.evidence.iter().enumerate() {
            rules::text(&mut e, &format!("evidence[{i}]"), x, 500);
        }
        if self.minutes.is_some_and(|m| !(1..=720).contains(&m)) {
            field(&mut e, "minutes", "out_of_range", "minutes are 1 to 720");
        }
        if self.volunteer_ids.len() > 50 {
            field(&mut e, "volunteer_ids", "too_many", "at most 50 volunteers");
        }
        rules::opt_text(&mut e, "note", self.note.as_deref(), 200);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rating": 5, "comment": "医生很耐心"}))]
pub struct RateOrder {
    /// 1 to 5 stars.
    pub rating: i32,
    pub comment: Option<String>,
}

impl Validate for RateOrder {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if !(1..=5).contains(&self.rating) {
            field(&mut e, "rating", "out_of_range", "1 to 5 stars");
        }
        rules::opt_text(&mut e, "comment", self.comment.as_deref(), 500);
        rules::finish(e)
    }
}
