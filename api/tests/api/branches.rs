use serde_json::json;

use crate::both_backends;
use crate::common::*;

fn names(v: &serde_json::Value) -> Vec<String> {
    let items = v.get("items").unwrap_or(v);
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(
    scoping_follows_regions_for_staff_and_subtrees_for_secretaries,
    |app| {
        let street = app.token("street1").await;
        let tree = app.get(&street, "/api/v1/branches/tree").await.expect(200);
        let all = names(&tree.body);
        assert_eq!(all[0], "新丰街街道党工委");
        assert!(all.contains(&"心相连艺术团党支部".to_string()));
        assert!(all.contains(&"新丰街区域化党建联合党委".to_string()));
        assert!(!all
            .iter()
            .any(|n| n.contains("花园路") || n.contains("省银行")));
        let foreign = app.find_id("branches", "花园路街道党工委").await;
        app.get(&street, &format!("/api/v1/branches/{foreign}"))
            .await
            .problem(404, "not_found");

        let sec = app.token("secretary1").await;
        let mine = app.get(&sec, "/api/v1/branches/tree").await.expect(200);
        let mine = names(&mine.body);
        assert_eq!(mine[0], "斜桥巷社区党总支");
        // its 3 grid branches with 2 groups each, and the two interest-based branches
        assert_eq!(mine.len(), 1 + 3 + 6 + 2, "{mine:?}");
        let wc = app.find_id("branches", "新丰街街道党工委").await;
        app.get(&sec, &format!("/api/v1/branches/{wc}"))
            .await
            .problem(404, "not_found");
        let other_community = app.find_id("branches", "北直街社区党总支").await;
        app.get(&sec, &format!("/api/v1/branches/{other_community}"))
            .await
            .problem(404, "not_found");
        let sub = app
            .get(
                &street,
                &format!(
                    "/api/v1/branches/tree?root_id={}",
                    app.find_id("branches", "斜桥巷社区党总支").await
                ),
            )
            .await
            .expect(200);
        assert_eq!(names(&sub.body).len(), 12);
        app.get(&sec, &format!("/api/v1/branches/tree?root_id={wc}"))
            .await
            .problem(404, "not_found");
        let m = app.token("member1").await;
        assert_eq!(
            app.get(&m, "/api/v1/branches").await.expect(200).body["total"],
            0
        );
    }
);

both_backends!(filters_find_interest_based_branches, |app| {
    let street = app.token("street1").await;
    let r = app
        .get(
            &street,
            "/api/v1/branches?kind=branch&establishment=interest&sort=name",
        )
        .await
        .expect(200);
    assert_eq!(r.body["total"], 2);
    assert_eq!(r.body["items"][0]["region_name"], "斜桥巷社区");
    assert!(names(&r.body).contains(&"心相连艺术团党支部".to_string()));
    let gb = app
        .get(&street, "/api/v1/branches?kind=general_branch&per_page=100")
        .await
        .expect(200);
    assert_eq!(
        gb.body["total"], 12,
        "12 community general branches, as the report says"
    );
    let q = app
        .get(
            &street,
            &format!("/api/v1/branches?q={}", url_encode("艺术团")),
        )
        .await
        .expect(200);
    assert_eq!(q.body["total"], 1);
    let wc = app
        .get(&street, "/api/v1/branches?kind=working_committee")
        .await
        .expect(200);
    assert_eq!(
        wc.body["items"][0]["child_count"], 14,
        "12 general branches, 1 community branch, 1 joint committee"
    );
    app.get(&street, "/api/v1/branches?kind=club")
        .await
        .problem(400, "invalid_query");
});

both_backends!(
    secretaries_create_under_their_branch_with_kind_rules,
    |app| {
        let sec = app.token("secretary1").await;
        let gb = app.find_id("branches", "斜桥巷社区党总支").await;
        let community = app.find_id("regions", "斜桥巷社区").await;
        let body = json!({"parent_id": gb, "region_id": community, "kind": "branch", "establishment": "interest", "name": "书画社党支部", "secretary_name": "赵秀英"});
        let r = app
            .post(&sec, "/api/v1/branches", body.clone())
            .await
            .expect(201);
        assert_eq!(r.body["depth"], 2);
        assert_eq!(r.body["region_name"], "斜桥巷社区");
        assert_eq!(
            r.header("location").unwrap(),
            format!("/api/v1/branches/{}", r.id())
        );
        assert_eq!(app.audit_for(&r.id()).await[0]["action"], "create");
        app.post(&sec, "/api/v1/branches", body)
            .await
            .problem(409, "duplicate");
        let up = app.post(&sec, "/api/v1/branches", json!({"parent_id": gb, "region_id": community, "kind": "committee", "establishment": "formal", "name": "x"})).await;
        assert_eq!(
            up.problem(422, "validation_failed").body["errors"][0]["code"],
            "invalid_parent"
        );
        let est = app.post(&sec, "/api/v1/branches", json!({"parent_id": gb, "region_id": community, "kind": "general_branch", "establishment": "interest", "name": "x"})).await;
        assert_eq!(
            est.problem(422, "validation_failed").body["errors"][0]["field"],
            "establishment"
        );
        app.post(&sec, "/api/v1/branches", json!({"parent_id": gb, "region_id": community, "kind": "joint", "establishment": "formal", "name": "x"}))
        .await
        .problem(422, "validation_failed");
        // A group needs a parent; the region must lie inside the parent's.
        app.post(&sec, "/api/v1/branches", json!({"region_id": community, "kind": "group", "establishment": "formal", "name": "x"})).await.problem(422, "validation_failed");
        let street = app.token("street1").await;
        let other_community = app.find_id("regions", "北直街社区").await;
        let outside = app.post(&street, "/api/v1/branches", json!({"parent_id": gb, "region_id": other_community, "kind": "branch", "establishment": "formal", "name": "x"})).await;
        assert_eq!(
            outside.problem(422, "validation_failed").body["errors"][0]["code"],
            "outside_parent"
        );
        // Not under someone else's branch.
        let other_gb = app.find_id("branches", "北直街社区党总支").await;
        app.post(&sec, "/api/v1/branches", json!({"parent_id": other_gb, "region_id": community, "kind": "branch", "establishment": "formal", "name": "x"}))
        .await
        .problem(422, "validation_failed");
        // Only region staff create a top-level organisation.
        app.post(&sec, "/api/v1/branches", json!({"region_id": community, "kind": "committee", "establishment": "formal", "name": "斜桥巷社区大党委"})).await.problem(403, "forbidden");
        app.post(&street, "/api/v1/branches", json!({"region_id": community, "kind": "committee", "establishment": "formal", "name": "斜桥巷社区大党委"})).await.expect(201);
        let c2 = app.token("community2").await;
        app.post(&c2, "/api/v1/branches", json!({"parent_id": gb, "region_id": community, "kind": "branch", "establishment": "formal", "name": "x"}))
        .await
        .problem(422, "validation_failed");
    }
);

both_backends!(update_move_and_delete_follow_the_rules, |app| {
    let street = app.token("street1").await;
    let sec = app.token("secretary1").await;
    let grid_branch = app.find_id("branches", "斜桥巷社区第1网格党支部").await;
    let uri = format!("/api/v1/branches/{grid_branch}");
    let r = app
        .patch(&sec, &uri, json!({"secretary_name": "孙红梅"}), Some(1))
        .await
        .expect(200);
    assert_eq!(r.body["secretary_name"], "孙红梅");
    app.patch(&sec, &uri, json!({"name": "x"}), Some(1))
        .await
        .problem(412, "precondition_failed");
    app.patch(&sec, &uri, json!({"establishment": "joint"}), None)
        .await
        .problem(422, "validation_failed");
    app.patch(&sec, &uri, json!({"kind": "group"}), None)
        .await
        .problem(422, "validation_failed");
    // Not empty: it has party groups.
    let del = app
        .delete(&sec, &uri)
        .await
        .problem(409, "branch_not_empty");
    assert!(del.body["detail"]
        .as_str()
        .unwrap()
        .contains("2 sub-organisation"));
    // The secretary cannot delete or move the branch they are granted on.
    let own = app.find_id("branches", "斜桥巷社区党总支").await;
    app.delete(&sec, &format!("/api/v1/branches/{own}"))
        .await
        .problem(403, "forbidden");
    // Move a grid branch (with its groups) to another general branch of the same street.
    let target = app.find_id("branches", "新丰街社区党总支").await;
    let bad = app
        .post(
            &street,
            &format!("{uri}/move"),
            json!({"parent_id": target}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(
        bad.body["errors"][0]["code"], "outside_parent",
        "its region is 斜桥巷, not inside 新丰街社区"
    );
    let wc = app.find_id("branches", "新丰街街道党工委").await;
    let moved = app
        .post(&street, &format!("{uri}/move"), json!({"parent_id": wc}))
        .await
        .expect(200);
    let wc_path = app
        .get(&street, &format!("/api/v1/branches/{wc}"))
        .await
        .body["path"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(moved.body["path"], format!("{wc_path}{grid_branch}/"));
    assert_eq!(moved.body["depth"], 1);
    let sub = app
        .get(
            &street,
            &format!("/api/v1/branches/tree?root_id={grid_branch}"),
        )
        .await
        .expect(200);
    for node in sub.body.as_array().unwrap() {
        assert!(node["path"]
            .as_str()
            .unwrap()
            .starts_with(moved.body["path"].as_str().unwrap()));
    }
    assert_eq!(sub.body[1]["depth"], 2);
    // Now outside the secretary's subtree.
    app.get(&sec, &uri).await.problem(404, "not_found");
    // A group cannot hold a branch; nothing moves under itself.
    let group = sub.body[1]["id"].as_str().unwrap().to_string();
    app.post(&street, &format!("{uri}/move"), json!({"parent_id": group}))
        .await
        .problem(422, "validation_failed");
    // Leaves can go.
    app.delete(&street, &format!("/api/v1/branches/{group}"))
        .await
        .expect(204);
    assert_eq!(app.audit_for(&group).await[0]["action"], "delete");
});

both_backends!(
    committee_terms_are_kept_and_remind_six_months_and_one_month_ahead,
    |app| {
        let sec = app.token("secretary1").await;
        let b = app.find_id("branches", "斜桥巷社区第1网格党支部").await;
        let terms = app
            .get(&sec, &format!("/api/v1/branches/{b}/committees"))
            .await
            .expect(200);
        assert_eq!(terms.body[0]["current"], true);
        let reminders = app
            .get(&sec, "/api/v1/branch-committees/reminders")
            .await
            .expect(200);
        let stages: Vec<&str> = reminders
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["stage"].as_str().unwrap())
            .collect();
        assert_eq!(
            stages,
            vec!["overdue", "one_month", "six_months"],
            "{}",
            reminders.body
        );
        // A new term: after the previous one, exactly one secretary, at most five years.
        let start = tongxin::clock::today() + chrono::Duration::days(1);
        let end = start + chrono::Duration::days(365 * 3);
        let seats = json!([{"name": "赵丽", "role": "secretary"}, {"name": "钱明", "role": "committee_member", "title": "宣传委员"}]);
        app.post(&sec, &format!("/api/v1/branches/{b}/committees"), json!({"term_start": start, "term_end": end, "seats": [{"name": "钱明", "role": "committee_member"}]})).await.problem(422, "validation_failed");
        app.post(
            &sec,
            &format!("/api/v1/branches/{b}/committees"),
            json!({"term_start": start, "term_end": start, "seats": seats}),
        )
        .await
        .problem(422, "validation_failed");
        app.post(
            &sec,
            &format!("/api/v1/branches/{b}/committees"),
            json!({"term_start": "2000-01-01", "term_end": "2003-01-01", "seats": seats}),
        )
        .await
        .problem(422, "validation_failed");
        let new = app
            .post(
                &sec,
                &format!("/api/v1/branches/{b}/committees"),
                json!({"term_start": start, "term_end": end, "seats": seats}),
            )
            .await
            .expect(201);
        assert_eq!(new.body["current"], false, "it starts tomorrow");
        let terms = app
            .get(&sec, &format!("/api/v1/branches/{b}/committees"))
            .await
            .expect(200);
        assert_eq!(terms.body.as_array().unwrap().len(), 2);
        assert_eq!(
            terms.body[1]["current"], true,
            "the sitting committee until tomorrow"
        );
        // As of the day after, the new term is current and no longer due.
        let later = app
            .get(
                &sec,
                &format!(
                    "/api/v1/branch-committees/reminders?on={}",
                    start + chrono::Duration::days(1)
                ),
            )
            .await
            .expect(200);
        assert!(
            later
                .body
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["branch_id"] != b.as_str()),
            "{}",
            later.body
        );
        // Another community's staff cannot see or elect.
        let c2 = app.token("community2").await;
        app.get(&c2, &format!("/api/v1/branches/{b}/committees"))
            .await
            .problem(404, "not_found");
        app.post(&c2, &format!("/api/v1/branches/{b}/committees"), json!({"term_start": end, "term_end": end + chrono::Duration::days(100), "seats": seats})).await.problem(404, "not_found");
        let m1 = app.token("member1").await;
        assert_eq!(
            app.get(&m1, "/api/v1/branch-committees/reminders")
                .await
                .expect(200)
                .body,
            json!([])
        );
    }
);

both_backends!(an_organisation_with_history_is_kept, |app| {
    let c1 = app.token("community1").await;
    let community = app.find_id("regions", "斜桥巷社区").await;
    let parent = app.find_id("branches", "斜桥巷社区党总支").await;
    let b = app.post(&c1, "/api/v1/branches", json!({"parent_id": parent, "region_id": community, "kind": "branch", "establishment": "formal", "name": "短命党支部"})).await.expect(201).id();
    app.post(&c1, "/api/v1/meetings", json!({"branch_id": b, "kind": "general_meeting", "held_on": "2026-01-05", "topic": "成立大会"})).await.expect(201);
    let r = app
        .delete(&c1, &format!("/api/v1/branches/{b}"))
        .await
        .problem(409, "branch_not_empty");
    assert!(r.body["detail"].as_str().unwrap().contains("meetings"));
});
