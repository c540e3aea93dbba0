//! Reporting periods as the sources use them: a calendar year `2020`, a semester
//! `2020S1`, a quarter `2020Q3`, a month `2020-07`, a school year `SY2019-2020`
//! (September to August), a custom range `2020-03-18/2020-06-30`, or a point in time
//! `2020-03-12` (a stock, such as refugees recognised at a date).

use crate::error::{DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    text: String,
    /// First and last day covered, `YYYY-MM-DD`.
    start: String,
    end: String,
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn year(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
        .filter(|y| (1900..=2200).contains(y))
}

fn date(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.split('-');
    let (y, m, d) = (year(it.next()?)?, it.next()?, it.next()?);
    if it.next().is_some() || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d)).then_some((y, m, d))
}

fn ymd(y: i32, m: u32, d: u32) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

impl Period {
    pub fn parse(s: &str) -> Result<Period, DomainError> {
        let text = s.trim().to_ascii_uppercase();
        let bad = || DomainError::with_value("period", ErrorCode::Format, s.trim());
        if text.is_empty() {
            return Err(DomainError::new("period", ErrorCode::Required));
        }
        let (start, end) = if let Some(y) = year(&text) {
            (ymd(y, 1, 1), ymd(y, 12, 31))
        } else if let Some(rest) = text.strip_prefix("SY") {
            let (a, b) = rest.split_once('-').ok_or_else(bad)?;
            let (a, b) = (year(a).ok_or_else(bad)?, year(b).ok_or_else(bad)?);
            if b != a + 1 {
                return Err(bad());
            }
            (ymd(a, 9, 1), ymd(b, 8, 31))
        } else if let Some((from, to)) = text.split_once('/') {
            let (f, t) = (date(from).ok_or_else(bad)?, date(to).ok_or_else(bad)?);
            if f > t {
                return Err(bad());
            }
            (ymd(f.0, f.1, f.2), ymd(t.0, t.1, t.2))
        } else if let Some((y, s)) = text.split_once('S').filter(|(y, _)| y.len() == 4) {
            let y = year(y).ok_or_else(bad)?;
            match s {
                "1" => (ymd(y, 1, 1), ymd(y, 6, 30)),
                "2" => (ymd(y, 7, 1), ymd(y, 12, 31)),
                _ => return Err(bad()),
            }
        } else if let Some((y, q)) = text.split_once('Q').filter(|(y, _)| y.len() == 4) {
            let y = year(y).ok_or_else(bad)?;
            let q: u32 = q
                .parse()
                .ok()
                .filter(|q| (1..=4).contains(q))
                .ok_or_else(bad)?;
            let m = (q - 1) * 3 + 1;
            (ymd(y, m, 1), ymd(y, m + 2, days_in_month(y, m + 2)))
        } else if let Some(d) = date(&text) {
            (ymd(d.0, d.1, d.2), ymd(d.0, d.1, d.2))
        } else if let Some((y, m)) = text
            .split_once('-')
            .filter(|(y, m)| y.len() == 4 && m.len() == 2)
        {
            let y = year(y).ok_or_else(bad)?;
            let m: u32 = m
                .parse()
                .ok()
                .filter(|m| (1..=12).contains(m))
                .ok_or_else(bad)?;
            (ymd(y, m, 1), ymd(y, m, days_in_month(y, m)))
        } else {
            return Err(bad());
        };
        Ok(Period { text, start, end })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn start(&self) -> &str {
        &self.start
    }

    pub fn end(&self) -> &str {
        &self.end
    }

    /// ISO 8601 `start/duration`-style text used by ADX (`2020-01-01/P1Y`) is left to
    /// the exchange layer; this is the plain interval.
    pub fn interval(&self) -> String {
        format!("{}/{}", self.start, self.end)
    }
}

impl TryFrom<String> for Period {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Period::parse(&s)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.text
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_the_sources_use() {
        let cases = [
            ("2020", "2020-01-01", "2020-12-31"),
            ("2020s1", "2020-01-01", "2020-06-30"),
            ("2020Q3", "2020-07-01", "2020-09-30"),
            ("2020-02", "2020-02-01", "2020-02-29"),
            ("2019-02", "2019-02-01", "2019-02-28"),
            ("SY2019-2020", "2019-09-01", "2020-08-31"),
            ("2020-03-18/2020-06-30", "2020-03-18", "2020-06-30"),
            ("2020-03-12", "2020-03-12", "2020-03-12"),
        ];
        for (text, start, end) in cases {
            let p = Period::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((p.start(), p.end()), (start, end), "{text}");
        }
        for bad in [
            "",
            "20",
            "2020Q5",
            "2020S3",
            "SY2019-2021",
            "2020-13",
            "2020-02-30",
            "2020-06-30/2020-03-18",
            "next year",
            "1800",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = Period::parse(&s);
        }
    }
}
