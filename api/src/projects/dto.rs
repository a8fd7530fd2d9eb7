//! API types of projects.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules::{self, field};
use crate::http::Validate;

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
