use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::http::json::rules;
use crate::http::Validate;

fn field(e: &mut Vec<FieldError>, field: &str, code: &str, message: impl Into<String>) {
    e.push(FieldError {
        field: field.into(),
        code: code.into(),
        message: message.into(),
    });
}

crate::text_enum! {
    pub enum Category {
        /// 直管党员: managed directly by the community's branch.
        Direct = "direct",
        /// 在职党员: works elsewhere, checks in with the home community (双报到).
        InService = "in_service",
        /// 流动党员: away from the home branch.
        Mobile = "mobile",
        /// 离退休党员.
        Retired = "retired",
        /// 两新组织党员: in a new economic or social organisation.
        NewOrg = "new_org",
    }
}

impl Category {
    /// The management mode (三知五管) that follows from the category.
    pub fn management_mode(self) -> &'static str {
        match self {
            Category::Direct => "community_branch",
            Category::InService => "work_unit_and_community",
            Category::Mobile => "mobile_contact",
            Category::Retired => "community_branch_care",
            Category::NewOrg => "new_org_branch",
        }
    }
}

crate::text_enum! {
    pub enum Gender {
        Male = "male",
        Female = "female",
    }
}

crate::text_enum! {
    pub enum MemberStatus {
        Active = "active",
        /// Left the party (出党, 退党).
        Left = "left",
        Deceased = "deceased",
        /// Transferred to an organisation outside this system.
        TransferredOut = "transferred_out",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000900", "branch_id": "0193a1b2-0000-7000-8000-000000000100", "branch_name": "斜桥巷社区第一党支部", "name": "王建国", "gender": "male", "birth_date": "1962-05-01", "age": 64, "id_number": "320***********1234", "phone": "139****0001", "masked": true, "education": "大专", "joined_on": "1985-07-01", "full_member_on": "1986-07-01", "probationary": false, "category": "retired", "management_mode": "community_branch_care", "grid_id": null, "household_id": null, "work_unit": null, "user_id": null, "status": "active", "status_changed_on": null, "status_reason": null, "interest_branches": [], "version": 1, "created_at": "2026-11-23T03:00:00Z", "updated_at": "2026-11-23T03:00:00Z"}))]
pub struct MemberView {
    pub id: String,
    /// The one formal branch the member belongs to.
    pub branch_id: String,
    pub branch_name: String,
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub age: i32,
    /// Masked (`320***********1234`) unless `masked` is false.
    pub id_number: String,
    pub phone: Option<String>,
    pub masked: bool,
    pub education: Option<String>,
    /// The party birthday (政治生日).
    pub joined_on: NaiveDate,
    pub full_member_on: Option<NaiveDate>,
    /// Still a probationary member (预备党员).
    pub probationary: bool,
    pub category: Category,
    pub management_mode: String,
    pub grid_id: Option<String>,
    pub household_id: Option<String>,
    pub work_unit: Option<String>,
    pub user_id: Option<String>,
    pub status: MemberStatus,
    pub status_changed_on: Option<NaiveDate>,
    pub status_reason: Option<String>,
    /// Interest-based branches the member also belongs to.
    pub interest_branches: Vec<BranchRef>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BranchRef {
    pub id: String,
    pub name: String,
}

fn check_phone(e: &mut Vec<FieldError>, phone: Option<&str>) {
    if let Some(p) = phone {
        let digits = p.chars().filter(|c| c.is_ascii_digit()).count();
        if !(5..=20).contains(&digits)
            || !p
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ')
        {
            field(e, "phone", "invalid_format", "phone must be a phone number");
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"branch_id": "0193a1b2-0000-7000-8000-000000000100", "name": "王建国", "gender": "male", "id_number": "11010519491231002X", "phone": "13900000001", "education": "大专", "joined_on": "1985-07-01", "full_member_on": "1986-07-01", "category": "retired"}))]
pub struct CreateMember {
    pub branch_id: String,
    pub name: String,
    pub gender: Gender,
    /// 18 characters with a valid check digit; birth date and gender must agree with it.
    pub id_number: String,
    /// Defaults to the birth date in the ID number.
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub education: Option<String>,
    pub joined_on: NaiveDate,
    pub full_member_on: Option<NaiveDate>,
    pub category: Category,
    pub grid_id: Option<String>,
    pub household_id: Option<String>,
    /// Required for in-service members: where they work.
    pub work_unit: Option<String>,
    /// The member's own account, if they have one.
    pub user_id: Option<String>,
}

impl Validate for CreateMember {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "branch_id", &self.branch_id, 64);
        rules::text(&mut e, "name", &self.name, 50);
        check_phone(&mut e, self.phone.as_deref());
        rules::opt_text(&mut e, "education", self.education.as_deref(), 32);
        rules::opt_text(&mut e, "work_unit", self.work_unit.as_deref(), 100);
        match super::id_number::parse(&self.id_number) {
            Err((code, msg)) => field(&mut e, "id_number", code, msg),
            Ok(id) => {
                if id.male != (self.gender == Gender::Male) {
                    field(
                        &mut e,
                        "gender",
                        "mismatch",
                        "the gender does not agree with the ID number",
                    );
                }
                if self.birth_date.is_some_and(|b| b != id.birth_date) {
                    field(
                        &mut e,
                        "birth_date",
                        "mismatch",
                        "the birth date does not agree with the ID number",
                    );
                }
                if self.joined_on < id.birth_date + chrono::Duration::days(365 * 18) {
                    field(
                        &mut e,
                        "joined_on",
                        "too_young",
                        "a member joins at 18 or older",
                    );
                }
            }
        }
        check_dates(&mut e, Some(self.joined_on), self.full_member_on);
        if self.category == Category::InService
            && self
                .work_unit
                .as_deref()
                .is_none_or(|w| w.trim().is_empty())
        {
            field(
                &mut e,
                "work_unit",
                "required",
                "an in-service member's work unit is required",
            );
        }
        rules::finish(e)
    }
}

fn check_dates(e: &mut Vec<FieldError>, joined: Option<NaiveDate>, full: Option<NaiveDate>) {
    let today = crate::clock::today();
    if joined.is_some_and(|j| j > today) {
        field(
            e,
            "joined_on",
            "in_future",
            "joined_on cannot be in the future",
        );
    }
    if let (Some(j), Some(f)) = (joined, full) {
        if f < j {
            field(
                e,
                "full_member_on",
                "before_joining",
                "full membership comes after joining",
            );
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "13900000002", "category": "in_service", "work_unit": "常州市第一人民医院", "version": 1}))]
pub struct UpdateMember {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub education: Option<Option<String>>,
    pub joined_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub full_member_on: Option<Option<NaiveDate>>,
    pub category: Option<Category>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub grid_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub household_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub work_unit: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub user_id: Option<Option<String>>,
    pub version: Option<i32>,
}

impl Validate for UpdateMember {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "name", self.name.as_deref(), 50);
        check_phone(&mut e, self.phone.as_ref().and_then(|p| p.as_deref()));
        rules::opt_text(
            &mut e,
            "education",
            self.education.as_ref().and_then(|p| p.as_deref()),
            32,
        );
        rules::opt_text(
            &mut e,
            "work_unit",
            self.work_unit.as_ref().and_then(|p| p.as_deref()),
            100,
        );
        check_dates(&mut e, self.joined_on, self.full_member_on.flatten());
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "deceased", "on": "2026-10-12", "reason": "病故"}))]
pub struct ChangeStatus {
    /// `left` or `deceased` make the member historical; `active` restores them.
    pub status: MemberStatus,
    pub on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub version: Option<i32>,
}

impl Validate for ChangeStatus {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        if self.status == MemberStatus::TransferredOut {
            field(
                &mut e,
                "status",
                "use_transfer",
                "a transfer out is requested with /transfers",
            );
        }
        if self.status != MemberStatus::Active
            && self.reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            field(&mut e, "reason", "required", "a reason is required");
        }
        rules::opt_text(&mut e, "reason", self.reason.as_deref(), 200);
        rules::finish(e)
    }
}

crate::text_enum! {
    pub enum TransferStatus {
        Pending = "pending",
        Accepted = "accepted",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000950", "member_id": "0193a1b2-0000-7000-8000-000000000900", "member_name": "王建国", "from_branch_id": "0193a1b2-0000-7000-8000-000000000100", "from_branch_name": "斜桥巷社区第一党支部", "to_branch_id": "0193a1b2-0000-7000-8000-000000000101", "to_branch_name": "新丰街社区第一党支部", "destination": null, "status": "pending", "reason": "搬家", "requested_by": "secretary1", "requested_at": "2026-11-23T03:00:00Z", "decided_by": null, "decided_at": null, "decision_note": null}))]
pub struct TransferView {
    pub id: String,
    pub member_id: String,
    pub member_name: String,
    pub from_branch_id: String,
    pub from_branch_name: String,
    pub to_branch_id: Option<String>,
    pub to_branch_name: Option<String>,
    /// For a transfer out of the system: where the member goes.
    pub destination: Option<String>,
    pub status: TransferStatus,
    pub reason: Option<String>,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"member_id": "0193a1b2-0000-7000-8000-000000000900", "to_branch_id": "0193a1b2-0000-7000-8000-000000000101", "reason": "搬家"}))]
pub struct RequestTransfer {
    pub member_id: String,
    /// A formal branch in this system; or leave it out and name a `destination` outside it.
    pub to_branch_id: Option<String>,
    pub destination: Option<String>,
    pub reason: Option<String>,
}

impl Validate for RequestTransfer {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        match (
            &self.to_branch_id,
            self.destination.as_deref().map(str::trim),
        ) {
            (None, None | Some("")) => field(
                &mut e,
                "to_branch_id",
                "required",
                "name a branch, or a destination outside the system",
            ),
            (Some(_), Some(d)) if !d.is_empty() => field(
                &mut e,
                "destination",
                "conflict",
                "give either to_branch_id or destination",
            ),
            _ => {}
        }
        rules::opt_text(&mut e, "destination", self.destination.as_deref(), 100);
        rules::opt_text(&mut e, "reason", self.reason.as_deref(), 200);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "欢迎"}))]
pub struct DecideTransfer {
    pub note: Option<String>,
}

impl Validate for DecideTransfer {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "note", self.note.as_deref(), 200);
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"branch_id": "0193a1b2-0000-7000-8000-000000000130"}))]
pub struct JoinInterestBranch {
    /// A branch whose establishment is `interest`.
    pub branch_id: String,
    pub joined_on: Option<NaiveDate>,
}

impl Validate for JoinInterestBranch {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "branch_id", &self.branch_id, 64);
        rules::finish(e)
    }
}
