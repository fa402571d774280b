//! Aligned plain-text tables, optionally coloured.

/// Each cell is its text and an optional ANSI SGR colour. Widths count characters, so the
/// colour codes never shift the columns.
pub fn render(headers: &[&str], rows: &[Vec<(String, Option<&str>)>], colour: bool) -> String {
    // Cells hold event and AWS text: nothing in them may reach the terminal as a control.
    let rows: Vec<Vec<(String, Option<&str>)>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|(t, c)| (crate::text::printable(t).into_owned(), *c))
                .collect()
        })
        .collect();
    let rows = &rows;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, (text, _)) in row.iter().enumerate() {
            widths[i] = widths[i].max(text.chars().count());
        }
    }
    let last = headers.len() - 1;
    let mut out = String::new();
    for (i, h) in headers.iter().enumerate() {
        push_cell(
            &mut out,
            h,
            None,
            if i == last { 0 } else { widths[i] },
            colour,
        );
    }
    out.push('\n');
    for row in rows {
        for (i, (text, sgr)) in row.iter().enumerate() {
            push_cell(
                &mut out,
                text,
                *sgr,
                if i == last { 0 } else { widths[i] },
                colour,
            );
        }
        out.push('\n');
    }
    out
}

fn push_cell(out: &mut String, text: &str, sgr: Option<&str>, width: usize, colour: bool) {
    let pad = width.saturating_sub(text.chars().count());
    match sgr {
        Some(code) if colour => out.push_str(&format!("\x1b[{code}m{text}\x1b[0m")),
        _ => out.push_str(text),
    }
    if width > 0 {
        out.push_str(&" ".repeat(pad + 2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_with_and_without_colour() {
        let rows = vec![
            vec![
                ("eu-west-1".to_string(), None),
                ("enabled".to_string(), Some("32")),
                ("x".to_string(), None),
            ],
            vec![
                ("us-east-1".to_string(), None),
                ("error".to_string(), Some("31")),
                ("y".to_string(), None),
            ],
        ];
        let plain = render(&["REGION", "STATE", "DETAIL"], &rows, false);
        assert_eq!(
            plain,
            "REGION     STATE    DETAIL\neu-west-1  enabled  x\nus-east-1  error    y\n"
        );
        let coloured = render(&["REGION", "STATE", "DETAIL"], &rows, true);
        assert!(coloured.contains("\x1b[31merror\x1b[0m    y"));
    }
}
