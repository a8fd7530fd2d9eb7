//! Spreadsheets in and out (CSV as UTF-8 with a BOM, XLSX): import templates, parsing an upload
//! into numbered rows keyed by column, exports, and reading the multipart upload itself — shared
//! by every collection that imports or exports (households, members …).
use std::io::Cursor;

use actix_web::HttpResponse;

use crate::error::ApiError;
use crate::error::ErrorCode;

pub mod guard;

pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// A column: its key and its header in Chinese. Headers are matched by either, or by the
/// template's `中文(key)` form.
pub type Column = (&'static str, &'static str);

/// Cells of one line by column key, with the line number in the file (the header is line 1).
pub type Rows = Vec<(i64, Row)>;

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
            _ => Err(ApiError::bad_request(
                ErrorCode::InvalidFormat,
                "format is xlsx or csv",
            )),
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

/// A CSV cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return: OWASP's rule) gets a leading apostrophe, which Excel, WPS and
/// LibreOffice show as text. A plain number such as `-3.5` stays as it is: it cannot be a formula.
/// XLSX needs none of this: every cell is written as a string, never as a formula.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky
        && cell.parse::<f64>().map_or(true, |n| {
            !n.is_finite() || cell.contains(char::is_alphabetic)
        })
    {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A sheet with the template headers and the given rows.
pub fn write(
    columns: &[Column],
    rows: &[Vec<String>],
    format: Format,
) -> Result<Vec<u8>, ApiError> {
    let headers: Vec<String> = columns.iter().map(|(k, zh)| header(k, zh)).collect();
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(vec![]);
            w.write_record(&headers).map_err(ApiError::internal)?;
            for r in rows {
                w.write_record(r.iter().map(|c| neutralise(c).into_owned()))
                    .map_err(ApiError::internal)?;
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
                sheet
                    .write_string_with_format(0, i as u16, h, &bold)
                    .map_err(ApiError::internal)?;
                sheet
                    .set_column_width(i as u16, 14)
                    .map_err(ApiError::internal)?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (i, cell) in row.iter().enumerate() {
                    // Everything as text: ID numbers and phones must not become numbers.
                    sheet
                        .write_string(r as u32 + 1, i as u16, cell)
                        .map_err(ApiError::internal)?;
                }
            }
            book.save_to_buffer().map_err(ApiError::internal)
        }
    }
}

pub fn template(columns: &[Column], example: &[&str], format: Format) -> Result<Vec<u8>, ApiError> {
    write(
        columns,
        &[example.iter().map(|s| s.to_string()).collect()],
        format,
    )
}

/// A file download.
pub fn attachment(bytes: Vec<u8>, format: Format, basename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(format.mime())
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{basename}.{}\"", format.ext()),
        ))
        .body(bytes)
}

/// One line of an import: its cells in one string, with where each known column's cell lies.
/// (One allocation per line instead of one per cell keeps 200,000 lines within tens of MB.)
#[derive(Debug, Clone, Default)]
pub struct Row {
    text: String,
    spans: Vec<(&'static str, u32, u32)>,
}

impl Row {
    /// The trimmed cell of a column (`None` when the file has no such column).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.spans
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, a, b)| &self.text[*a as usize..*b as usize])
    }
}

impl std::ops::Index<&str> for Row {
    type Output = str;
    fn index(&self, key: &str) -> &str {
        self.get(key).unwrap_or_else(|| panic!("no column {key}"))
    }
}

/// Why an upload is unusable: a stable code and a sentence (a 422 on the request, or a failed job).
pub type Refusal = guard::Refusal;

fn refusal(code: ErrorCode, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        ApiError {
            errors: Some(vec![crate::error::FieldError {
                field: "file".into(),
                code: r.code.as_str().into(),
                message: r.message.clone(),
            }]),
            ..ApiError::new(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                r.code,
                r.message,
            )
        }
    }
}

/// Maps the header line to column keys; refuses a file missing a required column.
struct Header {
    index: Vec<(&'static str, usize)>,
}

impl Header {
    fn new(head: &[String], columns: &[Column], required: &[&str]) -> Result<Header, Refusal> {
        let mut index: Vec<(&'static str, usize)> = vec![];
        for (i, h) in head.iter().enumerate() {
            let h = h.trim();
            if let Some((key, _)) = columns.iter().find(|(k, zh)| {
                h == *k || h == *zh || h == header(k, zh) || h.ends_with(&format!("({k})"))
            }) {
                if !index.iter().any(|(k, _)| k == key) {
                    index.push((key, i));
                }
            }
        }
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|k| !index.iter().any(|(c, _)| c == k))
            .collect();
        if !missing.is_empty() {
            return Err(refusal(
                ErrorCode::MissingColumns,
                format!(
                    "the header row lacks the column(s) {}; start from the template",
                    missing.join(", ")
                ),
            ));
        }
        Ok(Header { index })
    }

    /// The row of a line's cells, or `None` for a blank line.
    fn row(&self, cells: &[String]) -> Option<Row> {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return None;
        }
        let mut row = Row {
            text: String::new(),
            spans: Vec::with_capacity(self.index.len()),
        };
        for (key, col) in &self.index {
            let cell =
                crate::http::json::clean_text(cells.get(*col).map(|c| c.trim()).unwrap_or(""));
            let cell = cell.trim();
            let start = row.text.len() as u32;
            row.text.push_str(cell);
            row.spans.push((key, start, row.text.len() as u32));
        }
        row.text.shrink_to_fit();
        Some(row)
    }
}

fn push_row(out: &mut Rows, header: &Header, line: i64, cells: &[String]) -> Result<(), Refusal> {
    if let Some(row) = header.row(cells) {
        if out.len() >= guard::MAX_ROWS {
            return Err(refusal(
                ErrorCode::TooManyRows,
                format!(
                    "the file has more than {} rows; import at most {} at a time",
                    guard::MAX_ROWS,
                    guard::MAX_ROWS
                ),
            ));
        }
        out.push((line, row));
    }
    Ok(())
}

/// The text of an XLSX cell as a person typed it.
fn cell_text(c: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match c {
        DataRef::Empty => String::new(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Int(i) => i.to_string(),
        // A date cell: Excel's serial day count from 1899-12-30.
        DataRef::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|base| {
                base.checked_add_signed(chrono::Duration::days(d.as_f64().floor() as i64))
            })
            .map(|day| day.to_string())
            .unwrap_or_default(),
        other => calamine::Data::from(other.clone()).to_string(),
    }
}

/// The file's rows, streamed: the bounds of `guard` are checked before a parser trusts the file,
/// no row × column grid is ever built, and the row cap stops the read as soon as it is passed.
/// Runs without a database connection (the caller parses before it takes one).
pub fn parse(
    bytes: &[u8],
    format: Format,
    columns: &[Column],
    required: &[&str],
) -> Result<Rows, Refusal> {
    let mut out: Rows = vec![];
    match format {
        Format::Csv => {
            guard::check_csv(bytes)?;
            let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
            if std::str::from_utf8(text).is_err() {
                return Err(refusal(
                    ErrorCode::FileNotUtf8,
                    "the CSV file is not UTF-8 text; save it as “CSV UTF-8”",
                ));
            }
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text);
            let mut header: Option<Header> = None;
            let mut record = csv::StringRecord::new();
            let mut line = 0i64;
            loop {
                match r.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {}
                    Err(e) => {
                        return Err(refusal(
                            ErrorCode::FileUnreadable,
                            format!("the CSV file cannot be read: {e}"),
                        ))
                    }
                }
                line += 1;
                let cells: Vec<String> = record.iter().map(str::to_owned).collect();
                match &header {
                    None => header = Some(Header::new(&cells, columns, required)?),
                    Some(h) => push_row(&mut out, h, line, &cells)?,
                }
            }
            if header.is_none() {
                return Err(refusal(ErrorCode::FileEmpty, "the file is empty"));
            }
        }
        Format::Xlsx => {
            use calamine::{Reader, Xlsx};
            guard::check_xlsx(bytes)?;
            let unreadable = |e: calamine::XlsxError| {
                refusal(
                    ErrorCode::FileUnreadable,
                    format!("the XLSX file cannot be read: {e}"),
                )
            };
            let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
            let first = book
                .sheet_names()
                .first()
                .cloned()
                .ok_or_else(|| refusal(ErrorCode::FileEmpty, "the workbook has no sheet"))?;
            let mut cells = book.worksheet_cells_reader(&first).map_err(unreadable)?;
            // Cells arrive row by row; gaps (empty rows, empty cells) are not in the stream.
            let (mut header, mut current, mut line): (Option<Header>, Vec<String>, Option<u32>) =
                (None, vec![], None);
            let flush = |header: &mut Option<Header>,
                         line: u32,
                         current: &mut Vec<String>,
                         out: &mut Rows|
             -> Result<(), Refusal> {
                match header {
                    None => *header = Some(Header::new(current, columns, required)?),
                    Some(h) => push_row(out, h, i64::from(line) + 1, current)?,
                }
                current.clear();
                Ok(())
            };
            while let Some(cell) = cells.next_cell().map_err(unreadable)? {
                let (row, col) = cell.get_position();
                if col >= guard::MAX_COLUMNS {
                    return Err(refusal(
                        ErrorCode::TooManyColumns,
                        format!(
                            "the sheet uses column {}; at most {}",
                            col + 1,
                            guard::MAX_COLUMNS
                        ),
                    ));
                }
                if line.is_some_and(|l| l != row) {
                    flush(&mut header, line.unwrap_or(0), &mut current, &mut out)?;
                }
                line = Some(row);
                let col = col as usize;
                if current.len() <= col {
                    current.resize(col + 1, String::new());
                }
                current[col] = cell_text(cell.get_value());
            }
            if let Some(l) = line {
                flush(&mut header, l, &mut current, &mut out)?;
            }
            if header.is_none() {
                return Err(refusal(ErrorCode::FileEmpty, "the file is empty"));
            }
        }
    }
    Ok(out)
}

/// Imports in progress: at most a few are read, parsed and run at once (each holds its rows in
/// memory until its job ends), and one at a time is parsed (the heaviest step), so that the
/// process stays within its memory bound whatever files arrive together. Another import meanwhile
/// is a 429 `imports_busy` with `Retry-After`, never a queue that grows without bound.
pub struct Imports {
    slots: std::sync::Arc<tokio::sync::Semaphore>,
    parsing: std::sync::Arc<std::sync::Mutex<()>>,
}

/// How many imports may be in progress on one server.
pub const IMPORT_SLOTS: usize = 2;

impl Default for Imports {
    fn default() -> Self {
        Imports {
            slots: std::sync::Arc::new(tokio::sync::Semaphore::new(IMPORT_SLOTS)),
            parsing: std::sync::Arc::default(),
        }
    }
}

impl Imports {
    /// A slot for one import, held until its job ends (drop the permit then).
    pub fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError {
                retry_after: Some(30),
                ..ApiError::new(
                    actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::ImportsBusy,
                    "other imports are running; try again in a minute",
                )
            })
    }

    /// Parses off the async workers, one file at a time, without a database connection.
    pub async fn parse(
        &self,
        parse: impl FnOnce() -> Result<Rows, Refusal> + Send + 'static,
    ) -> Result<Rows, ApiError> {
        let lock = self.parsing.clone();
        let rows = actix_web::web::block(move || {
            let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
            parse()
        })
        .await
        .map_err(ApiError::internal)?;
        Ok(rows?)
    }
}

/// Reads the `file` field of a multipart upload (at most 20 MB) and its format from the name.
pub async fn read_upload(
    payload: actix_multipart::Multipart,
) -> Result<(Vec<u8>, Format), ApiError> {
    let (name, bytes) = read_file_field(payload, MAX_FILE_BYTES).await?;
    let format = Format::from_name(&name).ok_or_else(|| {
        ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "import a .csv or .xlsx file",
        )
    })?;
    Ok((bytes, format))
}

/// The multipart field named `file`: its file name and bytes, refused past `max` bytes (413).
pub async fn read_file_field(
    mut payload: actix_multipart::Multipart,
    max: usize,
) -> Result<(String, Vec<u8>), ApiError> {
    use futures_util::StreamExt;
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| {
            ApiError::bad_request(
                ErrorCode::MalformedMultipart,
                format!("the upload cannot be read: {e}"),
            )
        })?;
        if field.name() != Some("file") {
            continue;
        }
        let name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("")
            .to_string();
        let mut bytes = vec![];
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::bad_request(
                    ErrorCode::MalformedMultipart,
                    format!("the upload cannot be read: {e}"),
                )
            })?;
            if bytes.len() + chunk.len() > max {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    format!("the file is larger than {} MB", max / 1024 / 1024),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        upload = Some((name, bytes));
    }
    upload.ok_or_else(|| {
        ApiError::field(
            "file",
            "required",
            "send the file in a multipart field named \"file\"",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_in_csv() {
        for risky in [
            "=HYPERLINK(\"http://x\",\"点我\")",
            "+cmd|' /C calc'!A0",
            "@SUM(1+1)",
            "-1+1",
            "\t=1",
            "\r=1",
            "-",
            "=1",
        ] {
            assert_eq!(neutralise(risky), format!("'{risky}"), "{risky:?}");
        }
        for safe in ["王建国", "13812345678", "-3.5", "+86", "a=b", ""] {
            assert_eq!(neutralise(safe), safe, "{safe:?}");
        }
        let csv = write(
            &[("name", "姓名")],
            &[vec!["=1+1".into()], vec!["-2".into()]],
            Format::Csv,
        )
        .unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert!(
            text.contains("\n'=1+1\n") && text.contains("\n-2\n"),
            "{text}"
        );
    }

    #[test]
    fn rows_keep_their_cells() {
        let cols: [Column; 2] = [("a", "甲"), ("b", "乙")];
        let rows = parse(
            "甲,乙\n 1 ,2\n,\nx,\n".as_bytes(),
            Format::Csv,
            &cols,
            &["a"],
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].0, rows[0].1.get("a"), rows[0].1.get("b")),
            (2, Some("1"), Some("2"))
        );
        assert_eq!(
            (rows[1].0, rows[1].1.get("a"), rows[1].1.get("b")),
            (4, Some("x"), Some(""))
        );
        assert_eq!(
            parse(b"b\n1\n", Format::Csv, &cols, &["a"])
                .unwrap_err()
                .code,
            ErrorCode::MissingColumns
        );
    }
}
