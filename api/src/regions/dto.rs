use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::Region;
use crate::error::FieldError;
use crate::http::json::rules;
use crate::http::Validate;

crate::text_enum! {
    pub enum RegionLevel {
        /// 区
        District = "district",
        /// 街道
        Street = "street",
        /// 社区
        Community = "community",
    }
}

impl RegionLevel {
    /// The level a parent must have; `None` for a root.
    pub fn parent_level(self) -> Option<RegionLevel> {
        match self {
            RegionLevel::District => None,
            RegionLevel::Street => Some(RegionLevel::District),
            RegionLevel::Community => Some(RegionLevel::Street),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000010", "parent_id": "0193a1b2-0000-7000-8000-000000000002", "level": "community", "name": "斜桥巷社区", "code": "XFJ-01", "path": "/0193a1b2-0000-7000-8000-000000000001/0193a1b2-0000-7000-8000-000000000002/0193a1b2-0000-7000-8000-000000000010/", "depth": 2, "child_count": 0, "version": 1, "created_at": "2026-11-23T03:00:00Z", "updated_at": "2026-11-23T03:00:00Z"}))]
pub struct RegionView {
    pub id: String,
    pub parent_id: Option<String>,
    pub level: RegionLevel,
    pub name: String,
    pub code: Option<String>,
    /// Materialized path of ids from the root, `/a/b/c/`.
    pub path: String,
    /// 0 for a root.
    pub depth: i32,
    pub child_count: i64,
    /// Send as `If-Match: "<version>"` when changing the region.
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl RegionView {
    pub fn from_row(r: Region, child_count: i64) -> RegionView {
        RegionView {
            level: r.level,
            id: r.id,
            parent_id: r.parent_id,
            name: r.name,
            code: r.code,
            path: r.path,
            depth: r.depth,
            child_count,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_id": "0193a1b2-0000-7000-8000-000000000002", "level": "community", "name": "斜桥巷社区", "code": "XFJ-01"}))]
pub struct CreateRegion {
    /// The parent region; omit only for a district (administrators only).
    pub parent_id: Option<String>,
    pub level: RegionLevel,
    pub name: String,
    /// An optional unique code, e.g. the statistical division code.
    pub code: Option<String>,
}

impl Validate for CreateRegion {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "name", &self.name, 64);
        rules::opt_text(&mut e, "code", self.code.as_deref(), 32);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "斜桥巷社区", "code": null}))]
pub struct UpdateRegion {
    pub name: Option<String>,
    /// `null` clears the code.
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub code: Option<Option<String>>,
    /// The version being changed; an alternative to `If-Match` (a mismatch is a 409).
    pub version: Option<i32>,
}

impl Validate for UpdateRegion {
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
#[schema(example = json!({"parent_id": "0193a1b2-0000-7000-8000-000000000003"}))]
pub struct MoveRegion {
    /// The new parent; it must be of the level above this region's.
    pub parent_id: String,
    pub version: Option<i32>,
}

impl Validate for MoveRegion {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "parent_id", &self.parent_id, 64);
        rules::finish(e)
    }
}
