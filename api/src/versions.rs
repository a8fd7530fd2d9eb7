//! Data versions: one counter per kind of data (`households`, `members`), bumped in the same
//! transaction as every write to it. A cached answer that names the version it was computed at is
//! exact on any instance after a single primary-key read.
use diesel::prelude::*;

use crate::db::schema::data_versions;
use crate::db::DbConn;

pub const HOUSEHOLDS: &str = "households";
pub const MEMBERS: &str = "members";

pub fn current(conn: &mut DbConn, name: &str) -> QueryResult<i64> {
    Ok(data_versions::table.find(name).select(data_versions::version).first(conn).optional()?.unwrap_or(0))
}

pub fn bump(conn: &mut DbConn, name: &str) -> QueryResult<()> {
    diesel::update(data_versions::table.find(name)).set(data_versions::version.eq(data_versions::version + 1)).execute(conn)?;
    Ok(())
}

/// Per-group counts of a scoped, filtered list (grid or branch id, name, count), in list order.
pub type Groups = Vec<(String, String, i64)>;
pub type GroupMemo = crate::memo::Memo<String, Groups>;
