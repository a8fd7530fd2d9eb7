//! Who serves a community: units, teams and volunteers as providers of menus and orders.
use diesel::prelude::*;

use super::dto::*;
use crate::auth::Caller;
use crate::db::schema::{regions, unit_pairings, units, volunteer_teams, volunteers};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

pub(super) fn community_path(conn: &mut DbConn, id: &str, field: &str) -> ApiResult<String> {
    let found: Option<(String, String)> = regions::table
        .find(id)
        .select((regions::path, regions::level))
        .first(conn)
        .optional()?;
    match found {
        Some((p, level)) if level == "community" => Ok(p),
        _ => Err(ApiError::field(
            field,
            "not_found",
            "the community does not exist",
        )),
    }
}

// ---------- providers ----------

/// The provider's name, if it exists and serves the community.
pub(super) fn provider_for(
    conn: &mut DbConn,
    kind: ProviderType,
    id: &str,
    community_id: &str,
    community_path: &str,
) -> ApiResult<String> {
    let missing = || {
        ApiError::field(
            "provider_id",
            "not_found",
            "no such provider serves this community",
        )
    };
    match kind {
        ProviderType::Unit => {
            let name: Option<String> = units::table
                .find(id)
                .filter(units::status.eq("active"))
                .select(units::name)
                .first(conn)
                .optional()?;
            let name = name.ok_or_else(missing)?;
            let paired: i64 = unit_pairings::table
                .find((id, community_id))
                .count()
                .get_result(conn)?;
            if paired == 0 {
                return Err(ApiError::field(
                    "provider_id",
                    "not_paired",
                    "the unit is not paired with this community",
                ));
            }
            Ok(name)
        }
        ProviderType::Team => {
            let found: Option<(String, String)> = volunteer_teams::table
                .inner_join(regions::table)
                .filter(volunteer_teams::id.eq(id))
                .filter(volunteer_teams::status.eq("active"))
                .select((volunteer_teams::name, regions::path))
                .first(conn)
                .optional()?;
            let (name, team_path) = found.ok_or_else(missing)?;
            // A team of the community, or of the street it is in.
            if !(community_path.starts_with(&team_path) || team_path.starts_with(community_path)) {
                return Err(missing());
            }
            Ok(name)
        }
        ProviderType::Volunteer => {
            let name: Option<String> = volunteers::table
                .find(id)
                .select(volunteers::name)
                .first(conn)
                .optional()?;
            name.ok_or_else(missing)
        }
    }
}

/// Whether the caller acts for a provider: a unit's contact, a team's keeper, the volunteer.
pub(super) fn acts_for(
    conn: &mut DbConn,
    caller: &Caller,
    kind: ProviderType,
    id: &str,
) -> ApiResult<bool> {
    Ok(match kind {
        ProviderType::Unit => caller.unit_ids().iter().any(|u| u == id),
        ProviderType::Team => {
            crate::volunteers::teams::team_access(conn, caller, id).is_ok_and(|a| a.manage)
        }
        ProviderType::Volunteer => {
            volunteers::table
                .find(id)
                .filter(volunteers::user_id.eq(&caller.user_id))
                .count()
                .get_result::<i64>(conn)?
                > 0
        }
    })
}

/// The providers a caller acts for, as (type, id) pairs.
pub(super) fn my_providers(
    conn: &mut DbConn,
    caller: &Caller,
) -> QueryResult<Vec<(ProviderType, String)>> {
    let mut out: Vec<(ProviderType, String)> = caller
        .unit_ids()
        .into_iter()
        .map(|u| (ProviderType::Unit, u))
        .collect();
    if let Some(v) = crate::volunteers::teams::my_volunteer_id(conn, caller)? {
        let led: Vec<String> = volunteer_teams::table
            .filter(volunteer_teams::leader_id.eq(&v))
            .select(volunteer_teams::id)
            .load(conn)?;
        out.extend(led.into_iter().map(|t| (ProviderType::Team, t)));
        out.push((ProviderType::Volunteer, v));
    }
    Ok(out)
}

// ---------- menus ----------
