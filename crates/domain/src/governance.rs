//! Governance of a strategy: the bodies that steer it (the SNIA's interministerial
//! commission, steering committee and programme committees CP1–CP4, AMUDDU's
//! steering and technical committees), their members, their meetings planned and
//! held, the decisions taken and the follow-up actions with an owner, a due date and
//! a status; and the rules that turn a committee brief's facts into alerts to raise
//! to the steering committee.
//!
//! Everything here parses and decides; the store keeps the rows, the service runs
//! the use cases. Dates are plain `YYYY-MM-DD` text (sortable), checked for the
//! calendar (no 31 June) by [`Day::parse`].

use crate::error::{DomainError, ErrorCode};
use crate::framework::Title;
use serde::{Deserialize, Serialize};

/// A calendar day, `YYYY-MM-DD`, valid in the Gregorian calendar.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day(String);

impl Day {
    pub fn parse(field: &'static str, s: &str) -> Result<Day, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::new(field, ErrorCode::Required));
        }
        let bad = || DomainError::with_value(field, ErrorCode::Format, s);
        let parts: Vec<&str> = s.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(bad());
        };
        let digits = |p: &str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
        if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return Err(bad());
        }
        let (y, m, d): (i64, u32, u32) = (
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        );
        if !(1900..=2100).contains(&y) || !(1..=12).contains(&m) {
            return Err(bad());
        }
        if d < 1 || d > days_in_month(y, m) {
            return Err(DomainError::with_value(field, ErrorCode::ImpossibleDate, s));
        }
        Ok(Day(s.to_string()))
    }

    /// An optional day: empty is `None`.
    pub fn parse_opt(field: &'static str, s: &str) -> Result<Option<Day>, DomainError> {
        if s.trim().is_empty() {
            Ok(None)
        } else {
            Day::parse(field, s).map(Some)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn year(&self) -> i64 {
        self.0.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
    }

    /// Days since 1970-01-01 (negative before), for differences.
    pub fn number(&self) -> i64 {
        let y: i64 = self.year();
        let m: i64 = self.0.get(5..7).and_then(|x| x.parse().ok()).unwrap_or(1);
        let d: i64 = self.0.get(8..10).and_then(|x| x.parse().ok()).unwrap_or(1);
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// `self - other` in days.
    pub fn days_since(&self, other: &Day) -> i64 {
        self.number() - other.number()
    }
}

impl TryFrom<String> for Day {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Day::parse("date", &s).map_err(|e| e.to_string())
    }
}

impl From<Day> for String {
    fn from(d: Day) -> String {
        d.0
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A body's code: `CIM`, `COPIL`, `CP3`, `AMUDDU-CTOS`… upper-case letters, digits
/// and dashes, 2 to 32 characters.
pub fn parse_body_code(field: &'static str, s: &str) -> Result<String, DomainError> {
    let s = s.trim().to_ascii_uppercase();
    if s.is_empty() {
        return Err(DomainError::new(field, ErrorCode::Required));
    }
    let ok = (2..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && s.starts_with(|c: char| c.is_ascii_uppercase());
    if ok {
        Ok(s)
    } else {
        Err(DomainError::with_value(field, ErrorCode::Format, s))
    }
}

/// Declares a closed list of codes with `as_str`, `parse` and `ALL`.
macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
            /// Parses the code, or says which field is wrong and with what.
            pub fn parse(field: &'static str, s: &str) -> Result<$name, DomainError> {
                let t = s.trim();
                if t.is_empty() {
                    return Err(DomainError::new(field, ErrorCode::Required));
                }
                $name::ALL
                    .iter()
                    .copied()
                    .find(|x| x.as_str() == t)
                    .ok_or_else(|| DomainError::with_value(field, ErrorCode::UnknownValue, t))
            }
        }
    };
}

codes!(
    /// What kind of body.
    BodyKind {
        /// Chaired by the Head of Government (décret 2-14-963).
        Commission = "commission",
        /// A technical committee issued from a commission, or a project's CTOS.
        TechnicalCommittee = "technical_committee",
        SteeringCommittee = "steering_committee",
        ProgrammeCommittee = "programme_committee",
        CoordinationCommittee = "coordination_committee",
    }
);

codes!(
    /// How often a body is meant to meet.
    Frequency {
        Monthly = "monthly",
        Quarterly = "quarterly",
        Semiannual = "semiannual",
        Yearly = "yearly",
    }
);

impl Frequency {
    pub fn per_year(self) -> i64 {
        match self {
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
            Frequency::Semiannual => 2,
            Frequency::Yearly => 1,
        }
    }
}

codes!(
    /// A member organisation's role in a body.
    MemberRole {
        Chair = "chair",
        Secretariat = "secretariat",
        Member = "member",
        FocalPoint = "focal_point",
        Observer = "observer",
    }
);

codes!(
    MeetingStatus {
        Planned = "planned",
        Held = "held",
        Postponed = "postponed",
        Cancelled = "cancelled",
    }
);

codes!(
    Presence {
        Present = "present",
        Absent = "absent",
        Excused = "excused",
    }
);

codes!(
    /// Where a follow-up action comes from.
    ActionOrigin {
        Decision = "decision",
        Recommendation = "recommendation",
        PlannedMeasure = "planned_measure",
        Other = "other",
    }
);

codes!(
    /// Where a follow-up action stands.
    FollowUpStatus {
        Open = "open",
        InProgress = "in_progress",
        Done = "done",
        Dropped = "dropped",
    }
);

impl FollowUpStatus {
    /// Still to be done: counts as overdue past its due date.
    pub fn is_open(self) -> bool {
        matches!(self, FollowUpStatus::Open | FollowUpStatus::InProgress)
    }
}

/// What the secretariat records about a meeting, as typed.
#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub planned_on: String,
    pub status: String,
    pub held_on: String,
    pub place: String,
    /// One agenda item per line.
    pub agenda: String,
    pub minutes: String,
}

/// A meeting record that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRecord {
    pub planned_on: Day,
    pub status: MeetingStatus,
    pub held_on: Option<Day>,
    pub place: Option<String>,
    pub agenda: Vec<String>,
    pub minutes: Option<String>,
}

fn text(field: &'static str, s: &str, max: usize) -> Result<Option<String>, DomainError> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(DomainError::with_value(
            field,
            ErrorCode::Length,
            max.to_string(),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(DomainError::new(field, ErrorCode::Format));
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
}

impl MeetingInput {
    /// Checks every field against `today` and returns every problem: a meeting
    /// cannot be held in the future, a held meeting has a date, minutes need a
    /// held meeting.
    pub fn validate(&self, today: &Day) -> Result<MeetingRecord, Vec<DomainError>> {
        let mut errors = Vec::new();
        let planned_on = Day::parse("planned_on", &self.planned_on).map_err(|e| errors.push(e));
        let status = MeetingStatus::parse("status", &self.status).map_err(|e| errors.push(e));
        let mut held_on = Day::parse_opt("held_on", &self.held_on).map_err(|e| errors.push(e));
        let place = text("place", &self.place, 200).map_err(|e| errors.push(e));
        let minutes = text("minutes", &self.minutes, 20_000).map_err(|e| errors.push(e));
        let mut agenda = Vec::new();
        for line in self.agenda.lines() {
            match text("agenda", line, 300) {
                Ok(Some(item)) => agenda.push(item.trim_start_matches(['-', '*', ' ']).to_string()),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        if let (Ok(status), Ok(held)) = (&status, &mut held_on) {
            match status {
                MeetingStatus::Held => {
                    if held.is_none()
                        && let Ok(p) = &planned_on
                    {
                        *held = Some(p.clone());
                    }
                    match held {
                        Some(d) if &*d > today => errors.push(DomainError::with_value(
                            "held_on",
                            ErrorCode::ImpossibleDate,
                            d.as_str(),
                        )),
                        None if planned_on.is_ok() => {
                            errors.push(DomainError::new("held_on", ErrorCode::Required))
                        }
                        _ => {}
                    }
                }
                _ => {
                    if held.is_some() {
                        errors.push(DomainError::with_value(
                            "held_on",
                            ErrorCode::WrongState,
                            status.as_str(),
                        ));
                    }
                }
            }
        }
        if let (Ok(status), Ok(Some(_))) = (&status, &minutes)
            && *status != MeetingStatus::Held
        {
            errors.push(DomainError::with_value(
                "minutes",
                ErrorCode::WrongState,
                status.as_str(),
            ));
        }
        match (planned_on, status, held_on, place, minutes) {
            (Ok(planned_on), Ok(status), Ok(held_on), Ok(place), Ok(minutes))
                if errors.is_empty() =>
            {
                Ok(MeetingRecord {
                    planned_on,
                    status,
                    held_on,
                    place,
                    agenda,
                    minutes,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A follow-up action as typed (a decision's action, a recommendation, a measure).
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub title: String,
    pub origin: String,
    pub source_ref: String,
    /// An organisation code; resolved by the service.
    pub owner: String,
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRecord {
    pub title: String,
    pub origin: ActionOrigin,
    pub source_ref: Option<String>,
    pub owner: String,
    pub due_on: Option<Day>,
}

impl ActionInput {
    pub fn validate(&self) -> Result<ActionRecord, Vec<DomainError>> {
        let mut errors = Vec::new();
        let title = match text("title", &self.title, 500) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                errors.push(DomainError::new("title", ErrorCode::Required));
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let origin = ActionOrigin::parse("origin", &self.origin).map_err(|e| errors.push(e));
        let source_ref = text("source_ref", &self.source_ref, 300).map_err(|e| errors.push(e));
        let owner = self.owner.trim().to_ascii_uppercase();
        if owner.is_empty() {
            errors.push(DomainError::new("owner", ErrorCode::Required));
        }
        let due_on = Day::parse_opt("due_on", &self.due_on).map_err(|e| errors.push(e));
        match (title, origin, source_ref, due_on) {
            (Some(title), Ok(origin), Ok(source_ref), Ok(due_on)) if errors.is_empty() => {
                Ok(ActionRecord {
                    title,
                    origin,
                    source_ref,
                    owner,
                    due_on,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Which way a figure moved between two meetings, read with the indicator's
/// direction: for a "decrease" indicator going down is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Improving,
    Worsening,
    Stable,
    /// No earlier figure to compare with.
    New,
    /// No figure at all.
    None,
}

impl Trend {
    pub fn of(direction: &str, previous: Option<f64>, latest: Option<f64>) -> Trend {
        match (previous, latest) {
            (_, None) => Trend::None,
            (None, Some(_)) => Trend::New,
            (Some(p), Some(l)) => {
                let delta = l - p;
                if delta.abs() < 1e-9 {
                    Trend::Stable
                } else if (delta > 0.0) == (direction != "decrease") {
                    Trend::Improving
                } else {
                    Trend::Worsening
                }
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Improving => "improving",
            Trend::Worsening => "worsening",
            Trend::Stable => "stable",
            Trend::New => "new",
            Trend::None => "none",
        }
    }
}

codes!(
    /// The kinds of alert a programme committee raises to the steering committee.
    AlertKind {
        /// An indicator less than half way from its baseline to its target.
        IndicatorBehind = "indicator_behind",
        /// A follow-up action past its due date and not done.
        ActionOverdue = "action_overdue",
        /// A data-set submission missing more than `days` after its period ended.
        SubmissionOverdue = "submission_overdue",
        /// A meeting of the body planned before the brief's date and not held.
        MeetingNotHeld = "meeting_not_held",
    }
);

/// One alert rule: its kind and its threshold in days where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AlertRule {
    pub kind: AlertKind,
    /// Days of grace: an action or a submission this late, or more.
    pub days: i64,
}

/// The rules the brief applies, as data: the report asks programme committees to
/// "identifier … les alertes à remonter au comité de pilotage"; these are the
/// facts that make one.
pub const ALERT_RULES: &[AlertRule] = &[
    AlertRule {
        kind: AlertKind::IndicatorBehind,
        days: 0,
    },
    AlertRule {
        kind: AlertKind::ActionOverdue,
        days: 0,
    },
    AlertRule {
        kind: AlertKind::SubmissionOverdue,
        days: 90,
    },
    AlertRule {
        kind: AlertKind::MeetingNotHeld,
        days: 0,
    },
];

/// The shipped description of the bodies (`data/governance/bodies.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodiesFile {
    pub bodies: Vec<BodyDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyDef {
    pub code: String,
    pub kind: String,
    pub name: Title,
    #[serde(default)]
    pub legal_basis: Option<String>,
    #[serde(default)]
    pub frequency: Option<String>,
    #[serde(default)]
    pub parent: Option<String>,
    /// Framework nodes the body steers, `SNIA:P6`.
    #[serde(default)]
    pub steers: Vec<String>,
    #[serde(default)]
    pub members: Vec<MemberDef>,
    /// Where the description comes from.
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberDef {
    pub organisation: String,
    pub role: String,
    /// The office that sits (`Secrétaire général`), as the source words it.
    #[serde(default)]
    pub title: Option<String>,
}

/// A meeting of the shipped calendar (`data/governance/meetings.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRow {
    pub line: u64,
    pub body: String,
    pub planned_on: Day,
    pub status: MeetingStatus,
    pub held_on: Option<Day>,
    pub place: Option<String>,
    pub source: Option<String>,
}

/// A problem in a governance file: which file, line (0 for JSON), field, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovIssue {
    pub file: String,
    pub line: u64,
    pub field: String,
    pub code: ErrorCode,
    pub value: String,
}

impl std::fmt::Display for GovIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: {} ({})",
            self.file, self.line, self.field, self.code, self.value
        )
    }
}

/// Checks the bodies file whole: codes, kinds, frequencies, roles, parents that
/// exist, no body twice. Organisations and framework nodes are checked against the
/// store by the service.
pub fn check_bodies(file: &BodiesFile) -> Vec<GovIssue> {
    let mut issues = Vec::new();
    let mut push = |i: usize, field: String, e: DomainError| {
        issues.push(GovIssue {
            file: "bodies.json".into(),
            line: 0,
            field: format!("bodies[{i}].{field}"),
            code: e.code,
            value: e.value.unwrap_or_default(),
        })
    };
    let codes: Vec<String> = file.bodies.iter().map(|b| b.code.clone()).collect();
    for (i, b) in file.bodies.iter().enumerate() {
        if let Err(e) = parse_body_code("code", &b.code) {
            push(i, "code".into(), e);
        }
        if codes.iter().filter(|c| **c == b.code).count() > 1 {
            push(
                i,
                "code".into(),
                DomainError::with_value("code", ErrorCode::AlreadyExists, b.code.clone()),
            );
        }
        if let Err(e) = BodyKind::parse("kind", &b.kind) {
            push(i, "kind".into(), e);
        }
        if let Some(f) = &b.frequency
            && let Err(e) = Frequency::parse("frequency", f)
        {
            push(i, "frequency".into(), e);
        }
        if b.name.fr.trim().is_empty() {
            push(
                i,
                "name.fr".into(),
                DomainError::new("name", ErrorCode::Required),
            );
        }
        if let Some(p) = &b.parent
            && (!codes.contains(p) || *p == b.code)
        {
            push(
                i,
                "parent".into(),
                DomainError::with_value("parent", ErrorCode::UnknownValue, p.clone()),
            );
        }
        for (k, s) in b.steers.iter().enumerate() {
            if !s.contains(':') {
                push(
                    i,
                    format!("steers[{k}]"),
                    DomainError::with_value("steers", ErrorCode::Format, s.clone()),
                );
            }
        }
        for (k, m) in b.members.iter().enumerate() {
            if let Err(e) = MemberRole::parse("role", &m.role) {
                push(i, format!("members[{k}].role"), e);
            }
        }
    }
    issues
}

/// Reads the meetings calendar: `body,planned_on,status,held_on,place,source`.
pub fn parse_meetings_csv(text: &str, bodies: &[String]) -> (Vec<MeetingRow>, Vec<GovIssue>) {
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            issues.push(GovIssue {
                file: "meetings.csv".into(),
                line: 1,
                field: "header".into(),
                code: ErrorCode::Format,
                value: e.to_string(),
            });
            return (rows, issues);
        }
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    for name in ["body", "planned_on", "status"] {
        if col(name).is_none() {
            issues.push(GovIssue {
                file: "meetings.csv".into(),
                line: 1,
                field: name.into(),
                code: ErrorCode::Required,
                value: String::new(),
            });
        }
    }
    if !issues.is_empty() {
        return (rows, issues);
    }
    for (k, rec) in reader.records().enumerate() {
        let line = k as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                issues.push(GovIssue {
                    file: "meetings.csv".into(),
                    line,
                    field: "row".into(),
                    code: ErrorCode::Format,
                    value: e.to_string(),
                });
                continue;
            }
        };
        let get = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("").trim();
        let mut bad = |e: DomainError| {
            issues.push(GovIssue {
                file: "meetings.csv".into(),
                line,
                field: e.field.to_string(),
                code: e.code,
                value: e.value.unwrap_or_default(),
            })
        };
        let body = get("body").to_ascii_uppercase();
        if !bodies.contains(&body) {
            bad(DomainError::with_value(
                "body",
                ErrorCode::UnknownValue,
                body.clone(),
            ));
        }
        let planned = Day::parse("planned_on", get("planned_on")).map_err(&mut bad);
        let status = MeetingStatus::parse("status", get("status")).map_err(&mut bad);
        let held = Day::parse_opt("held_on", get("held_on")).map_err(&mut bad);
        if let (Ok(planned_on), Ok(status), Ok(held_on)) = (planned, status, held) {
            rows.push(MeetingRow {
                line,
                body,
                planned_on,
                status,
                held_on,
                place: Some(get("place").to_string()).filter(|s| !s.is_empty()),
                source: Some(get("source").to_string()).filter(|s| !s.is_empty()),
            });
        }
    }
    (rows, issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse("d", s).expect("a valid day")
    }

    #[test]
    fn days_parse_and_count() {
        assert_eq!(day("2020-11-13").days_since(&day("2020-10-06")), 38);
        assert_eq!(day("2021-01-01").days_since(&day("2020-12-31")), 1);
        assert_eq!(day("1970-01-01").number(), 0);
        let bad = [
            ("", ErrorCode::Required),
            ("2020-13-01", ErrorCode::Format),
            ("13/11/2020", ErrorCode::Format),
            ("2020-06-31", ErrorCode::ImpossibleDate),
            ("2019-02-29", ErrorCode::ImpossibleDate),
        ];
        for (s, code) in bad {
            assert_eq!(Day::parse("d", s).map_err(|e| e.code), Err(code), "{s}");
        }
        assert!(Day::parse("d", "2020-02-29").is_ok());
    }

    #[test]
    fn a_meeting_cannot_be_held_in_the_future() {
        let today = day("2020-11-13");
        let held = |held_on: &str| MeetingInput {
            planned_on: "2020-11-13".into(),
            status: "held".into(),
            held_on: held_on.into(),
            ..Default::default()
        };
        let errors = held("2020-12-01").validate(&today).expect_err("future");
        assert_eq!(errors[0].field, "held_on");
        assert_eq!(errors[0].code, ErrorCode::ImpossibleDate);
        // Held without a date: the planned date.
        let r = held("").validate(&today).expect("held today");
        assert_eq!(r.held_on, Some(today.clone()));
        // Planned in the future is fine; minutes need a held meeting.
        let planned = MeetingInput {
            planned_on: "2021-01-10".into(),
            status: "planned".into(),
            minutes: "PV".into(),
            agenda: "- Point 1\n\n- Point 2".into(),
            ..Default::default()
        };
        let errors = planned.validate(&today).expect_err("minutes");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "minutes");
        let ok = MeetingInput {
            minutes: String::new(),
            ..planned
        }
        .validate(&today)
        .expect("planned");
        assert_eq!(ok.agenda, vec!["Point 1", "Point 2"]);
        // Every problem at once.
        let errors = MeetingInput {
            planned_on: "x".into(),
            status: "done".into(),
            ..Default::default()
        }
        .validate(&today)
        .expect_err("two errors");
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["planned_on", "status"]);
    }

    #[test]
    fn an_action_needs_a_title_an_origin_and_an_owner() {
        let errors = ActionInput::default().validate().expect_err("empty");
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["title", "origin", "owner"]);
        let ok = ActionInput {
            title: "Relancer les agences".into(),
            origin: "decision".into(),
            owner: "anapec".into(),
            due_on: "2020-12-31".into(),
            ..Default::default()
        }
        .validate()
        .expect("valid");
        assert_eq!(ok.owner, "ANAPEC");
        assert_eq!(ok.due_on, Some(day("2020-12-31")));
    }

    #[test]
    fn trends_read_the_direction() {
        assert_eq!(
            Trend::of("increase", Some(1.0), Some(2.0)),
            Trend::Improving
        );
        assert_eq!(
            Trend::of("decrease", Some(1.0), Some(2.0)),
            Trend::Worsening
        );
        assert_eq!(
            Trend::of("decrease", Some(3.0), Some(2.0)),
            Trend::Improving
        );
        assert_eq!(Trend::of("increase", Some(2.0), Some(2.0)), Trend::Stable);
        assert_eq!(Trend::of("increase", None, Some(2.0)), Trend::New);
        assert_eq!(Trend::of("increase", Some(2.0), None), Trend::None);
    }

    #[test]
    fn body_files_are_checked_whole() {
        let file: BodiesFile = serde_json::from_str(
            r#"{"bodies": [
              {"code": "CP3", "kind": "programme_committee", "name": {"fr": "CP3"}, "frequency": "monthly", "parent": "COPIL", "steers": ["SNIA:P6"],
               "members": [{"organisation": "ANAPEC", "role": "focal_point"}]},
              {"code": "cp 9", "kind": "club", "name": {"fr": ""}, "frequency": "weekly", "parent": "NONE", "steers": ["P7"],
               "members": [{"organisation": "X", "role": "boss"}]}
            ]}"#,
        )
        .expect("json");
        let issues = check_bodies(&file);
        let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "bodies[0].parent",
                "bodies[1].code",
                "bodies[1].kind",
                "bodies[1].frequency",
                "bodies[1].name.fr",
                "bodies[1].parent",
                "bodies[1].steers[0]",
                "bodies[1].members[0].role"
            ]
        );
    }

    #[test]
    fn the_meetings_calendar_reports_each_bad_line() {
        let text = "body,planned_on,status,held_on,place,source\n\
                    CP3,2020-06-09,held,2020-06-09,en ligne,rapport 2020\n\
                    CP9,2020-06-31,met,,,\n";
        let (rows, issues) = parse_meetings_csv(text, &["CP3".to_string()]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].place.as_deref(), Some("en ligne"));
        let got: Vec<(u64, &str, ErrorCode)> = issues
            .iter()
            .map(|i| (i.line, i.field.as_str(), i.code))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "body", ErrorCode::UnknownValue),
                (3, "planned_on", ErrorCode::ImpossibleDate),
                (3, "status", ErrorCode::UnknownValue)
            ]
        );
    }
}
