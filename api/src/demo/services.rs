//! Demo co-building for 新丰街: 79 units (the seed report's count) of every kind paired with its 13
//! communities, this year's project list — eleven categories and 33 subcategories after the seed
//! reports' 学习教育, 矛盾调解, 关爱老人儿童, 星级楼组创建, 文体科普 … — and claims, some projects
//! full and some still open. unit1 acts for 常州市第一人民医院.
use chrono::{Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;

use super::Lcg;

use crate::db::schema::{
    grants, project_claims, service_categories, service_projects, unit_pairings, units,
};
use crate::db::DbConn;

pub const UNITS: usize = 79;

const NAMED: [(&str, &str, &str); 12] = [
    (
        "常州市第一人民医院",
        "institution",
        "常州市第一人民医院党委",
    ),
    ("天宁区人民法院", "agency", "天宁区人民法院机关党委"),
    ("常州市实验小学", "school", "常州市实验小学党总支"),
    ("国网常州供电公司", "enterprise", "国网常州供电公司党委"),
    ("天宁区城管局", "agency", "天宁区城管局机关党支部"),
    ("江苏理工学院", "school", "江苏理工学院党委"),
    ("武警常州支队某中队", "military", "武警常州支队某中队党支部"),
    ("常州市图书馆", "institution", "常州市图书馆党支部"),
    ("天宁区税务局", "agency", "天宁区税务局党委"),
    (
        "常州银行新丰街支行",
        "enterprise",
        "常州银行新丰街支行党支部",
    ),
    (
        "常州市红十字会",
        "social_organisation",
        "常州市红十字会党支部",
    ),
    ("天宁区消防救援大队", "military", "天宁区消防救援大队党委"),
];
const KINDS: [(&str, &str); 6] = [
    ("enterprise", "有限公司"),
    ("agency", "局"),
    ("institution", "中心"),
    ("school", "学校"),
    ("social_organisation", "协会"),
    ("enterprise", "集团"),
];
const STEMS: [&str; 12] = [
    "恒信", "华联", "天宁", "龙城", "新丰", "运河", "红梅", "青果", "惠民", "文笔", "东坡", "舣舟",
];

const CATALOGUE: [(&str, [&str; 3]); 11] = [
    ("学习教育", ["党课进社区", "青少年思政课堂", "居民夜校"]),
    (
        "矛盾调解",
        ["邻里纠纷调解", "物业矛盾化解", "法律咨询进楼栋"],
    ),
    (
        "关爱老人儿童",
        ["独居老人结对关爱", "四点半课堂", "助餐送餐"],
    ),
    (
        "星级楼组创建",
        ["楼道环境美化", "楼组公约共建", "九在楼组评比"],
    ),
    ("文体科普", ["社区文艺汇演", "科普讲座", "全民健身指导"]),
    ("医疗健康", ["义诊巡诊", "健康讲座", "家庭医生签约"]),
    ("环境整治", ["背街小巷清洁", "垃圾分类督导", "绿化认养"]),
    ("平安建设", ["治安巡逻", "消防安全检查", "防范电信诈骗"]),
    ("就业帮扶", ["岗位推介", "技能培训", "困难家庭帮扶"]),
    ("便民服务", ["家电义修", "理发缝补", "代办代跑"]),
    ("文明创建", ["志愿服务站点共建", "文明劝导", "移风易俗宣传"]),
];

pub fn load(
    c: &mut DbConn,
    sealer: &crate::sealed::Sealer,
    street: &str,
    communities: &[String],
    unit1: &str,
) -> QueryResult<()> {
    let mut rng = Lcg(79);
    let now = Utc::now().naive_utc();
    let today = crate::clock::today();
    let year = today.year();
    let start = today - Duration::days(300);
    let mut unit_ids = vec![];
    let mut rows = vec![];
    let mut pairs = vec![];
    for i in 0..UNITS {
        let (name, kind, org) = match NAMED.get(i) {
            Some((n, k, o)) => ((*n).to_string(), (*k).to_string(), Some((*o).to_string())),
            None => {
                let (k, suffix) = KINDS[i % KINDS.len()];
                let n = format!(
                    "常州{}{}{}",
                    STEMS[i % STEMS.len()],
                    ["科技", "商贸", "物业", "建设", "文化", "服务"][(i / STEMS.len()) % 6],
                    suffix
                );
                (n.clone(), k.to_string(), Some(format!("{n}党支部")))
            }
        };
        let id = crate::new_id();
        let phone = crate::phones::seal(
            sealer,
            crate::phones::PhoneColumn::UnitContact,
            &id,
            Some(&format!("1380519{:04}", 2000 + i)),
        );
        rows.push((
            units::id.eq(id.clone()),
            units::name.eq(name),
            units::kind.eq(kind),
            units::party_org.eq(org),
            units::address.eq(Some(format!("新丰街{}号", 10 + i * 3))),
            units::contact_name.eq(Some(
                ["张敏", "李强", "王芳", "陈刚", "刘洋", "赵丽"][i % 6].to_string(),
            )),
            units::contact_phone_sealed.eq(phone.sealed),
            units::contact_phone_index.eq(phone.index),
            units::contact_phone_masked.eq(phone.masked),
            units::region_id.eq(street.to_string()),
            units::status.eq("active"),
            units::version.eq(1),
            units::created_at.eq(now),
            units::updated_at.eq(now),
        ));
        // Every community gets six units; some units serve two.
        let first = i % communities.len();
        pairs.push((
            unit_pairings::unit_id.eq(id.clone()),
            unit_pairings::community_id.eq(communities[first].clone()),
            unit_pairings::paired_on.eq(start),
        ));
        if i % 4 == 0 {
            let second =
                (first + 1 + rng.next(communities.len() as u64 - 1) as usize) % communities.len();
            pairs.push((
                unit_pairings::unit_id.eq(id.clone()),
                unit_pairings::community_id.eq(communities[second].clone()),
                unit_pairings::paired_on.eq(start),
            ));
        }
        unit_ids.push(id);
    }
    crate::bulk_insert!(c, units::table, rows);
    crate::bulk_insert!(c, unit_pairings::table, pairs);
    diesel::insert_into(grants::table)
        .values((
            grants::id.eq(crate::new_id()),
            grants::user_id.eq(unit1),
            grants::role.eq("unit_contact"),
            grants::scope_type.eq("unit"),
            grants::scope_id.eq(Some(unit_ids[0].clone())),
            grants::created_at.eq(now),
        ))
        .execute(c)?;

    // The year's list: categories, subcategories, a project or two each, claimed up to (or short of) need.
    let mut cats = vec![];
    let mut projects = vec![];
    let mut claims = vec![];
    let mut next_unit = 0usize;
    for (k, (top, subs)) in CATALOGUE.iter().enumerate() {
        let top_id = crate::new_id();
        cats.push(category(&top_id, street, year, None, top, k as i32, now));
        for (j, sub) in subs.iter().enumerate() {
            let sub_id = crate::new_id();
            cats.push(category(
                &sub_id,
                street,
                year,
                Some(top_id.clone()),
                sub,
                j as i32,
                now,
            ));
            for n in 0..(1 + (k + j) % 2) {
                let need = 2 + ((k + j + n) % 3) as i32;
                // Two in three projects are full; the rest still want a unit or two.
                let claimed = if (k + j + n) % 3 == 0 {
                    need - 1 - (n as i32 % 2).min(need - 1)
                } else {
                    need
                };
                let pid = crate::new_id();
                for _ in 0..claimed {
                    let unit = &unit_ids[next_unit % UNITS];
                    next_unit += 1;
                    claims.push((
                        project_claims::id.eq(crate::new_id()),
                        project_claims::project_id.eq(pid.clone()),
                        project_claims::unit_id.eq(unit.clone()),
                        project_claims::commitment
                            .eq(format!("全年开展“{sub}”服务不少于{}次", 4 + (k + j) % 9)),
                        project_claims::capacity.eq(Some(20 + ((k * 7 + j * 5) % 40) as i32)),
                        project_claims::starts_on
                            .eq(NaiveDate::from_ymd_opt(year, 3, 1).expect("1 March")),
                        project_claims::ends_on
                            .eq(NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December")),
                        project_claims::status.eq("active"),
                        project_claims::claimed_by.eq("demo"),
                        project_claims::claimed_at.eq(now - Duration::days(250)),
                    ));
                }
                projects.push((
                    service_projects::id.eq(pid),
                    service_projects::region_id.eq(street.to_string()),
                    service_projects::year.eq(year),
                    service_projects::category_id.eq(sub_id.clone()),
                    service_projects::name.eq(if n == 0 {
                        format!("{sub}")
                    } else {
                        format!("{sub}（二期）")
                    }),
                    service_projects::description.eq(None::<String>),
                    service_projects::need.eq(need),
                    service_projects::claimed.eq(claimed),
                    service_projects::status.eq("open"),
                    service_projects::version.eq(1),
                    service_projects::created_at.eq(now - Duration::days(280)),
                    service_projects::updated_at.eq(now - Duration::days(250)),
                ));
            }
        }
    }
    // Top-level categories first (subcategories refer to them).
    cats.sort_by_key(|c| c.3.is_some());
    for chunk in cats.chunks(200) {
        let v: Vec<_> = chunk
            .iter()
            .map(|(id, region, y, parent, name, sort, at)| {
                (
                    service_categories::id.eq(id.clone()),
                    service_categories::region_id.eq(region.clone()),
                    service_categories::year.eq(*y),
                    service_categories::parent_id.eq(parent.clone()),
                    service_categories::name.eq(name.clone()),
                    service_categories::sort.eq(*sort),
                    service_categories::created_at.eq(*at),
                )
            })
            .collect();
        crate::bulk_insert!(c, service_categories::table, v);
    }
    crate::bulk_insert!(c, service_projects::table, projects);
    crate::bulk_insert!(c, project_claims::table, claims);
    Ok(())
}

type CategoryRow = (
    String,
    String,
    i32,
    Option<String>,
    String,
    i32,
    chrono::NaiveDateTime,
);

fn category(
    id: &str,
    region: &str,
    year: i32,
    parent: Option<String>,
    name: &str,
    sort: i32,
    at: chrono::NaiveDateTime,
) -> CategoryRow {
    (
        id.into(),
        region.into(),
        year,
        parent,
        name.into(),
        sort,
        at,
    )
}
