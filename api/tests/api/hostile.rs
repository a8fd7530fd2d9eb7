//! Hostile uploads, generated here: every upload route refuses them with a 4xx and a stable code,
//! and the server answers afterwards. (The memory bound of one process under the same files is
//! proven against the real binary in `server::hostile_files_keep_the_process_under_its_memory_bound`.)
use std::io::Write;

use serde_json::Value;

use crate::both_backends;
use crate::common::*;
use crate::import::multipart_to;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// A workbook part: its path and a writer of its (possibly huge) content.
pub type Part = (String, Box<dyn Fn(&mut dyn Write) -> std::io::Result<()>>);

fn text(path: &str, body: String) -> Part {
    (
        path.to_string(),
        Box::new(move |w: &mut dyn Write| w.write_all(body.as_bytes())),
    )
}

/// A minimal XLSX: `sheets` worksheets (the first one's XML from `sheet`), plus `extra` parts.
pub fn workbook(sheets: usize, sheet: Part, extra: Vec<Part>) -> Vec<u8> {
    let mut sheet_list = String::new();
    let mut rels = String::new();
    for i in 1..=sheets {
        sheet_list.push_str(&format!(
            r#"<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>"#
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#));
    }
    let mut parts: Vec<Part> = vec![
        text("[Content_Types].xml", CONTENT_TYPES.into()),
        text("_rels/.rels", ROOT_RELS.into()),
        text(
            "xl/workbook.xml",
            format!(
                r#"<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheet_list}</sheets></workbook>"#
            ),
        ),
        text(
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
            ),
        ),
        ("xl/worksheets/sheet1.xml".to_string(), sheet.1),
    ];
    for i in 2..=sheets {
        parts.push(text(
            &format!("xl/worksheets/sheet{i}.xml"),
            format!(r#"<worksheet xmlns="{NS}"><sheetData/></worksheet>"#),
        ));
    }
    parts.extend(extra);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    for (path, write) in parts {
        zip.start_file(path, opts).unwrap();
        write(&mut zip).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn cell(r: &str, v: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#)
}

fn sheet_xml(rows: &str) -> Part {
    text(
        "",
        format!(r#"<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>"#),
    )
}

/// The households template's header and one good line, as a workbook.
pub fn good_households() -> Vec<u8> {
    let head = [
        "grid_code",
        "building",
        "unit",
        "room",
        "residents",
        "head_name",
    ];
    let cols = ["A", "B", "C", "D", "E", "F"];
    let row1: String = head
        .iter()
        .zip(cols)
        .map(|(h, c)| cell(&format!("{c}1"), h))
        .collect();
    let row2: String = ["XQX-01", "1幢", "1单元", "101", "2", "张三"]
        .iter()
        .zip(cols)
        .map(|(v, c)| cell(&format!("{c}2"), v))
        .collect();
    workbook(
        1,
        sheet_xml(&format!(
            r#"<row r="1">{row1}</row><row r="2">{row2}</row>"#
        )),
        vec![],
    )
}

/// Each hostile workbook with the code it must be refused with.
pub fn hostile_workbooks() -> Vec<(&'static str, Vec<u8>, &'static [&'static str])> {
    let header = cell("A1", "grid_code");
    vec![
        // One far cell, declared in the dimension too: a reader that sizes a grid from it allocates 17 billion cells.
        (
            "sparse far cell",
            workbook(
                1,
                text(
                    "",
                    format!(
                        r#"<worksheet xmlns="{NS}"><dimension ref="A1:XFD1048576"/><sheetData><row r="1">{header}</row><row r="1048576">{}</row></sheetData></worksheet>"#,
                        cell("XFD1048576", "x")
                    ),
                ),
                vec![],
            ),
            &["too_many_rows", "too_many_columns"],
        ),
        (
            "far cell, no dimension",
            workbook(
                1,
                sheet_xml(&format!(
                    r#"<row r="1">{header}{}</row>"#,
                    cell("ZZZ1", "x")
                )),
                vec![],
            ),
            &["too_many_columns"],
        ),
        // 300 MB of spaces deflate to about 300 KB.
        (
            "whitespace bomb",
            workbook(
                1,
                (
                    String::new(),
                    Box::new(|w: &mut dyn Write| {
                        w.write_all(format!(r#"<worksheet xmlns="{NS}"><sheetData>"#).as_bytes())?;
                        let spaces = vec![b' '; 1 << 20];
                        for _ in 0..300 {
                            w.write_all(&spaces)?;
                        }
                        w.write_all(b"</sheetData></worksheet>")
                    }),
                ),
                vec![],
            ),
            &["file_unreadable", "file_too_large_unpacked"],
        ),
        // 300 MB of well-formed markup: short tokens, so only the unpacked-size cap stops it.
        (
            "markup bomb",
            workbook(
                1,
                (
                    String::new(),
                    Box::new(|w: &mut dyn Write| {
                        w.write_all(format!(r#"<worksheet xmlns="{NS}"><sheetData>"#).as_bytes())?;
                        let chunk = "<x/>".repeat(1 << 18);
                        for _ in 0..300 {
                            w.write_all(chunk.as_bytes())?;
                        }
                        w.write_all(b"</sheetData></worksheet>")
                    }),
                ),
                vec![],
            ),
            &["file_too_large_unpacked"],
        ),
        (
            "shared strings count",
            workbook(
                1,
                sheet_xml(&format!(r#"<row r="1">{header}</row>"#)),
                vec![text(
                    "xl/sharedStrings.xml",
                    format!(
                        r#"<sst xmlns="{NS}" count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>"#
                    ),
                )],
            ),
            &["too_many_strings"],
        ),
        (
            "shared strings many",
            workbook(
                1,
                sheet_xml(&format!(r#"<row r="1">{header}</row>"#)),
                vec![(
                    "xl/sharedStrings.xml".into(),
                    Box::new(|w: &mut dyn Write| {
                        w.write_all(format!(r#"<sst xmlns="{NS}">"#).as_bytes())?;
                        let chunk = "<si><t>x</t></si>".repeat(100_000);
                        for _ in 0..16 {
                            w.write_all(chunk.as_bytes())?;
                        }
                        w.write_all(b"</sst>")
                    }),
                )],
            ),
            &["too_many_strings"],
        ),
        (
            "many sheets",
            workbook(
                2_500,
                sheet_xml(&format!(r#"<row r="1">{header}</row>"#)),
                vec![],
            ),
            &["file_unreadable"],
        ),
        (
            "png named .xlsx",
            b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec(),
            &["file_unreadable"],
        ),
        (
            "truncated zip",
            good_households()[..200].to_vec(),
            &["file_unreadable"],
        ),
    ]
}

/// Each hostile CSV with the code it must be refused with.
pub fn hostile_csvs() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut long_line = b"grid_code,building,room,head_name\n".to_vec();
    long_line.extend(std::iter::repeat_n(b'x', 10 << 20));
    let mut fields = b"grid_code,building,room,head_name\n".to_vec();
    fields.extend("a,".repeat(5_000).as_bytes());
    vec![
        ("10 MB line", long_line, "line_too_long"),
        ("5,000 fields", fields, "too_many_columns"),
        (
            "not UTF-8",
            b"grid_code\n\xff\xfe\xfd\n".to_vec(),
            "file_not_utf8",
        ),
        (
            "header only of other columns",
            b"name,phone\nx,y\n".to_vec(),
            "missing_columns",
        ),
    ]
}

async fn refused(
    app: &TestApp,
    uri: &str,
    token: &str,
    name: &str,
    file: &str,
    bytes: &[u8],
    codes: &[&str],
) {
    let r = app.call(multipart_to(uri, token, file, bytes)).await;
    assert!(
        r.status.is_client_error(),
        "{name}: {} {}",
        r.status,
        r.body
    );
    let code = r.body["code"].as_str().unwrap_or_default().to_string();
    assert!(
        codes.contains(&code.as_str()),
        "{name}: code {code:?} not in {codes:?}: {}",
        r.body
    );
    assert_eq!(r.status.as_u16(), 422, "{name}: {}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "file", "{name}");
    app.call(actix_web::test::TestRequest::get().uri("/readyz"))
        .await
        .expect(200);
}

both_backends!(
    hostile_workbooks_and_csvs_are_refused_on_every_import,
    |app| {
        let admin = app.token("admin").await;
        for uri in ["/api/v1/households/import", "/api/v1/members/import"] {
            for (name, bytes, codes) in hostile_workbooks() {
                refused(&app, uri, &admin, name, "hostile.xlsx", &bytes, codes).await;
            }
            for (name, bytes, code) in hostile_csvs() {
                if uri.contains("members") && code == "missing_columns" {
                    continue; // the members' header differs; the households case covers the rule
                }
                refused(&app, uri, &admin, name, "hostile.csv", &bytes, &[code]).await;
            }
        }
        // The control: the same builder's honest workbook imports (so the refusals above are about
        // the hostility, not about the builder).
        let street = app.token("street1").await;
        let grids = app
            .get(&street, "/api/v1/grids?per_page=1")
            .await
            .expect(200);
        let code = grids.body["items"][0]["code"].as_str().unwrap().to_string();
        let good = String::from_utf8_lossy(&good_households()).contains("XQX-01");
        assert!(!good, "the workbook is compressed");
        let csv = format!(
            "grid_code,building,unit,room,residents,head_name\n{code},9幢,1单元,909,2,张三\n"
        );
        let job = crate::import::import_to(
            &app,
            "/api/v1/households/import",
            &street,
            "ok.csv",
            csv.as_bytes(),
        )
        .await;
        assert_eq!(job["status"], "succeeded", "{job}");
        let r = app
            .call(multipart_to(
                "/api/v1/households/import",
                &street,
                "good.xlsx",
                &good_households(),
            ))
            .await;
        assert_eq!(r.status.as_u16(), 202, "{}", r.body);
    }
);

both_backends!(uploads_check_the_caller_before_reading_the_file, |app| {
    // A resident may not import: refused from the token alone, before the 25 MB body is read
    // (so the answer is 403, not 413).
    let resident = app.token("resident1").await;
    let big = vec![b'a'; 25 << 20];
    for uri in ["/api/v1/households/import", "/api/v1/members/import"] {
        let r = app.call(multipart_to(uri, &resident, "x.csv", &big)).await;
        assert_eq!(r.status.as_u16(), 403, "{uri}: {}", r.body);
    }
    // A photo for a concern the caller cannot see: 404 before reading; a document for an
    // agreement likewise.
    let staff = app.token("community1").await;
    let concerns = app
        .get(&staff, "/api/v1/concerns?per_page=1")
        .await
        .expect(200);
    let concern = concerns.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .call(multipart_to(
            &format!("/api/v1/concerns/{concern}/photos"),
            &resident,
            "p.jpg",
            &big,
        ))
        .await;
    assert!(matches!(r.status.as_u16(), 403 | 404), "{}", r.body);
    let agreements = app.get(&staff, "/api/v1/agreements").await.expect(200);
    let list = agreements.body.get("items").unwrap_or(&agreements.body);
    if let Some(a) = list.as_array().and_then(|a| a.first()) {
        let id = a["id"].as_str().unwrap();
        let r = app
            .call(multipart_to(
                &format!("/api/v1/agreements/{id}/documents"),
                &resident,
                "d.pdf",
                &big,
            ))
            .await;
        assert!(matches!(r.status.as_u16(), 403 | 404), "{}", r.body);
    }
});

both_backends!(
    photos_with_huge_canvases_or_wrong_bytes_are_refused,
    |app| {
        let staff = app.token("community1").await;
        let concerns = app
            .get(&staff, "/api/v1/concerns?per_page=50")
            .await
            .expect(200);
        let concern = concerns.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["photos"].as_array().is_none_or(|p| p.len() < 5))
            .expect("a concern with room for photos")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let uri = format!("/api/v1/concerns/{concern}/photos");
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(60_000u32.to_be_bytes());
        png.extend(60_000u32.to_be_bytes());
        png.extend([8, 2, 0, 0, 0]);
        let r = app.call(multipart_to(&uri, &staff, "p.png", &png)).await;
        assert_eq!(
            (r.status.as_u16(), r.body["code"].clone()),
            (422, Value::from("image_too_large")),
            "{}",
            r.body
        );
        // A workbook named as a photo: its bytes are not a photo.
        let r = app
            .call(multipart_to(&uri, &staff, "p.jpg", &good_households()))
            .await;
        assert_eq!(r.status.as_u16(), 415, "{}", r.body);
        // Larger than the photo limit: 413 as problem+json.
        let r = app
            .call(multipart_to(&uri, &staff, "p.jpg", &vec![0xFFu8; 6 << 20]))
            .await;
        r.problem(413, "payload_too_large");
    }
);

both_backends!(an_idempotent_upload_keeps_the_routes_own_limits, |app| {
    // With an Idempotency-Key the middleware buffers the body: a 1 MB import must still reach
    // the route (not a text/plain 413 at 256 KiB), and a too-large one gets the route's problem.
    let street = app.token("street1").await;
    let grids = app
        .get(&street, "/api/v1/grids?per_page=1")
        .await
        .expect(200);
    let code = grids.body["items"][0]["code"].as_str().unwrap().to_string();
    let mut csv = String::from("grid_code,building,unit,room,residents,head_name\n");
    for i in 0..20_000 {
        csv.push_str(&format!("{code},{}幢,1单元,{i},2,居民{i}\n", 100 + i % 7));
    }
    assert!(csv.len() > 512 * 1024);
    let req = multipart_to(
        "/api/v1/households/import",
        &street,
        "big.csv",
        csv.as_bytes(),
    )
    .insert_header(("Idempotency-Key", "big-import-1"));
    let r = app.call(req).await;
    assert_eq!(r.status.as_u16(), 202, "{}", r.body);
    let req = multipart_to(
        "/api/v1/households/import",
        &street,
        "huge.csv",
        &vec![b'a'; 22 << 20],
    )
    .insert_header(("Idempotency-Key", "big-import-2"));
    app.call(req).await.problem(413, "payload_too_large");
});
