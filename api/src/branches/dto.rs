use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::Branch;
use crate::error::FieldError;
use crate::http::json::rules;
use crate::http::Validate;

crate::text_enum! {
    pub enum BranchKind {
        /// 街道党工委
        WorkingCommittee = "working_committee",
        /// 社区党委 / 大党委
        Committee = "committee",
        /// 党总支
        GeneralBranch = "general_branch",
        /// 党支部
        Branch = "branch",
        /// 党小组
        Group = "group",
        /// 社区联合党委 / 区域党委: its members are the party organisations of co-building units
        Joint = "joint",
    }
}

crate::text_enum! {
    pub enum Establishment {
        /// 建制性
        Formal = "formal",
        /// 非建制性特色团体 (e.g. an art-troupe branch)
        Interest = "interest",
        /// 联合
        Joint = "joint",
    }
}

impl BranchKind {
    /// Higher organisations have lower ranks; a child must rank below its parent.
    pub fn rank(self) -> u8 {
        match self {
            BranchKind::WorkingCommittee => 0,
            BranchKind::Committee | BranchKind::Joint => 1,
            BranchKind::GeneralBranch => 2,
            BranchKind::Branch => 3,
            BranchKind::Group => 4,
        }
    }
    /// Kinds that may stand at the top of a tree.
    pub fn may_be_root(self) -> bool {
        matches!(self, BranchKind::WorkingCommittee | BranchKind::Committee)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000100", "parent_id": "0193a1b2-0000-7000-8000-000000000101", "region_id": "0193a1b2-0000-7000-8000-000000000010", "region_name": "斜桥巷社区", "kind": "branch", "establishment": "interest", "name": "心相连艺术团党支部", "secretary_name": "王芳", "member_count": 0, "child_count": 0, "path": "/0193a1b2-0000-7000-8000-000000000101/0193a1b2-0000-7000-8000-000000000100/", "depth": 1, "version": 1, "created_at": "2026-11-23T03:00:00Z", "updated_at": "2026-11-23T03:00:00Z"}))]
pub struct BranchView {
    pub id: String,
    pub parent_id: Option<String>,
    /// The region the branch serves.
    pub region_id: String,
    pub region_name: String,
    pub kind: BranchKind,
    pub establishment: Establishment,
    pub name: String,
    pub secretary_name: Option<String>,
    /// Members on the roster (maintained by the members module).
    pub member_count: i32,
    pub child_count: i64,
    pub path: String,
    pub depth: i32,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl BranchView {
    pub fn from_row(b: Branch, region_name: String, child_count: i64) -> BranchView {
        BranchView {
            kind: b.kind,
            establishment: b.establishment,
            id: b.id,
            parent_id: b.parent_id,
            region_id: b.region_id,
            region_name,
            name: b.name,
            secretary_name: b.secretary_name,
            member_count: b.member_count,
            child_count,
            path: b.path,
            depth: b.depth,
            version: b.version,
            created_at: b.created_at.and_utc(),
            updated_at: b.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_id": "0193a1b2-0000-7000-8000-000000000101", "region_id": "0193a1b2-0000-7000-8000-000000000010", "kind": "branch", "establishment": "interest", "name": "心相连艺术团党支部", "secretary_name": "王芳"}))]
pub struct CreateBranch {
    /// The parent organisation; omit for a working committee or committee at the top of a tree.
    pub parent_id: Option<String>,
    /// The region served: the parent's region or one inside it.
    pub region_id: String,
    pub kind: BranchKind,
    pub establishment: Establishment,
    pub name: String,
    pub secretary_name: Option<String>,
}

impl Validate for CreateBranch {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "name", &self.name, 100);
        rules::text(&mut e, "region_id", &self.region_id, 64);
        rules::opt_text(&mut e, "secretary_name", self.secretary_name.as_deref(), 50);
        check_establishment(&mut e, self.kind, self.establishment);
        rules::finish(e)
    }
}

/// A joint committee is the one joint establishment; interest-based organisations are branches or groups.
pub fn check_establishment(e: &mut Vec<FieldError>, kind: BranchKind, est: Establishment) {
    let ok = match (kind, est) {
        (BranchKind::Joint, Establishment::Joint) => true,
        (BranchKind::Joint, _) | (_, Establishment::Joint) => false,
        (BranchKind::Branch | BranchKind::Group, Establishment::Interest) => true,
        (_, Establishment::Interest) => false,
        (_, Establishment::Formal) => true,
    };
    if !ok {
        e.push(FieldError {
            field: "establishment".into(),
            code: "invalid_choice".into(),
            message: format!(
                "a {} cannot have the {} establishment",
                kind.as_str(),
                est.as_str()
            ),
        });
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "斜桥巷社区第一党支部", "secretary_name": "李明"}))]
pub struct UpdateBranch {
    pub name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub secretary_name: Option<Option<String>>,
    pub region_id: Option<String>,
    pub establishment: Option<Establishment>,
    pub version: Option<i32>,
}

impl Validate for UpdateBranch {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "name", self.name.as_deref(), 100);
        rules::opt_text(
            &mut e,
            "secretary_name",
            self.secretary_name.as_ref().and_then(|s| s.as_deref()),
            50,
        );
        rules::opt_text(&mut e, "region_id", self.region_id.as_deref(), 64);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBranch {
    /// The new parent organisation, of a higher kind.
    pub parent_id: String,
    pub version: Option<i32>,
}

impl Validate for MoveBranch {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "parent_id", &self.parent_id, 64);
        rules::finish(e)
    }
}
