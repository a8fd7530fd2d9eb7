//! API types of volunteers, teams, activities and the service-hours ledger.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules::{self, field};
use crate::http::Validate;

crate::text_enum! {
    /// What a team does; the seven 七彩之光 families first.
    pub enum TeamKind {
        /// 宣讲 (e.g. 五老宣讲队)
        Publicity = "publicity",
        /// 党员服务
        PartyService = "party_service",
        /// 健康医疗 / 义诊
        Health = "health",
        /// 环保
        Environment = "environment",
        /// 科普宣传
        Science = "science",
        /// 巡逻
        Patrol = "patrol",
        /// 文体活动
        Culture = "culture",
        /// 调解 (维稳信访调解队)
        Mediation = "mediation",
        /// 维修 (水暖电维修队)
        Repair = "repair",
        /// 法律援助
        LegalAid = "legal_aid",
        Other = "other",
    }
}

crate::text_enum! {
    /// The colour of a team in a colour-coded family such as 七彩之光.
    pub enum TeamColour {
        Red = "red",
        Orange = "orange",
        Yellow = "yellow",
        Green = "green",
        Cyan = "cyan",
        Blue = "blue",
        Purple = "purple",
    }
}

crate::text_enum! {
    pub enum TeamStatus {
        Active = "active",
        /// No longer takes new activities; its history stays.
        Inactive = "inactive",
    }
}

crate::text_enum! {
    pub enum ActivityStatus {
        /// Open for sign-up and check-in.
        Scheduled = "scheduled",
        Cancelled = "cancelled",
        /// Its hours are settled; corrections go through the ledger.
        Closed = "closed",
    }
}

crate::text_enum! {
    pub enum SignupStatus {
        /// Holds a place.
        Confirmed = "confirmed",
        /// Waiting for a place; promoted in sign-up order when one frees.
        Waitlisted = "waitlisted",
        Cancelled = "cancelled",
    }
}

crate::text_enum! {
    /// What the team leader marks.
    pub enum ActivityAttendance {
        /// Credited from the start of the activity.
        Present = "present",
        /// Credited from the check-in time.
        Late = "late",
        Excused = "excused",
        Absent = "absent",
    }
}

crate::text_enum! {
    pub enum HourSource {
        Activity = "activity",
        Order = "order",
        Wish = "wish",
        Manual = "manual",
    }
}

crate::text_enum! {
    pub enum HourKind {
        /// Recorded by check-in and check-out (or the leader's bulk close).
        Credited = "credited",
        /// Added by hand and approved (补录).
        MakeUp = "make_up",
    }
}

crate::text_enum! {
    pub enum ClaimStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

// ---------- volunteers ----------

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000a01", "name": "王建国", "phone": "139****5678", "masked": true, "member_id": "0193a1b2-0000-7000-8000-000000000900", "user_id": null, "region_id": "0193a1b2-0000-7000-8000-000000000010", "region_name": "斜桥巷社区", "specialties": ["义诊"], "teams": 2, "created_at": "2026-03-01T02:00:00Z"}))]
pub struct VolunteerView {
    pub id: String,
    pub name: String,
    /// Masked (`139****5678`) in lists and reads; in clear only in an unmasked read
    /// (`GET /volunteers/{id}?unmask=true`: the volunteer, their community's staff and their teams'
    /// keepers; recorded, and the volunteer sees it in `GET /me/data-access`).
    pub phone: Option<String>,
    /// Whether the phone is masked in this answer.
    pub masked: bool,
    pub member_id: Option<String>,
    pub user_id: Option<String>,
    /// The home community.
    pub region_id: String,
    pub region_name: String,
    pub specialties: Vec<String>,
    /// Teams the volunteer is in.
    pub teams: i64,
    pub created_at: DateTime<Utc>,
}

fn specialties(e: &mut Vec<FieldError>, list: &[String]) {
    if list.len() > 20 {
        field(e, "specialties", "too_many", "at most 20 specialties");
    }
    for (i, s) in list.iter().enumerate() {
        rules::text(e, &format!("specialties[{i}]"), s, 30);
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "李秀兰", "phone": "13905711234", "region_id": "0193a1b2-0000-7000-8000-000000000010", "specialties": ["理发", "缝补"]}))]
pub struct CreateVolunteer {
    /// Defaults to the member's name when `member_id` is given.
    pub name: Option<String>,
    pub phone: Option<String>,
    /// A party member who volunteers (their card then shows their hours).
    pub member_id: Option<String>,
    /// The volunteer's account, if they have one (they then sign up and check in themselves).
    pub user_id: Option<String>,
    /// The home community.
    pub region_id: String,
    #[serde(default)]
    pub specialties: Vec<String>,
}

impl Validate for CreateVolunteer {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if self.member_id.is_none() {
            rules::text(&mut e, "name", self.name.as_deref().unwrap_or(""), 50);
        } else {
            rules::opt_text(&mut e, "name", self.name.as_deref(), 50);
        }
        rules::phone(&mut e, "phone", self.phone.as_deref());
        rules::text(&mut e, "region_id", &self.region_id, 64);
        specialties(&mut e, &self.specialties);
        rules::finish(e)
    }
}

// ---------- teams ----------

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000b01", "name": "七彩之光·红色五老宣讲队", "kind": "publicity", "colour": "red", "specialties": ["理论宣讲"], "description": null, "region_id": "0193a1b2-0000-7000-8000-000000000010", "region_name": "都兰社区", "branch_id": null, "leader_id": "0193a1b2-0000-7000-8000-000000000a01", "leader_name": "王建国", "status": "active", "member_count": 18, "calendar_url": "/api/v1/calendars/teams/5b0c…e1.ics", "can_manage": true, "version": 1, "created_at": "2026-03-01T02:00:00Z", "updated_at": "2026-03-01T02:00:00Z"}))]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub kind: TeamKind,
    pub colour: Option<TeamColour>,
    pub specialties: Vec<String>,
    pub description: Option<String>,
    pub region_id: String,
    pub region_name: String,
    /// The branch whose members form the team (a party-member volunteer team), if any.
    pub branch_id: Option<String>,
    pub leader_id: Option<String>,
    pub leader_name: Option<String>,
    pub status: TeamStatus,
    pub member_count: i32,
    /// The team's subscribable activity calendar (iCalendar); the path is the credential.
    pub calendar_url: String,
    /// Whether the caller keeps this team (its leader, or staff of its community).
    pub can_manage: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "七彩之光·蓝色巡逻队", "kind": "patrol", "colour": "blue", "region_id": "0193a1b2-0000-7000-8000-000000000010", "specialties": ["夜间巡逻"]}))]
pub struct CreateTeam {
    pub name: String,
    pub kind: TeamKind,
    pub colour: Option<TeamColour>,
    #[serde(default)]
    pub specialties: Vec<String>,
    pub description: Option<String>,
    pub region_id: String,
    pub branch_id: Option<String>,
    /// A volunteer who leads the team (made a member of it).
    pub leader_id: Option<String>,
}

impl Validate for CreateTeam {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "name", &self.name, 60);
        rules::opt_text(&mut e, "description", self.description.as_deref(), 1000);
        rules::text(&mut e, "region_id", &self.region_id, 64);
        specialties(&mut e, &self.specialties);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"leader_id": "0193a1b2-0000-7000-8000-000000000a02", "version": 1}))]
pub struct UpdateTeam {
    pub name: Option<String>,
    pub kind: Option<TeamKind>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<TeamColour>, nullable)]
    pub colour: Option<Option<TeamColour>>,
    pub specialties: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub leader_id: Option<Option<String>>,
    pub status: Option<TeamStatus>,
    pub version: Option<i32>,
}

impl Validate for UpdateTeam {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "name", self.name.as_deref(), 60);
        rules::opt_text(
            &mut e,
            "description",
            self.description.as_ref().and_then(|d| d.as_deref()),
            1000,
        );
        if let Some(s) = &self.specialties {
            specialties(&mut e, s);
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamMemberView {
    pub volunteer_id: String,
    pub name: String,
    pub member_id: Option<String>,
    /// Masked; the keepers read one volunteer's number with `GET /volunteers/{id}?unmask=true`.
    pub phone: Option<String>,
    pub joined_on: NaiveDate,
    pub is_leader: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"volunteer_id": "0193a1b2-0000-7000-8000-000000000a02"}))]
pub struct AddTeamMember {
    pub volunteer_id: String,
}

impl Validate for AddTeamMember {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "volunteer_id", &self.volunteer_id, 64);
        rules::finish(e)
    }
}

// ---------- activities ----------

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000c01", "team_id": "0193a1b2-0000-7000-8000-000000000b01", "team_name": "七彩之光·绿色环保队", "team_colour": "green", "region_id": "0193a1b2-0000-7000-8000-000000000010", "region_name": "都兰社区", "title": "小区垃圾分类宣传", "description": null, "place": "都兰社区广场", "latitude": 30.27, "longitude": 120.16, "check_in_radius_m": 200, "starts_at": "2026-11-28T01:00:00Z", "ends_at": "2026-11-28T03:00:00Z", "capacity": 20, "confirmed": 12, "waitlisted": 0, "status": "scheduled", "my_signup": null, "can_manage": false, "version": 1, "created_at": "2026-11-20T02:00:00Z", "updated_at": "2026-11-20T02:00:00Z"}))]
pub struct ActivityView {
    pub id: String,
    pub team_id: String,
    pub team_name: String,
    pub team_colour: Option<TeamColour>,
    pub region_id: String,
    pub region_name: String,
    pub title: String,
    pub description: Option<String>,
    pub place: String,
    /// The venue, for check-in by position.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub check_in_radius_m: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub confirmed: i32,
    pub waitlisted: i32,
    pub status: ActivityStatus,
    /// The caller's own sign-up, if any.
    pub my_signup: Option<SignupView>,
    pub can_manage: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"team_id": "0193a1b2-0000-7000-8000-000000000b01", "title": "小区垃圾分类宣传", "place": "都兰社区广场", "latitude": 30.27, "longitude": 120.16, "starts_at": "2026-11-28T01:00:00Z", "ends_at": "2026-11-28T03:00:00Z", "capacity": 20}))]
pub struct CreateActivity {
    pub team_id: String,
    pub title: String,
    pub description: Option<String>,
    pub place: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Metres from the venue within which a position check-in counts (default 200).
    pub check_in_radius_m: Option<i32>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
}

fn coordinates(e: &mut Vec<FieldError>, lat: Option<f64>, lng: Option<f64>) {
    if lat.is_some() != lng.is_some() {
        field(
            e,
            "latitude",
            "required",
            "latitude and longitude come together",
        );
    }
    if lat.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
        field(
            e,
            "latitude",
            "out_of_range",
            "latitude is between -90 and 90",
        );
    }
    if lng.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
        field(
            e,
            "longitude",
            "out_of_range",
            "longitude is between -180 and 180",
        );
    }
}

pub const MAX_ACTIVITY_HOURS: i64 = 24;

pub fn check_times(e: &mut Vec<FieldError>, starts: DateTime<Utc>, ends: DateTime<Utc>) {
    if ends <= starts {
        field(
            e,
            "ends_at",
            "before_start",
            "an activity ends after it starts",
        );
    } else if (ends - starts).num_hours() >= MAX_ACTIVITY_HOURS {
        field(
            e,
            "ends_at",
            "too_long",
            "an activity lasts less than 24 hours",
        );
    }
}

impl Validate for CreateActivity {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "team_id", &self.team_id, 64);
        rules::text(&mut e, "title", &self.title, 100);
        rules::opt_text(&mut e, "description", self.description.as_deref(), 2000);
        rules::text(&mut e, "place", &self.place, 100);
        coordinates(&mut e, self.latitude, self.longitude);
        if self
            .check_in_radius_m
            .is_some_and(|r| !(20..=5000).contains(&r))
        {
            field(
                &mut e,
                "check_in_radius_m",
                "out_of_range",
                "the radius is 20 to 5,000 metres",
            );
        }
        check_times(&mut e, self.starts_at, self.ends_at);
        if !(1..=10_000).contains(&self.capacity) {
            field(
                &mut e,
                "capacity",
                "out_of_range",
                "capacity is 1 to 10,000",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capacity": 30, "version": 1}))]
pub struct UpdateActivity {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    pub place: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<f64>, nullable)]
    pub latitude: Option<Option<f64>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<f64>, nullable)]
    pub longitude: Option<Option<f64>>,
    pub check_in_radius_m: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Raising it promotes from the waiting list; it cannot go below the places already taken.
    pub capacity: Option<i32>,
    pub version: Option<i32>,
}

impl Validate for UpdateActivity {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "title", self.title.as_deref(), 100);
        rules::opt_text(
            &mut e,
            "description",
            self.description.as_ref().and_then(|d| d.as_deref()),
            2000,
        );
        rules::opt_text(&mut e, "place", self.place.as_deref(), 100);
        coordinates(&mut e, self.latitude.flatten(), self.longitude.flatten());
        if self
            .check_in_radius_m
            .is_some_and(|r| !(20..=5000).contains(&r))
        {
            field(
                &mut e,
                "check_in_radius_m",
                "out_of_range",
                "the radius is 20 to 5,000 metres",
            );
        }
        if self.capacity.is_some_and(|c| !(1..=10_000).contains(&c)) {
            field(
                &mut e,
                "capacity",
                "out_of_range",
                "capacity is 1 to 10,000",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"activity_id": "0193a1b2-0000-7000-8000-000000000c01", "volunteer_id": "0193a1b2-0000-7000-8000-000000000a01", "name": "王建国", "status": "confirmed", "waitlist_position": null, "signed_up_at": "2026-11-20T03:00:00Z", "checked_in_at": "2026-11-28T00:55:00Z", "checked_out_at": null, "check_in_method": "code", "attendance": null, "credited_minutes": 0}))]
pub struct SignupView {
    pub activity_id: String,
    pub volunteer_id: String,
    pub name: String,
    pub status: SignupStatus,
    /// 1 for the next to be promoted.
    pub waitlist_position: Option<i64>,
    pub signed_up_at: DateTime<Utc>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub checked_out_at: Option<DateTime<Utc>>,
    /// `code`, `position` or `leader`.
    pub check_in_method: Option<String>,
    pub attendance: Option<ActivityAttendance>,
    /// Credited minutes in the ledger for this activity now.
    pub credited_minutes: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "482913"}))]
pub struct CheckInRequest {
    /// The code the organiser shows (it changes every 30 seconds) …
    pub code: Option<String>,
    /// … or where the volunteer is (within the activity's radius of the venue).
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl Validate for CheckInRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        coordinates(&mut e, self.latitude, self.longitude);
        if let Some(c) = &self.code {
            if c.len() != 6 || !c.chars().all(|ch| ch.is_ascii_digit()) {
                field(&mut e, "code", "invalid", "the code is six digits");
            }
        } else if self.latitude.is_none() {
            field(
                &mut e,
                "code",
                "required",
                "check in with the organiser's code or your position",
            );
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "482913", "valid_until": "2026-11-28T01:00:30Z", "step_seconds": 30, "check_in_url": "/activities/0193a1b2-0000-7000-8000-000000000c01/check-in?code=482913"}))]
pub struct CheckInCode {
    pub code: String,
    /// The code is accepted until 30 s after this (one step of grace for slow phones).
    pub valid_until: DateTime<Utc>,
    pub step_seconds: i64,
    /// What the QR code encodes: the phone page that checks in with this code.
    pub check_in_url: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceMark {
    pub volunteer_id: String,
    pub attendance: ActivityAttendance,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"entries": [{"volunteer_id": "0193a1b2-0000-7000-8000-000000000a01", "attendance": "present"}, {"volunteer_id": "0193a1b2-0000-7000-8000-000000000a02", "attendance": "late"}]}))]
pub struct MarkAttendance {
    pub entries: Vec<AttendanceMark>,
}

impl Validate for MarkAttendance {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if self.entries.is_empty() || self.entries.len() > 10_000 {
            field(&mut e, "entries", "out_of_range", "1 to 10,000 entries");
        }
        rules::finish(e)
    }
}

// ---------- the ledger ----------

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000d01", "volunteer_id": "0193a1b2-0000-7000-8000-000000000a01", "volunteer_name": "王建国", "team_id": "0193a1b2-0000-7000-8000-000000000b01", "team_name": "七彩之光·绿色环保队", "region_id": "0193a1b2-0000-7000-8000-000000000010", "source": "activity", "source_id": "0193a1b2-0000-7000-8000-000000000c01", "source_title": "小区垃圾分类宣传", "kind": "credited", "minutes": 120, "served_on": "2026-11-28", "reverses_id": null, "reversed": false, "note": null, "recorded_by": null, "created_at": "2026-11-28T03:05:00Z"}))]
pub struct HourEntryView {
    pub id: String,
    pub volunteer_id: String,
    pub volunteer_name: String,
    pub team_id: Option<String>,
    pub team_name: Option<String>,
    pub region_id: String,
    pub source: HourSource,
    pub source_id: Option<String>,
    /// The activity's title (or the order's or wish's) where there is one.
    pub source_title: Option<String>,
    pub kind: HourKind,
    /// Negative on a reversing entry.
    pub minutes: i32,
    pub served_on: NaiveDate,
    /// The entry this one reverses.
    pub reverses_id: Option<String>,
    /// Whether a later entry reverses this one.
    pub reversed: bool,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"minutes": 90, "note": "签退时间登记错误，按实际服务 1.5 小时更正"}))]
pub struct CorrectEntry {
    /// What the entry should have been; 0 only reverses it.
    pub minutes: i32,
    pub note: String,
}

impl Validate for CorrectEntry {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if !(0..=MAX_CLAIM_MINUTES).contains(&self.minutes) {
            field(&mut e, "minutes", "out_of_range", "minutes are 0 to 720");
        }
        rules::text(&mut e, "note", &self.note, 200);
        rules::finish(e)
    }
}

/// A correction: the reversing entry and, unless the new value is 0, its replacement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Correction {
    pub reversal: HourEntryView,
    pub replacement: Option<HourEntryView>,
}

/// Hours added by hand in one claim at most (12 hours).
pub const MAX_CLAIM_MINUTES: i32 = 720;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"team_id": "0193a1b2-0000-7000-8000-000000000b01", "activity_id": "0193a1b2-0000-7000-8000-000000000c01", "minutes": 60, "served_on": "2026-11-28", "reason": "手机没电，未能签到"}))]
pub struct CreateClaim {
    /// Whose hours; default the caller's own volunteer record. A team leader may claim for a member.
    pub volunteer_id: Option<String>,
    pub team_id: String,
    /// The activity the hours belong to; the make-up hours and the credited hours together stay
    /// within its length.
    pub activity_id: Option<String>,
    pub minutes: i32,
    pub served_on: NaiveDate,
    pub reason: String,
}

impl Validate for CreateClaim {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "team_id", &self.team_id, 64);
        if !(1..=MAX_CLAIM_MINUTES).contains(&self.minutes) {
            field(&mut e, "minutes", "out_of_range", "minutes are 1 to 720");
        }
        if self.served_on > crate::clock::today() {
            field(
                &mut e,
                "served_on",
                "in_future",
                "hours are claimed for service already given",
            );
        }
        rules::text(&mut e, "reason", &self.reason, 200);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000e01", "volunteer_id": "0193a1b2-0000-7000-8000-000000000a01", "volunteer_name": "王建国", "team_id": "0193a1b2-0000-7000-8000-000000000b01", "team_name": "七彩之光·绿色环保队", "activity_id": null, "activity_title": null, "minutes": 60, "served_on": "2026-11-28", "reason": "手机没电，未能签到", "status": "pending", "requested_at": "2026-11-28T05:00:00Z", "decided_at": null, "decision_note": null, "entry_id": null}))]
pub struct ClaimView {
    pub id: String,
    pub volunteer_id: String,
    pub volunteer_name: String,
    pub team_id: String,
    pub team_name: String,
    pub activity_id: Option<String>,
    pub activity_title: Option<String>,
    pub minutes: i32,
    pub served_on: NaiveDate,
    pub reason: String,
    pub status: ClaimStatus,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    /// The ledger entry an approval wrote.
    pub entry_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "经核实，同意补录"}))]
pub struct DecideClaim {
    pub note: Option<String>,
}

impl Validate for DecideClaim {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "note", self.note.as_deref(), 200);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HourTotal {
    /// The volunteer, team, community or month the row counts.
    pub key: String,
    pub name: String,
    pub credited_minutes: i64,
    pub make_up_minutes: i64,
    pub total_minutes: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"group_by": "team", "from": "2026-01-01", "to": "2026-12-31", "rows": [{"key": "0193a1b2-0000-7000-8000-000000000b01", "name": "七彩之光·绿色环保队", "credited_minutes": 6000, "make_up_minutes": 120, "total_minutes": 6120}], "credited_minutes": 6000, "make_up_minutes": 120, "total_minutes": 6120}))]
pub struct HourTotals {
    pub group_by: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rows: Vec<HourTotal>,
    pub credited_minutes: i64,
    pub make_up_minutes: i64,
    pub total_minutes: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingRow {
    pub rank: i64,
    pub volunteer_id: String,
    pub name: String,
    pub region_name: String,
    pub credited_minutes: i64,
    pub make_up_minutes: i64,
    pub total_minutes: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"region_id": "0193a1b2-0000-7000-8000-000000000002", "region_name": "新丰街街道", "from": "2026-11-01", "to": "2026-11-30", "volunteers": 256, "total_minutes": 30120, "rows": [{"rank": 1, "volunteer_id": "0193a1b2-0000-7000-8000-000000000a01", "name": "王建国", "region_name": "斜桥巷社区", "credited_minutes": 960, "make_up_minutes": 60, "total_minutes": 1020}]}))]
pub struct Ranking {
    pub region_id: String,
    pub region_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Volunteers with any hours in the period.
    pub volunteers: i64,
    pub total_minutes: i64,
    pub rows: Vec<RankingRow>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CardActivity {
    pub activity_id: String,
    pub title: String,
    pub team_name: String,
    pub starts_at: DateTime<Utc>,
    pub status: SignupStatus,
    pub attendance: Option<ActivityAttendance>,
    pub credited_minutes: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CardTeam {
    pub team_id: String,
    pub name: String,
    pub colour: Option<TeamColour>,
    pub total_minutes: i64,
}

/// 党员联系卡: one person's service over a period, for their work unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceCard {
    pub volunteer: VolunteerView,
    pub work_unit: Option<String>,
    pub branch_name: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub credited_minutes: i64,
    pub make_up_minutes: i64,
    pub total_minutes: i64,
    /// Minutes by source (`activity`, `order`, `wish`, `manual`).
    pub by_source: std::collections::BTreeMap<String, i64>,
    pub teams: Vec<CardTeam>,
    pub activities: Vec<CardActivity>,
    /// The ledger over the period, newest first (at most 200 entries).
    pub entries: Vec<HourEntryView>,
}
