//! Roles and the kind of scope each is granted on (see CONVENTIONS: roles, each granted on a scope).
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, everywhere.
    Admin,
    /// A street (街道) and its subtree.
    StreetStaff,
    /// A community (社区) and its subtree.
    CommunityStaff,
    /// A grid (网格).
    GridWorker,
    /// A branch and its subtree.
    BranchSecretary,
    /// A co-building unit (共建单位).
    UnitContact,
    /// A party member: themselves.
    Member,
    /// A resident: themselves.
    Resident,
    /// An integration client: the scopes granted to it.
    Integration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeType {
    Global,
    Region,
    Branch,
    Grid,
    Unit,
    #[serde(rename = "self")]
    SelfScope,
}

impl ScopeType {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeType::Global => "global",
            ScopeType::Region => "region",
            ScopeType::Branch => "branch",
            ScopeType::Grid => "grid",
            ScopeType::Unit => "unit",
            ScopeType::SelfScope => "self",
        }
    }
    pub fn parse(s: &str) -> Option<ScopeType> {
        [
            ScopeType::Global,
            ScopeType::Region,
            ScopeType::Branch,
            ScopeType::Grid,
            ScopeType::Unit,
            ScopeType::SelfScope,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Admin,
        Role::StreetStaff,
        Role::CommunityStaff,
        Role::GridWorker,
        Role::BranchSecretary,
        Role::UnitContact,
        Role::Member,
        Role::Resident,
        Role::Integration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::StreetStaff => "street_staff",
            Role::CommunityStaff => "community_staff",
            Role::GridWorker => "grid_worker",
            Role::BranchSecretary => "branch_secretary",
            Role::UnitContact => "unit_contact",
            Role::Member => "member",
            Role::Resident => "resident",
            Role::Integration => "integration",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The kind of scope the role is granted on. Integration clients are granted region scopes.
    pub fn scope_type(self) -> ScopeType {
        match self {
            Role::Admin => ScopeType::Global,
            Role::StreetStaff | Role::CommunityStaff | Role::Integration => ScopeType::Region,
            Role::GridWorker => ScopeType::Grid,
            Role::BranchSecretary => ScopeType::Branch,
            Role::UnitContact => ScopeType::Unit,
            Role::Member | Role::Resident => ScopeType::SelfScope,
        }
    }

    /// The region level a region-scoped role must be granted on.
    pub fn region_level(self) -> Option<&'static str> {
        match self {
            Role::StreetStaff => Some("street"),
            Role::CommunityStaff => Some("community"),
            _ => None,
        }
    }

    /// Staff roles manage records (regions, branches, users) inside their scope.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::StreetStaff | Role::CommunityStaff)
    }
}
