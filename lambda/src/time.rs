//! Timestamps as AWS sends them: RFC 3339, or Inspector's "Nov 23, 2026, 7:21:54 AM" and
//! "Mon Nov 23 10:06:56.334 UTC 2026".
//! Normalised to `YYYY-MM-DDTHH:MM:SSZ` (UTC) so they sort and read the same everywhere.

/// Normalises a timestamp; `None` if it is in no known format.
pub fn normalise(raw: &str) -> Option<String> {
    let raw = raw.trim();
    rfc3339(raw)
        .or_else(|| human(raw))
        .or_else(|| unix_date(raw))
        .or_else(|| http_date(raw))
}

/// AWS Health's "Fri, 10 Jun 2022 05:01:10 GMT" (the weekday is not checked: AWS's own
/// samples have it wrong).
fn http_date(s: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let parts: Vec<&str> = s.split([',', ' ']).filter(|p| !p.is_empty()).collect();
    let [_, day, mon, year, clock, zone] = parts.as_slice() else {
        return None;
    };
    if !matches!(*zone, "GMT" | "UTC") {
        return None;
    }
    let mon = mon.to_ascii_lowercase();
    let mo = (1..=12i64).zip(MONTHS).find(|(_, m)| mon == *m)?.0;
    let mut hms = clock.split(':').map(|p| p.parse::<i64>().ok());
    let (h, mi, sec) = (hms.next()??, hms.next()??, hms.next()??);
    format_utc(year.parse().ok()?, mo, day.parse().ok()?, h, mi, sec, 0)
}

/// [`normalise`] for text read from an event: the text itself when it is in no known format.
/// Most times from AWS are already normal: those are kept as they are, not rewritten.
pub fn normalised(raw: std::borrow::Cow<'_, str>) -> std::borrow::Cow<'_, str> {
    if is_normal(&raw) {
        return raw;
    }
    // The same with a fraction of a second (GuardDuty's, Security Hub's): cut it off.
    let b = raw.as_bytes();
    if b.len() > 21
        && b[19] == b'.'
        && b[b.len() - 1] == b'Z'
        && b[20..b.len() - 1].iter().all(u8::is_ascii_digit)
    {
        let mut whole = String::with_capacity(20);
        whole.push_str(&raw[..19]);
        whole.push('Z');
        if is_normal(&whole) {
            return std::borrow::Cow::Owned(whole);
        }
    }
    match normalise(&raw) {
        Some(n) => std::borrow::Cow::Owned(n),
        None => raw,
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` naming a real second: what [`normalise`] would give back unchanged.
fn is_normal(raw: &str) -> bool {
    let b = raw.as_bytes();
    let shape = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
    if !shape {
        return false;
    }
    let n = |i: usize| i64::from(b[i] - b'0') * 10 + i64::from(b[i + 1] - b'0');
    let (y, mo, d) = (n(0) * 100 + n(2), n(5), n(8));
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match mo {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=12).contains(&mo) && (1..=days).contains(&d) && n(11) < 24 && n(14) < 60 && n(17) < 60
}

/// "Mon Nov 23 10:06:56.334 UTC 2026" (the `date` command's layout).
fn unix_date(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_weekday, mon, day, clock, "UTC", year] = parts.as_slice() else {
        return None;
    };
    let clock = clock.split('.').next()?;
    let (h, rest) = clock.split_once(':')?;
    let h: i64 = h.parse().ok()?;
    // Reuse the 12-hour parser's month and clock handling by writing it in that form.
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    human(&format!("{mon} {day}, {year}, {h12}:{rest} {ampm}"))
}

#[allow(clippy::many_single_char_names)] // y, d, h, s: the usual names for date parts
fn rfc3339(s: &str) -> Option<String> {
    // 2026-11-23T07:21:54Z, 2026-11-23T07:21:54.123Z, 2026-11-23T07:21:54+02:00
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, sec) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset_min = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            sign * (digits[0..2].parse::<i64>().ok()? * 60 + digits[2..4].parse::<i64>().ok()?)
        }
    };
    format_utc(y, mo, d, h, mi, sec, offset_min)
}

fn human(s: &str) -> Option<String> {
    // "Nov 23, 2026, 7:21:54 AM" (UTC)
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let parts: Vec<&str> = s.split([',', ' ']).filter(|p| !p.is_empty()).collect();
    let [mon, day, year, clock, ampm] = parts.as_slice() else {
        return None;
    };
    let mon = mon.to_ascii_lowercase();
    let mo = (1..=12i64).zip(MONTHS).find(|(_, m)| mon.starts_with(m))?.0;
    let mut hms = clock.split(':').map(|p| p.parse::<i64>().ok());
    let (h, mi, sec) = (
        hms.next()??,
        hms.next()??,
        hms.next().flatten().unwrap_or(0),
    );
    let h = match (ampm.to_ascii_uppercase().as_str(), h) {
        ("AM", 12) => 0,
        ("AM", h) => h,
        ("PM", 12) => 12,
        ("PM", h) => h + 12,
        _ => return None,
    };
    format_utc(year.parse().ok()?, mo, day.parse().ok()?, h, mi, sec, 0)
}

fn format_utc(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, offset_min: i64) -> Option<String> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    // The day exists in that month (31 February is not 3 March).
    if days_from_civil(y, mo, d) - days_from_civil(y, mo, 1) >= days_in_month(y, mo) {
        return None;
    }
    let total = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_min * 60;
    let (days, secs) = (total.div_euclid(86_400), total.rem_euclid(86_400));
    let (y, mo, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return Some(format!(
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        ));
    }
    // Every event has a time or two: written digit by digit, not through `format!`.
    let mut out = String::with_capacity(20);
    let mut put = |n: i64, width: u32, then: char| {
        for p in (0..width).rev() {
            let digit = u8::try_from(n / 10_i64.pow(p) % 10).unwrap_or(0);
            out.push(char::from(b'0' + digit));
        }
        out.push(then);
    };
    put(y, 4, '-');
    put(mo, 2, '-');
    put(d, 2, 'T');
    put(secs / 3600, 2, ':');
    put(secs % 3600 / 60, 2, ':');
    put(secs % 60, 2, 'Z');
    Some(out)
}

// Howard Hinnant's days-from-civil algorithms.
fn days_in_month(y: i64, m: i64) -> i64 {
    let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    days_from_civil(next.0, next.1, 1) - days_from_civil(y, m, 1)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Today's date in UTC, `YYYY-MM-DD` (what SUPPRESS rules' expiry dates are compared with).
pub fn today() -> String {
    date_of_day(today_days())
}

/// Seconds since the epoch, now.
pub fn epoch_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Days since 1970-01-01, today (UTC).
pub fn today_days() -> i64 {
    epoch_now().div_euclid(86_400)
}

/// `secs` since the epoch as RFC 3339 UTC, to the second.
pub fn utc_of_epoch(secs: i64) -> String {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date_of_day(days),
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The civil date of day `days` since 1970-01-01 (the proleptic Gregorian calendar).
pub fn date_of_day(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {

    /// SUPPRESS's expiry dates are compared with today's civil date in UTC.
    #[test]
    fn days_since_the_epoch_are_civil_dates() {
        assert_eq!(date_of_day(0), "1970-01-01");
        assert_eq!(date_of_day(11_016), "2000-02-29");
        assert_eq!(date_of_day(20_513), "2026-03-01");
        assert_eq!(today().len(), 10);
    }
    use super::{date_of_day, normalise, normalised, today};

    #[test]
    fn health_times_are_http_dates_in_gmt() {
        assert_eq!(
            normalise("Fri, 10 Jun 2022 05:01:10 GMT").as_deref(),
            Some("2022-06-10T05:01:10Z")
        );
        // AWS's own sample names the wrong weekday; the date is what counts.
        assert_eq!(
            normalise("Thu, 27 Aug 2026 13:19:03 GMT").as_deref(),
            Some("2026-08-27T13:19:03Z")
        );
        assert_eq!(normalise("Fri, 10 Jun 2022 05:01:10 CEST"), None);
        assert_eq!(normalise("Fri, 31 Feb 2022 05:01:10 GMT"), None);
        assert_eq!(normalise("Tue, 29 Feb 2022 05:01:10 GMT"), None);
        assert_eq!(
            normalise("Thu, 29 Feb 2024 05:01:10 GMT").as_deref(),
            Some("2024-02-29T05:01:10Z")
        );
    }

    /// The shortcut for times already normal gives what `normalise` gives, on the edges of
    /// every field: leap days, month ends, the 60th second, hour 24.
    #[test]
    fn normal_times_are_kept_as_normalise_would_write_them() {
        for y in ["1900", "2000", "2023", "2024", "0000", "9999"] {
            for mo in ["00", "01", "02", "04", "12", "13"] {
                for d in ["00", "01", "28", "29", "30", "31", "32"] {
                    for hms in ["00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60"] {
                        for fraction in ["", ".0", ".903", ".x", "."] {
                            let raw = format!("{y}-{mo}-{d}T{hms}{fraction}Z");
                            let expected = normalise(&raw).unwrap_or_else(|| raw.clone());
                            assert_eq!(normalised(raw.as_str().into()), expected, "{raw}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn both_inspector_formats_normalise_to_utc() {
        assert_eq!(
            normalise("Nov 23, 2026, 7:21:54 AM").as_deref(),
            Some("2026-11-23T07:21:54Z")
        );
        assert_eq!(
            normalise("Nov 23, 2026, 12:05:00 PM").as_deref(),
            Some("2026-11-23T12:05:00Z")
        );
        assert_eq!(
            normalise("Dec 31, 2026, 12:00:01 AM").as_deref(),
            Some("2026-12-31T00:00:01Z")
        );
        assert_eq!(
            normalise("2026-11-23T07:21:54.123Z").as_deref(),
            Some("2026-11-23T07:21:54Z")
        );
        assert_eq!(
            normalise("2026-03-01T01:30:00+02:00").as_deref(),
            Some("2026-02-28T23:30:00Z")
        );
        assert_eq!(
            normalise("Mon Nov 23 10:06:56.334 UTC 2026").as_deref(),
            Some("2026-11-23T10:06:56Z")
        );
        assert_eq!(
            normalise("Mon Nov 23 00:06:56 UTC 2026").as_deref(),
            Some("2026-11-23T00:06:56Z")
        );
        assert_eq!(
            normalise("0999-01-02T03:04:05Z").as_deref(),
            Some("0999-01-02T03:04:05Z")
        );
        assert_eq!(normalise("yesterday"), None);
        assert_eq!(normalise("2026-13-01T00:00:00Z"), None);
    }

    /// The digit writer against `format!`, across years, months and times of day.
    #[test]
    fn utc_times_are_written_as_format_would() {
        for (y, mo, d, h, mi, s) in [
            (0, 1, 1, 0, 0, 0),
            (1970, 1, 1, 0, 0, 0),
            (2026, 12, 31, 23, 59, 59),
            (9999, 12, 31, 23, 59, 59),
            (2024, 2, 29, 12, 30, 7),
            (10, 10, 10, 10, 10, 10),
        ] {
            assert_eq!(
                super::format_utc(y, mo, d, h, mi, s, 0).as_deref(),
                Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z").as_str())
            );
        }
    }
}
