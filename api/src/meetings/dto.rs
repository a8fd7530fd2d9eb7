use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules;
use crate::http::Validate;

crate::text_enum! {
    pub enum MeetingKind {
        /// 党员大会
        GeneralMeeting = "general_meeting",
        /// 支委会
        CommitteeMeeting = "committee_meeting",
        /// 党小组会
        GroupMeeting = "group_meeting",
        /// 党课
        PartyLecture = "party_lecture",
        /// 主题党日
        ThemedPartyDay = "themed_party_day",
    }
}

crate::text_enum! {
    pub enum Attendance {
        /// Not recorded yet.
        Unrecorded = "unrecorded",
        Present = "present",
        Absent = "absent",
        /// 请假: absent with a reason.
        Excused = "excused",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendeeView {
    pub member_id: String,
    pub member_name: String,
    pub status: Attendance,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000990", "branch_id": "0193a1b2-0000-7000-8000-000000000100", "branch_name": "斜桥巷社区第一党支部", "kind": "themed_party_day", "held_on": "2026-11-05", "topic": "学习党的二十届四中全会精神", "place": "斜桥巷社区党群服务中心", "minutes": null, "expected": 24, "present": 21, "excused": 2, "absent": 1, "attendance_rate": 0.875, "recorded": true, "attendees": [], "version": 2, "created_at": "2026-11-01T03:00:00Z", "updated_at": "2026-11-05T09:00:00Z"}))]
pub struct MeetingView {
    pub id: String,
    pub branch_id: String,
    pub branch_name: String,
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub topic: String,
    pub place: Option<String>,
    pub minutes: Option<String>,
    /// Members expected: the branch's members when the meeting was called.
    pub expected: i32,
    pub present: i32,
    pub excused: i32,
    pub absent: i32,
    /// present / expected, 0–1; `null` until attendance is recorded.
    pub attendance_rate: Option<f64>,
    pub recorded: bool,
    /// Filled on a single meeting; empty in lists.
    pub attendees: Vec<AttendeeView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn field(e: &mut Vec<FieldError>, f: &str, code: &str, message: impl Into<String>) {
    e.push(FieldError {
        field: f.into(),
        code: code.into(),
        message: message.into(),
    });
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"branch_id": "0193a1b2-0000-7000-8000-000000000100", "kind": "themed_party_day", "held_on": "2026-11-05", "topic": "学习党的二十届四中全会精神", "place": "斜桥巷社区党群服务中心"}))]
pub struct CreateMeeting {
    pub branch_id: String,
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub topic: String,
    pub place: Option<String>,
}

impl Validate for CreateMeeting {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "branch_id", &self.branch_id, 64);
        rules::text(&mut e, "topic", &self.topic, 200);
        rules::opt_text(&mut e, "place", self.place.as_deref(), 100);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"topic": "学习党的二十届四中全会精神（第二次）", "version": 1}))]
pub struct UpdateMeeting {
    pub kind: Option<MeetingKind>,
    pub held_on: Option<NaiveDate>,
    pub topic: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub place: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub minutes: Option<Option<String>>,
    pub version: Option<i32>,
}

impl Validate for UpdateMeeting {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "topic", self.topic.as_deref(), 200);
        rules::opt_text(
            &mut e,
            "place",
            self.place.as_ref().and_then(|p| p.as_deref()),
            100,
        );
        if self
            .minutes
            .as_ref()
            .and_then(|m| m.as_deref())
            .is_some_and(|m| m.chars().count() > 20_000)
        {
            field(
                &mut e,
                "minutes",
                "too_long",
                "minutes must be at most 20,000 characters",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceEntry {
    pub member_id: String,
    /// `present`, `absent` or `excused` (with a reason).
    pub status: Attendance,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"entries": [{"member_id": "0193a1b2-0000-7000-8000-000000000900", "status": "present"}, {"member_id": "0193a1b2-0000-7000-8000-000000000901", "status": "excused", "reason": "住院"}], "version": 1}))]
pub struct RecordAttendance {
    /// Any subset of the expected members; the others keep what they had.
    pub entries: Vec<AttendanceEntry>,
    pub version: Option<i32>,
}

impl Validate for RecordAttendance {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if self.entries.len() > 2000 {
            field(&mut e, "entries", "too_many", "at most 2,000 entries");
        }
        for (i, a) in self.entries.iter().enumerate() {
            if a.status == Attendance::Unrecorded {
                field(
                    &mut e,
                    &format!("entries[{i}].status"),
                    "invalid",
                    "status is present, absent or excused",
                );
            }
            if a.status == Attendance::Excused
                && a.reason.as_deref().is_none_or(|r| r.trim().is_empty())
            {
                field(
                    &mut e,
                    &format!("entries[{i}].reason"),
                    "required",
                    "an excused absence needs a reason",
                );
            }
            if a.reason.as_deref().is_some_and(|r| r.chars().count() > 200) {
                field(
                    &mut e,
                    &format!("entries[{i}].reason"),
                    "too_long",
                    "reason must be at most 200 characters",
                );
            }
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BranchAttendance {
    pub branch_id: String,
    pub branch_name: String,
    pub meetings: i64,
    /// Meetings per kind, e.g. `{"general_meeting": 1, "party_lecture": 1}`.
    pub by_kind: std::collections::BTreeMap<String, i64>,
    pub expected: i64,
    pub present: i64,
    pub excused: i64,
    /// present / expected over the recorded meetings, 0–1; `null` without recorded meetings.
    pub attendance_rate: Option<f64>,
    /// Under the 80 % line, or no recorded meeting at all in the period.
    pub below_target: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendanceReport {
    pub period: crate::households::visits::Period,
    /// The line from the seed reports: 0.8.
    pub target: f64,
    pub branches: Vec<BranchAttendance>,
    pub overall_rate: Option<f64>,
    pub branches_below_target: i64,
}
