//! iCalendar (RFC 5545) output for subscribable feeds: CRLF line ends, lines folded at 75
//! octets (never inside a UTF-8 character), text values escaped.
use chrono::{NaiveDate, NaiveDateTime, Utc};

pub struct Event {
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    /// A whole day (`DTSTART;VALUE=DATE`) …
    pub date: Option<NaiveDate>,
    /// … or a time span in UTC.
    pub span: Option<(NaiveDateTime, NaiveDateTime)>,
    /// `FREQ=YEARLY` for anniversaries.
    pub rrule: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Appends one content line, folded: continuation lines start with a space.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for ch in content.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut out = String::new();
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tongxin//Tongxin 同心//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", e.uid));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        if let Some(d) = e.date {
            line(
                &mut out,
                &format!("DTSTART;VALUE=DATE:{}", d.format("%Y%m%d")),
            );
            line(
                &mut out,
                &format!(
                    "DTEND;VALUE=DATE:{}",
                    (d + chrono::Duration::days(1)).format("%Y%m%d")
                ),
            );
        }
        if let Some((start, end)) = e.span {
            line(
                &mut out,
                &format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ")),
            );
            line(&mut out, &format!("DTEND:{}", end.format("%Y%m%dT%H%M%SZ")));
        }
        if let Some(r) = &e.rrule {
            line(&mut out, &format!("RRULE:{r}"));
        }
        line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        if let Some(d) = &e.description {
            line(&mut out, &format!("DESCRIPTION:{}", escape(d)));
        }
        if let Some(l) = &e.location {
            line(&mut out, &format!("LOCATION:{}", escape(l)));
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_long_lines_on_character_boundaries_and_escapes_text() {
        let e = Event {
            uid: "x@tongxin".into(),
            summary: "王建国的政治生日，入党二十八周年；祝贺".repeat(3),
            description: Some("a\nb".into()),
            location: None,
            date: NaiveDate::from_ymd_opt(2026, 7, 1),
            span: None,
            rrule: Some("FREQ=YEARLY".into()),
        };
        let text = calendar("测试", &[e]);
        assert!(text.lines().all(|l| l.len() <= 76), "75 octets and the CR");
        assert!(text.contains("\\，") == false && text.contains("a\\nb"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(
            text.split("\r\n").filter(|l| l.starts_with(' ')).count() >= 2,
            "folded"
        );
    }
}
