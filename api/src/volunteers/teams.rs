//! Volunteers, volunteer teams and who is in them; and who may keep or read a team.
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{
    branches, members, regions, team_members, users, volunteer_teams, volunteers,
};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult};
use crate::http::list::{like_pattern, Paging};
use crate::phones::{self, PhoneColumn};
use crate::sealed::Sealer;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = volunteers)]
pub struct Volunteer {
    pub id: String,
    pub name: String,
    pub phone_sealed: Option<String>,
    pub phone_index: Option<String>,
    pub phone_masked: Option<String>,
    pub member_id: Option<String>,
    pub user_id: Option<String>,
    pub region_id: String,
    pub specialties: String,
    pub created_at: NaiveDateTime,
}

impl Volunteer {
    /// Sets the phone, sealed for this volunteer's row.
    pub fn with_phone(mut self, sealer: &Sealer, phone: Option<&str>) -> Volunteer {
        let p = phones::seal(sealer, PhoneColumn::Volunteer, &self.id, phone);
        (self.phone_sealed, self.phone_index, self.phone_masked) = (p.sealed, p.index, p.masked);
        self
    }
}

/// A member's phone in clear, to be sealed again for the volunteer record made from them.
fn member_phone(
    sealer: &Sealer,
    member_id: &str,
    sealed: Option<&str>,
    masked: Option<&str>,
) -> Option<String> {
    phones::reveal(sealer, PhoneColumn::Member, member_id, sealed, masked)
        .filter(|p| !p.contains('*'))
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = volunteer_teams, treat_none_as_default_value = false)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub kind: TeamKind,
    pub colour: Option<TeamColour>,
    pub specialties: String,
    pub description: Option<String>,
    pub region_id: String,
    pub branch_id: Option<String>,
    pub leader_id: Option<String>,
    pub status: TeamStatus,
    pub member_count: i32,
    pub calendar_secret: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn list_json(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn clean_list(list: &[String]) -> String {
    let mut v: Vec<String> = list
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    v.dedup();
    serde_json::to_string(&v).expect("strings serialize")
}

/// The caller's own volunteer record, if they have one.
pub fn my_volunteer_id(conn: &mut DbConn, caller: &Caller) -> QueryResult<Option<String>> {
    volunteers::table
        .filter(volunteers::user_id.eq(&caller.user_id))
        .select(volunteers::id)
        .first(conn)
        .optional()
}

/// The caller's volunteer record, made on first use from their member record (or their account)
/// with `region_id` as home when nothing better is known.
pub fn ensure_my_volunteer(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    region_id: &str,
) -> ApiResult<String> {
    if let Some(id) = my_volunteer_id(conn, caller)? {
        return Ok(id);
    }
    let member: Option<(String, String, Option<String>, Option<String>)> = members::table
        .filter(members::user_id.eq(&caller.user_id))
        .select((
            members::id,
            members::name,
            members::phone_sealed,
            members::phone_masked,
        ))
        .first(conn)
        .optional()?;
    // A member already kept as a volunteer by staff gets linked to their account.
    if let Some((mid, _, _, _)) = &member {
        let existing: Option<String> = volunteers::table
            .filter(volunteers::member_id.eq(mid))
            .select(volunteers::id)
            .first(conn)
            .optional()?;
        if let Some(vid) = existing {
            diesel::update(volunteers::table.find(&vid))
                .set(volunteers::user_id.eq(&caller.user_id))
                .execute(conn)?;
            return Ok(vid);
        }
    }
    let phone = member
        .as_ref()
        .and_then(|m| member_phone(sealer, &m.0, m.2.as_deref(), m.3.as_deref()));
    let v = Volunteer {
        id: crate::new_id(),
        name: member
            .as_ref()
            .map(|m| m.1.clone())
            .unwrap_or_else(|| caller.display_name.clone()),
        phone_sealed: None,
        phone_index: None,
        phone_masked: None,
        member_id: member.map(|m| m.0),
        user_id: Some(caller.user_id.clone()),
        region_id: region_id.to_owned(),
        specialties: "[]".into(),
        created_at: Utc::now().naive_utc(),
    }
    .with_phone(sealer, phone.as_deref());
    diesel::insert_into(volunteers::table)
        .values(&v)
        .execute(conn)?;
    audit::record(
        conn,
        &caller.actor(),
        "create",
        "volunteer",
        Some(&v.id),
        Some(json!({"self": true})),
    )?;
    Ok(v.id)
}

// ---------- who may do what ----------

pub struct TeamAccess {
    pub team: Team,
    pub region_name: String,
    pub region_path: String,
    /// The caller keeps the team: its leader, staff of its community, or the secretary of its branch.
    pub manage: bool,
    /// The caller may see its members, sign-ups and hours.
    pub read: bool,
}

pub fn team_access(conn: &mut DbConn, caller: &Caller, team_id: &str) -> ApiResult<TeamAccess> {
    let found: Option<(Team, String, String)> = volunteer_teams::table
        .inner_join(regions::table)
        .filter(volunteer_teams::id.eq(team_id))
        .select((Team::as_select(), regions::name, regions::path))
        .first(conn)
        .optional()?;
    let (team, region_name, region_path) =
        found.ok_or_else(|| ApiError::not_found("volunteer team"))?;
    let (manage, read) = rights(conn, caller, &team, &region_path)?;
    Ok(TeamAccess {
        team,
        region_name,
        region_path,
        manage,
        read,
    })
}

fn rights(
    conn: &mut DbConn,
    caller: &Caller,
    team: &Team,
    region_path: &str,
) -> QueryResult<(bool, bool)> {
    let mut manage = caller.regions_writable().contains(region_path);
    let mut read = manage || caller.regions_readable().contains(region_path);
    if !manage {
        if let Some(b) = &team.branch_id {
            let bp: Option<(String, String)> = branches::table
                .inner_join(regions::table)
                .filter(branches::id.eq(b))
                .select((branches::path, regions::path))
                .first(conn)
                .optional()?;
            if let Some((bp, rp)) = bp {
                manage = caller.branches_writable().contains(&bp, &rp);
                read = read || manage || caller.branches_readable().contains(&bp, &rp);
            }
        }
    }
    if !manage {
        if let Some(leader) = &team.leader_id {
            let leads = volunteers::table
                .find(leader)
                .filter(volunteers::user_id.eq(&caller.user_id))
                .count()
                .get_result::<i64>(conn)?
                > 0;
            manage = leads;
            read = read || leads;
        }
    }
    Ok((manage, read))
}

pub fn team_view(
    t: Team,
    region_name: String,
    leader_name: Option<String>,
    can_manage: bool,
) -> TeamView {
    TeamView {
        kind: t.kind,
        colour: t.colour,
        specialties: list_json(&t.specialties),
        status: t.status,
        calendar_url: format!("/api/v1/calendars/teams/{}.ics", t.calendar_secret),
        id: t.id,
        name: t.name,
        description: t.description,
        region_id: t.region_id,
        region_name,
        branch_id: t.branch_id,
        leader_id: t.leader_id,
        leader_name,
        member_count: t.member_count,
        can_manage,
        version: t.version,
        created_at: t.created_at.and_utc(),
        updated_at: t.updated_at.and_utc(),
    }
}

fn leader_name(conn: &mut DbConn, leader: Option<&str>) -> QueryResult<Option<String>> {
    match leader {
        Some(l) => volunteers::table
            .find(l)
            .select(volunteers::name)
            .first(conn)
            .optional(),
        None => Ok(None),
    }
}

fn region_for_write(conn: &mut DbConn, caller: &Caller, region_id: &str) -> ApiResult<String> {
    let path: Option<String> = regions::table
        .find(region_id)
        .select(regions::path)
        .first(conn)
        .optional()?;
    let path = path
        .filter(|p| caller.regions_readable().contains(p))
        .ok_or_else(|| ApiError::field("region_id", "not_found", "the region does not exist"))?;
    if !caller.regions_writable().contains(&path) {
        return Err(ApiError::forbidden(
            "teams and volunteers are kept by the staff of their community",
        ));
    }
    Ok(path)
}

// ---------- teams ----------

#[derive(Debug, Clone, Default)]
pub struct TeamFilter {
    pub region_id: Option<String>,
    pub kind: Option<TeamKind>,
    pub status: Option<TeamStatus>,
    /// Only the teams the caller is in.
    pub mine: bool,
    pub q: Option<String>,
}

/// Teams are a public directory (residents look for a team to join), so every signed-in user
/// may list them; a region filter narrows to a subtree.
pub fn list_teams(
    conn: &mut DbConn,
    caller: &Caller,
    f: TeamFilter,
    paging: Paging,
) -> ApiResult<(Vec<TeamView>, i64)> {
    let subtree = match &f.region_id {
        Some(r) => Some(
            regions::table
                .find(r)
                .select(regions::path)
                .first::<String>(conn)
                .optional()?
                .ok_or_else(|| {
                    ApiError::field("region_id", "not_found", "the region does not exist")
                })?,
        ),
        None => None,
    };
    let mine: Option<Vec<String>> = if f.mine {
        let me = my_volunteer_id(conn, caller)?;
        Some(match me {
            Some(v) => team_members::table
                .filter(team_members::volunteer_id.eq(v))
                .select(team_members::team_id)
                .load(conn)?,
            None => vec![],
        })
    } else {
        None
    };
    let query = || {
        let mut q = volunteer_teams::table
            .inner_join(regions::table)
            .into_boxed::<crate::db::MultiBackend>();
        if let Some(p) = &subtree {
            let (lo, hi) = crate::tree::range(p);
            q = q.filter(regions::path.ge(lo)).filter(regions::path.lt(hi));
        }
        if let Some(k) = f.kind {
            q = q.filter(volunteer_teams::kind.eq(k.as_str()));
        }
        if let Some(s) = f.status {
            q = q.filter(volunteer_teams::status.eq(s.as_str()));
        }
        if let Some(ids) = &mine {
            q = q.filter(volunteer_teams::id.eq_any(ids.clone()));
        }
        if let Some(text) = &f.q {
            q = q.filter(volunteer_teams::name.like(like_pattern(text)));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(Team, String, String)> = query()
        .order((regions::path.asc(), volunteer_teams::name.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Team::as_select(), regions::name, regions::path))
        .load(conn)?;
    let mut out = vec![];
    for (t, rname, rpath) in rows {
        let (manage, _) = rights(conn, caller, &t, &rpath)?;
        let leader = leader_name(conn, t.leader_id.as_deref())?;
        out.push(team_view(t, rname, leader, manage));
    }
    Ok((out, total))
}

pub fn get_team(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<TeamView> {
    let a = team_access(conn, caller, id)?;
    let leader = leader_name(conn, a.team.leader_id.as_deref())?;
    Ok(team_view(a.team, a.region_name, leader, a.manage))
}

fn check_branch(conn: &mut DbConn, caller: &Caller, branch_id: Option<&str>) -> ApiResult<()> {
    if let Some(b) = branch_id {
        let found: Option<(String, String)> = branches::table
            .inner_join(regions::table)
            .filter(branches::id.eq(b))
            .select((branches::path, regions::path))
            .first(conn)
            .optional()?;
        if !found.is_some_and(|(bp, rp)| caller.branches_readable().contains(&bp, &rp)) {
            return Err(ApiError::field(
                "branch_id",
                "not_found",
                "the branch does not exist",
            ));
        }
    }
    Ok(())
}

fn volunteer_exists(conn: &mut DbConn, id: &str, field: &str) -> ApiResult<()> {
    let n: i64 = volunteers::table.find(id).count().get_result(conn)?;
    if n == 0 {
        return Err(ApiError::field(
            field,
            "not_found",
            "the volunteer does not exist",
        ));
    }
    Ok(())
}

fn add_member(conn: &mut DbConn, team_id: &str, volunteer_id: &str) -> QueryResult<bool> {
    let there: i64 = team_members::table
        .find((team_id, volunteer_id))
        .count()
        .get_result(conn)?;
    if there > 0 {
        return Ok(false);
    }
    diesel::insert_into(team_members::table)
        .values((
            team_members::team_id.eq(team_id),
            team_members::volunteer_id.eq(volunteer_id),
            team_members::joined_on.eq(crate::clock::today()),
        ))
        .execute(conn)?;
    diesel::update(volunteer_teams::table.find(team_id))
        .set(volunteer_teams::member_count.eq(volunteer_teams::member_count + 1))
        .execute(conn)?;
    Ok(true)
}

fn name_taken(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => ApiError::conflict(
            ErrorCode::DuplicateName,
            "the community already has a team of this name",
        ),
        other => other.into(),
    }
}

pub fn create_team(conn: &mut DbConn, caller: &Caller, input: CreateTeam) -> ApiResult<TeamView> {
    crate::db::write(conn, |c| {
        region_for_write(c, caller, &input.region_id)?;
        check_branch(c, caller, input.branch_id.as_deref())?;
        if let Some(l) = &input.leader_id {
            volunteer_exists(c, l, "leader_id")?;
        }
        let now = Utc::now().naive_utc();
        let t = Team {
            id: crate::new_id(),
            name: input.name.trim().into(),
            kind: input.kind,
            colour: input.colour,
            specialties: clean_list(&input.specialties),
            description: input
                .description
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            region_id: input.region_id.clone(),
            branch_id: input.branch_id.clone(),
            leader_id: input.leader_id.clone(),
            status: TeamStatus::Active,
            member_count: 0,
            calendar_secret: super::checkin::new_secret(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(volunteer_teams::table)
            .values(&t)
            .execute(c)
            .map_err(name_taken)?;
        if let Some(l) = &t.leader_id {
            add_member(c, &t.id, l)?;
        }
        audit::record(
            c,
            &caller.actor(),
            "create",
            "volunteer_team",
            Some(&t.id),
            Some(json!({"name": t.name})),
        )?;
        get_team(c, caller, &t.id)
    })
}

pub fn update_team(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: UpdateTeam,
    if_match: Option<i32>,
) -> ApiResult<TeamView> {
    crate::db::write(conn, |c| {
        let a = team_access(c, caller, id)?;
        if !a.read {
            return Err(ApiError::not_found("volunteer team"));
        }
        if !a.manage {
            return Err(ApiError::forbidden(
                "a team is kept by its leader and its community's staff",
            ));
        }
        expect_version(a.team.version, if_match, input.version)?;
        let mut t = a.team;
        if let Some(n) = input.name {
            t.name = n.trim().into();
        }
        if let Some(k) = input.kind {
            t.kind = k;
        }
        if let Some(col) = input.colour {
            t.colour = col;
        }
        if let Some(s) = &input.specialties {
            t.specialties = clean_list(s);
        }
        if let Some(d) = input.description {
            t.description = d.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
        }
        if let Some(l) = input.leader_id {
            if let Some(l) = &l {
                volunteer_exists(c, l, "leader_id")?;
                add_member(c, &t.id, l)?;
            }
            t.leader_id = l;
        }
        if let Some(s) = input.status {
            t.status = s;
        }
        diesel::update(volunteer_teams::table.find(id))
            .set((
                volunteer_teams::name.eq(&t.name),
                volunteer_teams::kind.eq(&t.kind),
                volunteer_teams::colour.eq(&t.colour),
                volunteer_teams::specialties.eq(&t.specialties),
                volunteer_teams::description.eq(&t.description),
                volunteer_teams::leader_id.eq(&t.leader_id),
                volunteer_teams::status.eq(&t.status),
                volunteer_teams::version.eq(t.version + 1),
                volunteer_teams::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)
            .map_err(name_taken)?;
        audit::record(
            c,
            &caller.actor(),
            "update",
            "volunteer_team",
            Some(id),
            Some(json!({"name": t.name, "status": t.status})),
        )?;
        get_team(c, caller, id)
    })
}

pub fn team_members(
    conn: &mut DbConn,
    caller: &Caller,
    team_id: &str,
) -> ApiResult<Vec<TeamMemberView>> {
    let a = team_access(conn, caller, team_id)?;
    if !a.read {
        return Err(ApiError::not_found("volunteer team"));
    }
    // Phones masked, for the keepers too: one volunteer's number is read with
    // `GET /volunteers/{id}?unmask=true`, which is recorded.
    let rows: Vec<(
        String,
        String,
        Option<String>,
        Option<String>,
        chrono::NaiveDate,
    )> = team_members::table
        .inner_join(volunteers::table)
        .filter(team_members::team_id.eq(team_id))
        .order((volunteers::name.asc(), volunteers::id.asc()))
        .select((
            volunteers::id,
            volunteers::name,
            volunteers::member_id,
            volunteers::phone_masked,
            team_members::joined_on,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, member_id, phone, joined_on)| TeamMemberView {
            is_leader: a.team.leader_id.as_deref() == Some(id.as_str()),
            phone,
            volunteer_id: id,
            name,
            member_id,
            joined_on,
        })
        .collect())
}

pub fn join_team(
    conn: &mut DbConn,
    caller: &Caller,
    team_id: &str,
    input: AddTeamMember,
) -> ApiResult<Vec<TeamMemberView>> {
    crate::db::write(conn, |c| {
        let a = team_access(c, caller, team_id)?;
        if !a.manage {
            return Err(if a.read {
                ApiError::forbidden(
                    "a team's members are added by its leader and its community's staff",
                )
            } else {
                ApiError::not_found("volunteer team")
            });
        }
        volunteer_exists(c, &input.volunteer_id, "volunteer_id")?;
        if !add_member(c, team_id, &input.volunteer_id)? {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyMember,
                "the volunteer is already in the team",
            ));
        }
        audit::record(
            c,
            &caller.actor(),
            "join",
            "volunteer_team",
            Some(team_id),
            Some(json!({"volunteer_id": input.volunteer_id})),
        )?;
        team_members(c, caller, team_id)
    })
}

pub fn leave_team(
    conn: &mut DbConn,
    caller: &Caller,
    team_id: &str,
    volunteer_id: &str,
) -> ApiResult<()> {
    crate::db::write(conn, |c| {
        let a = team_access(c, caller, team_id)?;
        let me = my_volunteer_id(c, caller)?;
        let own = me.as_deref() == Some(volunteer_id);
        if !(a.manage || own) {
            return Err(if a.read {
                ApiError::forbidden(
                    "a team's members are removed by its leader and its community's staff",
                )
            } else {
                ApiError::not_found("volunteer team")
            });
        }
        if a.team.leader_id.as_deref() == Some(volunteer_id) {
            return Err(ApiError::conflict(
                ErrorCode::LeaderCannotLeave,
                "name another leader before the leader leaves",
            ));
        }
        let n = diesel::delete(team_members::table.find((team_id, volunteer_id))).execute(c)?;
        if n == 0 {
            return Err(ApiError::not_found("team member"));
        }
        diesel::update(volunteer_teams::table.find(team_id))
            .set(volunteer_teams::member_count.eq(volunteer_teams::member_count - 1))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "leave",
            "volunteer_team",
            Some(team_id),
            Some(json!({"volunteer_id": volunteer_id})),
        )?;
        Ok(())
    })
}

// ---------- volunteers ----------

type VolunteerRow = (Volunteer, String, String);

/// A volunteer as shown: the phone masked unless `reveal` gives the sealer for an unmasked read.
fn volunteer_view(
    conn: &mut DbConn,
    (v, region_name, _): VolunteerRow,
    reveal: Option<&Sealer>,
) -> QueryResult<VolunteerView> {
    let teams: i64 = team_members::table
        .filter(team_members::volunteer_id.eq(&v.id))
        .count()
        .get_result(conn)?;
    let phone = match reveal {
        Some(sealer) => phones::reveal(
            sealer,
            PhoneColumn::Volunteer,
            &v.id,
            v.phone_sealed.as_deref(),
            v.phone_masked.as_deref(),
        ),
        None => v.phone_masked.clone(),
    };
    Ok(VolunteerView {
        masked: reveal.is_none() && phone.is_some(),
        phone,
        specialties: list_json(&v.specialties),
        id: v.id,
        name: v.name,
        member_id: v.member_id,
        user_id: v.user_id,
        region_id: v.region_id,
        region_name,
        teams,
        created_at: v.created_at.and_utc(),
    })
}

fn load_volunteer(conn: &mut DbConn, id: &str) -> QueryResult<Option<VolunteerRow>> {
    volunteers::table
        .inner_join(regions::table)
        .filter(volunteers::id.eq(id))
        .select((Volunteer::as_select(), regions::name, regions::path))
        .first(conn)
        .optional()
}

/// A volunteer is visible to themselves, to the staff of their community, and to the keepers of
/// a team they are in.
pub fn volunteer_readable(
    conn: &mut DbConn,
    caller: &Caller,
    row: &VolunteerRow,
) -> QueryResult<bool> {
    if row.0.user_id.as_deref() == Some(caller.user_id.as_str())
        || caller.regions_readable().contains(&row.2)
    {
        return Ok(true);
    }
    let teams: Vec<String> = team_members::table
        .filter(team_members::volunteer_id.eq(&row.0.id))
        .select(team_members::team_id)
        .load(conn)?;
    for t in teams {
        if team_access(conn, caller, &t).is_ok_and(|a| a.read) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One volunteer, phone masked.
pub fn get_volunteer(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<VolunteerView> {
    let row = load_volunteer(conn, id)?.ok_or_else(|| ApiError::not_found("volunteer"))?;
    if !volunteer_readable(conn, caller, &row)? {
        return Err(ApiError::not_found("volunteer"));
    }
    Ok(volunteer_view(conn, row, None)?)
}

/// One volunteer; `unmask` shows the phone to the volunteer, to the staff of their community and
/// to the keepers of a team they are in (who call them to activities). A read by anyone but the
/// volunteer is recorded, naming the volunteer's account so that they can see it.
pub fn read_volunteer(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    unmask: bool,
) -> ApiResult<VolunteerView> {
    let row = load_volunteer(conn, id)?.ok_or_else(|| ApiError::not_found("volunteer"))?;
    if !volunteer_readable(conn, caller, &row)? {
        return Err(ApiError::not_found("volunteer"));
    }
    if !unmask {
        return Ok(volunteer_view(conn, row, None)?);
    }
    let own = row.0.user_id.as_deref() == Some(caller.user_id.as_str());
    if !own {
        let mut allowed = caller.regions_writable().contains(&row.2);
        if !allowed {
            let teams: Vec<String> = team_members::table
                .filter(team_members::volunteer_id.eq(&row.0.id))
                .select(team_members::team_id)
                .load(conn)?;
            for t in teams {
                if team_access(conn, caller, &t).is_ok_and(|a| a.manage) {
                    allowed = true;
                    break;
                }
            }
        }
        if !allowed {
            return Err(ApiError::forbidden(
                "only the volunteer's community staff and their teams' keepers see their phone",
            ));
        }
        audit::record_unmask(
            conn,
            &caller.actor(),
            "volunteer",
            id,
            row.0.user_id.as_deref(),
            json!({"fields": ["phone"]}),
        )?;
    }
    Ok(volunteer_view(conn, row, Some(sealer))?)
}

pub fn my_volunteer(conn: &mut DbConn, caller: &Caller) -> ApiResult<VolunteerView> {
    let id = my_volunteer_id(conn, caller)?.ok_or_else(|| ApiError::not_found("volunteer"))?;
    get_volunteer(conn, caller, &id)
}

#[derive(Debug, Clone, Default)]
pub struct VolunteerFilter {
    pub region_id: Option<String>,
    pub team_id: Option<String>,
    /// Party members only (true) or residents only (false).
    pub party_member: Option<bool>,
    pub q: Option<String>,
    /// The blind index of `q` when it is a phone number (see `phones::query_index`).
    pub q_phone_index: Option<String>,
}

pub fn list_volunteers(
    conn: &mut DbConn,
    caller: &Caller,
    f: VolunteerFilter,
    paging: Paging,
) -> ApiResult<(Vec<VolunteerView>, i64)> {
    let mut reach = caller.regions_readable();
    // A team's leader looks for volunteers of the team's community to add to it.
    if let (crate::auth::policy::Reach::Within(prefixes), Some(me)) =
        (&mut reach, my_volunteer_id(conn, caller)?)
    {
        let led: Vec<String> = volunteer_teams::table
            .inner_join(regions::table)
            .filter(volunteer_teams::leader_id.eq(&me))
            .select(regions::path)
            .load(conn)?;
        prefixes.extend(led);
        prefixes.sort();
        prefixes.dedup();
    }
    let subtree = match &f.region_id {
        Some(r) => {
            let p: Option<String> = regions::table
                .find(r)
                .select(regions::path)
                .first(conn)
                .optional()?;
            Some(p.filter(|p| reach.contains(p)).ok_or_else(|| {
                ApiError::field("region_id", "not_found", "the region does not exist")
            })?)
        }
        None => None,
    };
    let query = || {
        let mut q = volunteers::table
            .inner_join(regions::table)
            .into_boxed::<crate::db::MultiBackend>();
        q = match &reach {
            crate::auth::policy::Reach::All => q,
            crate::auth::policy::Reach::Within(p) => {
                q.filter(crate::path_filter!(regions::path, p))
            }
        };
        if let Some(p) = &subtree {
            let (lo, hi) = crate::tree::range(p);
            q = q.filter(regions::path.ge(lo)).filter(regions::path.lt(hi));
        }
        if let Some(t) = &f.team_id {
            q = q.filter(
                volunteers::id.eq_any(
                    team_members::table
                        .filter(team_members::team_id.eq(t.clone()))
                        .select(team_members::volunteer_id),
                ),
            );
        }
        match f.party_member {
            Some(true) => q = q.filter(volunteers::member_id.is_not_null()),
            Some(false) => q = q.filter(volunteers::member_id.is_null()),
            None => {}
        }
        if let Some(text) = &f.q {
            // A name, or (a number) a phone, matched by its blind index.
            q = match &f.q_phone_index {
                Some(index) => q.filter(
                    volunteers::name
                        .like(like_pattern(text))
                        .or(volunteers::phone_index.eq(index.clone())),
                ),
                None => q.filter(volunteers::name.like(like_pattern(text))),
            };
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<VolunteerRow> = query()
        .order((volunteers::name.asc(), volunteers::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Volunteer::as_select(), regions::name, regions::path))
        .load(conn)?;
    let mut out = vec![];
    for r in rows {
        out.push(volunteer_view(conn, r, None)?);
    }
    Ok((out, total))
}

pub fn create_volunteer(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    input: CreateVolunteer,
) -> ApiResult<VolunteerView> {
    crate::db::write(conn, |c| {
        region_for_write(c, caller, &input.region_id)?;
        let mut name = input.name.as_deref().map(str::trim).map(str::to_owned);
        let mut phone = input.phone.clone();
        if let Some(m) = &input.member_id {
            // (name, sealed phone, masked phone, branch path, region path)
            type Found = (String, Option<String>, Option<String>, String, String);
            let found: Option<Found> = members::table
                .inner_join(branches::table.inner_join(regions::table))
                .filter(members::id.eq(m))
                .select((
                    members::name,
                    members::phone_sealed,
                    members::phone_masked,
                    branches::path,
                    regions::path,
                ))
                .first(c)
                .optional()?;
            let (mname, msealed, mmasked, bp, rp) = found.ok_or_else(|| {
                ApiError::field("member_id", "not_found", "the member does not exist")
            })?;
            // The member's phone carries over, sealed again for the volunteer record.
            let mphone = member_phone(sealer, m, msealed.as_deref(), mmasked.as_deref());
            if !caller.branches_readable().contains(&bp, &rp) {
                return Err(ApiError::field(
                    "member_id",
                    "not_found",
                    "the member does not exist",
                ));
            }
            let taken: i64 = volunteers::table
                .filter(volunteers::member_id.eq(m))
                .count()
                .get_result(c)?;
            if taken > 0 {
                return Err(ApiError::conflict(
                    ErrorCode::Duplicate,
                    "the member is already a volunteer",
                ));
            }
            name = name.or(Some(mname));
            phone = phone.or(mphone);
        }
        if let Some(u) = &input.user_id {
            let exists: i64 = users::table.find(u).count().get_result(c)?;
            if exists == 0 {
                return Err(ApiError::field(
                    "user_id",
                    "not_found",
                    "the account does not exist",
                ));
            }
            let taken: i64 = volunteers::table
                .filter(volunteers::user_id.eq(u))
                .count()
                .get_result(c)?;
            if taken > 0 {
                return Err(ApiError::conflict(
                    ErrorCode::Duplicate,
                    "the account already has a volunteer record",
                ));
            }
        }
        let v = Volunteer {
            id: crate::new_id(),
            name: name.unwrap_or_default(),
            phone_sealed: None,
            phone_index: None,
            phone_masked: None,
            member_id: input.member_id.clone(),
            user_id: input.user_id.clone(),
            region_id: input.region_id.clone(),
            specialties: clean_list(&input.specialties),
            created_at: Utc::now().naive_utc(),
        }
        .with_phone(sealer, phone.as_deref());
        diesel::insert_into(volunteers::table)
            .values(&v)
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "volunteer",
            Some(&v.id),
            Some(json!({"name": v.name})),
        )?;
        get_volunteer(c, caller, &v.id)
    })
}
