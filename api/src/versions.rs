//! Data versions: one counter per kind of data (`households`, `members`), bumped in the same
//! transaction as every write to it. A cached answer that names the version it was computed at is
//! exact on any instance after a single primary-key read.
use diesel::prelude::*;

use crate::db::schema::data_versions;
use crate::db::DbConn;

pub const HOUSEHOLDS: &str = "households";
pub const MEMBERS: &str = "members";
/// The service-hours ledger (and the names its reports show).
pub const HOURS: &str = "service_hours";

pub fn current(conn: &mut DbConn, name: &str) -> QueryResult<i64> {
    Ok(data_versions::table
        .find(name)
        .select(data_versions::version)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

pub fn bump(conn: &mut DbConn, name: &str) -> QueryResult<()> {
    diesel::update(data_versions::table.find(name))
        .set(data_versions::version.eq(data_versions::version + 1))
        .execute(conn)?;
    Ok(())
}

/// Per-group counts of a scoped, filtered list (grid or branch id, name, count), in list order.
pub type Groups = Vec<(String, String, i64)>;
pub type GroupMemo = crate::memo::Memo<String, Groups>;

/// Reads one page of a list kept in groups: skips whole groups before the page's offset, then
/// asks `load(group_id, limit, offset)` for rows from the one or more groups the page spans, each
/// row paired with its group's name.
pub fn page_through<T, E>(
    groups: &Groups,
    offset: i64,
    per_page: i64,
    mut load: impl FnMut(&str, i64, i64) -> Result<Vec<T>, E>,
) -> Result<Vec<(T, String)>, E> {
    let (mut skip, mut want) = (offset, per_page);
    let mut rows = Vec::with_capacity(per_page.max(0) as usize);
    for (id, name, n) in groups {
        if want <= 0 {
            break;
        }
        if skip >= *n {
            skip -= *n;
            continue;
        }
        let page = load(id, want, skip)?;
        skip = 0;
        want -= page.len() as i64;
        rows.extend(page.into_iter().map(|r| (r, name.clone())));
    }
    Ok(rows)
}

/// The groups one page falls in: (index into `groups`, rows to skip in it, rows to take from it).
pub fn spans(groups: &Groups, offset: i64, per_page: i64) -> Vec<(usize, i64, i64)> {
    let (mut skip, mut want) = (offset, per_page);
    let mut out = vec![];
    for (i, (_, _, n)) in groups.iter().enumerate() {
        if want <= 0 {
            break;
        }
        if skip >= *n {
            skip -= *n;
            continue;
        }
        let take = (*n - skip).min(want);
        out.push((i, skip, take));
        skip = 0;
        want -= take;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_spans_groups_and_skips_whole_ones() {
        let groups: Groups = vec![
            ("a".into(), "A".into(), 3),
            ("b".into(), "B".into(), 0),
            ("c".into(), "C".into(), 4),
        ];
        let load = |id: &str, limit: i64, offset: i64| -> Result<Vec<String>, ()> {
            let n = groups.iter().find(|g| g.0 == id).unwrap().2;
            Ok((offset..n)
                .take(limit as usize)
                .map(|i| format!("{id}{i}"))
                .collect())
        };
        let page: Vec<String> = page_through(&groups, 2, 3, load)
            .unwrap()
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        assert_eq!(page, vec!["a2", "c0", "c1"]);
        let last = page_through(&groups, 6, 5, load).unwrap();
        assert_eq!(last, vec![("c3".to_string(), "C".to_string())]);
        assert!(page_through(&groups, 7, 5, load).unwrap().is_empty());
        assert_eq!(spans(&groups, 2, 3), vec![(0, 2, 1), (2, 0, 2)]);
        assert_eq!(spans(&groups, 6, 5), vec![(2, 3, 1)]);
        assert!(spans(&groups, 7, 5).is_empty());
    }
}
