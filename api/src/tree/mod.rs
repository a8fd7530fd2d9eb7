//! Materialized paths shared by the region and branch trees.
//!
//! A node's path is `/<root id>/…/<own id>/`. A subtree is every path in the half-open range
//! `[prefix, prefix with its final '/' replaced by '0')` — '0' is the byte after '/' — which is
//! one B-tree range scan on both backends (PostgreSQL's column uses the "C" collation for it).

pub fn child_path(parent_path: Option<&str>, id: &str) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// The `[lo, hi)` bounds of the subtree under `prefix` (which ends with '/').
pub fn range(prefix: &str) -> (String, String) {
    debug_assert!(prefix.ends_with('/'));
    let hi = format!("{}0", &prefix[..prefix.len() - 1]);
    (prefix.to_string(), hi)
}

/// Ids on a path, root first.
pub fn ids(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

diesel::define_sql_function! {
    /// `substr(text, start)`, 1-based, the same on SQLite and PostgreSQL.
    fn substr(s: diesel::sql_types::Text, start: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

/// A filter `path IN subtree(prefix) OR …` for one table, as a boxed expression; an empty prefix
/// list matches nothing. A single prefix — the common case — is a plain range, so the planner
/// uses the path index.
#[macro_export]
macro_rules! path_filter {
    ($column:expr, $prefixes:expr) => {{
        use diesel::prelude::*;
        type Filter<QS> = Box<
            dyn diesel::expression::BoxableExpression<
                QS,
                $crate::db::MultiBackend,
                SqlType = diesel::sql_types::Bool,
            >,
        >;
        let mut expr: Option<Filter<_>> = None;
        for prefix in $prefixes.iter() {
            let (lo, hi) = $crate::tree::range(prefix);
            let range = $column.ge(lo).and($column.lt(hi));
            expr = Some(match expr {
                None => Box::new(range),
                Some(e) => Box::new(e.or(range)),
            });
        }
        expr.unwrap_or_else(|| Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 0")))
    }};
}

/// Restricts a boxed query joined to `branches` and `regions` to a caller's branch reach: region
/// staff by a range on the region path, secretaries by a range on the branch path. Only the
/// non-empty parts go into the `WHERE` clause (an `OR` with a dead branch keeps SQLite off the
/// path indexes); an empty reach matches nothing.
#[macro_export]
macro_rules! branch_scope {
    ($q:expr, $reach:expr) => {{
        use $crate::auth::policy::Reach;
        use $crate::db::schema::{branches, regions};
        let reach: &$crate::auth::policy::BranchReach = $reach;
        let q = $q;
        if reach.all() {
            q
        } else {
            let prefixes = |r: &Reach| match r {
                Reach::Within(p) => p.clone(),
                Reach::All => vec![],
            };
            let (by_region, by_branch) = (prefixes(&reach.regions), prefixes(&reach.branches));
            match (by_region.is_empty(), by_branch.is_empty()) {
                (true, false) => q.filter($crate::path_filter!(branches::path, by_branch)),
                (false, false) => q.filter(
                    $crate::path_filter!(regions::path, by_region)
                        .or($crate::path_filter!(branches::path, by_branch)),
                ),
                // Regions only; with both empty this is `1 = 0`.
                (_, true) => q.filter($crate::path_filter!(regions::path, by_region)),
            }
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_range_holds_descendants_only() {
        let p = child_path(Some("/a/"), "b");
        assert_eq!(p, "/a/b/");
        let (lo, hi) = range(&p);
        for inside in ["/a/b/", "/a/b/c/", "/a/b/zz/y/"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/a/", "/a/b0/", "/a/ba/", "/a/c/", "/a/b"] {
            assert!(
                !(outside >= lo.as_str() && outside < hi.as_str()),
                "{outside}"
            );
        }
        assert_eq!(ids("/x/y/z/").collect::<Vec<_>>(), vec!["x", "y", "z"]);
    }
}

/// Moves a subtree: every path under `old` is rewritten to start with `new`, and depths shift by
/// `delta`, in one UPDATE (the caller holds the transaction and updates the node's own parent).
#[macro_export]
macro_rules! tree_move {
    ($conn:expr, $table:ident, $old:expr, $new:expr, $delta:expr) => {{
        use diesel::prelude::*;
        use diesel::IntoSql;
        let (lo, hi) = $crate::tree::range($old);
        let keep_from = $old.len() as i32 + 1;
        diesel::update(
            $table::table
                .filter($table::path.ge(lo))
                .filter($table::path.lt(hi)),
        )
        .set((
            $table::path.eq(($new.to_string())
                .into_sql::<diesel::sql_types::Text>()
                .concat($crate::tree::substr($table::path, keep_from))),
            $table::depth.eq($table::depth + $delta),
        ))
        .execute($conn)?
    }};
}
