//! API types of satisfaction polls and rectifications.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules::{self, field};
use crate::http::Validate;

crate::text_enum! {
    pub enum Rating {
        /// 满意
        Satisfied = "satisfied",
        /// 基本满意
        BasicallySatisfied = "basically_satisfied",
        /// 不满意
        Dissatisfied = "dissatisfied",
    }
}

crate::text_enum! {
    pub enum PollStatus {
        Upcoming = "upcoming",
        Open = "open",
        Closed = "closed",
    }
}

crate::text_enum! {
    /// What a cadre's satisfaction rate leads to: under 60 % dismissal (免职), under 70 % a
    /// warning and rectification (诫勉整改).
    pub enum Outcome {
        Pass = "pass",
        Warning = "warning",
        Dismissal = "dismissal",
        NoVotes = "no_votes",
    }
}

crate::text_enum! {
    /// Who votes: `community` — the residents and members whose home community it is; `list` —
    /// the accounts named in `elector_ids` when the poll was set up.
    pub enum Electorate {
        Community = "community",
        List = "list",
    }
}

crate::text_enum! {
    pub enum RectificationStatus {
        Open = "open",
        Done = "done",
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCadre {
    #[schema(example = "王丽")]
    pub name: String,
    #[schema(example = "社区党委书记")]
    pub position: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"community_id": "0193a1b2-0000-7000-8000-000000000010", "title": "2026年下半年社区干部民意测评", "opens_at": "2026-11-20T00:00:00Z", "closes_at": "2026-12-05T00:00:00Z", "rectification_days": 30, "cadres": [{"name": "王丽", "position": "社区党委书记"}, {"name": "陈明", "position": "社区居委会主任"}]}))]
pub struct CreatePoll {
    pub community_id: String,
    pub title: String,
    /// Default: now.
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: DateTime<Utc>,
    /// Days a warned cadre has to rectify, from the close (default 30).
    pub rectification_days: Option<i32>,
    pub cadres: Vec<NewCadre>,
    /// A named electorate (resident or member account ids); absent: the community's residents
    /// and members.
    pub elector_ids: Option<Vec<String>>,
}

impl Validate for CreatePoll {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "community_id", &self.community_id, 64);
        rules::text(&mut e, "title", &self.title, 60);
        if self.cadres.is_empty() || self.cadres.len() > 30 {
            field(
                &mut e,
                "cadres",
                "out_of_range",
                "a poll rates 1 to 30 cadres",
            );
        }
        for (i, c) in self.cadres.iter().enumerate() {
            rules::text(&mut e, &format!("cadres[{i}].name"), &c.name, 20);
            rules::text(&mut e, &format!("cadres[{i}].position"), &c.position, 30);
        }
        if let Some(o) = self.opens_at {
            if o >= self.closes_at {
                field(
                    &mut e,
                    "closes_at",
                    "out_of_range",
                    "the poll closes after it opens",
                );
            }
        }
        if let Some(d) = self.rectification_days {
            if !(1..=365).contains(&d) {
                field(
                    &mut e,
                    "rectification_days",
                    "out_of_range",
                    "1 to 365 days",
                );
            }
        }
        if let Some(ids) = &self.elector_ids {
            if ids.is_empty() || ids.len() > crate::polls::electorate::MAX_ELECTORS {
                field(
                    &mut e,
                    "elector_ids",
                    "out_of_range",
                    format!(
                        "a named electorate has 1 to {} accounts",
                        crate::polls::electorate::MAX_ELECTORS
                    ),
                );
            }
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CadreView {
    pub id: String,
    pub name: String,
    pub position: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000007001", "community_id": "0193a1b2-0000-7000-8000-000000000010", "community_name": "斜桥巷社区", "title": "2026年下半年社区干部民意测评", "opens_at": "2026-11-20T00:00:00Z", "closes_at": "2026-12-05T00:00:00Z", "status": "open", "rectification_days": 30, "ballots": 128, "electorate": "community", "electorate_size": 412, "turnout": 0.3107, "cadres": [{"id": "0193a1b2-0000-7000-8000-000000007101", "name": "王丽", "position": "社区党委书记"}], "voted": false, "can_vote": true, "can_manage": false, "version": 1}))]
pub struct PollView {
    pub id: String,
    pub community_id: String,
    pub community_name: String,
    pub title: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub status: PollStatus,
    pub rectification_days: i32,
    /// How many have voted (turnout is public; results only after the close).
    pub ballots: i32,
    pub electorate: Electorate,
    /// The accounts that may vote (fixed at the close).
    pub electorate_size: i64,
    /// ballots / electorate_size.
    pub turnout: Option<f64>,
    pub cadres: Vec<CadreView>,
    /// Whether the caller has voted.
    pub voted: bool,
    /// Whether the caller may vote now.
    pub can_vote: bool,
    pub can_manage: bool,
    pub version: i32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadreRating {
    pub cadre_id: String,
    pub rating: Rating,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ratings": [{"cadre_id": "0193a1b2-0000-7000-8000-000000007101", "rating": "satisfied"}]}))]
pub struct CastVote {
    /// One rating for every cadre of the poll.
    pub ratings: Vec<CadreRating>,
}

impl Validate for CastVote {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if self.ratings.is_empty() {
            field(&mut e, "ratings", "required", "rate every cadre");
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct CadreResult {
    pub id: String,
    pub name: String,
    pub position: String,
    pub satisfied: i32,
    pub basically_satisfied: i32,
    pub dissatisfied: i32,
    pub total: i32,
    /// (satisfied + basically satisfied) / total.
    pub satisfaction_rate: Option<f64>,
    pub outcome: Outcome,
    pub rectification_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"poll_id": "0193a1b2-0000-7000-8000-000000007001", "title": "2026年下半年社区干部民意测评", "community_name": "斜桥巷社区", "closed_at": "2026-12-05T00:00:00Z", "ballots": 128, "electorate_size": 412, "turnout": 0.3107, "cadres": [{"id": "0193a1b2-0000-7000-8000-000000007101", "name": "王丽", "position": "社区党委书记", "satisfied": 90, "basically_satisfied": 20, "dissatisfied": 18, "total": 128, "satisfaction_rate": 0.8594, "outcome": "pass", "rectification_id": null}]}))]
pub struct PollResults {
    pub poll_id: String,
    pub title: String,
    pub community_name: String,
    pub closed_at: DateTime<Utc>,
    pub ballots: i32,
    pub electorate_size: i64,
    /// ballots / electorate_size.
    pub turnout: Option<f64>,
    pub cadres: Vec<CadreResult>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RectificationView {
    pub id: String,
    pub poll_id: String,
    pub poll_title: String,
    pub community_id: String,
    pub community_name: String,
    pub cadre_id: String,
    pub cadre_name: String,
    pub satisfaction_rate: f64,
    pub due_on: NaiveDate,
    pub plan: Option<String>,
    pub report: Option<String>,
    pub status: RectificationStatus,
    pub overdue: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"plan": "每周二下午接待居民，月底前走访所有反映问题的楼栋", "report": null, "done": false}))]
pub struct UpdateRectification {
    pub plan: Option<String>,
    pub report: Option<String>,
    /// Marks it done; needs a report.
    pub done: Option<bool>,
    pub due_on: Option<NaiveDate>,
    pub version: Option<i32>,
}

impl Validate for UpdateRectification {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "plan", self.plan.as_deref(), 2000);
        rules::opt_text(&mut e, "report", self.report.as_deref(), 2000);
        rules::finish(e)
    }
}
