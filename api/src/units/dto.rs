//! API types of units.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules::{self, field};
use crate::http::Validate;

crate::text_enum! {
    pub enum UnitKind {
        /// 机关
        Agency = "agency",
        /// 企业
        Enterprise = "enterprise",
        /// 事业单位
        Institution = "institution",
        /// 学校
        School = "school",
        /// 部队
        Military = "military",
        /// 社会组织
        SocialOrganisation = "social_organisation",
    }
}

crate::text_enum! {
    pub enum UnitStatus {
        Active = "active",
        Inactive = "inactive",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PairedCommunity {
    pub community_id: String,
    pub name: String,
    pub paired_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000f01", "name": "常州市第一人民医院", "kind": "institution", "party_org": "常州市第一人民医院党委", "address": "局前街185号", "contact_name": "张敏", "contact_phone": "051****0000", "region_id": "0193a1b2-0000-7000-8000-000000000002", "region_name": "新丰街街道", "status": "active", "communities": [{"community_id": "0193a1b2-0000-7000-8000-000000000010", "name": "斜桥巷社区", "paired_on": "2026-03-01"}], "active_claims": 2, "can_manage": true, "version": 1, "created_at": "2026-03-01T02:00:00Z", "updated_at": "2026-03-01T02:00:00Z"}))]
pub struct UnitView {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    /// The unit's own party organisation (its 党委 or 支部).
    pub party_org: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    /// Masked (`051****0000`) in lists and reads; in clear only in an unmasked read
    /// (`GET /units/{id}?unmask=true`: the street's staff who keep the unit and its contacts).
    pub contact_phone: Option<String>,
    /// The street (or district) the unit sits in.
    pub region_id: String,
    pub region_name: String,
    pub status: UnitStatus,
    /// The communities it is paired with (结对共建).
    pub communities: Vec<PairedCommunity>,
    /// Projects it has claimed and not withdrawn from.
    pub active_claims: i64,
    pub can_manage: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "常州市第一人民医院", "kind": "institution", "party_org": "常州市第一人民医院党委", "region_id": "0193a1b2-0000-7000-8000-000000000002", "contact_name": "张敏", "contact_phone": "0519-68870000", "community_ids": ["0193a1b2-0000-7000-8000-000000000010"]}))]
pub struct CreateUnit {
    pub name: String,
    pub kind: UnitKind,
    pub party_org: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// The street the unit sits in.
    pub region_id: String,
    /// Communities to pair it with now.
    #[serde(default)]
    pub community_ids: Vec<String>,
}

impl Validate for CreateUnit {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "name", &self.name, 100);
        rules::opt_text(&mut e, "party_org", self.party_org.as_deref(), 100);
        rules::opt_text(&mut e, "address", self.address.as_deref(), 200);
        rules::opt_text(&mut e, "contact_name", self.contact_name.as_deref(), 50);
        rules::phone(&mut e, "contact_phone", self.contact_phone.as_deref());
        rules::text(&mut e, "region_id", &self.region_id, 64);
        if self.community_ids.len() > 100 {
            field(
                &mut e,
                "community_ids",
                "too_many",
                "at most 100 communities",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contact_name": "李强", "contact_phone": "13905190000", "version": 1}))]
pub struct UpdateUnit {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub party_org: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub contact_phone: Option<Option<String>>,
    pub status: Option<UnitStatus>,
    pub version: Option<i32>,
}

impl Validate for UpdateUnit {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "name", self.name.as_deref(), 100);
        rules::opt_text(
            &mut e,
            "party_org",
            self.party_org.as_ref().and_then(|x| x.as_deref()),
            100,
        );
        rules::opt_text(
            &mut e,
            "address",
            self.address.as_ref().and_then(|x| x.as_deref()),
            200,
        );
        rules::opt_text(
            &mut e,
            "contact_name",
            self.contact_name.as_ref().and_then(|x| x.as_deref()),
            50,
        );
        rules::phone(
            &mut e,
            "contact_phone",
            self.contact_phone.as_ref().and_then(|x| x.as_deref()),
        );
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"community_id": "0193a1b2-0000-7000-8000-000000000010"}))]
pub struct PairUnit {
    pub community_id: String,
}

impl Validate for PairUnit {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "community_id", &self.community_id, 64);
        rules::finish(e)
    }
}
