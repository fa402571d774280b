//! Small text helpers shared by config validation, the CLI and the findings.

/// Levenshtein distance, for "did you mean" hints.
/// `1 region`, `3 regions`: a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate nearest to `word` (case-insensitive), if it is close enough to be a typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_uppercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &c.to_ascii_uppercase()), c))
        .filter(|(d, c)| *d > 0 && *d <= (c.len() / 3).clamp(1, 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A time as AWS events write it (RFC 3339, UTC), e.g. `2026-11-27T09:12:44.512Z`.
pub fn iso_time(t: &aws_smithy_types::DateTime) -> String {
    t.fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// Now, as AWS events write times.
pub fn iso_now() -> String {
    iso_time(&aws_smithy_types::DateTime::from(
        std::time::SystemTime::now(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_ignores_strangers() {
        let keys = ["WEBHOOK_URLS", "BUDGET_LIMIT", "PREFIX_S3"];
        assert_eq!(nearest("WEBHOOK_URL", keys), Some("WEBHOOK_URLS"));
        assert_eq!(nearest("budget_limt", keys), Some("BUDGET_LIMIT"));
        assert_eq!(nearest("SOMETHING_ELSE", keys), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

/// Text from events or AWS made safe for a terminal: control characters (ESC and so every
/// escape sequence, window titles, clipboard writes) and invisible bidi/zero-width characters
/// are dropped; newlines and tabs stay. For every text output that is not JSON.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\n' && c != '\t') || awsmon_notifier::slack::is_invisible(c)
    };
    if text.chars().any(bad) {
        std::borrow::Cow::Owned(text.chars().filter(|c| !bad(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod printable_tests {
    #[test]
    fn escapes_and_invisible_characters_are_dropped() {
        assert_eq!(
            super::printable(
                "a\u{1b}]0;pwned\u{7}b\u{1b}]52;c;ZXZpbA==\u{7}\n\tc\u{202e}d\u{9b}31m"
            ),
            "a]0;pwnedb]52;c;ZXZpbA==\n\tcd31m"
        );
        assert!(matches!(
            super::printable("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
