//! Household import from CSV or XLSX: a template to download, a job that validates every line
//! (reporting each bad one with its line number and reason), then writes all valid lines in one
//! transaction — nothing is half-written — matching existing households by address, so that
//! importing the same file again creates no duplicates.
use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

use super::dto::CreateHousehold;
use super::service::{encode_tags, insert, HouseholdChanges};
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{grids, households};
use crate::db::{DbConn, DbPool};
use crate::error::ApiError;
use crate::grids::service::access;
use crate::http::Validate;
use crate::jobs::{self, LineError};
use crate::phones;
use crate::sealed::Sealer;
use crate::tabular::{self, Column, Format, Rows};

const PROGRESS_EVERY: usize = 500;

/// The columns, as (key, header in the template). Headers are matched by key or by Chinese name.
pub const COLUMNS: [Column; 8] = [
    ("grid_code", "网格编码"),
    ("building", "楼栋"),
    ("unit", "单元"),
    ("room", "房号"),
    ("residents", "人口数"),
    ("head_name", "户主姓名"),
    ("head_phone", "户主电话"),
    ("tags", "标签"),
];
const EXAMPLE: [&str; 8] = [
    "XF-01-1",
    "3幢",
    "2单元",
    "301",
    "2",
    "王秀英",
    "13812345678",
    "elderly_alone",
];

pub fn template(format: Format) -> Result<Vec<u8>, ApiError> {
    tabular::template(&COLUMNS, &EXAMPLE, format)
}

/// Parsed before a job or a connection exists: a bad file is refused on the request (422).
pub fn parse(bytes: &[u8], format: Format) -> Result<Rows, tabular::Refusal> {
    tabular::parse(
        bytes,
        format,
        &COLUMNS,
        &["grid_code", "building", "room", "head_name"],
    )
}

struct Valid {
    line: i64,
    input: CreateHousehold,
}

/// Checks every row; valid ones come back ready to write, bad ones as line errors.
fn validate(
    conn: &mut DbConn,
    caller: &Caller,
    rows: Rows,
    job_id: &str,
) -> Result<(Vec<Valid>, Vec<LineError>), ApiError> {
    let total = rows.len() as i32;
    let mut grid_by_code: HashMap<String, Result<String, String>> = HashMap::new();
    let mut seen: HashMap<(String, String, String, String), i64> = HashMap::new();
    let (mut valid, mut errors) = (vec![], vec![]);
    for (n, (line, cells)) in rows.into_iter().enumerate() {
        if n % PROGRESS_EVERY == 0 {
            jobs::progress(conn, job_id, total, n as i32)?;
        }
        let get = |k: &str| cells.get(k).map(str::to_owned).unwrap_or_default();
        let code = get("grid_code");
        let grid = grid_by_code
            .entry(code.clone())
            .or_insert_with(|| {
                let id: Option<String> = grids::table
                    .filter(grids::code.eq(&code))
                    .select(grids::id)
                    .first(conn)
                    .ok();
                match id.map(|id| access(conn, caller, &id, None)) {
                    Some(Ok(a)) if a.staff || a.worker => Ok(a.grid.id),
                    Some(Ok(_)) => Err("you may not add households to this grid".into()),
                    _ => Err(format!("no grid with code {code:?}")),
                }
            })
            .clone();
        let grid_id = match grid {
            Ok(id) => id,
            Err(message) => {
                errors.push(LineError {
                    line,
                    field: "grid_code".into(),
                    message,
                });
                continue;
            }
        };
        let residents = match get("residents").as_str() {
            "" => 1,
            r => match r.parse::<i32>() {
                Ok(v) => v,
                Err(_) => {
                    errors.push(LineError {
                        line,
                        field: "residents".into(),
                        message: format!("{r:?} is not a whole number"),
                    });
                    continue;
                }
            },
        };
        let phone = get("head_phone");
        let tags: Vec<String> = get("tags")
            .split(|c| matches!(c, ';' | ',' | '、' | '|' | '，' | '；'))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let input = CreateHousehold {
            grid_id,
            building: get("building"),
            unit: get("unit"),
            room: get("room"),
            residents,
            head_name: get("head_name"),
            head_phone: (!phone.is_empty()).then_some(phone),
            tags,
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
        let key = (
            input.grid_id.clone(),
            input.building.clone(),
            input.unit.clone(),
            input.room.clone(),
        );
        if let Some(first) = seen.get(&key) {
            errors.push(LineError {
                line,
                field: "room".into(),
                message: format!("the same address as line {first}"),
            });
            continue;
        }
        seen.insert(key, line);
        valid.push(Valid { line, input });
    }
    jobs::progress(conn, job_id, total, total)?;
    Ok((valid, errors))
}

/// Writes the valid rows in one transaction: new addresses are inserted, known ones updated (an
/// unchanged phone is recognised by its blind index, nothing is decrypted).
fn write(conn: &mut DbConn, sealer: &Sealer, valid: &[Valid]) -> Result<(i32, i32), ApiError> {
    crate::db::write(conn, |c| {
        let (mut created, mut updated) = (0, 0);
        for v in valid {
            let i = &v.input;
            let existing: Option<(String, i32, i32, String, Option<String>, String)> =
                households::table
                    .filter(households::grid_id.eq(&i.grid_id))
                    .filter(households::building.eq(&i.building))
                    .filter(households::unit.eq(&i.unit))
                    .filter(households::room.eq(&i.room))
                    .select((
                        households::id,
                        households::version,
                        households::residents,
                        households::head_name,
                        households::head_phone_index,
                        households::tags,
                    ))
                    .first(c)
                    .optional()?;
            match existing {
                None => {
                    insert(c, sealer, i).map_err(|e| ApiError {
                        detail: format!("line {}: {}", v.line, e.detail),
                        ..e
                    })?;
                    created += 1;
                }
                Some((id, version, residents, head, phone_index, tags)) => {
                    let (new_tags, key) = encode_tags(&i.tags);
                    let new_index =
                        phones::clean(i.head_phone.as_deref()).map(|p| phones::index(sealer, p));
                    if residents == i.residents
                        && head == i.head_name
                        && phone_index == new_index
                        && tags == new_tags
                    {
                        continue;
                    }
                    let changes = HouseholdChanges {
                        residents: Some(i.residents),
                        head_name: Some(i.head_name.clone()),
                        head_phone_sealed: None,
                        head_phone_index: None,
                        head_phone_masked: None,
                        tags: Some(new_tags),
                        key_group: Some(key),
                        version: version + 1,
                        updated_at: Utc::now().naive_utc(),
                    }
                    .with_phone(sealer, &id, Some(i.head_phone.clone()));
                    diesel::update(households::table.find(&id))
                        .set(&changes)
                        .execute(c)?;
                    crate::grids::service::touch_activity(c, &i.grid_id)?;
                    updated += 1;
                }
            }
        }
        Ok((created, updated))
    })
}

/// Runs an import job to the end; called on the blocking pool.
pub fn run(pool: &DbPool, sealer: &Sealer, caller: &Caller, job_id: &str, rows: Rows) {
    let result = (|| -> Result<(i32, i32, Vec<LineError>), (String, Vec<LineError>)> {
        let mut conn = pool.get().map_err(|e| (format!("database: {e}"), vec![]))?;
        let (valid, errors) =
            validate(&mut conn, caller, rows, job_id).map_err(|e| (e.detail, vec![]))?;
        let (created, updated) = write(&mut conn, sealer, &valid)
            .map_err(|e| (format!("nothing was written: {}", e.detail), errors.clone()))?;
        audit::record(
            &mut conn,
            &caller.actor(),
            "import",
            "household",
            None,
            Some(json!({"job_id": job_id, "created": created, "updated": updated, "bad_lines": errors.len()})),
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_parse_back_as_their_example_row() {
        for f in [Format::Csv, Format::Xlsx] {
            let rows = parse(&template(f).unwrap(), f).unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].0, 2, "the example is line 2");
            assert_eq!(&rows[0].1["grid_code"], "XF-01-1");
            assert_eq!(&rows[0].1["room"], "301");
            assert_eq!(&rows[0].1["residents"], "2");
        }
    }

    #[test]
    fn headers_are_found_by_key_or_chinese_name_and_blank_lines_skipped() {
        let csv = "房号,grid_code,楼栋,户主姓名\n101,G1,1幢,张三\n,,,\n102,G1,1幢,李四\n";
        let rows = parse(csv.as_bytes(), Format::Csv).unwrap();
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(&rows[1].1["head_name"], "李四");
        assert!(parse(b"name,phone\nx,y\n", Format::Csv)
            .unwrap_err()
            .message
            .contains("grid_code"));
        assert!(parse(&[0xff, 0xfe, 0x00], Format::Csv).is_err());
        assert!(parse(b"not a zip", Format::Xlsx).is_err());
    }
}
