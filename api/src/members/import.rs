//! The roster from and to spreadsheets. An import validates every line (each bad one comes back
//! with its line number and reason), then writes all valid lines in one transaction — nothing is
//! half-written — matching existing members by ID number (through the blind index), so importing
//! the same file again updates instead of duplicating. A member found in another branch is
//! reported, never silently moved: that is a transfer. Exports honour the caller's scope and
//! the masking of ID numbers and phones.
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::{Category, CreateMember, Gender};
use super::id_number;
use super::service::{self, recount, seal_context, Member, MemberFilter, FORMAL_KINDS};
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{branches, members, regions};
use crate::db::{DbConn, DbPool};
use crate::error::ApiError;
use crate::http::list::Paging;
use crate::http::Validate;
use crate::jobs::{self, LineError};
use crate::members::dto::MemberStatus;
use crate::phones::{self, PhoneColumn};
use crate::sealed::Sealer;
use crate::tabular::{self, Column, Format, Rows};

const PROGRESS_EVERY: usize = 1000;
pub const MAX_EXPORT_ROWS: i64 = 200_000;

pub const COLUMNS: [Column; 10] = [
    ("branch", "所在支部"),
    ("name", "姓名"),
    ("gender", "性别"),
    ("id_number", "身份证号"),
    ("phone", "手机号"),
    ("education", "学历"),
    ("joined_on", "入党日期"),
    ("full_member_on", "转正日期"),
    ("category", "党员类别"),
    ("work_unit", "工作单位"),
];
const EXAMPLE: [&str; 10] = [
    "斜桥巷社区第1网格党支部",
    "王建国",
    "男",
    "11010519491231002X",
    "13900000001",
    "大专",
    "1985-07-01",
    "1986-07-01",
    "离退休",
    "",
];
const REQUIRED: [&str; 5] = ["branch", "name", "id_number", "joined_on", "category"];

pub fn template(format: Format) -> Result<Vec<u8>, ApiError> {
    tabular::template(&COLUMNS, &EXAMPLE, format)
}

/// Parsed before a job or a connection exists: a bad file is refused on the request (422).
pub fn parse(bytes: &[u8], format: Format) -> Result<Rows, tabular::Refusal> {
    tabular::parse(bytes, format, &COLUMNS, &REQUIRED)
}

fn category(s: &str) -> Option<Category> {
    Category::parse(s).or(match s {
        "直管" | "直管党员" => Some(Category::Direct),
        "在职" | "在职党员" => Some(Category::InService),
        "流动" | "流动党员" => Some(Category::Mobile),
        "离退休" | "退休" | "离退休党员" => Some(Category::Retired),
        "两新" | "两新组织" | "两新党员" => Some(Category::NewOrg),
        _ => None,
    })
}

fn category_label(c: &str) -> &'static str {
    match c {
        "direct" => "直管",
        "in_service" => "在职",
        "mobile" => "流动",
        "retired" => "离退休",
        _ => "两新",
    }
}

fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

struct Valid {
    line: i64,
    input: CreateMember,
    index: String,
}

/// Resolves the branch column (an id, or a name unique among the branches the caller keeps).
fn branch(conn: &mut DbConn, caller: &Caller, text: &str) -> Result<String, String> {
    let found: Vec<(String, String, String, String)> = branches::table
        .inner_join(regions::table)
        .filter(branches::id.eq(text).or(branches::name.eq(text)))
        .filter(branches::kind.eq_any(FORMAL_KINDS))
        .filter(branches::establishment.eq("formal"))
        .select((branches::id, branches::path, regions::path, branches::name))
        .load(conn)
        .map_err(|e| e.to_string())?;
    let keep = caller.branches_writable();
    let mine: Vec<&(String, String, String, String)> = found
        .iter()
        .filter(|(_, bp, rp, _)| keep.contains(bp, rp))
        .collect();
    match mine.as_slice() {
        [one] => Ok(one.0.clone()),
        [] => Err(format!("no formal branch {text:?} that you keep")),
        _ => Err(format!(
            "several branches are named {text:?}; use the branch id"
        )),
    }
}

fn validate(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    rows: Rows,
    job_id: &str,
) -> Result<(Vec<Valid>, Vec<LineError>), ApiError> {
    let total = rows.len() as i32;
    let mut branches_by_text: HashMap<String, Result<String, String>> = HashMap::new();
    let mut seen: HashMap<String, i64> = HashMap::new();
    let (mut valid, mut errors) = (vec![], vec![]);
    for (n, (line, cells)) in rows.into_iter().enumerate() {
        if n % PROGRESS_EVERY == 0 {
            jobs::progress(conn, job_id, total, n as i32)?;
        }
        let get = |k: &str| cells.get(k).map(str::to_owned).unwrap_or_default();
        let mut bad = |field: &str, message: String| {
            errors.push(LineError {
                line,
                field: field.into(),
                message,
            })
        };
        let text = get("branch");
        let branch_id = match branches_by_text
            .entry(text.clone())
            .or_insert_with(|| branch(conn, caller, &text))
            .clone()
        {
            Ok(id) => id,
            Err(m) => {
                bad("branch", m);
                continue;
            }
        };
        let Some(cat) = category(&get("category")) else {
            bad(
                "category",
                format!(
                    "{:?} is not a category (直管, 在职, 流动, 离退休, 两新)",
                    get("category")
                ),
            );
            continue;
        };
        let Some(joined_on) = date(&get("joined_on")) else {
            bad(
                "joined_on",
                format!("{:?} is not a date (YYYY-MM-DD)", get("joined_on")),
            );
            continue;
        };
        let full = get("full_member_on");
        let full_member_on = match full.as_str() {
            "" => None,
            f => match date(f) {
                Some(d) => Some(d),
                None => {
                    bad(
                        "full_member_on",
                        format!("{f:?} is not a date (YYYY-MM-DD)"),
                    );
                    continue;
                }
            },
        };
        let idn = get("id_number");
        let parsed = id_number::parse(&idn);
        let gender = match get("gender").as_str() {
            "男" | "male" => Gender::Male,
            "女" | "female" => Gender::Female,
            // Left empty: the ID number says.
            "" => match &parsed {
                Ok(p) if p.male => Gender::Male,
                _ => Gender::Female,
            },
            g => {
                bad("gender", format!("{g:?} is not 男 or 女"));
                continue;
            }
        };
        let opt = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
        let input = CreateMember {
            branch_id,
            name: get("name"),
            gender,
            id_number: idn,
            birth_date: None,
            phone: opt("phone"),
            education: opt("education"),
            joined_on,
            full_member_on,
            category: cat,
            grid_id: None,
            household_id: None,
            work_unit: opt("work_unit"),
            user_id: None,
        };
        if let Err(field_errors) = input.validate() {
            for e in field_errors {
                errors.push(LineError {
                    line,
                    field: e.field,
                    message: e.message,
                });
            }
            continue;
        }
        let value = parsed.map(|p| p.value).unwrap_or_default();
        let index = sealer.blind_index("id_number", &value);
        if let Some(first) = seen.get(&index) {
            errors.push(LineError {
                line,
                field: "id_number".into(),
                message: format!("the same ID number as line {first}"),
            });
            continue;
        }
        seen.insert(index.clone(), line);
        valid.push(Valid { line, input, index });
    }
    jobs::progress(conn, job_id, total, total)?;
    Ok((valid, errors))
}

/// Writes the valid lines in one transaction; returns (created, updated) and the lines that
/// name members already kept in another branch.
fn write(
    conn: &mut DbConn,
    sealer: &Sealer,
    valid: Vec<Valid>,
) -> Result<(i32, i32, Vec<LineError>), ApiError> {
    crate::db::write(conn, |c| {
        let mut existing: HashMap<String, Member> = HashMap::new();
        for chunk in valid.chunks(500) {
            let idx: Vec<&str> = chunk.iter().map(|v| v.index.as_str()).collect();
            let found: Vec<Member> = members::table
                .filter(members::id_number_index.eq_any(idx))
                .select(Member::as_select())
                .load(c)?;
            existing.extend(found.into_iter().map(|m| (m.id_number_index.clone(), m)));
        }
        let (mut created, mut updated, mut moved) = (0, 0, vec![]);
        let mut new_rows: Vec<Member> = vec![];
        let mut touched: std::collections::BTreeSet<String> = Default::default();
        let now = Utc::now().naive_utc();
        for v in valid {
            let i = &v.input;
            match existing.get(&v.index) {
                None => {
                    let value =
                        id_number::parse(&i.id_number).map_err(|(_, m)| ApiError::internal(m))?;
                    let id = crate::new_id();
                    let phone = phones::seal(sealer, PhoneColumn::Member, &id, i.phone.as_deref());
                    new_rows.push(Member {
                        id_number_sealed: sealer.seal(&seal_context(&id), &value.value),
                        id_number_index: v.index.clone(),
                        id_number_masked: id_number::mask(&value.value),
                        id,
                        branch_id: i.branch_id.clone(),
                        name: i.name.trim().into(),
                        gender: i.gender,
                        birth_date: value.birth_date,
                        phone_sealed: phone.sealed,
                        phone_index: phone.index,
                        phone_masked: phone.masked,
                        education: i.education.clone(),
                        joined_on: i.joined_on,
                        join_md: i.joined_on.format("%m-%d").to_string(),
                        full_member_on: i.full_member_on,
                        category: i.category,
                        grid_id: None,
                        household_id: None,
                        work_unit: i.work_unit.clone(),
                        user_id: None,
                        status: MemberStatus::Active,
                        status_changed_on: None,
                        status_reason: None,
                        version: 1,
                        created_at: now,
                        updated_at: now,
                    });
                    touched.insert(i.branch_id.clone());
                    created += 1;
                }
                Some(m) if m.branch_id != i.branch_id => {
                    moved.push(LineError { line: v.line, field: "branch".into(), message: "this person is already on another branch's roster; transfer them instead".into() });
                }
                Some(m) => {
                    // The phone is compared by its blind index: nothing is decrypted.
                    let same = m.name == i.name.trim()
                        && m.phone_index
                            == phones::clean(i.phone.as_deref()).map(|p| phones::index(sealer, p))
                        && m.education == i.education
                        && m.joined_on == i.joined_on
                        && m.full_member_on == i.full_member_on
                        && m.category == i.category
                        && m.work_unit == i.work_unit;
                    if same {
                        continue;
                    }
                    let phone =
                        phones::seal(sealer, PhoneColumn::Member, &m.id, i.phone.as_deref());
                    diesel::update(members::table.find(&m.id))
                        .set((
                            members::name.eq(i.name.trim()),
                            members::phone_sealed.eq(phone.sealed),
                            members::phone_index.eq(phone.index),
                            members::phone_masked.eq(phone.masked),
                            members::education.eq(&i.education),
                            members::joined_on.eq(i.joined_on),
                            members::join_md.eq(i.joined_on.format("%m-%d").to_string()),
                            members::full_member_on.eq(i.full_member_on),
                            members::category.eq(i.category.as_str()),
                            members::work_unit.eq(&i.work_unit),
                            members::version.eq(m.version + 1),
                            members::updated_at.eq(now),
                        ))
                        .execute(c)?;
                    updated += 1;
                }
            }
        }
        crate::bulk_insert!(c, members::table, new_rows);
        for b in touched {
            recount(c, &b)?;
        }
        crate::versions::bump(c, crate::versions::MEMBERS)?;
        Ok((created, updated, moved))
    })
}

/// Runs an import job to the end; called on the blocking pool.
pub fn run(pool: &DbPool, sealer: &Sealer, caller: &Caller, job_id: &str, rows: Rows) {
    let result = (|| -> Result<(i32, i32, Vec<LineError>), (String, Vec<LineError>)> {
        let mut conn = pool.get().map_err(|e| (format!("database: {e}"), vec![]))?;
        let (valid, mut errors) =
            validate(&mut conn, sealer, caller, rows, job_id).map_err(|e| (e.detail, vec![]))?;
        let (created, updated, moved) = write(&mut conn, sealer, valid)
            .map_err(|e| (format!("nothing was written: {}", e.detail), errors.clone()))?;
        errors.extend(moved);
        errors.sort_by_key(|e| e.line);
        audit::record(&mut conn, &caller.actor(), "import", "member", None, Some(json!({"job_id": job_id, "created": created, "updated": updated, "bad_lines": errors.len()})))
            .map_err(|e| (e.to_string(), errors.clone()))?;
        Ok((created, updated, errors))
    })();
    let Ok(mut conn) = pool.get() else {
        log::error!("import {job_id}: cannot record the outcome");
        return;
    };
    let recorded = match result {
        Ok((created, updated, errors)) => {
            jobs::finish(&mut conn, job_id, true, created, updated, &errors, None)
        }
        Err((message, errors)) => {
            jobs::finish(&mut conn, job_id, false, 0, 0, &errors, Some(message))
        }
    };
    if let Err(e) = recorded {
        log::error!("import {job_id}: cannot record the outcome: {e}");
    }
}

/// The roster as the caller may see it (masked), with the list's filters, as a sheet.
pub fn export(
    conn: &mut DbConn,
    memo: &crate::versions::GroupMemo,
    sealer: &Sealer,
    caller: &Caller,
    filter: MemberFilter,
    format: Format,
) -> Result<Vec<u8>, ApiError> {
    let mut rows: Vec<Vec<String>> = vec![];
    let mut page = 1;
    loop {
        let (items, total) = service::list(
            conn,
            memo,
            sealer,
            caller,
            filter.clone(),
            vec![],
            Paging {
                page,
                per_page: 1000,
            },
        )?;
        if total > MAX_EXPORT_ROWS {
            return Err(ApiError::field(
                "filters",
                "too_many",
                format!("{total} members match; narrow the filters to at most {MAX_EXPORT_ROWS}"),
            ));
        }
        let n = items.len();
        for m in items {
            rows.push(vec![
                m.branch_name,
                m.name,
                if m.gender == Gender::Male {
                    "男"
                } else {
                    "女"
                }
                .into(),
                m.id_number,
                m.phone.unwrap_or_default(),
                m.education.unwrap_or_default(),
                m.joined_on.to_string(),
                m.full_member_on.map(|d| d.to_string()).unwrap_or_default(),
                category_label(m.category.as_str()).into(),
                m.work_unit.unwrap_or_default(),
            ]);
        }
        if n < 1000 {
            break;
        }
        page += 1;
    }
    audit::record(
        conn,
        &caller.actor(),
        "export",
        "member",
        None,
        Some(json!({"rows": rows.len(), "masked": true})),
    )?;
    tabular::write(&COLUMNS, &rows, format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_back_and_labels_map_to_categories() {
        for f in [Format::Csv, Format::Xlsx] {
            let rows = parse(&template(f).unwrap(), f).unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(&rows[0].1["id_number"], "11010519491231002X");
            assert_eq!(&rows[0].1["category"], "离退休");
        }
        assert_eq!(category("离退休"), Some(Category::Retired));
        assert_eq!(category("in_service"), Some(Category::InService));
        assert_eq!(category("x"), None);
        assert_eq!(date("1985/07/01"), NaiveDate::from_ymd_opt(1985, 7, 1));
        assert_eq!(date("19850701"), NaiveDate::from_ymd_opt(1985, 7, 1));
        assert!(parse(b"name\nx\n", Format::Csv)
            .unwrap_err()
            .message
            .contains("branch"));
    }
}
