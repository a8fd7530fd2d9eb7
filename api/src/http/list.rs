//! List parameters (`page`, `per_page`, `sort`, `q`) and the page envelope `{items, total, page, per_page}`.
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::error::ErrorCode;

pub const MAX_PER_PAGE: i64 = 100;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1-based page number.
    #[param(minimum = 1, example = 1)]
    pub page: Option<i64>,
    /// Rows per page, at most 100.
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<i64>,
    /// Comma-separated sort keys; a leading `-` sorts descending (`name,-created_at`).
    #[param(example = "name")]
    pub sort: Option<String>,
    /// Free-text search.
    pub q: Option<String>,
}

/// A checked page request.
#[derive(Debug, Clone)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

/// One sort key from `sort`, checked against the resource's allowed keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub key: String,
    pub desc: bool,
}

impl ListParams {
    pub fn paging(&self) -> Result<Paging, ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        if page < 1 {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidPage,
                "page must be 1 or more",
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidPage,
                format!("per_page must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        if page
            .checked_mul(per_page)
            .is_none_or(|n| n > i64::from(i32::MAX))
        {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidPage,
                "page is too large",
            ));
        }
        Ok(Paging { page, per_page })
    }

    pub fn sorts(&self, allowed: &[&str]) -> Result<Vec<Sort>, ApiError> {
        let Some(raw) = self.sort.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Ok(vec![]);
        };
        raw.split(',')
            .map(|part| {
                let part = part.trim();
                let (key, desc) = match part.strip_prefix('-') {
                    Some(k) => (k, true),
                    None => (part.strip_prefix('+').unwrap_or(part), false),
                };
                if allowed.contains(&key) {
                    Ok(Sort {
                        key: key.to_string(),
                        desc,
                    })
                } else {
                    Err(ApiError::bad_request(
                        ErrorCode::InvalidSort,
                        format!("cannot sort by {key:?}; allowed: {}", allowed.join(", ")),
                    ))
                }
            })
            .collect()
    }

    /// The search text, trimmed; `None` when blank.
    pub fn query(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned)
    }
}

/// A `LIKE` pattern that matches `q` anywhere, with `%`, `_` and `\` escaped (use `ESCAPE '\'`).
pub fn like_pattern(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Rows matching the filters, over all pages.
    #[schema(example = 42)]
    pub total: i64,
    #[schema(example = 1)]
    pub page: i64,
    #[schema(example = 20)]
    pub per_page: i64,
}

/// List pages remembered as the JSON body they were sent as. The key must hold everything the
/// page depends on, including the data version read on the request, as for every [`crate::memo`].
pub type PageMemo = crate::memo::Memo<String, actix_web::web::Bytes>;

/// The body of a page: remembered under `key`, or loaded, serialized and remembered.
pub fn remembered_page<T: Serialize>(
    memo: &PageMemo,
    key: String,
    paging: &Paging,
    load: impl FnOnce() -> Result<(Vec<T>, i64), ApiError>,
) -> Result<actix_web::web::Bytes, ApiError> {
    if let Some(body) = memo.get(&key) {
        return Ok((*body).clone());
    }
    let (items, total) = load()?;
    let page = Page {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    };
    let body = serde_json::to_vec(&page)
        .map_err(|e| ApiError::internal(format!("serializing a page: {e}")))?;
    Ok((*memo.put(key, body.into())).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(sort: &str) -> ListParams {
        ListParams {
            page: None,
            per_page: None,
            sort: Some(sort.into()),
            q: None,
        }
    }

    #[test]
    fn sort_keys_are_checked_and_signed() {
        let s = params("name,-created_at")
            .sorts(&["name", "created_at"])
            .unwrap();
        assert_eq!(
            s,
            vec![
                Sort {
                    key: "name".into(),
                    desc: false
                },
                Sort {
                    key: "created_at".into(),
                    desc: true
                }
            ]
        );
        assert_eq!(
            params("password_hash")
                .sorts(&["name"])
                .unwrap_err()
                .code
                .as_str(),
            "invalid_sort"
        );
    }

    #[test]
    fn paging_bounds() {
        let mut p = params("");
        p.per_page = Some(101);
        assert_eq!(p.paging().unwrap_err().code.as_str(), "invalid_page");
        p.per_page = Some(100);
        p.page = Some(0);
        assert!(p.paging().is_err());
        p.page = Some(3);
        assert_eq!(p.paging().unwrap().offset(), 200);
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
