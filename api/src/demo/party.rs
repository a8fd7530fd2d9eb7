//! Demo members and meetings for 新丰街: 1,530 members over its 13 communities (as the seed
//! report counts), in the grid branches and the one community branch, with the category mix of
//! an old inner-city street; and a year of meetings per branch — a themed party day every month,
//! a general meeting and a party lecture every quarter — whose attendance climbs from about half
//! towards the 80 % line, some branches over it and some still under.
use chrono::{Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;

use super::Lcg;

use crate::db::schema::{check_ins, meeting_attendance, meetings, member_affiliations, members};
use crate::db::DbConn;
use crate::meetings::dto::MeetingKind;
use crate::meetings::service::Meeting;
use crate::members::dto::Category;
use crate::members::dto::Gender;
use crate::members::dto::MemberStatus;
use crate::members::id_number;
use crate::members::service::{recount, seal_context, Member};
use crate::sealed::Sealer;

pub const MEMBERS: usize = 1530;

/// A branch that holds members: its id, its grid (if it is a grid branch) and how diligent it is
/// about meetings (0–100, the attendance it reaches by the end of the year).
pub struct PartyBranch {
    pub id: String,
    /// The community the branch serves (where its in-service members check in).
    pub community_id: String,
    pub grid_id: Option<String>,
    pub diligence: u64,
}

const WORK_UNITS: [&str; 6] = [
    "常州市第一人民医院",
    "天宁区人民法院",
    "常州市实验小学",
    "国网常州供电公司",
    "天宁区城管局",
    "江苏理工学院",
];
const EDUCATION: [&str; 5] = ["初中", "高中", "中专", "大专", "本科"];
const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭",
];
const GIVEN_M: [&str; 12] = [
    "建国", "志强", "卫东", "国庆", "晓峰", "建华", "德明", "永刚", "海涛", "振华", "立新", "文斌",
];
const GIVEN_F: [&str; 12] = [
    "秀英", "桂兰", "海燕", "丽", "红梅", "玉珍", "凤英", "淑珍", "慧敏", "雪梅", "春花", "晓燕",
];

/// Inserts the members and the meetings; `member_user` becomes the first member (member1).
pub fn load(
    c: &mut DbConn,
    sealer: &Sealer,
    party: &[PartyBranch],
    interest: &[String],
    member_user: &str,
) -> QueryResult<()> {
    let mut rng = Lcg(1921);
    let today = crate::clock::today();
    let now = Utc::now().naive_utc();
    let mut rows: Vec<Member> = Vec::with_capacity(MEMBERS);
    let mut roster: Vec<Vec<(String, String)>> = vec![vec![]; party.len()];
    for i in 0..MEMBERS {
        let b = i % party.len();
        // The mix: many retired members, a third in service elsewhere, a few mobile and new-organisation members.
        let category = if i == 0 {
            "in_service"
        } else {
            match rng.next(100) {
                0..=37 => "retired",
                38..=67 => "in_service",
                68..=84 => "direct",
                85..=91 => "mobile",
                _ => "new_org",
            }
        };
        let age = match category {
            "retired" => 60 + rng.next(30),
            _ => 24 + rng.next(36),
        } as i64;
        let male = rng.next(100) < 55;
        let birth = today - Duration::days(age * 365 + (i as i64 * 7919) % 365);
        let id = crate::new_id();
        let value = id_number::make("320402", birth, (i as u32 * 2 + u32::from(male)) % 1000);
        let joined = if i == 0 {
            // member1's party birthday falls in the coming week, so the reminders have something to show.
            NaiveDate::from_ymd_opt(
                1998,
                (today + Duration::days(3)).month(),
                (today + Duration::days(3)).day().min(28),
            )
            .expect("a date")
        } else {
            birth
                + Duration::days(
                    365 * (19 + rng.next((age as u64 - 19).max(1)) as i64) + rng.next(300) as i64,
                )
        };
        let joined = joined.min(today - Duration::days(30));
        let (name, gender) = if i == 0 {
            ("王建国".to_string(), "male")
        } else {
            let given = if male {
                GIVEN_M[(i / 16) % 12]
            } else {
                GIVEN_F[(i / 16) % 12]
            };
            (
                format!("{}{}", SURNAMES[i % 16], given),
                if male { "male" } else { "female" },
            )
        };
        let gender = if i == 0 {
            if value.as_bytes()[16] % 2 == 1 {
                "male"
            } else {
                "female"
            }
        } else {
            gender
        };
        roster[b].push((id.clone(), name.clone()));
        let phone = crate::phones::seal(
            sealer,
            crate::phones::PhoneColumn::Member,
            &id,
            Some(&format!("139{:08}", rng.next(100_000_000))),
        );
        rows.push(Member {
            id_number_sealed: sealer.seal(&seal_context(&id), &value),
            id_number_index: sealer.blind_index("id_number", &value),
            id_number_masked: id_number::mask(&value),
            branch_id: party[b].id.clone(),
            name,
            gender: Gender::parse(gender).expect("demo data uses known values"),
            birth_date: birth,
            phone_sealed: phone.sealed,
            phone_index: phone.index,
            phone_masked: phone.masked,
            education: Some(EDUCATION[rng.next(5) as usize].into()),
            joined_on: joined,
            join_md: joined.format("%m-%d").to_string(),
            full_member_on: Some(joined + Duration::days(365)).filter(|f| *f <= today),
            category: Category::parse(category).expect("demo data uses known values"),
            grid_id: party[b].grid_id.clone(),
            household_id: None,
            work_unit: (category == "in_service")
                .then(|| WORK_UNITS[rng.next(6) as usize].to_string()),
            user_id: (i == 0).then(|| member_user.to_string()),
            status: MemberStatus::Active,
            status_changed_on: None,
            status_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
            id,
        });
    }
    // A few historical members: two who died this year and one who left.
    for (k, (status, reason)) in [
        ("deceased", "病故"),
        ("deceased", "病故"),
        ("left", "自行脱党"),
    ]
    .iter()
    .enumerate()
    {
        let m = &mut rows[100 + k * 97];
        m.status = MemberStatus::parse(status).expect("demo data uses known values");
        m.status_changed_on = Some(today - Duration::days(40 + 30 * k as i64));
        m.status_reason = Some((*reason).into());
    }
    crate::bulk_insert!(c, members::table, rows);
    // Most in-service members have checked in with their home community (双报到).
    let mut cis = vec![];
    for (i, m) in rows.iter().enumerate() {
        if m.category == Category::InService
            && m.status == MemberStatus::Active
            && (i == 0 || rng.next(10) < 7)
        {
            cis.push((
                check_ins::id.eq(crate::new_id()),
                check_ins::member_id.eq(m.id.clone()),
                check_ins::community_id.eq(party[i % party.len()].community_id.clone()),
                check_ins::checked_in_on.eq(today - Duration::days(30 + rng.next(300) as i64)),
                check_ins::created_at.eq(now),
            ));
        }
    }
    crate::bulk_insert!(c, check_ins::table, cis);
    // The art troupe and the volunteer branch have members from across the street.
    let mut aff = vec![];
    for (k, b) in interest.iter().enumerate() {
        for i in (k * 5..MEMBERS).step_by(60) {
            aff.push((
                member_affiliations::id.eq(crate::new_id()),
                member_affiliations::member_id.eq(rows[i].id.clone()),
                member_affiliations::branch_id.eq(b.clone()),
                member_affiliations::joined_on.eq(today - Duration::days(400)),
            ));
        }
    }
    crate::bulk_insert!(c, member_affiliations::table, aff);
    for p in party {
        recount(c, &p.id)?;
    }
    for b in interest {
        recount(c, b)?;
    }
    meetings_for_a_year(c, party, &roster, &mut rng, today)
}

fn meetings_for_a_year(
    c: &mut DbConn,
    party: &[PartyBranch],
    roster: &[Vec<(String, String)>],
    rng: &mut Lcg,
    today: NaiveDate,
) -> QueryResult<()> {
    let now = Utc::now().naive_utc();
    let first = NaiveDate::from_ymd_opt(today.year() - 1, today.month(), 1).expect("a month");
    let mut ms = vec![];
    let mut att = vec![];
    for (b, p) in party.iter().enumerate() {
        let people = &roster[b];
        let mut month = first;
        let mut index = 0u64;
        while month <= today {
            let mut held: Vec<(&str, NaiveDate, &str)> = vec![(
                "themed_party_day",
                month + Duration::days(4),
                "主题党日：学习党的创新理论",
            )];
            if month.month() % 3 == 1 {
                held.push((
                    "general_meeting",
                    month + Duration::days(11),
                    "党员大会：通报季度工作",
                ));
                held.push((
                    "party_lecture",
                    month + Duration::days(18),
                    "书记讲党课：为民服务解难题",
                ));
            }
            for (kind, day, topic) in held {
                let recorded = day <= today;
                // From about half at the start of the year to the branch's own level at the end.
                let reach = 50 + (p.diligence.saturating_sub(50)) * index.min(11) / 11;
                let id = crate::new_id();
                let (mut present, mut excused) = (0, 0);
                for (mid, name) in people {
                    let status = if !recorded {
                        "unrecorded"
                    } else {
                        match rng.next(100) {
                            r if r < reach => "present",
                            r if r < reach + (100 - reach) / 2 => "excused",
                            _ => "absent",
                        }
                    };
                    present += i32::from(status == "present");
                    excused += i32::from(status == "excused");
                    att.push((
                        meeting_attendance::meeting_id.eq(id.clone()),
                        meeting_attendance::member_id.eq(mid.clone()),
                        meeting_attendance::member_name.eq(name.clone()),
                        meeting_attendance::status.eq(status),
                        meeting_attendance::reason
                            .eq((status == "excused").then(|| "工作冲突".to_string())),
                    ));
                }
                ms.push(Meeting {
                    id,
                    branch_id: p.id.clone(),
                    kind: MeetingKind::parse(kind).expect("demo data uses known values"),
                    held_on: day,
                    topic: topic.into(),
                    place: Some("社区党群服务中心".into()),
                    minutes: recorded.then(|| "会议按议程进行，党员交流了学习体会。".to_string()),
                    expected_count: people.len() as i32,
                    present_count: present,
                    excused_count: excused,
                    recorded,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                });
            }
            index += 1;
            month = if month.month() == 12 {
                NaiveDate::from_ymd_opt(month.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(month.year(), month.month() + 1, 1)
            }
            .expect("a month");
        }
    }
    crate::bulk_insert!(c, meetings::table, ms);
    crate::bulk_insert!(c, meeting_attendance::table, att);
    Ok(())
}
