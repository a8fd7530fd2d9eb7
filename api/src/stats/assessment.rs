//! The five-good (五好) assessment of a community for a year: 100 points over the five goods,
//! 60 computed from the records (each with the numbers behind it and the list they come from)
//! and 40 entered by the street's assessors. A final sheet keeps its computed items as they were.
use chrono::{Datelike, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::compute::{self, Window, Within};
use super::dto::*;
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{assessments, regions};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult};

struct Def {
    key: &'static str,
    good: Good,
    label: &'static str,
    max: f64,
    /// For computed items: the rate that earns full marks.
    target: Option<f64>,
}

const ITEMS: [Def; 10] = [
    Def {
        key: "cadre_satisfaction",
        good: Good::Leadership,
        label: "干部民意测评满意率",
        max: 10.0,
        target: Some(0.9),
    },
    Def {
        key: "leadership_building",
        good: Good::Leadership,
        label: "班子建设与分工（评定）",
        max: 10.0,
        target: None,
    },
    Def {
        key: "meeting_attendance",
        good: Good::CadreTeam,
        label: "三会一课出席率",
        max: 10.0,
        target: Some(0.8),
    },
    Def {
        key: "cadre_conduct",
        good: Good::CadreTeam,
        label: "党员干部作风（评定）",
        max: 10.0,
        target: None,
    },
    Def {
        key: "concerns_on_time",
        good: Good::WorkMechanisms,
        label: "社情民意按时办结率",
        max: 10.0,
        target: Some(0.9),
    },
    Def {
        key: "mechanisms",
        good: Good::WorkMechanisms,
        label: "议事协商与制度建设（评定）",
        max: 10.0,
        target: None,
    },
    Def {
        key: "visit_coverage",
        good: Good::ManagementService,
        label: "入户走访覆盖率",
        max: 10.0,
        target: Some(0.9),
    },
    Def {
        key: "service_orders",
        good: Good::ManagementService,
        label: "菜单式服务评价（平均星级/5）",
        max: 10.0,
        target: Some(0.9),
    },
    Def {
        key: "concern_satisfaction",
        good: Good::ResidentsResponse,
        label: "社情民意办理满意率",
        max: 10.0,
        target: Some(0.9),
    },
    Def {
        key: "residents_feedback",
        good: Good::ResidentsResponse,
        label: "群众评议（评定）",
        max: 10.0,
        target: None,
    },
];

pub fn good_label(g: Good) -> &'static str {
    match g {
        Good::Leadership => "领导班子好",
        Good::CadreTeam => "党员干部队伍好",
        Good::WorkMechanisms => "工作机制好",
        Good::ManagementService => "管理服务好",
        Good::ResidentsResponse => "居民群众反映好",
    }
}

/// Full marks at the target, in proportion below it, to one decimal.
pub fn score(max: f64, value: Option<f64>, target: f64) -> f64 {
    let v = value.unwrap_or(0.0);
    ((max * (v / target).min(1.0)) * 10.0).round() / 10.0
}

pub fn grade(total: f64) -> &'static str {
    if total >= 90.0 {
        "excellent"
    } else if total >= 75.0 {
        "good"
    } else if total >= 60.0 {
        "pass"
    } else {
        "fail"
    }
}

fn ratio(n: f64, d: f64) -> Option<f64> {
    (d > 0.0).then(|| (n / d * 10_000.0).round() / 10_000.0)
}

/// The computed items of a community's year, from the same counters as `/stats`.
pub fn computed_items(
    conn: &mut DbConn,
    community_id: &str,
    path: &str,
    year: i32,
) -> ApiResult<Vec<AssessmentItem>> {
    let today = crate::clock::today();
    let from = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| ApiError::bad_request(ErrorCode::InvalidYear, "no such year"))?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31)
        .unwrap_or(from)
        .min(today);
    let (lo, hi) = crate::tree::range(path);
    let parts = compute::by_region(conn, &Within::Regions(lo, hi), Window { from, to })?;
    let p = compute::sum_under(parts.iter(), "");
    let o = compute::overview(
        Scope {
            kind: "region".into(),
            id: community_id.into(),
            name: String::new(),
            level: "community".into(),
        },
        Window { from, to },
        &p,
        true,
        false,
    );
    let q = format!("from={from}&to={to}");
    let c = o.concerns.clone().unwrap_or_default();
    let v = o.visits.clone().unwrap_or_default();
    let orders = o.orders.clone().unwrap_or_default();
    let polls = o.polls.clone().unwrap_or_default();
    let rated: i64 = p.c.get("orders.rated").copied().unwrap_or(0.0) as i64;
    let rating_sum = p.c.get("orders.rating_sum").copied().unwrap_or(0.0);
    let figures: Vec<(&str, f64, f64, String, String)> = vec![
        (
            "cadre_satisfaction",
            p.c.get("polls.satisfied").copied().unwrap_or(0.0),
            p.c.get("polls.ratings").copied().unwrap_or(0.0),
            "满意与基本满意票 / 全部评价（本年已结束的测评）".into(),
            format!("/api/v1/polls?community_id={community_id}&status=closed"),
        ),
        (
            "meeting_attendance",
            o.meetings.present as f64,
            o.meetings.expected as f64,
            "出席人次 / 应到人次（已记录的会议）".into(),
            format!("/api/v1/meetings/attendance-rates?region_id={community_id}&{q}"),
        ),
        (
            "concerns_on_time",
            c.resolved_on_time as f64,
            c.resolution_due as f64,
            "按时办结 / 已办结或已逾期".into(),
            format!("/api/v1/concerns?region_id={community_id}&{q}"),
        ),
        (
            "visit_coverage",
            v.visited as f64,
            v.households as f64,
            "本年走访过的户数 / 户数".into(),
            format!("/api/v1/households/coverage?region_id={community_id}"),
        ),
        (
            "service_orders",
            rating_sum,
            rated as f64 * 5.0,
            "评价星级之和 / (已评价订单 × 5)".into(),
            format!("/api/v1/service-orders?community_id={community_id}&status=rated"),
        ),
        (
            "concern_satisfaction",
            c.satisfied as f64,
            c.feedback as f64,
            "满意评价 / 全部评价（每次不满意重办都计入）".into(),
            format!("/api/v1/concerns?region_id={community_id}&{q}"),
        ),
    ];
    let _ = (orders, polls);
    Ok(ITEMS
        .iter()
        .filter_map(|d| {
            let (_, n, den, basis, link) = figures.iter().find(|f| f.0 == d.key)?.clone();
            let value = ratio(n, den);
            let target = d.target.unwrap_or(1.0);
            Some(AssessmentItem {
                key: d.key.into(),
                good: d.good,
                label: d.label.into(),
                max_score: d.max,
                score: Some(score(d.max, value, target)),
                source: "computed".into(),
                value,
                target: d.target,
                evidence: Some(Evidence {
                    numerator: n,
                    denominator: den,
                    basis,
                    link,
                }),
                note: None,
            })
        })
        .collect())
}

fn community(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<(String, String)> {
    let found: Option<(String, String, String)> = regions::table
        .find(id)
        .select((regions::name, regions::path, regions::level))
        .first(conn)
        .optional()?;
    match found {
        Some((n, p, l)) if l == "community" && caller.regions_readable().contains(&p) => Ok((n, p)),
        _ => Err(ApiError::not_found("community")),
    }
}

type Row = (
    String,
    String,
    Option<String>,
    AssessmentStatus,
    Option<NaiveDateTime>,
    i32,
);

fn build(
    community_id: &str,
    name: String,
    year: i32,
    row: Option<Row>,
    computed: Vec<AssessmentItem>,
) -> AssessmentView {
    let (id, entered, frozen, status, finalized_at, version) = match row {
        Some((id, e, c, s, f, v)) => (
            Some(id),
            serde_json::from_str::<Value>(&e).unwrap_or(json!({})),
            c,
            s,
            f,
            v,
        ),
        None => (None, json!({}), None, AssessmentStatus::Draft, None, 0),
    };
    let computed: Vec<AssessmentItem> = frozen
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or(computed);
    let mut items = vec![];
    let mut missing = vec![];
    for d in ITEMS.iter() {
        if let Some(c) = computed.iter().find(|c| c.key == d.key) {
            items.push(c.clone());
            continue;
        }
        let e = &entered[d.key];
        let score = e["score"].as_f64();
        if score.is_none() {
            missing.push(d.key.to_string());
        }
        items.push(AssessmentItem {
            key: d.key.into(),
            good: d.good,
            label: d.label.into(),
            max_score: d.max,
            score,
            source: "entered".into(),
            value: None,
            target: None,
            evidence: None,
            note: e["note"].as_str().map(str::to_owned),
        });
    }
    let goods: Vec<GoodTotal> = Good::ALL
        .iter()
        .map(|g| GoodTotal {
            good: *g,
            label: good_label(*g).into(),
            score: (items
                .iter()
                .filter(|i| i.good == *g)
                .filter_map(|i| i.score)
                .sum::<f64>()
                * 10.0)
                .round()
                / 10.0,
            max_score: items
                .iter()
                .filter(|i| i.good == *g)
                .map(|i| i.max_score)
                .sum(),
        })
        .collect();
    let total = (goods.iter().map(|g| g.score).sum::<f64>() * 10.0).round() / 10.0;
    AssessmentView {
        id,
        community_id: community_id.into(),
        community_name: name,
        year,
        status,
        grade: grade(total).into(),
        items,
        goods,
        total,
        missing,
        finalized_at: finalized_at.map(|t| t.and_utc()),
        version,
    }
}

fn load(conn: &mut DbConn, community_id: &str, year: i32) -> QueryResult<Option<Row>> {
    assessments::table
        .filter(assessments::community_id.eq(community_id))
        .filter(assessments::year.eq(year))
        .select((
            assessments::id,
            assessments::entered,
            assessments::computed,
            assessments::status,
            assessments::finalized_at,
            assessments::version,
        ))
        .first(conn)
        .optional()
}

fn check_year(year: i32) -> ApiResult<()> {
    if !(2000..=crate::clock::today().year()).contains(&year) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidYear,
            "a year from 2000 to this year",
        ));
    }
    Ok(())
}

pub fn get(
    conn: &mut DbConn,
    caller: &Caller,
    community_id: &str,
    year: i32,
) -> ApiResult<AssessmentView> {
    check_year(year)?;
    let (name, path) = community(conn, caller, community_id)?;
    let row = load(conn, community_id, year)?;
    let computed = if row.as_ref().is_some_and(|r| r.2.is_some()) {
        vec![]
    } else {
        computed_items(conn, community_id, &path, year)?
    };
    Ok(build(community_id, name, year, row, computed))
}

/// Assessors are the street's staff (a community does not score itself).
pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    community_id: &str,
    year: i32,
    input: UpdateAssessment,
    if_match: Option<i32>,
) -> ApiResult<AssessmentView> {
    check_year(year)?;
    crate::db::write(conn, |c| {
        let (name, path) = community(c, caller, community_id)?;
        let street = path
            .trim_end_matches('/')
            .rsplit_once('/')
            .map(|(p, _)| format!("{p}/"))
            .unwrap_or_default();
        if !caller.regions_writable().contains(&street) {
            return Err(ApiError::forbidden(
                "the five-good assessment is entered by the street's assessors",
            ));
        }
        let row = load(c, community_id, year)?;
        if row.as_ref().is_some_and(|r| r.3 == AssessmentStatus::Final) {
            return Err(ApiError::conflict(
                ErrorCode::AssessmentFinal,
                "the assessment is final",
            ));
        }
        expect_version(
            row.as_ref().map(|r| r.5).unwrap_or(0),
            if_match,
            input.version,
        )?;
        let mut entered: Value = row
            .as_ref()
            .and_then(|r| serde_json::from_str(&r.1).ok())
            .unwrap_or(json!({}));
        let mut errors = vec![];
        for (i, e) in input.entries.iter().enumerate() {
            match ITEMS.iter().find(|d| d.key == e.key) {
                Some(d) if d.target.is_none() => {
                    if e.score > d.max {
                        errors.push(crate::error::FieldError {
                            field: format!("entries[{i}].score"),
                            code: "out_of_range".into(),
                            message: format!("at most {}", d.max),
                        });
                    } else {
                        entered[d.key] = json!({"score": e.score, "note": e.note});
                    }
                }
                Some(_) => errors.push(crate::error::FieldError {
                    field: format!("entries[{i}].key"),
                    code: "computed".into(),
                    message: "this item is computed from the records".into(),
                }),
                None => errors.push(crate::error::FieldError {
                    field: format!("entries[{i}].key"),
                    code: "invalid_choice".into(),
                    message: format!("no item `{}`", e.key),
                }),
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let computed = computed_items(c, community_id, &path, year)?;
        let finalize = input.finalize.unwrap_or(false);
        let draft = build(
            community_id,
            name.clone(),
            year,
            Some((
                String::new(),
                entered.to_string(),
                None,
                AssessmentStatus::Draft,
                None,
                0,
            )),
            computed.clone(),
        );
        if finalize && !draft.missing.is_empty() {
            return Err(ApiError::field(
                "finalize",
                "incomplete",
                format!(
                    "score every entered item first: {}",
                    draft.missing.join(", ")
                ),
            ));
        }
        let now = Utc::now().naive_utc();
        let frozen = finalize.then(|| serde_json::to_string(&computed).unwrap_or_default());
        let status = if finalize {
            AssessmentStatus::Final
        } else {
            AssessmentStatus::Draft
        };
        match row {
            Some((id, _, _, _, _, v)) => {
                diesel::update(assessments::table.find(&id))
                    .set((
                        assessments::entered.eq(entered.to_string()),
                        assessments::computed.eq(frozen),
                        assessments::status.eq(status.as_str()),
                        assessments::finalized_at.eq(finalize.then_some(now)),
                        assessments::version.eq(v + 1),
                        assessments::updated_at.eq(now),
                    ))
                    .execute(c)?;
            }
            None => {
                diesel::insert_into(assessments::table)
                    .values((
                        assessments::id.eq(crate::new_id()),
                        assessments::community_id.eq(community_id),
                        assessments::year.eq(year),
                        assessments::entered.eq(entered.to_string()),
                        assessments::computed.eq(frozen),
                        assessments::status.eq(status.as_str()),
                        assessments::finalized_at.eq(finalize.then_some(now)),
                        assessments::version.eq(1),
                        assessments::created_at.eq(now),
                        assessments::updated_at.eq(now),
                    ))
                    .execute(c)?;
            }
        }
        audit::record(
            c,
            &caller.actor(),
            if finalize { "finalize" } else { "update" },
            "assessment",
            Some(community_id),
            Some(json!({"year": year})),
        )?;
        get(c, caller, community_id, year)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_proportional_up_to_the_target() {
        assert_eq!(score(10.0, Some(0.8), 0.8), 10.0);
        assert_eq!(score(10.0, Some(0.95), 0.9), 10.0, "capped");
        assert_eq!(score(10.0, Some(0.4), 0.8), 5.0);
        assert_eq!(score(10.0, None, 0.9), 0.0, "no data, no points");
        assert_eq!(grade(90.0), "excellent");
        assert_eq!(grade(89.9), "good");
        assert_eq!(grade(60.0), "pass");
        assert_eq!(grade(59.9), "fail");
        assert_eq!(ITEMS.iter().map(|d| d.max).sum::<f64>(), 100.0);
    }
}
