use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::password::MIN_PASSWORD_LEN;
use crate::auth::routes::GrantView;
use crate::auth::Role;
use crate::error::FieldError;
use crate::http::json::rules;
use crate::http::Validate;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-0000000000aa", "username": "community1", "display_name": "斜桥巷社区 工作人员", "active": true, "locked_until": null, "community_id": null, "grants": [{"id": "0193a1b2-0000-7000-8000-0000000000ab", "role": "community_staff", "scope_type": "region", "scope_id": "0193a1b2-0000-7000-8000-000000000010", "scope_name": "斜桥巷社区"}], "version": 1, "created_at": "2026-11-23T03:00:00Z", "updated_at": "2026-11-23T03:00:00Z"}))]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub active: bool,
    /// Set while the account is locked after repeated failed sign-ins.
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
    /// The home community of a resident or member (who votes in its polls).
    pub community_id: Option<String>,
    pub grants: Vec<GrantView>,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "community_staff", "scope_id": "0193a1b2-0000-7000-8000-000000000010"}))]
pub struct CreateGrant {
    pub role: Role,
    /// The region (staff, integration) or branch (secretary) the role is granted on; none for admin.
    pub scope_id: Option<String>,
}

impl Validate for CreateGrant {}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "community3", "display_name": "王小明", "password": "a-long-passphrase", "grants": [{"role": "community_staff", "scope_id": "0193a1b2-0000-7000-8000-000000000010"}]}))]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    /// At least 10 characters.
    pub password: String,
    #[serde(default)]
    pub grants: Vec<CreateGrant>,
    /// The home community of a resident or member.
    pub community_id: Option<String>,
}

pub fn check_username(e: &mut Vec<FieldError>, username: &str) {
    let ok = (3..=64).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        e.push(FieldError {
            field: "username".into(),
            code: "invalid_format".into(),
            message: "username must be 3 to 64 letters, digits, '_', '-' or '.'".into(),
        });
    }
}

pub fn check_password(e: &mut Vec<FieldError>, password: &str) {
    if password.chars().count() < MIN_PASSWORD_LEN || password.len() > 256 {
        e.push(FieldError {
            field: "password".into(),
            code: "too_short".into(),
            message: format!("password must be {MIN_PASSWORD_LEN} to 256 characters"),
        });
    }
}

impl Validate for CreateUser {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        check_username(&mut e, &self.username);
        rules::text(&mut e, "display_name", &self.display_name, 64);
        check_password(&mut e, &self.password);
        if self.grants.len() > 20 {
            e.push(FieldError {
                field: "grants".into(),
                code: "too_many".into(),
                message: "at most 20 grants".into(),
            });
        }
        rules::finish(e)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "王小明", "active": true, "unlock": true}))]
pub struct UpdateUser {
    pub display_name: Option<String>,
    /// A disabled account cannot sign in and its sessions stop at their next refresh.
    pub active: Option<bool>,
    /// Sets a new password and ends every session of the user.
    pub password: Option<String>,
    /// Clears a lock after failed sign-ins.
    pub unlock: Option<bool>,
    /// The home community of a resident or member; `null` clears it.
    #[serde(default, deserialize_with = "crate::http::json::double_option")]
    #[schema(value_type = Option<String>)]
    pub community_id: Option<Option<String>>,
    pub version: Option<i32>,
}

impl Validate for UpdateUser {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "display_name", self.display_name.as_deref(), 64);
        if let Some(p) = &self.password {
            check_password(&mut e, p);
        }
        rules::finish(e)
    }
}
