//! Birth dates as registries really write them.
//!
//! Why: a migrant without documents often knows only a year, a desk writes 03/04 where
//! another writes 04/03, and a declared age becomes a year that is off by one. A date is
//! kept as a year with an optional month and day, and two dates compare by *levels*
//! (exact, day/month swapped or one typo, same year with one side year-only, same year
//! but different day, one year apart, different) whose weights the EM step learns. The
//! date `01/01/YYYY` is read as year-only: it is the conventional placeholder for an
//! unknown day in civil and humanitarian registries.

/// A birth date; `month` and `day` are 0 when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BirthDate {
    /// Year, e.g. 1990.
    pub year: u16,
    /// Month 1–12, or 0 when unknown.
    pub month: u8,
    /// Day 1–31, or 0 when unknown.
    pub day: u8,
}

impl BirthDate {
    /// True when month and day are both known.
    pub fn is_full(&self) -> bool {
        self.month != 0 && self.day != 0
    }

    fn digits(&self) -> [u8; 8] {
        let y = self.year;
        [
            (y / 1000 % 10) as u8,
            (y / 100 % 10) as u8,
            (y / 10 % 10) as u8,
            (y % 10) as u8,
            self.month / 10,
            self.month % 10,
            self.day / 10,
            self.day % 10,
        ]
    }
}

/// A value that is not a birth date ("vers 1990", "31/31/1990").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a birth date")]
pub struct NotADate;

/// The outcome of comparing two birth dates, from most to least similar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateLevel {
    /// Same year, month and day.
    Exact = 5,
    /// Day and month swapped, or one digit mistyped or two adjacent digits transposed.
    Near = 4,
    /// Same year, and at least one side knows only the year (or year and month).
    YearOnly = 3,
    /// Same year, both full, day or month differs.
    SameYear = 2,
    /// Years one apart.
    YearOff = 1,
    /// Anything else.
    Different = 0,
}

/// Four-digit years from 1000 on are read as written: the engine also serves registries
/// of the dead (civil status, historical records), and a mistyped century still compares
/// as a near date. Earlier or later years are not birth years.
fn valid(y: u32, m: u32, d: u32) -> bool {
    (1000..=2100).contains(&y) && m <= 12 && d <= 31 && !(m == 0 && d != 0)
}

fn make(y: u32, m: u32, d: u32) -> Option<BirthDate> {
    if !valid(y, m, d) {
        return None;
    }
    let (m, d) = if m == 1 && d == 1 { (0, 0) } else { (m, d) };
    Some(BirthDate {
        year: y as u16,
        month: m as u8,
        day: d as u8,
    })
}

fn year2(y: u32) -> u32 {
    if y >= 100 {
        y
    } else if y <= 26 {
        2000 + y
    } else {
        1900 + y
    }
}

/// Parses a birth date. `Ok(None)` for an empty or explicitly unknown value, `Err(NotADate)` for
/// text that is not a date (the caller counts it and keeps the field missing).
///
/// Accepted: `YYYY-MM-DD`, `YYYY/MM/DD`, `DD/MM/YYYY` (and `-`, `.`, space separators;
/// `MM/DD/YYYY` when the first part cannot be a month), `YYYYMMDD`, `YYYY`, `MM/YYYY`,
/// `DD/MM/YY`, and zeros for unknown parts (`1990-00-00`).
pub fn parse_date(s: &str) -> Result<Option<BirthDate>, NotADate> {
    let t = crate::normalise::normalise_text(s);
    if t.is_empty() || crate::record::is_null_token(&t) {
        return Ok(None);
    }
    if t.chars().any(|c| c.is_alphabetic()) {
        return Err(NotADate);
    }
    let parts: Vec<u32> = t
        .split(' ')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().map_err(|_| NotADate))
        .collect::<Result<_, _>>()?;
    let lens: Vec<usize> = t
        .split(' ')
        .filter(|p| !p.is_empty())
        .map(str::len)
        .collect();
    let r = match parts.as_slice() {
        [n] if lens[0] == 8 => {
            let (a, b, c) = (n / 10000, n / 100 % 100, n % 100);
            if valid(a, b, c) {
                make(a, b, c)
            } else {
                // DDMMYYYY
                make(n % 10000, n / 10000 % 100, n / 1000000)
            }
        }
        [y] if lens[0] == 4 => make(*y, 0, 0),
        [a, b] if lens[1] == 4 => make(*b, *a, 0),
        [a, b] if lens[0] == 4 => make(*a, *b, 0),
        [a, b, c] if lens[0] == 4 => make(*a, *b, *c),
        [a, b, c] => {
            let y = year2(*c);
            if *a > 12 || *b <= 12 {
                make(y, *b, *a)
            } else {
                make(y, *a, *b)
            }
        }
        _ => None,
    };
    r.map(Some).ok_or(NotADate)
}

/// Compares two birth dates.
pub fn compare_dates(a: &BirthDate, b: &BirthDate) -> DateLevel {
    if a == b && a.is_full() {
        return DateLevel::Exact;
    }
    let dy = a.year.abs_diff(b.year);
    if a.is_full() && b.is_full() {
        if a.year == b.year && a.month == b.day && a.day == b.month {
            return DateLevel::Near;
        }
        let (da, db) = (a.digits(), b.digits());
        // Positions of the first two differing digits, and how many differ.
        let (mut count, mut first) = (0, [0usize; 2]);
        for i in (0..8).filter(|&i| da[i] != db[i]) {
            if count < 2 {
                first[count] = i;
            }
            count += 1;
        }
        let [i, j] = first;
        let near = match count {
            1 => true,
            2 => j == i + 1 && da[i] == db[j] && da[j] == db[i],
            _ => false,
        };
        if near {
            return DateLevel::Near;
        }
        return match dy {
            0 => DateLevel::SameYear,
            1 => DateLevel::YearOff,
            _ => DateLevel::Different,
        };
    }
    match dy {
        0 if a.month == 0 || b.month == 0 || a.month == b.month || a.month == b.day => {
            DateLevel::YearOnly
        }
        0 => DateLevel::SameYear,
        1 => DateLevel::YearOff,
        _ => DateLevel::Different,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, day: u8) -> BirthDate {
        BirthDate {
            year: y,
            month: m,
            day,
        }
    }

    #[test]
    fn parses_registry_forms() {
        let cases: &[(&str, Result<Option<BirthDate>, NotADate>)] = &[
            ("1990-03-14", Ok(Some(d(1990, 3, 14)))),
            ("14/03/1990", Ok(Some(d(1990, 3, 14)))),
            ("03/14/1990", Ok(Some(d(1990, 3, 14)))),
            ("14.03.90", Ok(Some(d(1990, 3, 14)))),
            ("19900314", Ok(Some(d(1990, 3, 14)))),
            ("14031990", Ok(Some(d(1990, 3, 14)))),
            ("1990", Ok(Some(d(1990, 0, 0)))),
            ("1990-00-00", Ok(Some(d(1990, 0, 0)))),
            ("01/01/1990", Ok(Some(d(1990, 0, 0)))),
            ("03/1990", Ok(Some(d(1990, 3, 0)))),
            ("١٤/٠٣/١٩٩٠", Ok(Some(d(1990, 3, 14)))),
            ("", Ok(None)),
            ("inconnu", Ok(None)),
            ("né vers 1990", Err(NotADate)),
            ("31/31/1990", Err(NotADate)),
            ("12345", Err(NotADate)),
            ("1630-08-01", Ok(Some(d(1630, 8, 1)))),
            ("0990-08-01", Err(NotADate)),
        ];
        for (input, want) in cases {
            assert_eq!(&parse_date(input), want, "input {input:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC*") {
            if let Ok(Some(d)) = parse_date(&s) {
                proptest::prop_assert!(d.month <= 12 && d.day <= 31);
                proptest::prop_assert_eq!(compare_dates(&d, &d) as u8 >= DateLevel::YearOnly as u8, true);
            }
        }
    }

    #[test]
    fn compares_by_levels() {
        use DateLevel::*;
        let cases = [
            (d(1990, 3, 14), d(1990, 3, 14), Exact),
            (d(1990, 3, 4), d(1990, 4, 3), Near),
            (d(1990, 3, 14), d(1990, 3, 15), Near),
            (d(1990, 3, 14), d(1909, 3, 14), Near),
            (d(1990, 0, 0), d(1990, 3, 14), YearOnly),
            (d(1990, 0, 0), d(1990, 0, 0), YearOnly),
            (d(1990, 3, 14), d(1990, 7, 28), SameYear),
            (d(1990, 0, 0), d(1991, 3, 14), YearOff),
            (d(1990, 3, 14), d(1975, 3, 14), Different),
            // Two adjacent digits transposed (day 14 → 41 is no date, but 12 → 21 is).
            (d(1990, 3, 12), d(1990, 3, 21), Near),
            // Two digits off, not adjacent, or adjacent but not a transposition.
            (d(1990, 3, 14), d(1990, 8, 15), SameYear),
            (d(1990, 3, 12), d(1990, 3, 24), SameYear),
            (d(1990, 3, 14), d(1991, 3, 15), YearOff),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare_dates(&a, &b), want, "{a:?} vs {b:?}");
            assert_eq!(compare_dates(&b, &a), want, "{b:?} vs {a:?}");
        }
    }
}
