//! Scope policy: which part of the region and branch trees a caller may read or change.
//!
//! A scope is a set of materialized-path prefixes; a record is inside when its path starts with
//! one of them. Records outside answer 404, never 403, so their existence is not revealed.
use super::caller::Caller;
use super::roles::{Role, ScopeType};
use crate::error::ApiError;

/// A part of a tree: everything, or the subtrees under some path prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    All,
    Within(Vec<String>),
}

impl Reach {
    pub fn contains(&self, path: &str) -> bool {
        match self {
            Reach::All => true,
            Reach::Within(prefixes) => prefixes.iter().any(|p| path.starts_with(p.as_str())),
        }
    }
    /// Inside and not one of the scope roots themselves (roots may be edited, not moved or deleted).
    pub fn strictly_contains(&self, path: &str) -> bool {
        match self {
            Reach::All => true,
            Reach::Within(prefixes) => prefixes
                .iter()
                .any(|p| path.starts_with(p.as_str()) && path != p),
        }
    }
    pub fn is_empty(&self) -> bool {
        matches!(self, Reach::Within(p) if p.is_empty())
    }
}

/// Which branches a caller reaches: those serving regions under `regions`, or under `branches`.
#[derive(Debug, Clone)]
pub struct BranchReach {
    pub regions: Reach,
    pub branches: Reach,
}

impl BranchReach {
    pub fn contains(&self, branch_path: &str, region_path: &str) -> bool {
        self.regions.contains(region_path) || self.branches.contains(branch_path)
    }
    pub fn all(&self) -> bool {
        self.regions == Reach::All || self.branches == Reach::All
    }
    /// No branch at all.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty() && self.branches.is_empty()
    }
}

fn collect(
    caller: &Caller,
    pick: impl Fn(Role, ScopeType) -> bool,
    path: impl Fn(&super::caller::ResolvedGrant) -> Option<&String>,
) -> Reach {
    if caller.is_admin() {
        return Reach::All;
    }
    let mut prefixes: Vec<String> = caller
        .grants
        .iter()
        .filter(|g| pick(g.role, g.scope_type))
        .filter_map(|g| path(g).cloned())
        .collect();
    prefixes.sort();
    prefixes.dedup();
    Reach::Within(prefixes)
}

impl Caller {
    /// Regions a caller may read: region-scoped grants' subtrees, and for branch secretaries the
    /// subtree of the region their branch serves.
    pub fn regions_readable(&self) -> Reach {
        collect(
            self,
            |_, t| matches!(t, ScopeType::Region | ScopeType::Branch),
            |g| g.region_path.as_ref(),
        )
    }

    /// Regions a caller may change: staff grants' subtrees.
    pub fn regions_writable(&self) -> Reach {
        collect(
            self,
            |r, t| r.is_staff() && t == ScopeType::Region,
            |g| g.scope_path.as_ref(),
        )
    }

    pub fn branches_readable(&self) -> BranchReach {
        BranchReach {
            regions: collect(
                self,
                |_, t| t == ScopeType::Region,
                |g| g.scope_path.as_ref(),
            ),
            branches: collect(
                self,
                |_, t| t == ScopeType::Branch,
                |g| g.scope_path.as_ref(),
            ),
        }
    }

    pub fn branches_writable(&self) -> BranchReach {
        BranchReach {
            regions: collect(
                self,
                |r, t| r.is_staff() && t == ScopeType::Region,
                |g| g.scope_path.as_ref(),
            ),
            branches: collect(
                self,
                |r, t| r == Role::BranchSecretary && t == ScopeType::Branch,
                |g| g.scope_path.as_ref(),
            ),
        }
    }

    /// The grids a grid worker is granted on.
    pub fn grid_ids(&self) -> Vec<String> {
        self.grants
            .iter()
            .filter(|g| g.scope_type == ScopeType::Grid)
            .filter_map(|g| g.scope_id.clone())
            .collect()
    }

    /// The co-building units a unit contact acts for.
    pub fn unit_ids(&self) -> Vec<String> {
        self.grants
            .iter()
            .filter(|g| g.scope_type == ScopeType::Unit)
            .filter_map(|g| g.scope_id.clone())
            .collect()
    }

    /// Staff manage user accounts inside their region scope.
    pub fn users_manageable(&self) -> Reach {
        self.regions_writable()
    }

    /// 403 unless the caller holds a staff role (or, for branches, a secretary role) at all.
    pub fn require_staff(&self) -> Result<(), ApiError> {
        if self.grants.iter().any(|g| g.role.is_staff()) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "this needs a staff role (admin, street_staff or community_staff)",
            ))
        }
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("only an administrator may do this"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_matches_prefixes_and_protects_roots() {
        let r = Reach::Within(vec!["/a/b/".into()]);
        assert!(r.contains("/a/b/"));
        assert!(r.contains("/a/b/c/"));
        assert!(!r.contains("/a/bc/"));
        assert!(!r.contains("/a/"));
        assert!(!r.strictly_contains("/a/b/"));
        assert!(r.strictly_contains("/a/b/c/"));
        assert!(Reach::All.strictly_contains("/x/"));
    }
}
