use chrono::NaiveDate;
use serde_json::{json, Value};
use tongxin::members::id_number;

use crate::both_backends;
use crate::common::*;

fn idn(birth: (i32, u32, u32), seq: u32) -> String {
    id_number::make(
        "320402",
        NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap(),
        seq,
    )
}

fn new_member(branch: &str, name: &str, id_number: &str, gender: &str) -> Value {
    json!({"branch_id": branch, "name": name, "gender": gender, "id_number": id_number, "phone": "13900001234", "joined_on": "2001-07-01", "full_member_on": "2002-07-01", "category": "retired"})
}

both_backends!(
    id_numbers_are_checked_sealed_masked_and_unmasking_is_audited,
    |app| {
        let sec = app.token("secretary1").await;
        let branch = app.find_id("branches", "斜桥巷社区第1网格党支部").await;
        let good = idn((1960, 3, 15), 11); // odd sequence: a man
                                           // Bad numbers and disagreeing details are field errors.
        let mut bad_check = good.clone();
        bad_check.replace_range(17..18, if good.ends_with('0') { "1" } else { "0" });
        for (number, gender, field, code) in [
            ("32040219600315", "male", "id_number", "invalid_length"),
            (
                bad_check.as_str(),
                "male",
                "id_number",
                "invalid_check_digit",
            ),
            (
                "320402196002300011",
                "male",
                "id_number",
                "invalid_birth_date",
            ),
            (good.as_str(), "female", "gender", "mismatch"),
        ] {
            let r = app
                .post(
                    &sec,
                    "/api/v1/members",
                    new_member(&branch, "测试", number, gender),
                )
                .await
                .problem(422, "validation_failed");
            assert!(
                r.body["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["field"] == field && e["code"] == code),
                "{number}: {}",
                r.body
            );
        }
        let created = app
            .post(
                &sec,
                "/api/v1/members",
                new_member(&branch, "赵振华", &good, "male"),
            )
            .await
            .expect(201);
        let id = created.id();
        assert_eq!(created.body["birth_date"], "1960-03-15");
        assert_eq!(created.body["masked"], true);
        assert_eq!(
            created.body["id_number"],
            format!("320***********{}", &good[14..])
        );
        assert_eq!(created.body["phone"], "139****1234");
        // The same person twice is a conflict, found through the blind index.
        app.post(
            &sec,
            "/api/v1/members",
            new_member(&branch, "赵振华", &good, "male"),
        )
        .await
        .problem(409, "duplicate");

        // A dump of the table shows no ID number in clear, in any column.
        {
            use diesel::prelude::*;
            use tongxin::db::schema::members;
            let mut conn = app.state.pool.get().unwrap();
            let rows: Vec<(String, String, String, String)> = members::table
                .filter(members::id.eq(&id))
                .select((
                    members::id_number_sealed,
                    members::id_number_index,
                    members::id_number_masked,
                    members::name,
                ))
                .load(&mut *conn)
                .unwrap();
            let dump = format!("{rows:?}");
            assert!(
                !dump.contains(&good) && !dump.contains(&good[6..14]),
                "{dump}"
            );
        }

        // Keepers unmask, and the member can see who did.
        let full = app
            .get(&sec, &format!("/api/v1/members/{id}?unmask=true"))
            .await
            .expect(200);
        assert_eq!(full.body["id_number"], good.as_str());
        assert_eq!(full.body["phone"], "13900001234");
        let log = app
            .get(&sec, &format!("/api/v1/members/{id}/access-log"))
            .await
            .expect(200);
        assert!(log.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "unmask" && e["actor_name"] == "secretary1"));
        // A grid worker may read nothing of the roster; another community's staff get a 404.
        let grid1 = app.token("grid1").await;
        app.get(&grid1, &format!("/api/v1/members/{id}"))
            .await
            .problem(404, "not_found");
        let c2 = app.token("community2").await;
        app.get(&c2, &format!("/api/v1/members/{id}?unmask=true"))
            .await
            .problem(404, "not_found");
        // member1 reads their own record unmasked, and its access log.
        let m1 = app.token("member1").await;
        let me = app.get(&m1, "/api/v1/members/me").await.expect(200);
        assert_eq!(me.body["masked"], false);
        assert_eq!(me.body["id_number"].as_str().unwrap().len(), 18);
        let mine = me.body["id"].as_str().unwrap().to_string();
        app.get(&sec, &format!("/api/v1/members/{mine}?unmask=true"))
            .await
            .expect(200);
        let seen = app
            .get(&m1, &format!("/api/v1/members/{mine}/access-log"))
            .await
            .expect(200);
        assert_eq!(seen.body["items"][0]["actor_name"], "secretary1");
        assert_eq!(seen.body["items"][0]["action"], "unmask");
        app.get(&m1, &format!("/api/v1/members/{id}"))
            .await
            .problem(404, "not_found");
        app.get(
            &m1,
            &format!("/api/v1/members/{mine}/access-log?per_page=500"),
        )
        .await
        .problem(400, "invalid_page");
    }
);

both_backends!(the_roster_is_scoped_by_branch_subtree_and_filtered, |app| {
    let street = app.token("street1").await;
    let all = app
        .get(&street, "/api/v1/members?per_page=1")
        .await
        .expect(200);
    assert_eq!(
        all.body["total"], 1527,
        "1,530 members, three of them historical"
    );
    let sec = app.token("secretary1").await;
    let theirs = app
        .get(&sec, "/api/v1/members?per_page=100")
        .await
        .expect(200);
    let n = theirs.body["total"].as_i64().unwrap();
    assert!(n > 50 && n < 200, "斜桥巷 only: {n}");
    assert!(theirs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["branch_name"].as_str().unwrap().starts_with("斜桥巷")));
    // Pages of 7 run branch by branch: every member once, and the sorted path agrees on the total.
    let mut seen = std::collections::HashSet::new();
    let mut order: Vec<(String, String)> = vec![];
    for page in 1..=(n + 6) / 7 {
        let r = app
            .get(&sec, &format!("/api/v1/members?per_page=7&page={page}"))
            .await
            .expect(200);
        for m in r.body["items"].as_array().unwrap() {
            assert!(
                seen.insert(m["id"].as_str().unwrap().to_string()),
                "no member twice"
            );
            order.push((
                m["branch_id"].as_str().unwrap().to_string(),
                m["name"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert_eq!(seen.len() as i64, n);
    // Branch by branch (each branch in one run), by name inside a branch — across page breaks,
    // whether a page is read in one statement or branch by branch.
    let mut runs: Vec<&str> = vec![];
    for w in order.windows(2) {
        if w[0].0 == w[1].0 {
            assert!(w[0].1 <= w[1].1, "by name within a branch: {:?}", w);
        }
    }
    for (b, _) in &order {
        if runs.last() != Some(&b.as_str()) {
            assert!(!runs.contains(&b.as_str()), "branch {b} comes back later");
            runs.push(b);
        }
    }
    assert!(runs.len() >= 2, "the pages span branches");
    let big_pages: Vec<String> = {
        let mut v = vec![];
        for page in 1..=(n + 99) / 100 {
            let r = app
                .get(&sec, &format!("/api/v1/members?per_page=100&page={page}"))
                .await
                .expect(200);
            v.extend(
                r.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["id"].as_str().unwrap().to_string()),
            );
        }
        v
    };
    let mut small_pages: Vec<String> = vec![];
    for page in 1..=(n + 6) / 7 {
        let r = app
            .get(&sec, &format!("/api/v1/members?per_page=7&page={page}"))
            .await
            .expect(200);
        small_pages.extend(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string()),
        );
    }
    assert_eq!(
        small_pages, big_pages,
        "the same order whatever the page size"
    );
    // A narrow filter leaves a few in each branch: pages of 3 give each match once.
    let retired_total = app
        .get(&sec, "/api/v1/members?category=retired&per_page=1")
        .await
        .expect(200)
        .body["total"]
        .as_i64()
        .unwrap();
    let mut retired_seen = std::collections::HashSet::new();
    for page in 1..=(retired_total + 2) / 3 {
        let r = app
            .get(
                &sec,
                &format!("/api/v1/members?category=retired&per_page=3&page={page}"),
            )
            .await
            .expect(200);
        for m in r.body["items"].as_array().unwrap() {
            assert_eq!(m["category"], "retired");
            assert!(retired_seen.insert(m["id"].as_str().unwrap().to_string()));
        }
    }
    assert_eq!(retired_seen.len() as i64, retired_total);
    assert_eq!(
        app.get(&sec, "/api/v1/members?sort=-joined_on&per_page=1")
            .await
            .body["total"],
        n
    );
    // The subtree of one grid branch.
    let branch = app.find_id("branches", "斜桥巷社区第2网格党支部").await;
    let one = app
        .get(
            &sec,
            &format!("/api/v1/members?branch_id={branch}&per_page=100"),
        )
        .await
        .expect(200);
    assert!(one.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["branch_id"] == branch.as_str()));
    let other = app.find_id("branches", "新丰街社区第1网格党支部").await;
    app.get(&sec, &format!("/api/v1/members?branch_id={other}"))
        .await
        .problem(422, "validation_failed");
    // Filters: category, age band, join year.
    let retired = app
        .get(&street, "/api/v1/members?category=retired&per_page=100")
        .await
        .expect(200);
    assert!(retired.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["category"] == "retired" && m["management_mode"] == "community_branch_care"));
    let band = app
        .get(
            &street,
            "/api/v1/members?age_min=30&age_max=39&per_page=100",
        )
        .await
        .expect(200);
    assert!(band.body["total"].as_i64().unwrap() > 0);
    assert!(band.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| (30..=39).contains(&m["age"].as_i64().unwrap())));
    let y = app
        .get(&street, "/api/v1/members?join_year=1998&per_page=100")
        .await
        .expect(200);
    assert!(y.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["joined_on"].as_str().unwrap().starts_with("1998")));
    let hist = app
        .get(&street, "/api/v1/members?status=historical")
        .await
        .expect(200);
    assert_eq!(hist.body["total"], 3);
    app.get(&street, "/api/v1/members?status=gone")
        .await
        .problem(422, "validation_failed");
    // Residents and grid workers see no roster.
    let r = app.token("resident1").await;
    assert_eq!(
        app.get(&r, "/api/v1/members").await.expect(200).body["total"],
        0
    );
});

both_backends!(
    a_remembered_roster_page_follows_every_change_that_shows_on_it,
    |app| {
        // Roster pages are remembered as sent until the members' data version moves; each kind of
        // write that changes what a page shows must be seen on the very next read.
        let sec = app.token("secretary1").await;
        let street = app.token("street1").await;
        let branch = app.find_id("branches", "斜桥巷社区第1网格党支部").await;
        let uri = format!("/api/v1/members?branch_id={branch}&per_page=100");
        let first = app.get(&sec, &uri).await.expect(200);
        assert_eq!(
            app.get(&sec, &uri).await.expect(200).body,
            first.body,
            "a repeat is the same page"
        );
        let total = first.body["total"].as_i64().unwrap();
        let find = |page: &Value, id: &str| {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["id"] == id)
                .cloned()
        };

        // A new member.
        let m = app
            .post(
                &sec,
                "/api/v1/members",
                new_member(&branch, "钱晓东", &idn((1975, 4, 9), 31), "male"),
            )
            .await
            .expect(201);
        let id = m.id();
        let page = app.get(&sec, &uri).await.expect(200).body;
        assert_eq!(page["total"], total + 1);
        assert_eq!(find(&page, &id).unwrap()["name"], "钱晓东");
        // An edit.
        app.patch(
            &sec,
            &format!("/api/v1/members/{id}"),
            json!({"name": "钱晓冬", "version": 1}),
            None,
        )
        .await
        .expect(200);
        assert_eq!(
            find(&app.get(&sec, &uri).await.expect(200).body, &id).unwrap()["name"],
            "钱晓冬"
        );
        // An interest branch joined.
        let troupe = app.find_id("branches", "心相连艺术团党支部").await;
        app.post(
            &street,
            &format!("/api/v1/members/{id}/interest-branches"),
            json!({"branch_id": troupe}),
        )
        .await
        .expect(200);
        assert_eq!(
            find(&app.get(&sec, &uri).await.expect(200).body, &id).unwrap()["interest_branches"][0]
                ["id"],
            troupe.as_str()
        );
        // The branch renamed.
        let b = app
            .get(&sec, &format!("/api/v1/branches/{branch}"))
            .await
            .expect(200);
        let v = b.body["version"].as_i64().unwrap();
        app.patch(
            &sec,
            &format!("/api/v1/branches/{branch}"),
            json!({"name": "斜桥巷社区第一网格党支部"}),
            Some(v),
        )
        .await
        .expect(200);
        assert_eq!(
            find(&app.get(&sec, &uri).await.expect(200).body, &id).unwrap()["branch_name"],
            "斜桥巷社区第一网格党支部"
        );
        // Leaving the party takes the member off the active roster.
        let v = app
            .get(&sec, &format!("/api/v1/members/{id}"))
            .await
            .expect(200)
            .body["version"]
            .as_i64()
            .unwrap();
        app.post(
            &sec,
            &format!("/api/v1/members/{id}/status"),
            json!({"status": "left", "reason": "本人申请", "version": v}),
        )
        .await
        .expect(200);
        let page = app.get(&sec, &uri).await.expect(200).body;
        assert_eq!(page["total"], total);
        assert!(find(&page, &id).is_none());
        // Another caller's reach gets its own page, never this one.
        let c2 = app.token("community2").await;
        app.get(&c2, &uri).await.problem(422, "validation_failed");
    }
);

both_backends!(transfers_keep_one_formal_branch_and_their_history, |app| {
    let sec = app.token("secretary1").await;
    let from = app.find_id("branches", "斜桥巷社区第1网格党支部").await;
    let to = app.find_id("branches", "新丰街社区第1网格党支部").await;
    let m = app
        .post(
            &sec,
            "/api/v1/members",
            new_member(&from, "钱立新", &idn((1970, 1, 2), 21), "male"),
        )
        .await
        .expect(201)
        .id();
    let t = app
        .post(
            &sec,
            "/api/v1/member-transfers",
            json!({"member_id": m, "to_branch_id": to, "reason": "搬家"}),
        )
        .await
        .expect(201);
    assert_eq!(t.body["status"], "pending");
    let tid = t.id();
    // Still in the old branch until the receiving side accepts; one pending transfer at a time.
    assert_eq!(
        app.get(&sec, &format!("/api/v1/members/{m}")).await.body["branch_id"],
        from.as_str()
    );
    app.post(
        &sec,
        "/api/v1/member-transfers",
        json!({"member_id": m, "to_branch_id": to}),
    )
    .await
    .problem(409, "transfer_pending");
    // The sender cannot accept its own request; the receiving community can.
    app.post(
        &sec,
        &format!("/api/v1/member-transfers/{tid}/accept"),
        json!({}),
    )
    .await
    .problem(403, "forbidden");
    let c2 = app.token("community2").await;
    let incoming = app.get(&c2, "/api/v1/member-transfers").await.expect(200);
    assert!(incoming.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == tid.as_str()));
    let done = app
        .post(
            &c2,
            &format!("/api/v1/member-transfers/{tid}/accept"),
            json!({"note": "欢迎"}),
        )
        .await
        .expect(200);
    assert_eq!(done.body["status"], "accepted");
    let moved = app
        .get(&c2, &format!("/api/v1/members/{m}"))
        .await
        .expect(200);
    assert_eq!(moved.body["branch_id"], to.as_str());
    app.get(&sec, &format!("/api/v1/members/{m}"))
        .await
        .problem(404, "not_found");
    let again = app
        .post(
            &c2,
            &format!("/api/v1/member-transfers/{tid}/reject"),
            json!({}),
        )
        .await
        .problem(409, "invalid_transition");
    assert!(again.body["detail"].as_str().unwrap().contains("accepted"));
    let history = app
        .get(&c2, &format!("/api/v1/members/{m}/transfers"))
        .await
        .expect(200);
    assert_eq!(history.body.as_array().unwrap().len(), 1);
    assert_eq!(
        history.body[0]["from_branch_name"],
        "斜桥巷社区第1网格党支部"
    );

    // Interest-based branches are joined besides the formal one, never instead of it.
    let troupe = app.find_id("branches", "心相连艺术团党支部").await;
    let street = app.token("street1").await;
    let joined = app
        .post(
            &street,
            &format!("/api/v1/members/{m}/interest-branches"),
            json!({"branch_id": troupe}),
        )
        .await
        .expect(200);
    assert_eq!(joined.body["branch_id"], to.as_str());
    assert_eq!(
        joined.body["interest_branches"][0]["name"],
        "心相连艺术团党支部"
    );
    app.post(
        &street,
        &format!("/api/v1/members/{m}/interest-branches"),
        json!({"branch_id": troupe}),
    )
    .await
    .problem(409, "duplicate");
    app.post(
        &street,
        &format!("/api/v1/members/{m}/interest-branches"),
        json!({"branch_id": from}),
    )
    .await
    .problem(422, "validation_failed");
    app.post(
        &street,
        "/api/v1/members",
        new_member(&troupe, "孙慧敏", &idn((1980, 5, 5), 22), "female"),
    )
    .await
    .problem(422, "validation_failed");
    app.post(
        &street,
        "/api/v1/member-transfers",
        json!({"member_id": m, "to_branch_id": troupe}),
    )
    .await
    .problem(422, "validation_failed");

    // Out of the system: final at once, and the member becomes historical.
    let out = app
        .post(
            &c2,
            "/api/v1/member-transfers",
            json!({"member_id": m, "destination": "南京市玄武区某街道党工委"}),
        )
        .await
        .expect(201);
    assert_eq!(out.body["status"], "accepted");
    let gone = app
        .get(&street, &format!("/api/v1/members/{m}"))
        .await
        .expect(200);
    assert_eq!(gone.body["status"], "transferred_out");
    assert!(gone.body["interest_branches"].as_array().unwrap().len() <= 1);
});

both_backends!(
    historical_members_are_kept_restorable_and_block_dissolving_their_branch,
    |app| {
        let c1 = app.token("community1").await;
        let community = app.find_id("regions", "斜桥巷社区").await;
        let parent = app.find_id("branches", "斜桥巷社区党总支").await;
        let b = app.post(&c1, "/api/v1/branches", json!({"parent_id": parent, "region_id": community, "kind": "branch", "establishment": "formal", "name": "测试党支部"})).await.expect(201).id();
        let m = app
            .post(
                &c1,
                "/api/v1/members",
                new_member(&b, "周德明", &idn((1950, 8, 8), 31), "male"),
            )
            .await
            .expect(201);
        let id = m.id();
        assert_eq!(
            app.get(&c1, &format!("/api/v1/branches/{b}")).await.body["member_count"],
            1
        );
        app.delete(&c1, &format!("/api/v1/branches/{b}"))
            .await
            .problem(409, "branch_not_empty");
        app.post(
            &c1,
            &format!("/api/v1/members/{id}/status"),
            json!({"status": "deceased"}),
        )
        .await
        .problem(422, "validation_failed");
        let dead = app
            .post(
                &c1,
                &format!("/api/v1/members/{id}/status"),
                json!({"status": "deceased", "on": "2026-10-12", "reason": "病故"}),
            )
            .await
            .expect(200);
        assert_eq!(dead.body["status"], "deceased");
        assert_eq!(
            app.get(&c1, &format!("/api/v1/members?branch_id={b}"))
                .await
                .body["total"],
            0
        );
        assert_eq!(
            app.get(
                &c1,
                &format!("/api/v1/members?branch_id={b}&status=historical")
            )
            .await
            .body["total"],
            1
        );
        app.post(
            &c1,
            &format!("/api/v1/members/{id}/status"),
            json!({"status": "left", "reason": "x"}),
        )
        .await
        .problem(409, "invalid_transition");
        let back = app
            .post(
                &c1,
                &format!("/api/v1/members/{id}/status"),
                json!({"status": "active"}),
            )
            .await
            .expect(200);
        assert_eq!(back.body["status"], "active");
        // In-service members need their work unit.
        app.patch(
            &c1,
            &format!("/api/v1/members/{id}"),
            json!({"category": "in_service"}),
            None,
        )
        .await
        .problem(422, "validation_failed");
        let v = back.body["version"].as_i64().unwrap();
        let p = app
            .patch(
                &c1,
                &format!("/api/v1/members/{id}"),
                json!({"category": "in_service", "work_unit": "常州市第一人民医院", "version": v}),
                None,
            )
            .await
            .expect(200);
        assert_eq!(p.body["management_mode"], "work_unit_and_community");
        app.patch(
            &c1,
            &format!("/api/v1/members/{id}"),
            json!({"name": "x", "version": v}),
            None,
        )
        .await
        .problem(409, "version_conflict");
        let sec2 = app.token("community2").await;
        app.patch(
            &sec2,
            &format!("/api/v1/members/{id}"),
            json!({"name": "x"}),
            None,
        )
        .await
        .problem(404, "not_found");
        let grid1 = app.token("grid1").await;
        app.post(
            &grid1,
            "/api/v1/members",
            new_member(&b, "吴文斌", &idn((1966, 6, 6), 41), "male"),
        )
        .await
        .problem(422, "validation_failed");
    }
);

both_backends!(
    roster_import_reports_bad_lines_matches_by_id_number_and_exports_masked,
    |app| {
        use crate::import::import_to;
        let sec = app.token("secretary1").await;
        let (a, b, c) = (
            idn((1955, 2, 3), 51),
            idn((1962, 4, 5), 52),
            idn((1990, 9, 9), 53),
        );
        let mut bad_check = b.clone();
        bad_check.replace_range(17..18, if b.ends_with('0') { "1" } else { "0" });
        let file = format!(
        "所在支部(branch),姓名(name),性别(gender),身份证号(id_number),手机号(phone),学历(education),入党日期(joined_on),转正日期(full_member_on),党员类别(category),工作单位(work_unit)\n\
         斜桥巷社区第1网格党支部,甲一,男,{a},13900000001,大专,1980-07-01,1981-07-01,离退休,\n\
         斜桥巷社区第1网格党支部,乙二,女,{bad_check},,,1990-07-01,,直管,\n\
         新丰街社区第1网格党支部,丙三,,{c},,,2015-07-01,,直管,\n\
         斜桥巷社区第2网格党支部,丙三,,{c},,,2015/07/01,,在职,\n\
         斜桥巷社区第2网格党支部,丁四,,{b},,,2000-07-01,,在职,常州市第一人民医院\n\
         斜桥巷社区第2网格党支部,重复,,{a},,,2000-07-01,,直管,\n\
         斜桥巷社区第2网格党支部,戊五,,{},,,2000-07-01,,未知,\n",
        idn((1970, 1, 1), 54)
    );
        let job = import_to(
            &app,
            "/api/v1/members/import",
            &sec,
            "roster.csv",
            file.as_bytes(),
        )
        .await;
        assert_eq!(job["status"], "succeeded", "{job}");
        assert_eq!(job["created"], 2, "{job}");
        let errors: Vec<(i64, String)> = job["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["line"].as_i64().unwrap(),
                    e["field"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        // 3: bad check digit; 4: another community's branch; 5: in service without a work unit; 7: duplicate of line 2; 8: unknown category.
        assert_eq!(
            errors,
            vec![
                (3, "id_number".into()),
                (4, "branch".into()),
                (5, "work_unit".into()),
                (7, "id_number".into()),
                (8, "category".into())
            ],
            "{job}"
        );
        let listed = app
            .get(&sec, &format!("/api/v1/members?q={}", url_encode("甲一")))
            .await
            .expect(200);
        assert_eq!(listed.body["total"], 1);
        assert_eq!(listed.body["items"][0]["gender"], "male");
        // Again, with one change: nothing duplicated, one member updated.
        let again = import_to(
            &app,
            "/api/v1/members/import",
            &sec,
            "roster.csv",
            file.replace("13900000001", "13900000009").as_bytes(),
        )
        .await;
        assert_eq!(
            (again["created"].as_i64(), again["updated"].as_i64()),
            (Some(0), Some(1)),
            "{again}"
        );
        assert_eq!(
            app.get(&sec, &format!("/api/v1/members?q={}", url_encode("甲一")))
                .await
                .body["total"],
            1
        );
        // Into another branch it is refused: that would be a transfer.
        let moved = file.replacen(
            "斜桥巷社区第1网格党支部,甲一",
            "斜桥巷社区第3网格党支部,甲一",
            1,
        );
        let third = import_to(
            &app,
            "/api/v1/members/import",
            &sec,
            "roster.csv",
            moved.as_bytes(),
        )
        .await;
        assert!(
            third["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["line"] == 2 && e["field"] == "branch"),
            "{third}"
        );
        // A resident cannot import; the template comes as XLSX or CSV.
        let r = app.token("resident1").await;
        app.call(crate::import::multipart_to(
            "/api/v1/members/import",
            &r,
            "roster.csv",
            file.as_bytes(),
        ))
        .await
        .problem(403, "forbidden");
        let t = app
            .call(
                actix_web::test::TestRequest::get()
                    .uri("/api/v1/members/import-template?format=csv")
                    .insert_header(bearer(&sec)),
            )
            .await;
        assert_eq!(t.status.as_u16(), 200);

        // The export is the caller's scope, masked.
        let req = actix_web::test::TestRequest::get()
            .uri("/api/v1/members/export?format=csv&category=retired")
            .insert_header(bearer(&sec));
        let app_service = actix_web::test::init_service(tongxin::app(app.state.clone())).await;
        let res = actix_web::test::call_service(&app_service, req.to_request()).await;
        assert_eq!(res.status().as_u16(), 200);
        let body = String::from_utf8(actix_web::test::read_body(res).await.to_vec()).unwrap();
        assert!(
            body.contains("甲一") && body.contains("139****0009"),
            "masked phone"
        );
        assert!(!body.contains(&a), "no ID number in clear");
        assert!(
            body.lines().skip(1).all(|l| l.starts_with("斜桥巷")),
            "only the secretary's branches"
        );
    }
);

both_backends!(
    party_birthdays_by_week_and_month_and_a_calendar_feed_that_parses,
    |app| {
        let c1 = app.token("community1").await;
        let b = app.find_id("branches", "斜桥巷社区第1网格党支部").await;
        // Joined 29 February 1996: kept on 28 February in 2027.
        let mut m = new_member(&b, "闰日", &idn((1970, 3, 3), 61), "male");
        m["joined_on"] = json!("1996-02-29");
        m["full_member_on"] = json!("1997-03-01");
        app.post(&c1, "/api/v1/members", m).await.expect(201);
        let week = app
            .get(
                &c1,
                "/api/v1/members/party-birthdays?within=week&on=2027-02-24&per_page=100",
            )
            .await
            .expect(200);
        let hit = week.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "闰日")
            .cloned()
            .expect("in the week of 22–28 Feb 2027");
        assert_eq!(hit["date"], "2027-02-28");
        assert_eq!(hit["years"], 31);
        assert!(week.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["date"].as_str().unwrap() >= "2027-02-22"
                && x["date"].as_str().unwrap() <= "2027-02-28"));
        let month = app
            .get(
                &c1,
                "/api/v1/members/party-birthdays?within=month&on=2027-02-01&per_page=1",
            )
            .await
            .expect(200);
        assert!(month.body["total"].as_i64().unwrap() >= week.body["total"].as_i64().unwrap());
        app.get(&c1, "/api/v1/members/party-birthdays?within=year")
            .await
            .problem(422, "validation_failed");
        // member1 sees only their own.
        let m1 = app.token("member1").await;
        let mine = app
            .get(
                &m1,
                "/api/v1/members/party-birthdays?within=month&per_page=100",
            )
            .await
            .expect(200);
        assert!(mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["name"] == "王建国"));

        // A secret feed URL, valid iCalendar, revoked when replaced.
        let link = app
            .post(&m1, "/api/v1/me/calendar", json!({}))
            .await
            .expect(201);
        let url = link.body["url"].as_str().unwrap().to_string();
        let service = actix_web::test::init_service(tongxin::app(app.state.clone())).await;
        let res = actix_web::test::call_service(
            &service,
            actix_web::test::TestRequest::get().uri(&url).to_request(),
        )
        .await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(res
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/calendar"));
        let text = String::from_utf8(actix_web::test::read_body(res).await.to_vec()).unwrap();
        let parsed: icalendar::Calendar = text.parse().expect("valid iCalendar");
        let summaries: Vec<String> = parsed
            .components
            .iter()
            .filter_map(|c| c.as_event())
            .filter_map(|e| icalendar::Component::get_summary(e).map(str::to_owned))
            .collect();
        assert!(
            summaries
                .iter()
                .any(|s| s.contains("王建国") && s.contains("政治生日")),
            "{summaries:?}"
        );
        assert!(
            summaries.iter().any(|s| s.contains("主题党日")),
            "member1's meetings"
        );
        assert!(text.lines().all(|l| l.len() <= 76));
        app.post(&m1, "/api/v1/me/calendar", json!({}))
            .await
            .expect(201);
        let res = actix_web::test::call_service(
            &service,
            actix_web::test::TestRequest::get().uri(&url).to_request(),
        )
        .await;
        assert_eq!(res.status().as_u16(), 404, "the old URL is revoked");
    }
);

both_backends!(
    in_service_members_check_in_with_their_community_and_get_a_report,
    |app| {
        let m1 = app.token("member1").await;
        let me = app.get(&m1, "/api/v1/members/me").await.expect(200);
        let mine = me.body["id"].as_str().unwrap().to_string();
        assert_eq!(me.body["category"], "in_service");
        let c1 = app.token("community1").await;
        let community = app.find_id("regions", "斜桥巷社区").await;
        let listed = app
            .get(
                &c1,
                &format!("/api/v1/check-ins?community_id={community}&active=true&per_page=100"),
            )
            .await
            .expect(200);
        let current = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["member_id"] == mine.as_str())
            .cloned()
            .expect("member1 is checked in");
        // One active check-in at a time; ending keeps it in history.
        app.post(&m1, "/api/v1/check-ins", json!({"community_id": community}))
            .await
            .problem(409, "already_checked_in");
        let ended = app
            .post(
                &m1,
                &format!("/api/v1/check-ins/{}/end", current["id"].as_str().unwrap()),
                json!({}),
            )
            .await
            .expect(200);
        assert!(ended.body["ended_on"].is_string());
        app.post(
            &m1,
            &format!("/api/v1/check-ins/{}/end", current["id"].as_str().unwrap()),
            json!({}),
        )
        .await
        .problem(409, "invalid_transition");
        let again = app
            .post(
                &m1,
                "/api/v1/check-ins",
                json!({"community_id": community, "note": "搬回"}),
            )
            .await
            .expect(201);
        assert_eq!(again.body["community_name"], "斜桥巷社区");
        // Only in-service members; a street is not a community; another community's staff see nothing.
        let sec = app.token("secretary1").await;
        let retired = app
            .get(&sec, "/api/v1/members?category=retired&per_page=1")
            .await
            .body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.post(
            &sec,
            "/api/v1/check-ins",
            json!({"member_id": retired, "community_id": community}),
        )
        .await
        .problem(422, "validation_failed");
        let street = app.find_id("regions", "新丰街街道").await;
        app.post(&m1, "/api/v1/check-ins", json!({"community_id": street}))
            .await
            .problem(422, "validation_failed");
        let c2 = app.token("community2").await;
        let theirs = app
            .get(&c2, &format!("/api/v1/check-ins?community_id={community}"))
            .await
            .expect(200);
        assert_eq!(theirs.body["total"], 0);
        // The report for the work unit: meetings in the period, present over expected.
        let r = app
            .get(
                &c1,
                &format!("/api/v1/members/{mine}/service-report?from=2026-01-01&to=2026-12-31"),
            )
            .await
            .expect(200);
        let expected = r.body["meetings_expected"].as_i64().unwrap();
        let present = r.body["meetings_present"].as_i64().unwrap();
        assert!(expected > 5 && present <= expected);
        let counted = r.body["meetings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["attendance"] == "present")
            .count() as i64;
        assert_eq!(counted, present);
        assert!(r.body["check_ins"].as_array().unwrap().len() >= 2);
        app.get(
            &c1,
            &format!("/api/v1/members/{mine}/service-report?from=2026-12-31&to=2026-01-01"),
        )
        .await
        .problem(422, "validation_failed");
        app.get(
            &c2,
            &format!("/api/v1/members/{mine}/service-report?from=2026-01-01&to=2026-12-31"),
        )
        .await
        .problem(404, "not_found");
        let x = app.call(actix_web::test::TestRequest::get().uri(&format!("/api/v1/members/{mine}/service-report?from=2026-01-01&to=2026-12-31&format=xlsx")).insert_header(bearer(&m1))).await;
        assert_eq!(x.status.as_u16(), 200);
    }
);
