//! API types of wishes.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules::{self, field};
use crate::http::Validate;

crate::text_enum! {
    /// 发布 → 审核 → 认领 → 完成 → 致谢.
    pub enum WishStatus {
        /// Posted, waiting for the community's check.
        Posted = "posted",
        /// On the wish wall, waiting for someone to adopt it.
        Open = "open",
        Adopted = "adopted",
        Fulfilled = "fulfilled",
        /// The resident has said thank you.
        Thanked = "thanked",
        /// Not suitable (the community says why).
        Rejected = "rejected",
        /// Taken back by the resident.
        Withdrawn = "withdrawn",
    }
}

crate::text_enum! {
    pub enum AdopterType {
        Unit = "unit",
        Volunteer = "volunteer",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000005001", "community_id": "0193a1b2-0000-7000-8000-000000000010", "community_name": "斜桥巷社区", "resident_name": "居**英", "title": "想要一副老花镜", "description": "300度", "status": "open", "decision_note": null, "adopter_type": null, "adopter_name": null, "adopted_at": null, "fulfilled_at": null, "evidence": [], "thanks": null, "actions": ["adopt"], "version": 2, "created_at": "2026-11-20T02:00:00Z", "updated_at": "2026-11-21T02:00:00Z"}))]
pub struct WishView {
    pub id: String,
    pub community_id: String,
    pub community_name: String,
    /// Masked on the wall; in clear for the resident and the community's staff.
    pub resident_name: String,
    pub title: String,
    pub description: Option<String>,
    pub status: WishStatus,
    /// Why it was rejected.
    pub decision_note: Option<String>,
    pub adopter_type: Option<AdopterType>,
    pub adopter_name: Option<String>,
    pub adopted_at: Option<DateTime<Utc>>,
    pub fulfilled_at: Option<DateTime<Utc>>,
    pub evidence: Vec<String>,
    pub thanks: Option<String>,
    /// What the caller may do next.
    pub actions: Vec<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"community_id": "0193a1b2-0000-7000-8000-000000000010", "title": "想要一副老花镜", "description": "300度"}))]
pub struct CreateWish {
    pub community_id: String,
    pub title: String,
    pub description: Option<String>,
}

impl Validate for CreateWish {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "community_id", &self.community_id, 64);
        rules::text(&mut e, "title", &self.title, 50);
        rules::opt_text(&mut e, "description", self.description.as_deref(), 500);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approve": false, "note": "涉及现金，不适合作为微心愿"}))]
pub struct ReviewWish {
    pub approve: bool,
    /// Required when rejecting.
    pub note: Option<String>,
}

impl Validate for ReviewWish {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if !self.approve && self.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            field(&mut e, "note", "required", "say why the wish is rejected");
        }
        rules::opt_text(&mut e, "note", self.note.as_deref(), 200);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"adopter_type": "volunteer"}))]
pub struct AdoptWish {
    /// `volunteer`: yourself; `unit`: a unit you act for (`unit_id`).
    pub adopter_type: AdopterType,
    pub unit_id: Option<String>,
}

impl Validate for AdoptWish {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if self.adopter_type == AdopterType::Unit && self.unit_id.is_none() {
            field(
                &mut e,
                "unit_id",
                "required",
                "name the unit that adopts the wish",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"evidence": ["/files/photo-2.jpg"], "minutes": 30}))]
pub struct FulfilWish {
    pub evidence: Vec<String>,
    /// A volunteer's minutes go into the service-hours ledger.
    pub minutes: Option<i32>,
}

impl Validate for FulfilWish {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if self.evidence.is_empty() || self.evidence.len() > 9 {
            field(
                &mut e,
                "evidence",
                "out_of_range",
                "one to nine pieces of evidence",
            );
        }
        for (i, x) in self.evidence.iter().enumerate() {
            rules::text(&mut e, &format!("evidence[{i}]"), x, 500);
        }
        if self.minutes.is_some_and(|m| !(1..=720).contains(&m)) {
            field(&mut e, "minutes", "out_of_range", "minutes are 1 to 720");
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"thanks": "谢谢志愿者，眼镜很合适！"}))]
pub struct ThankWish {
    pub thanks: String,
}

impl Validate for ThankWish {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "thanks", &self.thanks, 200);
        rules::finish(e)
    }
}
