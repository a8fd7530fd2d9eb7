//! The OpenAPI document: base info and the bearer scheme here, operations from the route macros.
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Tongxin (同心) API",
        description = "Party-building-led community governance: regions, the party organisation tree, grids, members, volunteer teams, co-building units and menu-style services.\n\nErrors are `application/problem+json` with a stable `code`. Lists take `page`, `per_page` (≤ 100), `sort` and `q`. Changes of a record send `If-Match: \"<version>\"`; `POST` accepts `Idempotency-Key`.",
        license(name = "MIT")
    ),
    servers((url = "/", description = "this server")),
    tags(
        (name = "auth", description = "Sign-in, token refresh and the current user"),
        (name = "regions", description = "District → street → community tree (区 / 街道 / 社区)"),
        (name = "branches", description = "The party organisation tree (党工委 → 党委 → 总支 → 支部 → 党小组)"),
        (name = "grids", description = "Grids (网格) with their boundaries and the three grid roles (一格三员)"),
        (name = "households", description = "Households in grids; names and phones masked unless your role needs them"),
        (name = "visits", description = "Household visits and coverage against the targets"),
        (name = "members", description = "Party members (党员): the roster, ID numbers sealed and masked, transfers, interest-based branches, who has seen a record"),
        (name = "meetings", description = "Branch meetings (三会一课, 主题党日), attendance sheets and attendance rates against the 80 % line"),
        (name = "volunteers", description = "Volunteers (志愿者), volunteer teams (志愿服务队), activities with sign-up and check-in, the service-hours ledger (服务时长) and the service card (党员联系卡)"),
        (name = "units", description = "Co-building units (共建单位) and their pairing with communities, the street's yearly project list (项目化) and units' claims (认领)"),
        (name = "orders", description = "Menus (单位列菜谱) and service orders (居民来点菜): 点单 → 派单 → 接单 → 评单, with a timeline and overdue flags"),
        (name = "concerns", description = "Resident concerns (社情民意 / 矛盾联动化解): reported in a grid, routed by category with due times, accepted, resolved and closed on the reporter's feedback; warnings, escalation to the street, linked repeats, and the 12345 measures"),
        (name = "open311", description = "An Open311 GeoReport v2 facade over concerns (`services`, `requests`), in GeoReport's own shapes"),
        (name = "polls", description = "Satisfaction polls (民意测评) of a community's cadres: one anonymous vote per account, results after the close with the 60 % / 70 % outcomes, rectifications (整改) with deadlines"),
        (name = "stats", description = "Figures for any region or branch subtree and period (overview, breakdown by child, monthly series, XLSX export), frozen as of past dates, and the five-good (五好) assessment"),
        (name = "jobs", description = "Background jobs such as imports: progress and per-line errors"),
        (name = "users", description = "Accounts and their role grants"),
        (name = "audit-events", description = "Who changed or read what, when and from where"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct BaseDoc;

pub fn base() -> OpenApi {
    <BaseDoc as utoipa::OpenApi>::openapi()
}

/// Adds what the route macros cannot: the bearer security scheme, and the 401 answer that every
/// secured operation shares (documented once here rather than on each route).
pub fn finish(mut spec: OpenApi) -> OpenApi {
    let components = spec.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
    );
    let unauthorized = ResponseBuilder::new()
        .description("No, a malformed or an expired access token (`unauthorized`, `token_expired`); see `WWW-Authenticate`")
        .content("application/problem+json", ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build())
        .build();
    for item in spec.paths.paths.values_mut() {
        for op in [&mut item.get, &mut item.post, &mut item.patch, &mut item.put, &mut item.delete].into_iter().flatten() {
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) && !op.responses.responses.contains_key("401") {
                op.responses.responses.insert("401".into(), RefOr::T(unauthorized.clone()));
            }
        }
    }
    spec
}

/// The spec as served and as committed in `openapi.yaml`.
pub fn spec() -> OpenApi {
    let (_, spec) = crate::routes(actix_web::App::new().into_utoipa_app().openapi(base())).split_for_parts();
    finish(spec)
}

pub fn to_yaml() -> String {
    spec().to_yaml().expect("the OpenAPI document serializes to YAML")
}

use utoipa_actix_web::AppExt;
