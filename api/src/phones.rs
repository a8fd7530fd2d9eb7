//! Phone numbers sealed at rest, by the rule that ID numbers follow: the heads of households,
//! members, volunteers, units' contacts, and the contact numbers given with service orders and
//! concerns.
//!
//! Each phone column `<col>` has three stored forms beside it: `<col>_sealed` (AES-256-GCM under
//! the data key, bound to the table, column and row, see [`crate::sealed`]), `<col>_index` (a
//! keyed blind index of the digits, for exact lookups: search by number, import matching) and
//! `<col>_masked` (`138****5678`, what every list and export shows, so no list decrypts
//! anything). The clear number is only ever produced by [`reveal`], for one record at a time, on
//! an audited unmask or for the person it belongs to.
//!
//! The clear columns are still in the tables (a landed migration is never edited) but no longer in
//! `db::schema`, so no query can write or read them; [`seal_at_rest`] seals rows written before
//! and empties the clear column, at every start.
use diesel::prelude::*;

use crate::db::DbConn;
use crate::privacy::mask_phone;
use crate::sealed::Sealer;

/// The sealed phone columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneColumn {
    HouseholdHead,
    Member,
    Volunteer,
    UnitContact,
    OrderContact,
    ConcernContact,
}

impl PhoneColumn {
    pub const ALL: [PhoneColumn; 6] = [
        PhoneColumn::HouseholdHead,
        PhoneColumn::Member,
        PhoneColumn::Volunteer,
        PhoneColumn::UnitContact,
        PhoneColumn::OrderContact,
        PhoneColumn::ConcernContact,
    ];

    pub fn table(self) -> &'static str {
        match self {
            PhoneColumn::HouseholdHead => "households",
            PhoneColumn::Member => "members",
            PhoneColumn::Volunteer => "volunteers",
            PhoneColumn::UnitContact => "units",
            PhoneColumn::OrderContact => "service_orders",
            PhoneColumn::ConcernContact => "concerns",
        }
    }

    pub fn column(self) -> &'static str {
        match self {
            PhoneColumn::HouseholdHead => "head_phone",
            PhoneColumn::Member | PhoneColumn::Volunteer => "phone",
            PhoneColumn::UnitContact | PhoneColumn::OrderContact | PhoneColumn::ConcernContact => {
                "contact_phone"
            }
        }
    }

    /// The associated data a value of this column in row `id` is sealed under.
    pub fn context(self, id: &str) -> String {
        format!("{}.{}:{id}", self.table(), self.column())
    }
}

/// The stored forms of one phone number; all `None` when there is none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedPhone {
    pub sealed: Option<String>,
    pub index: Option<String>,
    pub masked: Option<String>,
}

/// A phone as entered, trimmed; an empty one is no phone.
pub fn clean(phone: Option<&str>) -> Option<&str> {
    phone.map(str::trim).filter(|p| !p.is_empty())
}

/// Seals the phone of row `id` in `column`.
pub fn seal(sealer: &Sealer, column: PhoneColumn, id: &str, phone: Option<&str>) -> SealedPhone {
    match clean(phone) {
        None => SealedPhone::default(),
        Some(p) => SealedPhone {
            sealed: Some(sealer.seal(&column.context(id), p)),
            index: Some(index(sealer, p)),
            masked: Some(mask_phone(p)),
        },
    }
}

/// The clear number of row `id`, for an unmasked read (the caller has checked the right to it and
/// recorded the read). A value that does not open — sealed under another data key — is shown
/// masked rather than failing the read, as ID numbers are.
pub fn reveal(
    sealer: &Sealer,
    column: PhoneColumn,
    id: &str,
    sealed: Option<&str>,
    masked: Option<&str>,
) -> Option<String> {
    let sealed = sealed?;
    sealer
        .open(&column.context(id), sealed)
        .or_else(|| masked.map(str::to_owned))
}

/// The digits that identify a number: separators dropped, and China's country code (`+86`,
/// `0086`) taken off a mobile number, so `+86 138-1234-5678` and `13812345678` are one number.
pub fn digits(phone: &str) -> String {
    let d: String = phone.chars().filter(char::is_ascii_digit).collect();
    if d.len() == 13 && d.starts_with("861") {
        return d[2..].to_string();
    }
    if d.len() == 15 && d.starts_with("00861") {
        return d[4..].to_string();
    }
    d
}

/// The blind index of a phone number (one index for every column, so the same number is found
/// wherever it was written).
pub fn index(sealer: &Sealer, phone: &str) -> String {
    sealer.blind_index("phone", &digits(phone))
}

/// When a search text is a phone number (7 to 15 digits, with `+`, `-` or spaces), its blind
/// index: lists match it exactly against `<col>_index`.
pub fn query_index(sealer: &Sealer, q: &str) -> Option<String> {
    let q = q.trim();
    let n = q.chars().filter(char::is_ascii_digit).count();
    let phone_like = q
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
        && (7..=15).contains(&n);
    phone_like.then(|| index(sealer, q))
}

/// The clear phone columns, which only [`seal_at_rest`] touches (they are not in `db::schema`).
mod at_rest {
    macro_rules! clear_table {
        ($name:ident, $table:literal, $clear:literal, $sealed:literal, $index:literal, $masked:literal) => {
            diesel::table! {
                #[sql_name = $table]
                $name (id) {
                    id -> Text,
                    #[sql_name = $clear]
                    clear -> Nullable<Text>,
                    #[sql_name = $sealed]
                    sealed -> Nullable<Text>,
                    #[sql_name = $index]
                    index -> Nullable<Text>,
                    #[sql_name = $masked]
                    masked -> Nullable<Text>,
                }
            }
        };
    }
    clear_table!(
        households_clear,
        "households",
        "head_phone",
        "head_phone_sealed",
        "head_phone_index",
        "head_phone_masked"
    );
    clear_table!(
        members_clear,
        "members",
        "phone",
        "phone_sealed",
        "phone_index",
        "phone_masked"
    );
    clear_table!(
        volunteers_clear,
        "volunteers",
        "phone",
        "phone_sealed",
        "phone_index",
        "phone_masked"
    );
    clear_table!(
        units_clear,
        "units",
        "contact_phone",
        "contact_phone_sealed",
        "contact_phone_index",
        "contact_phone_masked"
    );
    clear_table!(
        service_orders_clear,
        "service_orders",
        "contact_phone",
        "contact_phone_sealed",
        "contact_phone_index",
        "contact_phone_masked"
    );
    clear_table!(
        concerns_clear,
        "concerns",
        "contact_phone",
        "contact_phone_sealed",
        "contact_phone_index",
        "contact_phone_masked"
    );
}

/// Rows sealed per transaction by [`seal_at_rest`].
pub const BATCH: i64 = 500;

/// Seals every phone still stored in clear (rows written before phones were sealed) and empties
/// the clear column: run at start-up after the SQL migrations, with the deployment's data key.
/// Batches of [`BATCH`] rows, each in its own write transaction, walked in id order; a row is only
/// changed while it still holds the clear value that was read, so running it twice, or on two
/// instances at once, is harmless. Answers how many rows each column had sealed.
pub fn seal_at_rest(conn: &mut DbConn, sealer: &Sealer) -> QueryResult<Vec<(PhoneColumn, usize)>> {
    macro_rules! seal_table {
        ($t:ident, $column:expr) => {{
            use at_rest::$t as t;
            let mut sealed = 0usize;
            let mut after = String::new();
            loop {
                let rows: Vec<(String, Option<String>)> = t::table
                    .filter(t::id.gt(&after))
                    .filter(t::clear.is_not_null())
                    .order(t::id.asc())
                    .limit(BATCH)
                    .select((t::id, t::clear))
                    .load(conn)?;
                let Some((last, _)) = rows.last() else { break };
                after = last.clone();
                sealed += crate::db::write(conn, |c| -> QueryResult<usize> {
                    let mut n = 0;
                    for (id, clear) in &rows {
                        let Some(clear) = clear else { continue };
                        let s = seal(sealer, $column, id, Some(clear));
                        n += diesel::update(t::table.find(id).filter(t::clear.eq(clear)))
                            .set((
                                t::sealed.eq(&s.sealed),
                                t::index.eq(&s.index),
                                t::masked.eq(&s.masked),
                                t::clear.eq(None::<String>),
                            ))
                            .execute(c)?;
                    }
                    Ok(n)
                })?;
            }
            ($column, sealed)
        }};
    }
    let sealed = vec![
        seal_table!(households_clear, PhoneColumn::HouseholdHead),
        seal_table!(members_clear, PhoneColumn::Member),
        seal_table!(volunteers_clear, PhoneColumn::Volunteer),
        seal_table!(units_clear, PhoneColumn::UnitContact),
        seal_table!(service_orders_clear, PhoneColumn::OrderContact),
        seal_table!(concerns_clear, PhoneColumn::ConcernContact),
    ];
    // Roster pages are remembered as sent, per members' data version (another instance may hold
    // some from before their phones had a masked form).
    if sealed
        .iter()
        .any(|(c, n)| *c == PhoneColumn::Member && *n > 0)
    {
        crate::versions::bump(conn, crate::versions::MEMBERS)?;
    }
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::new(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn seals_masks_and_reveals_only_for_the_same_row_and_column() {
        let s = sealer();
        let p = seal(&s, PhoneColumn::OrderContact, "o1", Some(" 13905190000 "));
        assert_eq!(p.masked.as_deref(), Some("139****0000"));
        assert!(!p.sealed.as_deref().unwrap().contains("13905190000"));
        assert_eq!(
            reveal(
                &s,
                PhoneColumn::OrderContact,
                "o1",
                p.sealed.as_deref(),
                p.masked.as_deref()
            )
            .as_deref(),
            Some("13905190000")
        );
        // Copied into another row or column, it does not open (and shows masked).
        assert_eq!(
            reveal(
                &s,
                PhoneColumn::OrderContact,
                "o2",
                p.sealed.as_deref(),
                p.masked.as_deref()
            )
            .as_deref(),
            Some("139****0000")
        );
        assert_eq!(
            reveal(
                &s,
                PhoneColumn::ConcernContact,
                "o1",
                p.sealed.as_deref(),
                None
            ),
            None
        );
        assert_eq!(
            seal(&s, PhoneColumn::Member, "m", Some("  ")),
            SealedPhone::default()
        );
        assert_eq!(
            seal(&s, PhoneColumn::Member, "m", None),
            SealedPhone::default()
        );
    }

    #[test]
    fn one_number_one_index_whatever_its_separators() {
        let s = sealer();
        let i = index(&s, "13812345678");
        assert_eq!(index(&s, "+86 138-1234-5678"), i);
        assert_eq!(index(&s, "0086 13812345678"), i);
        assert_ne!(index(&s, "13812345679"), i);
        assert_eq!(
            query_index(&s, "138 1234 5678").as_deref(),
            Some(i.as_str())
        );
        assert_eq!(
            query_index(&s, "0519-68870000"),
            Some(index(&s, "051968870000"))
        );
        assert_eq!(query_index(&s, "301"), None, "a room number is not a phone");
        assert_eq!(query_index(&s, "王秀英"), None);
        assert_eq!(query_index(&s, "3幢2单元301"), None);
    }
}
