use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::RegionLevel;
use crate::db::schema::regions;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = regions)]
pub struct Region {
    pub id: String,
    pub parent_id: Option<String>,
    pub level: RegionLevel,
    pub name: String,
    pub code: Option<String>,
    pub path: String,
    pub depth: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
