use actix_web::test::TestRequest;
use serde_json::Value;

use crate::both_backends;
use crate::common::*;

fn multipart(token: &str, filename: &str, bytes: &[u8]) -> TestRequest {
    multipart_to("/api/v1/households/import", token, filename, bytes)
}

pub fn multipart_to(uri: &str, token: &str, filename: &str, bytes: &[u8]) -> TestRequest {
    let boundary = "----tongxin-test-boundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    TestRequest::post()
        .uri(uri)
        .insert_header(bearer(token))
        .insert_header((
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .set_payload(body)
}

/// Starts an import and waits for its job to finish.
async fn import(app: &TestApp, token: &str, filename: &str, bytes: &[u8]) -> Value {
    import_to(app, "/api/v1/households/import", token, filename, bytes).await
}

pub async fn import_to(
    app: &TestApp,
    uri: &str,
    token: &str,
    filename: &str,
    bytes: &[u8],
) -> Value {
    let r = app
        .call(multipart_to(uri, token, filename, bytes))
        .await
        .expect(202);
    let location = r.header("location").unwrap();
    assert_eq!(r.body["status"], "queued");
    for _ in 0..200 {
        let job = app.get(token, &location).await.expect(200);
        if job.body["status"] == "succeeded" || job.body["status"] == "failed" {
            return job.body;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the import did not finish");
}

async fn count(app: &TestApp, code: &str) -> i64 {
    let admin = app.token("admin").await;
    let g = app
        .get(&admin, &format!("/api/v1/grids?q={code}"))
        .await
        .expect(200);
    g.body["items"][0]["household_count"].as_i64().unwrap()
}

const FILE: &str = "网格编码(grid_code),楼栋(building),单元(unit),房号(room),人口数(residents),户主姓名(head_name),户主电话(head_phone),标签(tags)\n\
XF-01-1,30幢,1单元,101,3,周建国,13800001111,elderly_alone\n\
XF-01-1,30幢,1单元,102,two,吴秀英,13800002222,\n\
NOPE-9,30幢,1单元,103,1,郑明,13800003333,\n\
XF-01-1,30幢,1单元,101,1,重复,13800004444,\n\
XF-01-1,30幢,1单元,104,1,冯丽,call-me,\n\
XF-01-2,31幢,,201,2,陈红梅,,hardship;disabled\n";

both_backends!(
    csv_import_reports_bad_lines_and_reimport_creates_no_duplicates,
    |app| {
        let c1 = app.token("community1").await;
        let before = count(&app, "XF-01-1").await;
        let job = import(&app, &c1, "households.csv", FILE.as_bytes()).await;
        assert_eq!(job["status"], "succeeded");
        assert_eq!(job["total"], 6);
        assert_eq!(job["processed"], 6);
        assert_eq!(job["created"], 2);
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
        assert_eq!(
            errors,
            vec![
                (3, "residents".into()),
                (4, "grid_code".into()),
                (5, "room".into()),
                (6, "head_phone".into())
            ]
        );
        assert!(job["errors"][2]["message"]
            .as_str()
            .unwrap()
            .contains("line 2"));
        assert_eq!(count(&app, "XF-01-1").await, before + 1);
        let hh = app
            .get(
                &c1,
                &format!("/api/v1/households?q={}", url_encode("31幢201")),
            )
            .await
            .expect(200);
        assert_eq!(hh.body["items"][0]["key_group"], true);
        assert_eq!(
            hh.body["items"][0]["tags"],
            serde_json::json!(["disabled", "hardship"])
        );

        // The same file again: nothing new, nothing changed.
        let again = import(&app, &c1, "households.csv", FILE.as_bytes()).await;
        assert_eq!(
            (again["created"].as_i64(), again["updated"].as_i64()),
            (Some(0), Some(0))
        );
        assert_eq!(count(&app, "XF-01-1").await, before + 1);
        // A corrected line updates the household it names.
        let changed = FILE.replace("101,3,周建国", "101,4,周建国");
        let third = import(&app, &c1, "households.csv", changed.as_bytes()).await;
        assert_eq!(
            (third["created"].as_i64(), third["updated"].as_i64()),
            (Some(0), Some(1))
        );
        // Jobs are their owner's.
        let street = app.token("street1").await;
        let r = app
            .call(multipart(&c1, "households.csv", FILE.as_bytes()))
            .await
            .expect(202);
        app.get(&street, &r.header("location").unwrap())
            .await
            .problem(404, "not_found");
    }
);

both_backends!(xlsx_import_and_templates, |app| {
    let c1 = app.token("community1").await;
    for (format, mime) in [
        ("xlsx", "application/vnd.openxmlformats"),
        ("csv", "text/csv"),
    ] {
        let r = app
            .call(
                TestRequest::get()
                    .uri(&format!(
                        "/api/v1/households/import-template?format={format}"
                    ))
                    .insert_header(bearer(&c1)),
            )
            .await
            .expect(200);
        assert!(r.header("content-type").unwrap().starts_with(mime));
        assert!(r
            .header("content-disposition")
            .unwrap()
            .contains(&format!("households-template.{format}")));
    }
    app.get(&c1, "/api/v1/households/import-template?format=pdf")
        .await
        .problem(400, "invalid_format");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in [
        "grid_code",
        "building",
        "unit",
        "room",
        "residents",
        "head_name",
        "head_phone",
        "tags",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=25u32 {
        sheet.write_string(r, 0, "XF-01-3").unwrap();
        sheet.write_string(r, 1, "40幢").unwrap();
        sheet.write_number(r, 3, f64::from(100 + r)).unwrap();
        sheet.write_number(r, 4, 2.0).unwrap();
        sheet.write_string(r, 5, "蒋玉珍").unwrap();
        sheet
            .write_number(r, 6, 13900000000.0 + f64::from(r))
            .unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let job = import(&app, &c1, "名单.xlsx", &bytes).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["created"], 25);
    assert_eq!(job["errors"], serde_json::json!([]));
    let hh = app
        .get(
            &c1,
            &format!("/api/v1/households?q={}&per_page=1", url_encode("40幢101")),
        )
        .await
        .expect(200);
    let id = hh.body["items"][0]["id"].as_str().unwrap();
    let full = app
        .get(&c1, &format!("/api/v1/households/{id}?unmask=true"))
        .await
        .expect(200);
    assert_eq!(full.body["room"], "101");
    assert_eq!(
        full.body["head_phone"], "13900000001",
        "numbers from cells keep all their digits"
    );
});

both_backends!(unusable_files_fail_whole_and_write_nothing, |app| {
    let c1 = app.token("community1").await;
    let before = count(&app, "XF-01-1").await;
    // An unusable file is refused on the request itself (422 naming the problem), before any job.
    let r = app
        .call(multipart(&c1, "x.csv", "name,phone\n张三,1\n".as_bytes()))
        .await
        .problem(422, "missing_columns");
    assert!(r.body["detail"].as_str().unwrap().contains("grid_code"));
    app.call(multipart(&c1, "x.xlsx", b"not really a workbook"))
        .await
        .problem(422, "file_unreadable");
    assert_eq!(count(&app, "XF-01-1").await, before);
    app.call(multipart(&c1, "x.pdf", b"%PDF"))
        .await
        .problem(415, "unsupported_media_type");
    // A grid worker imports into their own grid only.
    let w = app.token("grid1").await;
    let job = import(&app, &w, "households.csv", FILE.as_bytes()).await;
    let last = job["errors"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["line"], 7);
    assert!(
        last["message"].as_str().unwrap().contains("XF-01-2")
            || last["message"].as_str().unwrap().contains("may not"),
        "{last}"
    );
});
