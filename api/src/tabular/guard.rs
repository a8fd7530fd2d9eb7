//! Bounds on uploaded spreadsheets, checked before any parser allocates from what the file claims.
//!
//! An XLSX file is a zip of XML parts, and every number in it is the sender's word: a declared
//! dimension of `A1:XFD1048576`, a `uniqueCount` of four billion, a part that inflates a
//! thousandfold, or one text run of a gigabyte of spaces. Parsers trust those numbers (a grid
//! sized from the dimension, a vector reserved from the count, a buffer grown to the longest
//! token), so a 1.7 KB workbook could abort the process. This pass streams each XML part once
//! through a counting reader, never holding more than one bounded token, and refuses the file
//! (422, with a stable code) as soon as a bound is crossed. Only a file that passes is handed to
//! calamine, whose allocations are then bounded by the same limits.
use crate::error::ErrorCode;
use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

/// The most data rows an import takes at once (the header is one more line).
pub const MAX_ROWS: usize = 200_000;
/// The rightmost column a sheet may use (`IV`); our templates have about ten.
pub const MAX_COLUMNS: u32 = 256;
/// Zip entries in one workbook (a few per sheet; a normal workbook has about ten).
const MAX_ENTRIES: usize = 2_000;
/// What all XML parts may inflate to together, and what one part may.
pub const MAX_UNPACKED_TOTAL: u64 = 256 * 1024 * 1024;
const MAX_UNPACKED_PART: u64 = 160 * 1024 * 1024;
/// The shared-strings table is held in memory by the reader: its size and count are bounded.
const MAX_SHARED_STRINGS_BYTES: u64 = 48 * 1024 * 1024;
const MAX_SHARED_STRINGS: u64 = 1_500_000;
/// The longest run of bytes between two markup delimiters (a tag, or text between tags). Excel
/// keeps a cell to 32,767 characters (under 128 KiB of UTF-8).
pub const MAX_TOKEN: usize = 1024 * 1024;
/// CSV: a physical line and its separators.
pub const MAX_CSV_LINE: usize = 64 * 1024;
const MAX_CSV_FIELDS: usize = 1_024;

/// Why a file was refused: a stable code (the SPA translates `errors.<code>`) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// A reader that counts what it yields and the bytes since the last `<` or `>`, failing once
/// either passes its limit, so that no downstream buffer grows past [`MAX_TOKEN`].
struct Guarded<R> {
    inner: R,
    read: u64,
    limit: u64,
    run: usize,
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::other("unpacked_too_large"));
        }
        for &b in &buf[..n] {
            if b == b'<' || b == b'>' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > MAX_TOKEN {
                    return Err(std::io::Error::other("token_too_long"));
                }
            }
        }
        Ok(n)
    }
}

/// `XFD1048576` → (row 1-based, column 1-based).
fn cell_ref(r: &[u8]) -> Option<(u64, u32)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = r[..letters].iter().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row = std::str::from_utf8(&r[letters..])
        .ok()?
        .parse::<u64>()
        .ok()?;
    Some((row, col))
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.into_owned())
}

fn check_position(row: u64, col: u32) -> Result<(), Refusal> {
    if row > MAX_ROWS as u64 + 1 {
        return Err(refuse(
            ErrorCode::TooManyRows,
            format!("the sheet reaches row {row}; import at most {MAX_ROWS} rows at a time"),
        ));
    }
    if col > MAX_COLUMNS {
        return Err(refuse(
            ErrorCode::TooManyColumns,
            format!("the sheet reaches column {col}; use at most {MAX_COLUMNS} columns"),
        ));
    }
    Ok(())
}

enum Part {
    SharedStrings,
    Sheet,
    Other,
}

/// Streams one XML part, checking the attributes readers trust.
fn scan_part<R: Read>(reader: Guarded<R>, part: Part) -> Result<u64, Refusal> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(64 * 1024, reader));
    let mut buf = Vec::with_capacity(4096);
    let mut strings: u64 = 0;
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                let text = e.to_string();
                return Err(if text.contains("unpacked_too_large") {
                    refuse(
                        ErrorCode::FileTooLargeUnpacked,
                        format!(
                            "the workbook unpacks to more than {} MB",
                            MAX_UNPACKED_TOTAL >> 20
                        ),
                    )
                } else if text.contains("token_too_long") {
                    refuse(
                        ErrorCode::FileUnreadable,
                        format!(
                            "the workbook holds a run of more than {} KB without markup",
                            MAX_TOKEN >> 10
                        ),
                    )
                } else {
                    refuse(
                        ErrorCode::FileUnreadable,
                        "the XLSX file is not a readable workbook",
                    )
                });
            }
        };
        match (&part, event) {
            (_, Event::Eof) => break,
            (Part::SharedStrings, Event::Start(e) | Event::Empty(e)) => {
                match e.local_name().as_ref() {
                    "sst" => {
                        // uniqueCount sizes the reader's table (`count` is every use of a string).
                        let n = attr(&e, "uniqueCount").and_then(|v| v.trim().parse::<u64>().ok());
                        if n.is_some_and(|n| n > MAX_SHARED_STRINGS) {
                            return Err(refuse(ErrorCode::TooManyStrings, format!("the workbook declares more than {MAX_SHARED_STRINGS} distinct texts")));
                        }
                    }
                    "si" => {
                        strings += 1;
                        if strings > MAX_SHARED_STRINGS {
                            return Err(refuse(ErrorCode::TooManyStrings, format!("the workbook holds more than {MAX_SHARED_STRINGS} distinct texts")));
                        }
                    }
                    _ => {}
                }
            }
            (Part::Sheet, Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                "dimension" => {
                    if let Some(r) = attr(&e, "ref") {
                        let end = r.split(':').next_back().unwrap_or(&r);
                        if let Some((row, col)) = cell_ref(end.as_bytes()) {
                            check_position(row, col)?;
                        }
                    }
                }
                "row" => {
                    if let Some(r) = attr(&e, "r").and_then(|v| v.trim().parse::<u64>().ok()) {
                        check_position(r, 1)?;
                    }
                }
                "c" => {
                    if let Some((row, col)) = attr(&e, "r").and_then(|v| cell_ref(v.as_bytes())) {
                        check_position(row, col)?;
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    let inner = xml.into_inner().into_inner();
    Ok(inner.read)
}

/// Refuses a workbook whose parts, once unpacked, would pass the bounds above.
pub fn check_xlsx(bytes: &[u8]) -> Result<(), Refusal> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(refuse(
            ErrorCode::FileUnreadable,
            "the file is not an XLSX workbook (save it from Excel or WPS as .xlsx)",
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        refuse(
            ErrorCode::FileUnreadable,
            "the XLSX file is damaged or not a workbook",
        )
    })?;
    if zip.len() > MAX_ENTRIES {
        return Err(refuse(
            ErrorCode::FileUnreadable,
            format!(
                "the workbook has {} parts; at most {MAX_ENTRIES}",
                zip.len()
            ),
        ));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| {
            refuse(
                ErrorCode::FileUnreadable,
                "the XLSX file is damaged or encrypted",
            )
        })?;
        let name = entry
            .name()
            .map(|n| n.to_ascii_lowercase())
            .unwrap_or_default();
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        let part = if name.ends_with("sharedstrings.xml") {
            Part::SharedStrings
        } else if name.starts_with("xl/worksheets/") {
            Part::Sheet
        } else {
            Part::Other
        };
        let per_part = if matches!(part, Part::SharedStrings) {
            MAX_SHARED_STRINGS_BYTES
        } else {
            MAX_UNPACKED_PART
        };
        // The declared size is only a first check: the guard counts what really inflates.
        if entry.size() > per_part || total + entry.size() > MAX_UNPACKED_TOTAL {
            return Err(refuse(
                ErrorCode::FileTooLargeUnpacked,
                format!(
                    "the workbook unpacks to more than {} MB",
                    MAX_UNPACKED_TOTAL >> 20
                ),
            ));
        }
        let limit = per_part.min(MAX_UNPACKED_TOTAL - total);
        total += scan_part(
            Guarded {
                inner: entry,
                read: 0,
                limit,
                run: 0,
            },
            part,
        )?;
    }
    Ok(())
}

/// Refuses CSV text with a physical line longer than [`MAX_CSV_LINE`] bytes or with more than
/// [`MAX_CSV_FIELDS`] separators on one line, before the CSV reader builds records from it.
pub fn check_csv(bytes: &[u8]) -> Result<(), Refusal> {
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.len() > MAX_CSV_LINE {
            return Err(refuse(
                ErrorCode::LineTooLong,
                format!("line {} is longer than {} KB", i + 1, MAX_CSV_LINE >> 10),
            ));
        }
        if line.iter().filter(|b| **b == b',').count() > MAX_CSV_FIELDS {
            return Err(refuse(
                ErrorCode::TooManyColumns,
                format!("line {} has more than {MAX_CSV_FIELDS} fields", i + 1),
            ));
        }
    }
    Ok(())
}

/// The most pixels a stored photo may have (a 48-megapixel phone camera, with room to spare).
/// Photos are kept as sent and decoded only by the browser that shows them; a PNG or JPEG header
/// claiming a huge canvas is refused so that no officer's browser is asked to allocate it.
const MAX_PIXELS: u64 = 64_000_000;

/// Width and height from a PNG's IHDR or a JPEG's first SOF segment.
fn image_size(bytes: &[u8]) -> Option<(u64, u64)> {
    // Only a real IHDR chunk is read (a PNG always starts with it).
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() >= 24 && &bytes[12..16] == b"IHDR" {
        let be = |at: usize| {
            u64::from(u32::from_be_bytes([
                bytes[at],
                bytes[at + 1],
                bytes[at + 2],
                bytes[at + 3],
            ]))
        };
        return Some((be(16), be(20)));
    }
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut at = 2;
        while at + 9 < bytes.len() {
            if bytes[at] != 0xFF {
                return None;
            }
            let marker = bytes[at + 1];
            let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
            if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                let h = u64::from(u16::from_be_bytes([bytes[at + 5], bytes[at + 6]]));
                let w = u64::from(u16::from_be_bytes([bytes[at + 7], bytes[at + 8]]));
                return Some((w, h));
            }
            at += 2 + len;
        }
    }
    None
}

/// Refuses a photo whose header claims more than [`MAX_PIXELS`].
pub fn check_image(bytes: &[u8]) -> Result<(), Refusal> {
    match image_size(bytes) {
        Some((w, h)) if w.saturating_mul(h) > MAX_PIXELS || w == 0 || h == 0 => Err(refuse(
            ErrorCode::ImageTooLarge,
            format!(
                "the image claims {w} × {h} pixels; at most {} megapixels",
                MAX_PIXELS / 1_000_000
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_canvases_are_refused() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(100_000u32.to_be_bytes());
        png.extend(100_000u32.to_be_bytes());
        assert_eq!(
            check_image(&png).unwrap_err().code.as_str(),
            "image_too_large"
        );
        let mut small = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        small.extend(4000u32.to_be_bytes());
        small.extend(3000u32.to_be_bytes());
        assert!(check_image(&small).is_ok());
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0xFF, 0xFF,
            0xFF, 0xFF, 0x03,
        ];
        assert_eq!(image_size(&jpeg), Some((65535, 65535)));
        assert_eq!(
            check_image(&jpeg).unwrap_err().code.as_str(),
            "image_too_large"
        );
    }

    #[test]
    fn cell_references_parse() {
        assert_eq!(cell_ref(b"A1"), Some((1, 1)));
        assert_eq!(cell_ref(b"XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_ref(b"iv7"), Some((7, 256)));
        assert_eq!(cell_ref(b"1"), None);
        assert_eq!(cell_ref(b"ABCD1"), None);
    }

    #[test]
    fn csv_bounds() {
        assert!(check_csv(b"a,b,c\n1,2,3\n").is_ok());
        assert_eq!(
            check_csv(&vec![b'x'; MAX_CSV_LINE + 1])
                .unwrap_err()
                .code
                .as_str(),
            "line_too_long"
        );
        assert_eq!(
            check_csv(&vec![b','; 2000]).unwrap_err().code.as_str(),
            "too_many_columns"
        );
    }

    #[test]
    fn not_a_zip_is_unreadable() {
        assert_eq!(
            check_xlsx(b"\x89PNG\r\n\x1a\n").unwrap_err().code.as_str(),
            "file_unreadable"
        );
        assert_eq!(
            check_xlsx(b"PK\x03\x04garbage").unwrap_err().code.as_str(),
            "file_unreadable"
        );
    }
}
