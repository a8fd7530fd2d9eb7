//! API types of agreements.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules::{self, field};
use crate::http::Validate;

crate::text_enum! {
    pub enum AgreementKind {
        /// 共建协议: a standing pairing agreement.
        CoBuilding = "co_building",
        /// 目标责任书: a yearly agreement with targets.
        Responsibility = "responsibility",
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    pub description: String,
    /// Orders in this category count towards it (any order when absent).
    pub category_id: Option<String>,
    /// Orders to deliver over the term.
    pub target_orders: Option<i32>,
    /// Minutes of service to deliver over the term.
    pub target_minutes: Option<i32>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a1b2-0000-7000-8000-000000000f01", "region_id": "0193a1b2-0000-7000-8000-000000000010", "kind": "responsibility", "title": "2026年度共建目标责任书", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "signed_on": "2026-01-15", "commitments": [{"description": "全年上门义诊不少于12次", "target_orders": 12}, {"description": "志愿服务不少于100小时", "target_minutes": 6000}]}))]
pub struct CreateAgreement {
    pub unit_id: String,
    /// The community (or the street) the unit agrees with.
    pub region_id: String,
    pub kind: AgreementKind,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signed_on: Option<NaiveDate>,
    pub commitments: Vec<CommitmentInput>,
}

impl Validate for CreateAgreement {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "unit_id", &self.unit_id, 64);
        rules::text(&mut e, "region_id", &self.region_id, 64);
        rules::text(&mut e, "title", &self.title, 100);
        if self.ends_on < self.starts_on {
            field(&mut e, "ends_on", "before_start", "the term runs forwards");
        }
        if self.commitments.is_empty() || self.commitments.len() > 50 {
            field(
                &mut e,
                "commitments",
                "out_of_range",
                "one to fifty commitments",
            );
        }
        for (i, c) in self.commitments.iter().enumerate() {
            rules::text(
                &mut e,
                &format!("commitments[{i}].description"),
                &c.description,
                200,
            );
            if c.target_orders.is_some_and(|t| !(1..=100_000).contains(&t)) {
                field(
                    &mut e,
                    &format!("commitments[{i}].target_orders"),
                    "out_of_range",
                    "1 to 100,000 orders",
                );
            }
            if c.target_minutes
                .is_some_and(|t| !(1..=10_000_000).contains(&t))
            {
                field(
                    &mut e,
                    &format!("commitments[{i}].target_minutes"),
                    "out_of_range",
                    "1 to 10,000,000 minutes",
                );
            }
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitmentProgress {
    pub id: String,
    pub description: String,
    pub category_id: Option<String>,
    pub target_orders: Option<i32>,
    pub target_minutes: Option<i32>,
    /// Orders the unit completed in the agreement's region, term (and category).
    pub delivered_orders: i64,
    /// Their minutes of service.
    pub delivered_minutes: i64,
    /// Delivered ÷ target, the lower of the two when both are set, capped at 1; none without a target.
    pub progress: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i32,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
    /// Where to download it (with the bearer token).
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000006001", "unit_id": "0193a1b2-0000-7000-8000-000000000f01", "unit_name": "常州市第一人民医院", "region_id": "0193a1b2-0000-7000-8000-000000000010", "region_name": "斜桥巷社区", "kind": "responsibility", "title": "2026年度共建目标责任书", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "signed_on": "2026-01-15", "commitments": [], "progress": 0.5, "documents": [], "version": 1, "created_at": "2026-01-15T02:00:00Z", "updated_at": "2026-01-15T02:00:00Z"}))]
pub struct AgreementView {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub region_id: String,
    pub region_name: String,
    pub kind: AgreementKind,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signed_on: Option<NaiveDate>,
    pub commitments: Vec<CommitmentProgress>,
    /// The mean of the commitments' progress.
    pub progress: Option<f64>,
    pub documents: Vec<DocumentView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
