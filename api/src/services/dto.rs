//! API types of co-building units, the yearly project list and claims.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules::{self, field};
use crate::http::Validate;

crate::text_enum! {
    pub enum UnitKind {
        /// 机关
        Agency = "agency",
        /// 企业
        Enterprise = "enterprise",
        /// 事业单位
        Institution = "institution",
        /// 学校
        School = "school",
        /// 部队
        Military = "military",
        /// 社会组织
        SocialOrganisation = "social_organisation",
    }
}

crate::text_enum! {
    pub enum UnitStatus {
        Active = "active",
        Inactive = "inactive",
    }
}

crate::text_enum! {
    pub enum ProjectStatus {
        /// Units may claim it.
        Open = "open",
        /// No more claims.
        Closed = "closed",
    }
}

crate::text_enum! {
    pub enum ClaimState {
        Active = "active",
        Withdrawn = "withdrawn",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PairedCommunity {
    pub community_id: String,
    pub name: String,
    pub paired_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000f01", "name": "常州市第一人民医院", "kind": "institution", "party_org": "常州市第一人民医院党委", "address": "局前街185号", "contact_name": "张敏", "contact_phone": "051****0000", "region_id": "0193a1b2-0000-7000-8000-000000000002", "region_name": "新丰街街道", "status": "active", "communities": [{"community_id": "0193a1b2-0000-7000-8000-000000000010", "name": "斜桥巷社区", "paired_on": "2026-03-01"}], "active_claims": 2, "can_manage": true, "version": 1, "created_at": "2026-03-01T02:00:00Z", "updated_at": "2026-03-01T02:00:00Z"}))]
pub struct UnitView {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    /// The unit's own party organisation (its 党委 or 支部).
    pub party_org: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    /// Masked (`051****0000`) in lists and reads; in clear only in an unmasked read
    /// (`GET /units/{id}?unmask=true`: the street's staff who keep the unit and its contacts).
    pub contact_phone: Option<String>,
    /// The street (or district) the unit sits in.
    pub region_id: String,
    pub region_name: String,
    pub status: UnitStatus,
    /// The communities it is paired with (结对共建).
    pub communities: Vec<PairedCommunity>,
    /// Projects it has claimed and not withdrawn from.
    pub active_claims: i64,
    pub can_manage: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "常州市第一人民医院", "kind": "institution", "party_org": "常州市第一人民医院党委", "region_id": "0193a1b2-0000-7000-8000-000000000002", "contact_name": "张敏", "contact_phone": "0519-68870000", "community_ids": ["0193a1b2-0000-7000-8000-000000000010"]}))]
pub struct CreateUnit {
    pub name: String,
    pub kind: UnitKind,
    pub party_org: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// The street the unit sits in.
    pub region_id: String,
    /// Communities to pair it with now.
    #[serde(default)]
    pub community_ids: Vec<String>,
}

impl Validate for CreateUnit {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "name", &self.name, 100);
        rules::opt_text(&mut e, "party_org", self.party_org.as_deref(), 100);
        rules::opt_text(&mut e, "address", self.address.as_deref(), 200);
        rules::opt_text(&mut e, "contact_name", self.contact_name.as_deref(), 50);
        rules::phone(&mut e, "contact_phone", self.contact_phone.as_deref());
        rules::text(&mut e, "region_id", &self.region_id, 64);
        if self.community_ids.len() > 100 {
            field(
                &mut e,
                "community_ids",
                "too_many",
                "at most 100 communities",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contact_name": "李强", "contact_phone": "13905190000", "version": 1}))]
pub struct UpdateUnit {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub party_org: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub contact_phone: Option<Option<String>>,
    pub status: Option<UnitStatus>,
    pub version: Option<i32>,
}

impl Validate for UpdateUnit {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "name", self.name.as_deref(), 100);
        rules::opt_text(
            &mut e,
            "party_org",
            self.party_org.as_ref().and_then(|x| x.as_deref()),
            100,
        );
        rules::opt_text(
            &mut e,
            "address",
            self.address.as_ref().and_then(|x| x.as_deref()),
            200,
        );
        rules::opt_text(
            &mut e,
            "contact_name",
            self.contact_name.as_ref().and_then(|x| x.as_deref()),
            50,
        );
        rules::phone(
            &mut e,
            "contact_phone",
            self.contact_phone.as_ref().and_then(|x| x.as_deref()),
        );
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"community_id": "0193a1b2-0000-7000-8000-000000000010"}))]
pub struct PairUnit {
    pub community_id: String,
}

impl Validate for PairUnit {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "community_id", &self.community_id, 64);
        rules::finish(e)
    }
}

// ---------- categories and projects ----------

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000001001", "region_id": "0193a1b2-0000-7000-8000-000000000002", "year": 2026, "parent_id": null, "name": "关爱老人儿童", "sort": 3, "children": []}))]
pub struct CategoryView {
    pub id: String,
    pub region_id: String,
    pub year: i32,
    pub parent_id: Option<String>,
    pub name: String,
    pub sort: i32,
    /// Subcategories (on a top-level category in the tree listing).
    pub children: Vec<SubcategoryView>,
}

/// A subcategory: the second and last level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubcategoryView {
    pub id: String,
    pub parent_id: String,
    pub name: String,
    pub sort: i32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"region_id": "0193a1b2-0000-7000-8000-000000000002", "year": 2026, "parent_id": "0193a1b2-0000-7000-8000-000000001001", "name": "独居老人结对关爱"}))]
pub struct CreateCategory {
    /// The street whose list it is.
    pub region_id: String,
    pub year: i32,
    /// The top-level category of a subcategory; two levels at most.
    pub parent_id: Option<String>,
    pub name: String,
    pub sort: Option<i32>,
}

impl Validate for CreateCategory {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "region_id", &self.region_id, 64);
        rules::text(&mut e, "name", &self.name, 60);
        if !(2000..=2100).contains(&self.year) {
            field(&mut e, "year", "out_of_range", "the year is 2000 to 2100");
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000002001", "region_id": "0193a1b2-0000-7000-8000-000000000002", "year": 2026, "category_id": "0193a1b2-0000-7000-8000-000000001002", "category_name": "独居老人结对关爱", "parent_category_name": "关爱老人儿童", "name": "独居老人每周探访", "description": null, "need": 3, "claimed": 2, "full": false, "status": "open", "claims": [], "version": 1, "created_at": "2026-01-05T02:00:00Z", "updated_at": "2026-01-05T02:00:00Z"}))]
pub struct ProjectView {
    pub id: String,
    pub region_id: String,
    pub year: i32,
    /// A subcategory (or a top-level category without subcategories).
    pub category_id: String,
    pub category_name: String,
    pub parent_category_name: Option<String>,
    pub name: String,
    pub description: Option<String>,
    /// How many units the project wants.
    pub need: i32,
    /// Units that have claimed it (and not withdrawn).
    pub claimed: i32,
    pub full: bool,
    pub status: ProjectStatus,
    /// The claims (on a single project; empty in lists).
    pub claims: Vec<ClaimOfProject>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category_id": "0193a1b2-0000-7000-8000-000000001002", "name": "独居老人每周探访", "need": 3}))]
pub struct CreateProject {
    pub category_id: String,
    pub name: String,
    pub description: Option<String>,
    pub need: i32,
}

impl Validate for CreateProject {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "category_id", &self.category_id, 64);
        rules::text(&mut e, "name", &self.name, 100);
        rules::opt_text(&mut e, "description", self.description.as_deref(), 2000);
        if !(1..=1000).contains(&self.need) {
            field(&mut e, "need", "out_of_range", "need is 1 to 1,000 units");
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"need": 4, "version": 1}))]
pub struct UpdateProject {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    /// Not below the claims already made.
    pub need: Option<i32>,
    pub status: Option<ProjectStatus>,
    pub version: Option<i32>,
}

impl Validate for UpdateProject {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "name", self.name.as_deref(), 100);
        rules::opt_text(
            &mut e,
            "description",
            self.description.as_ref().and_then(|d| d.as_deref()),
            2000,
        );
        if self.need.is_some_and(|n| !(1..=1000).contains(&n)) {
            field(&mut e, "need", "out_of_range", "need is 1 to 1,000 units");
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimOfProject {
    pub id: String,
    pub project_id: String,
    pub project_name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub commitment: String,
    pub capacity: Option<i32>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: ClaimState,
    pub claimed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a1b2-0000-7000-8000-000000000f01", "commitment": "每周二派两名医护人员上门探访", "capacity": 20, "starts_on": "2026-03-01", "ends_on": "2026-12-31"}))]
pub struct CreateProjectClaim {
    /// The unit claiming; a unit contact claims for their own unit.
    pub unit_id: String,
    /// What the unit commits to do.
    pub commitment: String,
    /// How many people or times it will serve, if it says.
    pub capacity: Option<i32>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl Validate for CreateProjectClaim {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "unit_id", &self.unit_id, 64);
        rules::text(&mut e, "commitment", &self.commitment, 500);
        if self.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
            field(
                &mut e,
                "capacity",
                "out_of_range",
                "capacity is 1 to 100,000",
            );
        }
        if self.ends_on < self.starts_on {
            field(
                &mut e,
                "ends_on",
                "before_start",
                "the period runs forwards",
            );
        }
        rules::finish(e)
    }
}

// ---------- menus and orders ----------

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

// ---------- wishes ----------

crate::text_enum! {
    /// 发布 → 审核 → 认领 → 完成 → 致谢.
    pub enum WishStatus {
        /// Posted, waiting for the community's check.
        Posted = "posted",
        /// On the wish wall, waiting for someone to adopt it.
        Open = "open",
        Adopted = "adopted",
        Fulfilled = "fulfilled",
        /// The resident has said thank you.
        Thanked = "thanked",
        /// Not suitable (the community says why).
        Rejected = "rejected",
        /// Taken back by the resident.
        Withdrawn = "withdrawn",
    }
}

crate::text_enum! {
    pub enum AdopterType {
        Unit = "unit",
        Volunteer = "volunteer",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000005001", "community_id": "0193a1b2-0000-7000-8000-000000000010", "community_name": "斜桥巷社区", "resident_name": "居**英", "title": "想要一副老花镜", "description": "300度", "status": "open", "decision_note": null, "adopter_type": null, "adopter_name": null, "adopted_at": null, "fulfilled_at": null, "evidence": [], "thanks": null, "actions": ["adopt"], "version": 2, "created_at": "2026-11-20T02:00:00Z", "updated_at": "2026-11-21T02:00:00Z"}))]
pub struct WishView {
    pub id: String,
    pub community_id: String,
    pub community_name: String,
    /// Masked on the wall; in clear for the resident and the community's staff.
    pub resident_name: String,
    pub title: String,
    pub description: Option<String>,
    pub status: WishStatus,
    /// Why it was rejected.
    pub decision_note: Option<String>,
    pub adopter_type: Option<AdopterType>,
    pub adopter_name: Option<String>,
    pub adopted_at: Option<DateTime<Utc>>,
    pub fulfilled_at: Option<DateTime<Utc>>,
    pub evidence: Vec<String>,
    pub thanks: Option<String>,
    /// What the caller may do next.
    pub actions: Vec<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"community_id": "0193a1b2-0000-7000-8000-000000000010", "title": "想要一副老花镜", "description": "300度"}))]
pub struct CreateWish {
    pub community_id: String,
    pub title: String,
    pub description: Option<String>,
}

impl Validate for CreateWish {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "community_id", &self.community_id, 64);
        rules::text(&mut e, "title", &self.title, 50);
        rules::opt_text(&mut e, "description", self.description.as_deref(), 500);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approve": false, "note": "涉及现金，不适合作为微心愿"}))]
pub struct ReviewWish {
    pub approve: bool,
    /// Required when rejecting.
    pub note: Option<String>,
}

impl Validate for ReviewWish {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if !self.approve && self.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            field(&mut e, "note", "required", "say why the wish is rejected");
        }
        rules::opt_text(&mut e, "note", self.note.as_deref(), 200);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"adopter_type": "volunteer"}))]
pub struct AdoptWish {
    /// `volunteer`: yourself; `unit`: a unit you act for (`unit_id`).
    pub adopter_type: AdopterType,
    pub unit_id: Option<String>,
}

impl Validate for AdoptWish {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if self.adopter_type == AdopterType::Unit && self.unit_id.is_none() {
            field(
                &mut e,
                "unit_id",
                "required",
                "name the unit that adopts the wish",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"evidence": ["/files/photo-2.jpg"], "minutes": 30}))]
pub struct FulfilWish {
    pub evidence: Vec<String>,
    /// A volunteer's minutes go into the service-hours ledger.
    pub minutes: Option<i32>,
}

impl Validate for FulfilWish {
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
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"thanks": "谢谢志愿者，眼镜很合适！"}))]
pub struct ThankWish {
    pub thanks: String,
}

impl Validate for ThankWish {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "thanks", &self.thanks, 200);
        rules::finish(e)
    }
}

// ---------- agreements ----------

crate::text_enum! {
    pub enum AgreementKind {
        /// 共建协议: a standing pairing agreement.
        CoBuilding = "co_building",
        /// 目标责任书: a yearly agreement with targets.
        Responsibility = "responsibility",
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    pub description: String,
    /// Orders in this category count towards it (any order when absent).
    pub category_id: Option<String>,
    /// Orders to deliver over the term.
    pub target_orders: Option<i32>,
    /// Minutes of service to deliver over the term.
    pub target_minutes: Option<i32>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a1b2-0000-7000-8000-000000000f01", "region_id": "0193a1b2-0000-7000-8000-000000000010", "kind": "responsibility", "title": "2026年度共建目标责任书", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "signed_on": "2026-01-15", "commitments": [{"description": "全年上门义诊不少于12次", "target_orders": 12}, {"description": "志愿服务不少于100小时", "target_minutes": 6000}]}))]
pub struct CreateAgreement {
    pub unit_id: String,
    /// The community (or the street) the unit agrees with.
    pub region_id: String,
    pub kind: AgreementKind,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signed_on: Option<NaiveDate>,
    pub commitments: Vec<CommitmentInput>,
}

impl Validate for CreateAgreement {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "unit_id", &self.unit_id, 64);
        rules::text(&mut e, "region_id", &self.region_id, 64);
        rules::text(&mut e, "title", &self.title, 100);
        if self.ends_on < self.starts_on {
            field(&mut e, "ends_on", "before_start", "the term runs forwards");
        }
        if self.commitments.is_empty() || self.commitments.len() > 50 {
            field(
                &mut e,
                "commitments",
                "out_of_range",
                "one to fifty commitments",
            );
        }
        for (i, c) in self.commitments.iter().enumerate() {
            rules::text(
                &mut e,
                &format!("commitments[{i}].description"),
                &c.description,
                200,
            );
            if c.target_orders.is_some_and(|t| !(1..=100_000).contains(&t)) {
                field(
                    &mut e,
                    &format!("commitments[{i}].target_orders"),
                    "out_of_range",
                    "1 to 100,000 orders",
                );
            }
            if c.target_minutes
                .is_some_and(|t| !(1..=10_000_000).contains(&t))
            {
                field(
                    &mut e,
                    &format!("commitments[{i}].target_minutes"),
                    "out_of_range",
                    "1 to 10,000,000 minutes",
                );
            }
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitmentProgress {
    pub id: String,
    pub description: String,
    pub category_id: Option<String>,
    pub target_orders: Option<i32>,
    pub target_minutes: Option<i32>,
    /// Orders the unit completed in the agreement's region, term (and category).
    pub delivered_orders: i64,
    /// Their minutes of service.
    pub delivered_minutes: i64,
    /// Delivered ÷ target, the lower of the two when both are set, capped at 1; none without a target.
    pub progress: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i32,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
    /// Where to download it (with the bearer token).
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000006001", "unit_id": "0193a1b2-0000-7000-8000-000000000f01", "unit_name": "常州市第一人民医院", "region_id": "0193a1b2-0000-7000-8000-000000000010", "region_name": "斜桥巷社区", "kind": "responsibility", "title": "2026年度共建目标责任书", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "signed_on": "2026-01-15", "commitments": [], "progress": 0.5, "documents": [], "version": 1, "created_at": "2026-01-15T02:00:00Z", "updated_at": "2026-01-15T02:00:00Z"}))]
pub struct AgreementView {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub region_id: String,
    pub region_name: String,
    pub kind: AgreementKind,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signed_on: Option<NaiveDate>,
    pub commitments: Vec<CommitmentProgress>,
    /// The mean of the commitments' progress.
    pub progress: Option<f64>,
    pub documents: Vec<DocumentView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
