//! `column IN (…)` that the connection's statement cache keeps.
//!
//! diesel's `eq_any` marks every statement it appears in as unsafe to cache, so SQLite parses and
//! plans such a statement again on every request — on the roster page that was two of its three
//! statements. [`any_of`] writes the same `IN` list, padded to the next size class by repeating
//! its last value (which changes nothing an `IN` matches), so one prepared statement serves every
//! list of a class and the cache holds at most a handful per query shape.
use diesel::backend::Backend;
use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{Bool, HasSqlType, Text};
use diesel::{Column, QueryResult};

/// `column IN (values…)` for a text column, padded to a size class. An empty list matches nothing.
pub fn any_of<C, S: AsRef<str>>(column: C, values: impl IntoIterator<Item = S>) -> AnyOf<C> {
    let mut values: Vec<String> = values.into_iter().map(|v| v.as_ref().to_owned()).collect();
    if let Some(last) = values.last().cloned() {
        values.resize(size_class(values.len()), last);
    }
    AnyOf { column, values }
}

/// 1, 2, 4, 8, … up to 64, then multiples of 64: few distinct statements, little padding.
fn size_class(n: usize) -> usize {
    if n <= 64 {
        n.next_power_of_two()
    } else {
        n.div_ceil(64) * 64
    }
}

#[derive(Debug, Clone)]
pub struct AnyOf<C> {
    column: C,
    values: Vec<String>,
}

impl<C> QueryId for AnyOf<C> {
    // The SQL text (which carries the size class) is the cache key.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: Expression> Expression for AnyOf<C> {
    type SqlType = Bool;
}

impl<C, QS> AppearsOnTable<QS> for AnyOf<C> where C: AppearsOnTable<QS> {}

impl<C, QS> SelectableExpression<QS> for AnyOf<C> where C: SelectableExpression<QS> {}

impl<C> ValidGrouping<()> for AnyOf<C> {
    type IsAggregate = is_aggregate::Never;
}

impl<C, DB> QueryFragment<DB> for AnyOf<C>
where
    DB: Backend + HasSqlType<Text>,
    C: Column + QueryFragment<DB>,
    String: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if self.values.is_empty() {
            out.push_sql("1 = 0");
            return Ok(());
        }
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (");
        for (i, v) in self.values.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<Text, String>(v)?;
        }
        out.push_sql(")");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_padded_to_a_few_size_classes() {
        assert_eq!(
            [1, 2, 3, 4, 5, 8, 9, 33, 64, 65, 100, 128, 129].map(size_class),
            [1, 2, 4, 4, 8, 8, 16, 64, 64, 128, 128, 128, 192]
        );
        let a = any_of(crate::db::schema::members::branch_id, ["x", "y", "z"]);
        assert_eq!(a.values, ["x", "y", "z", "z"]);
        assert!(
            any_of(crate::db::schema::members::branch_id, Vec::<String>::new())
                .values
                .is_empty()
        );
    }
}
