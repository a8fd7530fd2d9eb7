use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::{BranchKind, Establishment};
use crate::db::schema::branches;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = branches)]
pub struct Branch {
    pub id: String,
    pub parent_id: Option<String>,
    pub region_id: String,
    pub kind: BranchKind,
    pub establishment: Establishment,
    pub name: String,
    pub secretary_name: Option<String>,
    pub member_count: i32,
    pub path: String,
    pub depth: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
