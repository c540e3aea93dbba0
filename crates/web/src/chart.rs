//! Charts drawn on the server as SVG: no JavaScript, printable, and mirrored for
//! right-to-left pages (bars grow from the right, labels on the right). Positions
//! are computed here; the SVG keeps its default direction so `text-anchor` means the
//! same on both sides.

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart of (label, value, formatted value).
pub fn bars(rows: &[(String, f64, String)], rtl: bool, title: &str) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let (width, label_w, bar_h, gap) = (640.0, 210.0, 22.0, 8.0);
    let value_w = 80.0;
    let plot_w = width - label_w - value_w;
    let height = rows.len() as f64 * (bar_h + gap) + gap;
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1e-9);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{}" direction="ltr">"#,
        esc(title)
    );
    for (i, (label, value, text)) in rows.iter().enumerate() {
        let y = gap + i as f64 * (bar_h + gap);
        let w = (value / max * plot_w).max(1.0);
        let (label_x, anchor, bar_x, value_x) = if rtl {
            (
                width - 4.0,
                "end",
                width - label_w - w,
                width - label_w - w - 6.0,
            )
        } else {
            (4.0, "start", label_w, label_w + w + 6.0)
        };
        let value_anchor = if rtl { "end" } else { "start" };
        svg.push_str(&format!(
            r#"<text x="{label_x}" y="{ty}" text-anchor="{anchor}">{}</text><rect class="bar" fill="rgb(59,110,165)" x="{bar_x:.1}" y="{y}" width="{w:.1}" height="{bar_h}"><title>{}: {}</title></rect><text x="{value_x:.1}" y="{ty}" text-anchor="{value_anchor}">{}</text>"#,
            esc(label),
            esc(label),
            esc(text),
            esc(text),
            ty = y + bar_h * 0.72,
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A single stacked bar of (class, count) segments, in order from the start side
/// (the right on right-to-left pages); each segment's colour comes from the stylesheet
/// (`.seg-achieved`, `.seg-in_progress`…), never from inline style, which the
/// Content-Security-Policy forbids.
pub fn stacked(segments: &[(&str, usize)], rtl: bool, title: &str) -> String {
    let total: usize = segments.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return String::new();
    }
    let (width, height) = (240.0, 14.0);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="stacked" viewBox="0 0 {width} {height}" role="img" aria-label="{}" direction="ltr">"#,
        esc(title)
    );
    let mut at = 0.0;
    for (class, n) in segments.iter().filter(|(_, n)| *n > 0) {
        let w = *n as f64 / total as f64 * width;
        let x = if rtl { width - at - w } else { at };
        svg.push_str(&format!(
            r#"<rect class="seg-{}" x="{x:.1}" y="0" width="{w:.1}" height="{height}"/>"#,
            esc(class)
        ));
        at += w;
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_mirror_in_rtl() {
        let rows = vec![
            ("Casablanca-Settat".to_string(), 216.0, "216".to_string()),
            ("<script>".to_string(), 9.0, "9".to_string()),
        ];
        let ltr = bars(&rows, false, "COVID");
        assert!(ltr.contains(r#"x="210.0" y="8" width="350.0""#), "{ltr}");
        assert!(ltr.contains("&lt;script&gt;") && !ltr.contains("<script>"));
        let rtl = bars(&rows, true, "COVID");
        assert!(rtl.contains(r#"x="80.0" y="8" width="350.0""#), "{rtl}");
        assert_eq!(bars(&[], false, "x"), "");
    }

    #[test]
    fn a_stacked_bar_splits_its_width_and_mirrors() {
        let ltr = stacked(
            &[("achieved", 1), ("in_progress", 3), ("not_started", 0)],
            false,
            "t",
        );
        assert!(
            ltr.contains(r#"class="seg-achieved" x="0.0" y="0" width="60.0""#),
            "{ltr}"
        );
        assert!(
            ltr.contains(r#"class="seg-in_progress" x="60.0" y="0" width="180.0""#),
            "{ltr}"
        );
        assert!(!ltr.contains("not_started"));
        let rtl = stacked(&[("achieved", 1), ("in_progress", 3)], true, "t");
        assert!(rtl.contains(r#"class="seg-achieved" x="180.0""#), "{rtl}");
        assert_eq!(stacked(&[("achieved", 0)], false, "t"), "");
    }
}
