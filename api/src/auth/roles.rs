//! Roles and the kind of scope each is granted on (see CONVENTIONS: roles, each granted on a scope).

crate::text_enum! {
    pub enum Role {
        /// Everything, everywhere.
        Admin = "admin",
        /// A street (街道) and its subtree.
        StreetStaff = "street_staff",
        /// A community (社区) and its subtree.
        CommunityStaff = "community_staff",
        /// A grid (网格).
        GridWorker = "grid_worker",
        /// A branch and its subtree.
        BranchSecretary = "branch_secretary",
        /// A co-building unit (共建单位).
        UnitContact = "unit_contact",
        /// A party member: themselves.
        Member = "member",
        /// A resident: themselves.
        Resident = "resident",
        /// An integration client: the scopes granted to it.
        Integration = "integration",
    }
}

crate::text_enum! {
    pub enum ScopeType {
        Global = "global",
        Region = "region",
        Branch = "branch",
        Grid = "grid",
        Unit = "unit",
        SelfScope = "self",
    }
}

impl Role {
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
