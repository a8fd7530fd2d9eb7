//! Menus (单位列菜谱): what units, teams and volunteers offer a community.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use super::providers::*;
use super::service::now;
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{menu_items, regions};
use crate::db::DbConn;
use crate::error::{expect_version, ApiError, ApiResult};
use crate::http::list::{like_pattern, Paging};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = menu_items, treat_none_as_default_value = false)]
pub struct MenuItem {
    pub id: String,
    pub community_id: String,
    pub provider_type: ProviderType,
    pub provider_id: String,
    pub provider_name: String,
    pub category_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub place: Option<String>,
    pub schedule: Option<String>,
    pub monthly_capacity: Option<i32>,
    pub status: MenuStatus,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub(super) fn menu_view(m: MenuItem, community_name: String, can_manage: bool) -> MenuItemView {
    MenuItemView {
        provider_type: m.provider_type,
        status: m.status,
        id: m.id,
        community_id: m.community_id,
        community_name,
        provider_id: m.provider_id,
        provider_name: m.provider_name,
        category_id: m.category_id,
        title: m.title,
        description: m.description,
        place: m.place,
        schedule: m.schedule,
        monthly_capacity: m.monthly_capacity,
        can_manage,
        version: m.version,
        created_at: m.created_at.and_utc(),
        updated_at: m.updated_at.and_utc(),
    }
}

pub(super) fn menu_manage(
    conn: &mut DbConn,
    caller: &Caller,
    m: &MenuItem,
    path: &str,
) -> ApiResult<bool> {
    Ok(caller.regions_writable().contains(path)
        || acts_for(conn, caller, m.provider_type, &m.provider_id)?)
}

pub fn get_menu_item(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<MenuItemView> {
    let found: Option<(MenuItem, String, String)> = menu_items::table
        .inner_join(regions::table)
        .filter(menu_items::id.eq(id))
        .select((MenuItem::as_select(), regions::name, regions::path))
        .first(conn)
        .optional()?;
    let (m, name, path) = found.ok_or_else(|| ApiError::not_found("menu item"))?;
    let manage = menu_manage(conn, caller, &m, &path)?;
    Ok(menu_view(m, name, manage))
}

#[derive(Debug, Clone, Default)]
pub struct MenuFilter {
    pub community_id: Option<String>,
    pub provider_type: Option<ProviderType>,
    pub provider_id: Option<String>,
    pub category_id: Option<String>,
    /// Withdrawn items too (for their providers and staff).
    pub all: bool,
    pub q: Option<String>,
}

/// A community's menu: public to every signed-in user (residents browse it).
pub fn list_menu(
    conn: &mut DbConn,
    caller: &Caller,
    f: MenuFilter,
    paging: Paging,
) -> ApiResult<(Vec<MenuItemView>, i64)> {
    let query = || {
        let mut q = menu_items::table
            .inner_join(regions::table)
            .into_boxed::<crate::db::MultiBackend>();
        if let Some(c) = &f.community_id {
            q = q.filter(menu_items::community_id.eq(c.clone()));
        }
        if let Some(t) = f.provider_type {
            q = q.filter(menu_items::provider_type.eq(t.as_str()));
        }
        if let Some(p) = &f.provider_id {
            q = q.filter(menu_items::provider_id.eq(p.clone()));
        }
        if let Some(c) = &f.category_id {
            q = q.filter(menu_items::category_id.eq(c.clone()));
        }
        if !f.all {
            q = q.filter(menu_items::status.eq(MenuStatus::Active.as_str()));
        }
        if let Some(text) = &f.q {
            q = q.filter(menu_items::title.like(like_pattern(text)));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(MenuItem, String, String)> = query()
        .order((menu_items::title.asc(), menu_items::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((MenuItem::as_select(), regions::name, regions::path))
        .load(conn)?;
    let mut out = vec![];
    for (m, name, path) in rows {
        let manage = menu_manage(conn, caller, &m, &path)?;
        out.push(menu_view(m, name, manage));
    }
    Ok((out, total))
}

pub fn create_menu_item(
    conn: &mut DbConn,
    caller: &Caller,
    input: CreateMenuItem,
) -> ApiResult<MenuItemView> {
    crate::db::write(conn, |c| {
        let path = community_path(c, &input.community_id, "community_id")?;
        let provider_name = provider_for(
            c,
            input.provider_type,
            &input.provider_id,
            &input.community_id,
            &path,
        )?;
        if !(caller.regions_writable().contains(&path)
            || acts_for(c, caller, input.provider_type, &input.provider_id)?)
        {
            return Err(ApiError::forbidden(
                "a menu item is published by its provider or the community's staff",
            ));
        }
        let at = now();
        let m = MenuItem {
            id: crate::new_id(),
            community_id: input.community_id.clone(),
            provider_type: input.provider_type,
            provider_id: input.provider_id.clone(),
            provider_name,
            category_id: input.category_id.clone(),
            title: input.title.trim().into(),
            description: input
                .description
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            place: input
                .place
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            schedule: input
                .schedule
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            monthly_capacity: input.monthly_capacity,
            status: MenuStatus::Active,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        diesel::insert_into(menu_items::table)
            .values(&m)
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "menu_item",
            Some(&m.id),
            Some(json!({"title": m.title})),
        )?;
        get_menu_item(c, caller, &m.id)
    })
}

pub fn update_menu_item(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: UpdateMenuItem,
    if_match: Option<i32>,
) -> ApiResult<MenuItemView> {
    crate::db::write(conn, |c| {
        let found: Option<(MenuItem, String)> = menu_items::table
            .inner_join(regions::table)
            .filter(menu_items::id.eq(id))
            .select((MenuItem::as_select(), regions::path))
            .first(c)
            .optional()?;
        let (m, path) = found.ok_or_else(|| ApiError::not_found("menu item"))?;
        if !menu_manage(c, caller, &m, &path)? {
            return Err(ApiError::forbidden(
                "a menu item is kept by its provider or the community's staff",
            ));
        }
        expect_version(m.version, if_match, input.version)?;
        diesel::update(menu_items::table.find(id))
            .set((
                menu_items::title.eq(input.title.as_deref().map(str::trim).unwrap_or(&m.title)),
                menu_items::description.eq(match input.description {
                    Some(d) => d.map(|d| d.trim().to_owned()),
                    None => m.description.clone(),
                }),
                menu_items::schedule.eq(match input.schedule {
                    Some(d) => d.map(|d| d.trim().to_owned()),
                    None => m.schedule.clone(),
                }),
                menu_items::status.eq(input.status.unwrap_or(m.status)),
                menu_items::version.eq(m.version + 1),
                menu_items::updated_at.eq(now()),
            ))
            .execute(c)?;
        audit::record(c, &caller.actor(), "update", "menu_item", Some(id), None)?;
        get_menu_item(c, caller, id)
    })
}
