//! Spreadsheets in and out (CSV as UTF-8 with a BOM, XLSX): import templates, parsing an upload
//! into numbered rows keyed by column, exports, and reading the multipart upload itself — shared
//! by every collection that imports or exports (households, members …).
use std::collections::HashMap;
use std::io::Cursor;

use actix_web::HttpResponse;

use crate::error::ApiError;

pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
pub const MAX_ROWS: usize = 200_000;

/// A column: its key and its header in Chinese. Headers are matched by either, or by the
/// template's `中文(key)` form.
pub type Column = (&'static str, &'static str);

/// Cells of one line by column key, with the line number in the file (the header is line 1).
pub type Rows = Vec<(i64, HashMap<&'static str, String>)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }

    /// From a `format` query parameter (default XLSX).
    pub fn from_param(p: Option<&str>) -> Result<Format, ApiError> {
        match p.unwrap_or("xlsx") {
            "xlsx" => Ok(Format::Xlsx),
            "csv" => Ok(Format::Csv),
            _ => Err(ApiError::bad_request("invalid_format", "format is xlsx or csv")),
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

fn header(key: &str, zh: &str) -> String {
    format!("{zh}({key})")
}

/// A sheet with the template headers and the given rows.
pub fn write(columns: &[Column], rows: &[Vec<String>], format: Format) -> Result<Vec<u8>, ApiError> {
    let headers: Vec<String> = columns.iter().map(|(k, zh)| header(k, zh)).collect();
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(vec![]);
            w.write_record(&headers).map_err(ApiError::internal)?;
            for r in rows {
                w.write_record(r).map_err(ApiError::internal)?;
            }
            let mut bytes = "\u{feff}".as_bytes().to_vec(); // a BOM, so Excel opens it as UTF-8
            bytes.extend(w.into_inner().map_err(ApiError::internal)?);
            Ok(bytes)
        }
        Format::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (i, h) in headers.iter().enumerate() {
                sheet.write_string_with_format(0, i as u16, h, &bold).map_err(ApiError::internal)?;
                sheet.set_column_width(i as u16, 14).map_err(ApiError::internal)?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (i, cell) in row.iter().enumerate() {
                    // Everything as text: ID numbers and phones must not become numbers.
                    sheet.write_string(r as u32 + 1, i as u16, cell).map_err(ApiError::internal)?;
                }
            }
            book.save_to_buffer().map_err(ApiError::internal)
        }
    }
}

pub fn template(columns: &[Column], example: &[&str], format: Format) -> Result<Vec<u8>, ApiError> {
    write(columns, &[example.iter().map(|s| s.to_string()).collect()], format)
}

/// A file download.
pub fn attachment(bytes: Vec<u8>, format: Format, basename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(format.mime())
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{basename}.{}\"", format.ext())))
        .body(bytes)
}

/// The file's rows; an unusable file (unreadable, no header, required columns missing, too many
/// rows) is one error message.
pub fn parse(bytes: &[u8], format: Format, columns: &[Column], required: &[&str]) -> Result<Rows, String> {
    let table: Vec<Vec<String>> = match format {
        Format::Csv => {
            let text = std::str::from_utf8(bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes))
                .map_err(|_| "the CSV file is not UTF-8 text; save it as “CSV UTF-8”".to_string())?;
            let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            r.records().map(|rec| rec.map(|r| r.iter().map(str::to_owned).collect()).map_err(|e| format!("the CSV file cannot be read: {e}"))).collect::<Result<_, _>>()?
        }
        Format::Xlsx => {
            use calamine::{Data, Reader, Xlsx};
            let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("the XLSX file cannot be read: {e}"))?;
            let range = book.worksheet_range_at(0).ok_or("the workbook has no sheet")?.map_err(|e| format!("the first sheet cannot be read: {e}"))?;
            range
                .rows()
                .map(|row| {
                    row.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                            // A date cell: Excel's serial day count from 1899-12-30.
                            Data::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                                .and_then(|base| base.checked_add_signed(chrono::Duration::days(d.as_f64().floor() as i64)))
                                .map(|day| day.to_string())
                                .unwrap_or_default(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect()
        }
    };
    let mut rows = table.into_iter().enumerate();
    let Some((_, head)) = rows.next() else { return Err("the file is empty".into()) };
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in head.iter().enumerate() {
        let h = h.trim();
        if let Some((key, _)) = columns.iter().find(|(k, zh)| h == *k || h == *zh || h == header(k, zh) || h.ends_with(&format!("({k})"))) {
            index.insert(key, i);
        }
    }
    let missing: Vec<&str> = required.iter().copied().filter(|k| !index.contains_key(k)).collect();
    if !missing.is_empty() {
        return Err(format!("the header row lacks the column(s) {}; start from the template", missing.join(", ")));
    }
    let out: Rows = rows
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, cells)| {
            let map = index.iter().map(|(k, col)| (*k, cells.get(*col).map(|c| c.trim().to_string()).unwrap_or_default())).collect();
            (i as i64 + 1, map)
        })
        .collect();
    if out.len() > MAX_ROWS {
        return Err(format!("the file has {} rows; import at most {MAX_ROWS} at a time", out.len()));
    }
    Ok(out)
}

/// Reads the `file` field of a multipart upload (at most 20 MB) and its format from the name.
pub async fn read_upload(payload: actix_multipart::Multipart) -> Result<(Vec<u8>, Format), ApiError> {
    let (name, bytes) = read_file_field(payload, MAX_FILE_BYTES).await?;
    let format = Format::from_name(&name)
        .ok_or_else(|| ApiError::new(actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "import a .csv or .xlsx file"))?;
    Ok((bytes, format))
}

/// The multipart field named `file`: its file name and bytes, refused past `max` bytes (413).
pub async fn read_file_field(mut payload: actix_multipart::Multipart, max: usize) -> Result<(String, Vec<u8>), ApiError> {
    use futures_util::StreamExt;
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| ApiError::bad_request("malformed_multipart", format!("the upload cannot be read: {e}")))?;
        if field.name() != Some("file") {
            continue;
        }
        let name = field.content_disposition().and_then(|d| d.get_filename()).unwrap_or("").to_string();
        let mut bytes = vec![];
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| ApiError::bad_request("malformed_multipart", format!("the upload cannot be read: {e}")))?;
            if bytes.len() + chunk.len() > max {
                return Err(ApiError::new(actix_web::http::StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("the file is larger than {} MB", max / 1024 / 1024)));
            }
            bytes.extend_from_slice(&chunk);
        }
        upload = Some((name, bytes));
    }
    upload.ok_or_else(|| ApiError::field("file", "required", "send the file in a multipart field named \"file\""))
}
