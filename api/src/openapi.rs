//! The OpenAPI document: base info and the bearer scheme here, operations from the route macros.
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Tongxin (同心) API",
        description = "Party-building-led community governance: regions, the party organisation tree, grids, members, volunteer teams, co-building units and menu-style services.\n\nErrors are `application/problem+json` with a stable `code`. Lists take `page`, `per_page` (≤ 100), `sort` and `q`. Changes of a record send `If-Match: \"<version>\"`; `POST` accepts `Idempotency-Key`. A method a path does not have answers 405 `method_not_allowed` with `Allow` (`components/responses/MethodNotAllowed`).",
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

/// The answers every operation of a given shape shares, kept once under `components/responses`.
const SHARED: &[(&str, &str)] = &[
    ("BadRequest", "Malformed input (`malformed_json`, `malformed_multipart`, `invalid_query`, `invalid_page`, `invalid_sort`, `bad_if_match`, `invalid_idempotency_key` …): a body that is not valid JSON or a parameter that does not parse"),
    ("Unauthorized", "No, a malformed or an expired access token (`unauthorized`, `token_expired`); see `WWW-Authenticate`"),
    ("NotFound", "`not_found`: no such record, or one outside your scope (the two are not told apart)"),
    ("MethodNotAllowed", "`method_not_allowed`: the path exists but not with this method; `Allow` lists the methods it has"),
    ("Conflict", "`version_conflict`: the body's `version` is not the record's (reload and retry); `idempotency_conflict`: the `Idempotency-Key` was used with another request; `idempotency_in_progress`: that request is still running"),
    ("PreconditionFailed", "`precondition_failed`: `If-Match` does not match the record's current version; reload and retry"),
    ("PayloadTooLarge", "`payload_too_large`: the body is larger than the operation accepts (256 KiB of JSON; uploads as documented)"),
    ("UnsupportedMediaType", "`unsupported_media_type`: the body is not sent as one of the request body's media types"),
    ("ValidationFailed", "`validation_failed`: the body parses but does not fit; `errors` names each field and rule (`required`, `unknown_field`, `invalid_type`, `too_long` …)"),
    ("TooManyRequests", "`rate_limited`: too many requests from this address; retry after `Retry-After` seconds"),
    ("Open311Error", "A GeoReport v2 error, `[{code, description}]` with the HTTP status as `code`: a malformed request (400), no valid token or `api_key` (401), no such service or request (404), a body too large (413) or a concern that does not validate (422), the database unavailable (503)"),
    ("ServiceUnavailable", "`unavailable`: the database does not answer (e.g. every connection is busy); retry later"),
];

fn shared(name: &str) -> RefOr<Response> {
    debug_assert!(
        SHARED.iter().any(|(n, _)| *n == name),
        "{name} is not a shared response"
    );
    RefOr::Ref(Ref::from_response_name(name))
}

fn integer_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1)),
        )
        .description(Some(description))
        .build()
}

fn string_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(description))
        .build()
}

/// Adds what the route macros cannot, in one pass over the generated document, so that every
/// status the server can answer is declared without repeating it on each route:
///
/// - the bearer security scheme, and 401 on every secured operation;
/// - 400 where the operation reads a body, a query or a header (malformed JSON, `invalid_query` …);
/// - 404 where it names a record: a path parameter, a query parameter or a body field that is an
///   id (`…_id`, `…_ids`) — a record that does not exist or that you cannot see;
/// - 409 where it takes `Idempotency-Key` or a body with the record's `version`; 412 with `If-Match`;
/// - 413, 415 and 422 where the operation takes a request body;
/// - `Retry-After` on every declared 429;
/// - 503 on every operation that reads the database (all of `/api/v1` but the spec itself).
///
/// An answer a route documents itself (with its own description) is kept. Open311 operations keep
/// GeoReport's own error shapes and are documented by hand. A method a path does not list answers
/// 405 (`MethodNotAllowed`, with `Allow`); there is no operation to hang that on, so it is declared
/// once under `components/responses` and in the info description.
pub fn finish(mut spec: OpenApi) -> OpenApi {
    let components = spec.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    for (name, description) in SHARED {
        let mut response = ResponseBuilder::new().description(*description);
        response = if *name == "Open311Error" {
            let errors = ArrayBuilder::new().items(Ref::from_schema_name("Open311Error"));
            response.content(
                "application/json",
                ContentBuilder::new().schema(Some(errors)).build(),
            )
        } else {
            response.content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
        };
        response = match *name {
            "Unauthorized" => response.header(
                "WWW-Authenticate",
                string_header("`Bearer error=\"<code>\"`"),
            ),
            "MethodNotAllowed" => response.header(
                "Allow",
                string_header("The methods the path has, e.g. `GET, POST`"),
            ),
            "TooManyRequests" => response.header(
                "Retry-After",
                integer_header("Seconds to wait before retrying"),
            ),
            _ => response,
        };
        components
            .responses
            .insert(name.to_string(), RefOr::T(response.build()));
    }
    let retry_after = integer_header("Seconds to wait before retrying");
    // The top-level property names of each component schema, to see what a request body holds.
    let body_fields: std::collections::HashMap<String, Vec<String>> = components
        .schemas
        .iter()
        .filter_map(|(name, schema)| match schema {
            RefOr::T(Schema::Object(o)) => {
                Some((name.clone(), o.properties.keys().cloned().collect()))
            }
            _ => None,
        })
        .collect();
    for (path, item) in spec.paths.paths.iter_mut() {
        let path_has_params = path.contains('{');
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.put,
            &mut item.delete,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for op in ops.into_iter().flatten() {
            let responses = &mut op.responses.responses;
            // A declared 429 always says when to come back.
            if let Some(RefOr::T(r)) = responses.get_mut("429") {
                r.headers
                    .entry("Retry-After".into())
                    .or_insert_with(|| retry_after.clone());
            }
            let params = op.parameters.as_deref().unwrap_or_default();
            let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let body = op.request_body.is_some();
            let fields: &[String] = op
                .request_body
                .as_ref()
                .and_then(|b| b.content.get("application/json"))
                .and_then(|c| match &c.schema {
                    Some(RefOr::Ref(r)) => {
                        body_fields.get(r.ref_location.rsplit('/').next().unwrap_or_default())
                    }
                    _ => None,
                })
                .map(Vec::as_slice)
                .unwrap_or_default();
            let is_id =
                |name: &str| name == "id" || name.ends_with("_id") || name.ends_with("_ids");
            let names_a_record = path_has_params
                || params
                    .iter()
                    .any(|p| p.parameter_in != ParameterIn::Header && is_id(&p.name))
                || fields.iter().any(|f| is_id(f));
            let header = |name: &str| {
                params.iter().any(|p| {
                    p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case(name)
                })
            };
            let versioned = fields.iter().any(|f| f == "version");
            let mut add = |status: &str, name: &str, when: bool| {
                if when && !responses.contains_key(status) {
                    responses.insert(status.into(), shared(name));
                }
            };
            if op
                .tags
                .as_ref()
                .is_some_and(|t| t.iter().any(|t| t == "open311"))
            {
                // GeoReport's own error shape for everything the facade answers.
                add("400", "Open311Error", body || has(ParameterIn::Query));
                add("401", "Open311Error", secured);
                add("404", "Open311Error", names_a_record);
                add("413", "Open311Error", body);
                add("422", "Open311Error", body);
                add("503", "Open311Error", true);
                continue;
            }
            add(
                "400",
                "BadRequest",
                body || has(ParameterIn::Query) || has(ParameterIn::Header),
            );
            add("401", "Unauthorized", secured);
            add("404", "NotFound", names_a_record || has(ParameterIn::Path));
            add("409", "Conflict", header("Idempotency-Key") || versioned);
            add("412", "PreconditionFailed", header("If-Match"));
            add("413", "PayloadTooLarge", body);
            add("415", "UnsupportedMediaType", body);
            add("422", "ValidationFailed", body);
            add(
                "503",
                "ServiceUnavailable",
                path.starts_with("/api/v1/") && path != "/api/v1/openapi.json",
            );
        }
    }
    spec
}

/// The spec as served and as committed in `openapi.yaml`.
pub fn spec() -> OpenApi {
    let (_, spec) =
        crate::routes(actix_web::App::new().into_utoipa_app().openapi(base())).split_for_parts();
    finish(spec)
}

/// `openapi.yaml`: the spec as YAML that YAML 1.1 readers read the same as the JSON.
pub fn to_yaml() -> String {
    quote_yaml11(
        &spec()
            .to_yaml()
            .expect("the OpenAPI document serializes to YAML"),
    )
}

/// libyaml (through serde_norway) writes YAML 1.2, where `on`, `no`, `2026-11-23` or `1_000` are
/// strings and stay unquoted; YAML 1.1 readers (PyYAML; js-yaml for timestamps) read them as a
/// boolean, a date or a number. This quotes each plain scalar, key or value, that YAML 1.2 reads
/// as a string but YAML 1.1 may read otherwise. The rest of the text is left as libyaml wrote it:
/// one node per line, block scalars (`|-`) passed through untouched.
pub fn quote_yaml11(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + 4096);
    // Inside a block scalar: the column its lines are deeper than.
    let mut block: Option<usize> = None;
    for line in yaml.split_inclusive('\n') {
        let text = line.trim_end_matches('\n');
        let indent = text.len() - text.trim_start_matches(' ').len();
        if let Some(column) = block {
            if text.trim().is_empty() || indent > column {
                out.push_str(line);
                continue;
            }
            block = None;
        }
        // Sequence markers (`- - key: value`) come first; the node starts after them.
        let (mut column, mut marker, mut rest) = (indent, indent, &text[indent..]);
        while let Some(r) = rest.strip_prefix("- ") {
            marker = column;
            column += 2;
            rest = r;
        }
        out.push_str(&text[..column]);
        let (key, value) = split_key(rest);
        if let Some(key) = key {
            out.push_str(&quote_plain(key));
            out.push(':');
            if !value.is_empty() {
                out.push(' ');
            }
            marker = column;
        }
        match value.as_bytes().first() {
            Some(b'|' | b'>') => {
                block = Some(marker);
                out.push_str(value);
            }
            Some(b'\'' | b'"' | b'{' | b'[' | b'&' | b'*' | b'!') | None => out.push_str(value),
            Some(_) => out.push_str(&quote_plain(value)),
        }
        out.push_str(&line[text.len()..]);
    }
    out
}

/// Splits `key: value` (or `key:`) as libyaml writes it; a line without a key is all value.
fn split_key(rest: &str) -> (Option<&str>, &str) {
    let quoted_end = match rest.as_bytes().first() {
        Some(b'\'') => {
            let b = rest.as_bytes();
            let mut i = 1;
            loop {
                match b.get(i) {
                    Some(b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') | None => break Some(i + 1),
                    Some(_) => i += 1,
                }
            }
        }
        Some(b'"') => {
            let b = rest.as_bytes();
            let mut i = 1;
            loop {
                match b.get(i) {
                    Some(b'\\') => i += 2,
                    Some(b'"') | None => break Some(i + 1),
                    Some(_) => i += 1,
                }
            }
        }
        _ => None,
    };
    if let Some(end) = quoted_end {
        let end = end.min(rest.len());
        return match &rest[end..] {
            ":" => (Some(&rest[..end]), ""),
            after if after.starts_with(": ") => (Some(&rest[..end]), &after[2..]),
            _ => (None, rest),
        };
    }
    // A plain key never holds `: `, and libyaml quotes any plain value that would.
    if let Some(i) = rest.find(": ") {
        (Some(&rest[..i]), &rest[i + 2..])
    } else if let Some(key) = rest.strip_suffix(':') {
        (Some(key), "")
    } else {
        (None, rest)
    }
}

/// A plain scalar as written, or single-quoted when a YAML 1.1 reader would not read it as the
/// string YAML 1.2 reads.
fn quote_plain(plain: &str) -> std::borrow::Cow<'_, str> {
    let is_string_in_yaml12 = || {
        matches!(
            serde_norway::from_str::<serde_norway::Value>(plain),
            Ok(serde_norway::Value::String(_))
        )
    };
    if yaml11_may_not_be_a_string(plain) && is_string_in_yaml12() {
        format!("'{}'", plain.replace('\'', "''")).into()
    } else {
        plain.into()
    }
}

/// Whether YAML 1.1 may resolve this plain scalar to something other than a string: its booleans
/// (`yes`, `no`, `on`, `off`, `y`, `n` …), nulls, the merge key, and anything that starts like a
/// number or a timestamp (a digit or a dot, after an optional sign: `1_000`, `0x1F`, `1:30`,
/// `.5`, `.inf`, `2026-11-23`). Deliberately wide: quoting a string that needed none is harmless.
pub fn yaml11_may_not_be_a_string(plain: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "<<",
        "=", "",
    ];
    if WORDS.contains(&plain) {
        return true;
    }
    let b = plain.as_bytes();
    let unsigned = match b.first() {
        Some(b'+' | b'-') => &b[1..],
        _ => b,
    };
    matches!(unsigned.first(), Some(b'0'..=b'9' | b'.'))
}

use utoipa_actix_web::AppExt;
