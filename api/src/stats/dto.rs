//! API types of statistics and the five-good assessment.
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::concerns::dto::ConcernMetrics;
use crate::error::FieldError;
use crate::http::Validate;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Scope {
    /// region or branch
    #[schema(example = "region")]
    pub kind: String,
    pub id: String,
    pub name: String,
    /// district, street, community (regions) or the branch kind
    #[schema(example = "street")]
    pub level: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct MemberFigures {
    /// Members on the rolls at the end of the period.
    pub total: i64,
    pub by_category: BTreeMap<String, i64>,
    /// under_35, 35_to_59, 60_plus (age at the end of the period)
    pub by_age: BTreeMap<String, i64>,
    pub joined_in_period: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct BranchFigures {
    pub total: i64,
    pub by_kind: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct CheckInFigures {
    /// In-service members checked in with a community at the end of the period.
    pub active: i64,
    pub new_in_period: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct VolunteerFigures {
    pub teams: i64,
    pub volunteers: i64,
    /// Service hours credited in the period's months.
    pub hours: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct OrderFigures {
    /// Ordered in the period.
    pub total: i64,
    pub by_status: BTreeMap<String, i64>,
    pub average_rating: Option<f64>,
    /// From dispatch to acceptance.
    pub average_minutes_to_accept: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct WishFigures {
    pub total: i64,
    pub by_status: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct VisitFigures {
    pub households: i64,
    /// Households visited at least once in the period.
    pub visited: i64,
    pub coverage_rate: Option<f64>,
    pub visits: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct MeetingFigures {
    pub meetings: i64,
    pub expected: i64,
    pub present: i64,
    /// present / expected over recorded meetings; the line is 80 %.
    pub attendance_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct PollFigures {
    /// Polls closed in the period.
    pub polls: i64,
    pub ballots: i64,
    pub cadres: i64,
    pub pass: i64,
    pub warning: i64,
    pub dismissal: i64,
    /// Over all ratings of all cadres.
    pub satisfaction_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[schema(example = json!({"scope": {"kind": "region", "id": "0193a1b2-0000-7000-8000-000000000002", "name": "新丰街街道", "level": "street"}, "from": "2026-01-01", "to": "2026-11-23", "frozen": false, "computed_at": "2026-11-23T06:00:00Z", "members": {"total": 1530, "by_category": {"direct": 900}, "by_age": {"under_35": 200}, "joined_in_period": 31}}))]
pub struct Overview {
    pub scope: Scope,
    pub from: NaiveDate,
    /// The last day counted: figures are as of its end.
    pub to: NaiveDate,
    /// Figures of a past day are frozen the first time they are read (or by the month-end job)
    /// and do not change afterwards.
    pub frozen: bool,
    pub computed_at: DateTime<Utc>,
    pub members: MemberFigures,
    pub branches: BranchFigures,
    /// Region scopes only (null for a branch subtree).
    pub check_ins: Option<CheckInFigures>,
    pub volunteers: Option<VolunteerFigures>,
    pub orders: Option<OrderFigures>,
    pub wishes: Option<WishFigures>,
    pub visits: Option<VisitFigures>,
    pub meetings: MeetingFigures,
    pub concerns: Option<ConcernMetrics>,
    pub polls: Option<PollFigures>,
}

/// One child of the scope (a street's communities, a community's grids) with its headline figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct ChildFigures {
    pub id: String,
    pub name: String,
    /// street, community or grid
    pub level: String,
    pub members: i64,
    pub households: i64,
    pub coverage_rate: Option<f64>,
    pub orders: Option<i64>,
    pub average_rating: Option<f64>,
    pub concerns: i64,
    pub concerns_open: i64,
    pub on_time_resolution_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
    pub attendance_rate: Option<f64>,
    pub hours: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Breakdown {
    pub scope: Scope,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub frozen: bool,
    pub computed_at: DateTime<Utc>,
    pub children: Vec<ChildFigures>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct MonthFigures {
    #[schema(example = "2026-11")]
    pub month: String,
    pub orders: i64,
    pub orders_completed: i64,
    pub concerns: i64,
    pub concerns_closed: i64,
    pub visits: i64,
    pub hours: f64,
    pub meetings: i64,
    pub attendance_rate: Option<f64>,
    pub members_joined: i64,
    pub wishes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Series {
    pub scope: Scope,
    pub months: Vec<MonthFigures>,
}

// ---------- five-good assessment ----------

crate::text_enum! {
    /// The five goods (五好).
    pub enum Good {
        /// 领导班子好
        Leadership = "leadership",
        /// 党员干部队伍好
        CadreTeam = "cadre_team",
        /// 工作机制好
        WorkMechanisms = "work_mechanisms",
        /// 管理服务好
        ManagementService = "management_service",
        /// 居民群众反映好
        ResidentsResponse = "residents_response",
    }
}

crate::text_enum! {
    pub enum AssessmentStatus {
        Draft = "draft",
        /// Final: the computed items are frozen with the entries.
        Final = "final",
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Evidence {
    pub numerator: f64,
    pub denominator: f64,
    /// What the numbers are, in words.
    #[schema(example = "出席人次 / 应到人次（已记录的会议）")]
    pub basis: String,
    /// The API list behind the figure.
    #[schema(example = "/api/v1/meetings?region_id=…&from=2026-01-01&to=2026-12-31")]
    pub link: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct AssessmentItem {
    #[schema(example = "meeting_attendance")]
    pub key: String,
    pub good: Good,
    pub label: String,
    pub max_score: f64,
    pub score: Option<f64>,
    /// computed or entered
    pub source: String,
    /// Computed items: the measured value (a rate) and the target it is scored against.
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub evidence: Option<Evidence>,
    /// Entered items: the assessor's note and evidence.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoodTotal {
    pub good: Good,
    pub label: String,
    pub score: f64,
    pub max_score: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentView {
    pub id: Option<String>,
    pub community_id: String,
    pub community_name: String,
    pub year: i32,
    pub status: AssessmentStatus,
    pub items: Vec<AssessmentItem>,
    pub goods: Vec<GoodTotal>,
    pub total: f64,
    /// excellent (≥ 90), good (≥ 75), pass (≥ 60), fail
    pub grade: String,
    /// Entered items still to score.
    pub missing: Vec<String>,
    pub finalized_at: Option<DateTime<Utc>>,
    pub version: i32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnteredScore {
    pub key: String,
    pub score: f64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"entries": [{"key": "leadership_building", "score": 18, "note": "班子分工明确，年度述职评议良好"}], "finalize": false}))]
pub struct UpdateAssessment {
    pub entries: Vec<EnteredScore>,
    /// Freezes the sheet; every entered item must be scored.
    pub finalize: Option<bool>,
    pub version: Option<i32>,
}

impl Validate for UpdateAssessment {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        for (i, x) in self.entries.iter().enumerate() {
            crate::http::json::rules::opt_text(
                &mut e,
                &format!("entries[{i}].note"),
                x.note.as_deref(),
                500,
            );
            if !x.score.is_finite() || x.score < 0.0 {
                crate::http::json::rules::field(
                    &mut e,
                    &format!("entries[{i}].score"),
                    "out_of_range",
                    "a score is 0 or more",
                );
            }
        }
        crate::http::json::rules::finish(e)
    }
}
