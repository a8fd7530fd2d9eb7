//! Co-building and responsibility agreements between a unit and a community or the street, with
//! commitments whose progress is computed from the orders the unit completed there during the
//! term (契约化服务), and the signed documents.
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{
    agreement_commitments, agreement_documents, agreements, menu_items, regions,
    service_categories, service_orders, units,
};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};

/// Signed documents up to 10 MB each.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agreements)]
struct Agreement {
    id: String,
    unit_id: String,
    region_id: String,
    kind: AgreementKind,
    title: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    signed_on: Option<NaiveDate>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

struct Access {
    a: Agreement,
    unit_name: String,
    region_name: String,
    region_path: String,
    write: bool,
}

fn load(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<Access> {
    let found: Option<(Agreement, String, String, String)> = agreements::table
        .inner_join(units::table)
        .inner_join(regions::table)
        .filter(agreements::id.eq(id))
        .select((
            Agreement::as_select(),
            units::name,
            regions::name,
            regions::path,
        ))
        .first(conn)
        .optional()?;
    let (a, unit_name, region_name, region_path) =
        found.ok_or_else(|| ApiError::not_found("agreement"))?;
    let contact = caller.unit_ids().contains(&a.unit_id);
    if !(contact || caller.regions_readable().contains(&region_path)) {
        return Err(ApiError::not_found("agreement"));
    }
    let write = caller.regions_writable().contains(&region_path) || contact;
    Ok(Access {
        a,
        unit_name,
        region_name,
        region_path,
        write,
    })
}

/// A commitment's progress: the delivered share of its target(s), capped at 1.
pub fn progress(
    delivered_orders: i64,
    delivered_minutes: i64,
    target_orders: Option<i32>,
    target_minutes: Option<i32>,
) -> Option<f64> {
    let share = |done: i64, target: Option<i32>| {
        target
            .filter(|t| *t > 0)
            .map(|t| (done as f64 / f64::from(t)).min(1.0))
    };
    let parts: Vec<f64> = [
        share(delivered_orders, target_orders),
        share(delivered_minutes, target_minutes),
    ]
    .into_iter()
    .flatten()
    .collect();
    parts
        .into_iter()
        .reduce(f64::min)
        .map(|p| (p * 10_000.0).round() / 10_000.0)
}

fn view(conn: &mut DbConn, x: Access) -> ApiResult<AgreementView> {
    let a = x.a;
    let commitments: Vec<(String, String, Option<String>, Option<i32>, Option<i32>)> =
        agreement_commitments::table
            .filter(agreement_commitments::agreement_id.eq(&a.id))
            .order(agreement_commitments::sort.asc())
            .select((
                agreement_commitments::id,
                agreement_commitments::description,
                agreement_commitments::category_id,
                agreement_commitments::target_orders,
                agreement_commitments::target_minutes,
            ))
            .load(conn)?;
    // The unit's completed orders in the region's subtree during the term.
    let (lo, hi) = crate::tree::range(&x.region_path);
    let delivered: Vec<(Option<String>, Option<i32>)> = service_orders::table
        .inner_join(regions::table)
        .left_join(menu_items::table.on(menu_items::id.nullable().eq(service_orders::menu_item_id)))
        .filter(service_orders::provider_type.eq("unit"))
        .filter(service_orders::provider_id.eq(&a.unit_id))
        .filter(service_orders::status.eq_any(["completed", "rated"]))
        .filter(service_orders::completed_at.ge(crate::clock::start_of(a.starts_on)))
        .filter(service_orders::completed_at.lt(crate::clock::start_of(
            a.ends_on + chrono::Duration::days(1),
        )))
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .select((menu_items::category_id.nullable(), service_orders::minutes))
        .load(conn)?;
    let mut out = vec![];
    for (id, description, category_id, target_orders, target_minutes) in commitments {
        let in_category: Option<Vec<String>> = match &category_id {
            Some(c) => {
                let mut ids: Vec<String> = service_categories::table
                    .filter(service_categories::parent_id.eq(c))
                    .select(service_categories::id)
                    .load(conn)?;
                ids.push(c.clone());
                Some(ids)
            }
            None => None,
        };
        let counted: Vec<&(Option<String>, Option<i32>)> = delivered
            .iter()
            .filter(|(cat, _)| {
                in_category
                    .as_ref()
                    .is_none_or(|ids| cat.as_ref().is_some_and(|c| ids.contains(c)))
            })
            .collect();
        let delivered_orders = counted.len() as i64;
        let delivered_minutes: i64 = counted.iter().map(|(_, m)| i64::from(m.unwrap_or(0))).sum();
        out.push(CommitmentProgress {
            progress: progress(
                delivered_orders,
                delivered_minutes,
                target_orders,
                target_minutes,
            ),
            id,
            description,
            category_id,
            target_orders,
            target_minutes,
            delivered_orders,
            delivered_minutes,
        });
    }
    let measured: Vec<f64> = out.iter().filter_map(|c| c.progress).collect();
    let overall = (!measured.is_empty()).then(|| {
        ((measured.iter().sum::<f64>() / measured.len() as f64) * 10_000.0).round() / 10_000.0
    });
    let docs: Vec<(String, String, String, i32, String, NaiveDateTime)> =
        agreement_documents::table
            .filter(agreement_documents::agreement_id.eq(&a.id))
            .order(agreement_documents::uploaded_at.asc())
            .select((
                agreement_documents::id,
                agreement_documents::filename,
                agreement_documents::content_type,
                agreement_documents::size,
                agreement_documents::sha256,
                agreement_documents::uploaded_at,
            ))
            .load(conn)?;
    Ok(AgreementView {
        kind: a.kind,
        documents: docs
            .into_iter()
            .map(
                |(id, filename, content_type, size, sha256, at)| DocumentView {
                    url: format!("/api/v1/agreements/{}/documents/{id}", a.id),
                    id,
                    filename,
                    content_type,
                    size,
                    sha256,
                    uploaded_at: at.and_utc(),
                },
            )
            .collect(),
        id: a.id,
        unit_id: a.unit_id,
        unit_name: x.unit_name,
        region_id: a.region_id,
        region_name: x.region_name,
        title: a.title,
        starts_on: a.starts_on,
        ends_on: a.ends_on,
        signed_on: a.signed_on,
        commitments: out,
        progress: overall,
        version: a.version,
        created_at: a.created_at.and_utc(),
        updated_at: a.updated_at.and_utc(),
    })
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<AgreementView> {
    let x = load(conn, caller, id)?;
    view(conn, x)
}

/// Agreements the caller may see: those of their regions, or of the units they act for.
pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    unit_id: Option<&str>,
    region_id: Option<&str>,
) -> ApiResult<Vec<AgreementView>> {
    let reach = caller.regions_readable();
    let mine = caller.unit_ids();
    let mut q = agreements::table
        .inner_join(regions::table)
        .select(agreements::id)
        .into_boxed::<crate::db::MultiBackend>();
    q = match &reach {
        crate::auth::policy::Reach::All => q,
        crate::auth::policy::Reach::Within(p) => q.filter(
            crate::path_filter!(regions::path, p).or(agreements::unit_id.eq_any(mine.clone())),
        ),
    };
    if let Some(u) = unit_id {
        q = q.filter(agreements::unit_id.eq(u.to_owned()));
    }
    if let Some(r) = region_id {
        q = q.filter(agreements::region_id.eq(r.to_owned()));
    }
    let ids: Vec<String> = q
        .order(agreements::starts_on.desc())
        .limit(200)
        .load(conn)?;
    ids.iter().map(|id| get(conn, caller, id)).collect()
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    input: CreateAgreement,
) -> ApiResult<AgreementView> {
    crate::db::write(conn, |c| {
        let path: Option<String> = regions::table
            .find(&input.region_id)
            .select(regions::path)
            .first(c)
            .optional()?;
        let path = path
            .filter(|p| caller.regions_readable().contains(p))
            .ok_or_else(|| {
                ApiError::field("region_id", "not_found", "the region does not exist")
            })?;
        if !caller.regions_writable().contains(&path) {
            return Err(ApiError::forbidden(
                "agreements are entered by the staff of the community or street",
            ));
        }
        let unit: i64 = units::table.find(&input.unit_id).count().get_result(c)?;
        if unit == 0 {
            return Err(ApiError::field(
                "unit_id",
                "not_found",
                "the unit does not exist",
            ));
        }
        for (i, cm) in input.commitments.iter().enumerate() {
            if let Some(cat) = &cm.category_id {
                let n: i64 = service_categories::table.find(cat).count().get_result(c)?;
                if n == 0 {
                    return Err(ApiError::field(
                        &format!("commitments[{i}].category_id"),
                        "not_found",
                        "the category does not exist",
                    ));
                }
            }
        }
        let id = crate::new_id();
        let now = Utc::now().naive_utc();
        diesel::insert_into(agreements::table)
            .values((
                agreements::id.eq(&id),
                agreements::unit_id.eq(&input.unit_id),
                agreements::region_id.eq(&input.region_id),
                agreements::kind.eq(input.kind.as_str()),
                agreements::title.eq(input.title.trim()),
                agreements::starts_on.eq(input.starts_on),
                agreements::ends_on.eq(input.ends_on),
                agreements::signed_on.eq(input.signed_on),
                agreements::version.eq(1),
                agreements::created_at.eq(now),
                agreements::updated_at.eq(now),
            ))
            .execute(c)?;
        for (i, cm) in input.commitments.iter().enumerate() {
            diesel::insert_into(agreement_commitments::table)
                .values((
                    agreement_commitments::id.eq(crate::new_id()),
                    agreement_commitments::agreement_id.eq(&id),
                    agreement_commitments::description.eq(cm.description.trim()),
                    agreement_commitments::category_id.eq(&cm.category_id),
                    agreement_commitments::target_orders.eq(cm.target_orders),
                    agreement_commitments::target_minutes.eq(cm.target_minutes),
                    agreement_commitments::sort.eq(i as i32),
                ))
                .execute(c)?;
        }
        audit::record(
            c,
            &caller.actor(),
            "create",
            "agreement",
            Some(&id),
            Some(json!({"unit_id": input.unit_id, "title": input.title.trim()})),
        )?;
        get(c, caller, &id)
    })
}

/// Document types accepted: PDF and images of the signed paper.
pub fn content_type_of(filename: &str, bytes: &[u8]) -> Option<&'static str> {
    let lower = filename.to_lowercase();
    let by_magic = if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    };
    let by_name = [
        (".pdf", "application/pdf"),
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
        (".png", "image/png"),
    ]
    .iter()
    .find(|(ext, _)| lower.ends_with(ext))
    .map(|x| x.1);
    // The name and the bytes must agree: a renamed file is refused.
    match (by_magic, by_name) {
        (Some(a), Some(b)) if a == b => Some(a),
        _ => None,
    }
}

/// Whether the caller may add a document: checked before the upload is read, and again with it.
pub fn may_upload(c: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<()> {
    if !load(c, caller, id)?.write {
        return Err(ApiError::forbidden(
            "documents are added by the agreement's parties",
        ));
    }
    Ok(())
}

pub fn upload(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    filename: String,
    bytes: Vec<u8>,
) -> ApiResult<AgreementView> {
    crate::db::write(conn, |c| {
        let x = load(c, caller, id)?;
        if !x.write {
            return Err(ApiError::forbidden(
                "documents are added by the agreement's parties",
            ));
        }
        let content_type = content_type_of(&filename, &bytes).ok_or_else(|| {
            ApiError::new(
                actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "upload a PDF, JPEG or PNG whose name matches its content",
            )
        })?;
        if content_type.starts_with("image/") {
            crate::tabular::guard::check_image(&bytes)?;
        }
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes);
        let sha: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        let name: String = filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("document")
            .chars()
            .take(100)
            .collect();
        diesel::insert_into(agreement_documents::table)
            .values((
                agreement_documents::id.eq(crate::new_id()),
                agreement_documents::agreement_id.eq(id),
                agreement_documents::filename.eq(&name),
                agreement_documents::content_type.eq(content_type),
                agreement_documents::size.eq(bytes.len() as i32),
                agreement_documents::sha256.eq(&sha),
                agreement_documents::content.eq(&bytes),
                agreement_documents::uploaded_by.eq(&caller.user_id),
                agreement_documents::uploaded_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "upload",
            "agreement",
            Some(id),
            Some(json!({"filename": name, "sha256": sha})),
        )?;
        view(c, x)
    })
}

pub fn download(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    document_id: &str,
) -> ApiResult<(String, String, Vec<u8>)> {
    load(conn, caller, id)?;
    let doc: Option<(String, String, Vec<u8>)> = agreement_documents::table
        .filter(agreement_documents::id.eq(document_id))
        .filter(agreement_documents::agreement_id.eq(id))
        .select((
            agreement_documents::filename,
            agreement_documents::content_type,
            agreement_documents::content,
        ))
        .first(conn)
        .optional()?;
    doc.ok_or_else(|| ApiError::not_found("document"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_the_delivered_share_of_the_tighter_target() {
        assert_eq!(progress(6, 0, Some(12), None), Some(0.5));
        assert_eq!(
            progress(12, 3000, Some(12), Some(6000)),
            Some(0.5),
            "both targets: the lower share"
        );
        assert_eq!(progress(20, 0, Some(12), None), Some(1.0), "capped at 1");
        assert_eq!(progress(5, 100, None, None), None, "no target, no progress");
        assert_eq!(progress(1, 0, Some(3), None), Some(0.3333));
    }

    #[test]
    fn documents_must_be_what_their_names_say() {
        assert_eq!(
            content_type_of("协议.pdf", b"%PDF-1.7 ..."),
            Some("application/pdf")
        );
        assert_eq!(
            content_type_of("scan.JPG", &[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(
            content_type_of("scan.png", b"%PDF-1.7"),
            None,
            "a renamed PDF"
        );
        assert_eq!(content_type_of("virus.exe", b"MZ"), None);
    }
}
