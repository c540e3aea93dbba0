//! The CLI's core: CSV in, clusters or scored pairs out.
//!
//! Why here and not in the binary: the `passerelle dedup` command, the benchmark and any
//! future import job must read the same columns the same way. Columns are recognised by
//! name (with common French and English aliases), `--map field=column` names the others;
//! a mapped field that is not one of the known ones becomes an extra field compared by
//! string similarity (address, postcode…). Rows are read one at a time and reduced to their
//! prepared form at once, so memory holds prepared records, never the raw file. Values
//! that cannot be parsed (a date "vers 1990", a phone "pas de tel") are kept as missing,
//! counted, and reported at the end; they never stop a run.

use std::io::{Read, Write};

use rayon::prelude::*;

use crate::engine::{Config, LinkReport, Progress, Stage, run};
use crate::error::LinkageError;
use crate::explain::format_explanation;
use crate::normalise::normalise_text;
use crate::record::{ParseIssues, Prepared, Record, prepare};

/// What `dedup_csv` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputKind {
    /// `record_id,cluster_id` for every input row.
    #[default]
    Clusters,
    /// `record_id_a,record_id_b,weight,probability,explanation` for scored candidate pairs.
    Pairs,
}

/// Options of a CSV run.
#[derive(Debug, Clone, Default)]
pub struct DedupOptions {
    /// `(field, column)` mappings that override the recognised names.
    pub mapping: Vec<(String, String)>,
    /// Engine settings.
    pub config: Config,
    /// What to write.
    pub output: OutputKind,
}

impl DedupOptions {
    /// Parses a `field=column` mapping as given on the command line.
    pub fn parse_mapping(s: &str) -> Result<(String, String), LinkageError> {
        match s.split_once('=') {
            Some((f, c)) if !f.trim().is_empty() && !c.trim().is_empty() => {
                Ok((f.trim().to_string(), c.trim().to_string()))
            }
            _ => Err(LinkageError::BadMapping(s.to_string())),
        }
    }
}

/// What a CSV run did, for the closing message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DedupReport {
    /// Input rows.
    pub records: usize,
    /// Rows written.
    pub rows_written: usize,
    /// Engine figures.
    pub link: LinkReport,
    /// Human-readable notes (empty input, unparseable values, duplicate ids).
    pub notes: Vec<String>,
}

/// The known fields and the column names recognised for each.
pub const FIELD_ALIASES: &[(&str, &[&str])] = &[
    (
        "record_id",
        &["record_id", "id", "rec_id", "recid", "identifiant"],
    ),
    (
        "given_name",
        &[
            "given_name",
            "first_name",
            "firstname",
            "prenom",
            "given",
            "forename",
        ],
    ),
    (
        "family_name",
        &[
            "family_name",
            "surname",
            "last_name",
            "lastname",
            "nom",
            "family",
        ],
    ),
    (
        "name_arabic",
        &["name_arabic", "arabic_name", "nom_arabe", "name_ar"],
    ),
    ("sex", &["sex", "gender", "sexe"]),
    (
        "birth_date",
        &[
            "birth_date",
            "date_of_birth",
            "dob",
            "birthdate",
            "date_naissance",
            "date_de_naissance",
        ],
    ),
    (
        "nationality",
        &["nationality", "nationalite", "citizenship"],
    ),
    (
        "phone",
        &["phone", "telephone", "phone_number", "tel", "mobile"],
    ),
    (
        "document_number",
        &[
            "document_number",
            "document",
            "passport",
            "passport_number",
            "id_number",
        ],
    ),
    ("city", &["city", "ville", "town", "locality"]),
];

fn header_key(h: &str) -> String {
    normalise_text(h).replace(' ', "_")
}

/// Column positions of the known fields and of the extra fields.
#[derive(Debug, Clone, Default)]
struct Columns {
    known: [Option<usize>; 10],
    extra: Vec<(String, usize)>,
}

fn resolve(
    headers: &csv::StringRecord,
    mapping: &[(String, String)],
) -> Result<Columns, LinkageError> {
    let keys: Vec<String> = headers.iter().map(header_key).collect();
    let mut cols = Columns::default();
    for (k, (_, aliases)) in FIELD_ALIASES.iter().enumerate() {
        cols.known[k] = aliases
            .iter()
            .find_map(|a| keys.iter().position(|h| h == a));
    }
    for (field, column) in mapping {
        let pos = headers
            .iter()
            .position(|h| h == column)
            .or_else(|| keys.iter().position(|h| *h == header_key(column)))
            .ok_or_else(|| LinkageError::UnknownColumn {
                field: field.clone(),
                column: column.clone(),
            })?;
        match FIELD_ALIASES.iter().position(|(f, _)| *f == field.as_str()) {
            Some(k) => cols.known[k] = Some(pos),
            None => cols.extra.push((field.clone(), pos)),
        }
    }
    let mut missing = Vec::new();
    if cols.known[0].is_none() {
        missing.push("record_id (or id)".to_string());
    }
    if cols.known[1].is_none() && cols.known[2].is_none() && cols.known[3].is_none() {
        missing.push("given_name or family_name or name_arabic".to_string());
    }
    if !missing.is_empty() {
        return Err(LinkageError::MissingColumns {
            missing,
            available: headers.iter().map(str::to_string).collect(),
        });
    }
    if cols.extra.len() > crate::compare::MAX_FIELDS - crate::compare::FIXED_FIELDS {
        return Err(LinkageError::TooManyExtraFields(cols.extra.len()));
    }
    Ok(cols)
}

fn to_record(row: &csv::StringRecord, cols: &Columns) -> Record {
    let get = |k: usize| -> Option<String> {
        cols.known[k]
            .and_then(|i| row.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Record {
        id: get(0).unwrap_or_default(),
        given_name: get(1),
        family_name: get(2),
        name_arabic: get(3),
        sex: get(4),
        birth_date: get(5),
        nationality: get(6),
        phone: get(7),
        document_number: get(8),
        city: get(9),
        extra: cols
            .extra
            .iter()
            .filter_map(|(name, i)| row.get(*i).map(|v| (name.clone(), v.trim().to_string())))
            .collect(),
    }
}

/// Reads a whole CSV file into records (for in-memory use and tests; `dedup_csv` streams
/// instead).
pub fn read_records(
    input: impl Read,
    mapping: &[(String, String)],
) -> Result<Vec<Record>, LinkageError> {
    let mut rdr = reader(input)?;
    let headers = rdr.headers()?.clone();
    if headers.is_empty() {
        return Ok(Vec::new());
    }
    let cols = resolve(&headers, mapping)?;
    let mut out = Vec::new();
    for row in rdr.records() {
        let row = row?;
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        out.push(to_record(&row, &cols));
    }
    Ok(out)
}

const BATCH: usize = 16_384;

/// Guesses the delimiter from the header line: a comma, or the semicolon that French
/// spreadsheet exports use, or a tab.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (count(d), d == b','))
        .unwrap_or(b',')
}

pub(crate) fn reader(
    input: impl Read,
) -> Result<csv::Reader<std::io::BufReader<impl Read>>, LinkageError> {
    use std::io::BufRead;
    let mut buffered = std::io::BufReader::with_capacity(1 << 16, input);
    let delimiter = sniff_delimiter(buffered.fill_buf()?);
    Ok(csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(buffered))
}

pub(crate) struct Loaded {
    pub ids: Vec<Box<str>>,
    pub prepared: Vec<Prepared>,
    pub extra: Vec<String>,
    pub issues: ParseIssues,
    pub had_header: bool,
}

pub(crate) fn load(
    input: impl Read,
    mapping: &[(String, String)],
    source: u32,
    progress: &mut dyn FnMut(Progress),
) -> Result<Loaded, LinkageError> {
    let mut rdr = reader(input)?;
    let headers = rdr.headers()?.clone();
    if headers.is_empty() {
        return Ok(Loaded {
            ids: Vec::new(),
            prepared: Vec::new(),
            extra: Vec::new(),
            issues: ParseIssues::default(),
            had_header: false,
        });
    }
    let cols = resolve(&headers, mapping)?;
    let extra: Vec<String> = cols.extra.iter().map(|(n, _)| n.clone()).collect();
    let mut ids = Vec::new();
    let mut prepared = Vec::new();
    let mut issues = ParseIssues::default();
    let mut row = csv::StringRecord::new();
    // Rows are parsed in batches and each batch is prepared in parallel; only the batch's
    // raw records are held at once.
    let mut batch: Vec<Record> = Vec::with_capacity(BATCH);
    loop {
        let more = rdr.read_record(&mut row)?;
        if more && !row.iter().all(|f| f.trim().is_empty()) {
            batch.push(to_record(&row, &cols));
        }
        if batch.len() == BATCH || (!more && !batch.is_empty()) {
            let done: Vec<(Prepared, ParseIssues)> = batch
                .par_iter()
                .map(|r| {
                    let mut local = ParseIssues::default();
                    let p = prepare(r, &extra, source, &mut local);
                    (p, local)
                })
                .collect();
            for (p, local) in done {
                issues.bad_dates += local.bad_dates;
                issues.bad_phones += local.bad_phones;
                prepared.push(p);
            }
            ids.extend(batch.drain(..).map(|r| r.id.into_boxed_str()));
            progress(Progress {
                stage: Stage::Reading,
                done: ids.len() as u64,
                total: 0,
            });
        }
        if !more {
            break;
        }
    }
    Ok(Loaded {
        ids,
        prepared,
        extra,
        issues,
        had_header: true,
    })
}

pub(crate) fn issue_notes(issues: &ParseIssues, notes: &mut Vec<String>) {
    if issues.bad_dates > 0 {
        notes.push(format!(
            "{} birth dates could not be read and were treated as missing",
            issues.bad_dates
        ));
    }
    if issues.bad_phones > 0 {
        notes.push(format!(
            "{} phone numbers could not be read and were treated as missing",
            issues.bad_phones
        ));
    }
}

pub(crate) fn duplicate_note(ids: &[Box<str>], notes: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    let dups = ids.iter().filter(|id| !seen.insert(&***id)).count();
    if dups > 0 {
        notes.push(format!(
            "{dups} rows repeat a record_id already seen; each row is linked on its own"
        ));
    }
    let empty = ids.iter().filter(|id| id.is_empty()).count();
    if empty > 0 {
        notes.push(format!("{empty} rows have an empty record_id"));
    }
}

/// Deduplicates a CSV registry: writes `record_id,cluster_id` for every input row (cluster
/// ids numbered from 1), or the scored pairs with their explanations.
pub fn dedup_csv(
    input: impl Read,
    output: impl Write,
    opts: &DedupOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<DedupReport, LinkageError> {
    let loaded = load(input, &opts.mapping, 0, progress)?;
    let mut notes = Vec::new();
    let mut wtr = csv::Writer::from_writer(output);
    match opts.output {
        OutputKind::Clusters => wtr.write_record(["record_id", "cluster_id"])?,
        OutputKind::Pairs => wtr.write_record([
            "record_id_a",
            "record_id_b",
            "weight",
            "probability",
            "explanation",
        ])?,
    }
    if loaded.prepared.is_empty() {
        notes.push(if loaded.had_header {
            "the input has a header but no records: nothing to link".to_string()
        } else {
            "the input is empty: nothing to link".to_string()
        });
        wtr.flush()?;
        return Ok(DedupReport {
            notes,
            ..DedupReport::default()
        });
    }
    duplicate_note(&loaded.ids, &mut notes);
    let out = run(
        &loaded.prepared,
        loaded.extra,
        &opts.config,
        false,
        opts.output == OutputKind::Pairs,
        progress,
    )?;
    progress(Progress {
        stage: Stage::Writing,
        done: 0,
        total: loaded.ids.len() as u64,
    });
    let mut rows = 0;
    match opts.output {
        OutputKind::Clusters => {
            for (id, c) in loaded.ids.iter().zip(&out.clusters) {
                wtr.write_record([&**id, &(c + 1).to_string()])?;
                rows += 1;
            }
        }
        OutputKind::Pairs => {
            for p in &out.pairs {
                let s = out
                    .matcher
                    .score_prepared(&loaded.prepared[p.a], &loaded.prepared[p.b]);
                wtr.write_record([
                    &*loaded.ids[p.a],
                    &*loaded.ids[p.b],
                    &format!("{:.3}", p.weight),
                    &format!("{:.6}", p.probability),
                    &format_explanation(&s),
                ])?;
                rows += 1;
            }
        }
    }
    wtr.flush()?;
    issue_notes(&loaded.issues, &mut notes);
    let mut link = out.report;
    link.issues = loaded.issues;
    Ok(DedupReport {
        records: loaded.ids.len(),
        rows_written: rows,
        link,
        notes,
    })
}

/// Links two CSV files (each free of duplicates) and writes the one-to-one matches as
/// `record_id_a,record_id_b,weight,probability,explanation`.
pub fn link_csv_files(
    a: impl Read,
    b: impl Read,
    output: impl Write,
    opts: &DedupOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<DedupReport, LinkageError> {
    let la = load(a, &opts.mapping, 0, progress)?;
    let lb = load(b, &opts.mapping, 1, progress)?;
    let mut notes = Vec::new();
    let mut wtr = csv::Writer::from_writer(output);
    wtr.write_record([
        "record_id_a",
        "record_id_b",
        "weight",
        "probability",
        "explanation",
    ])?;
    let n = la.prepared.len();
    let mut ids = la.ids;
    ids.extend(lb.ids);
    let mut prepared = la.prepared;
    prepared.extend(lb.prepared);
    if n == 0 || prepared.len() == n {
        notes.push("one of the inputs has no records: nothing to link".to_string());
        wtr.flush()?;
        return Ok(DedupReport {
            notes,
            ..DedupReport::default()
        });
    }
    let out = run(&prepared, la.extra, &opts.config, true, false, progress)?;
    let mut rows = 0;
    for &(i, j, w) in &out.matches {
        let (i, j) = (i.min(j), i.max(j));
        let s = out.matcher.score_prepared(&prepared[i], &prepared[j]);
        wtr.write_record([
            &*ids[i],
            &*ids[j],
            &format!("{w:.3}"),
            &format!("{:.6}", crate::fellegi_sunter::probability(w)),
            &format_explanation(&s),
        ])?;
        rows += 1;
    }
    wtr.flush()?;
    let issues = ParseIssues {
        bad_dates: la.issues.bad_dates + lb.issues.bad_dates,
        bad_phones: la.issues.bad_phones + lb.issues.bad_phones,
    };
    issue_notes(&issues, &mut notes);
    let mut link = out.report;
    link.issues = issues;
    Ok(DedupReport {
        records: prepared.len(),
        rows_written: rows,
        link,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn run_csv(
        input: &str,
        mapping: &[(&str, &str)],
        kind: OutputKind,
    ) -> Result<(String, DedupReport), LinkageError> {
        let opts = DedupOptions {
            mapping: mapping
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            output: kind,
            ..DedupOptions::default()
        };
        let mut out = Vec::new();
        let rep = dedup_csv(input.as_bytes(), &mut out, &opts, &mut |_| {})?;
        Ok((String::from_utf8_lossy(&out).into_owned(), rep))
    }

    #[test]
    fn missing_columns_are_named_with_the_map_option() {
        let err = run_csv("ref,prenom_x\n1,Ali\n", &[], OutputKind::Clusters)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("record_id"), "{err}");
        assert!(err.contains("--map"), "{err}");
        assert!(err.contains("prenom_x"), "{err}");
    }

    #[test]
    fn mapping_fixes_missing_columns() {
        let (out, rep) = run_csv(
            "ref,prenom_x\n1,Ali\n2,Aly\n",
            &[("record_id", "ref"), ("given_name", "prenom_x")],
            OutputKind::Clusters,
        )
        .expect("mapped run");
        assert_eq!(rep.records, 2);
        assert_eq!(out.lines().count(), 3);
    }

    #[test]
    fn unknown_mapped_fields_become_extra_fields() {
        let input =
            "id,given_name,family_name,addr\n1,Ali,Ba,12 rue de Fes\n2,Aly,Bah,12 rue de Fès\n";
        let (out, _) = run_csv(input, &[("address", "addr")], OutputKind::Pairs).expect("run");
        assert!(out.contains("address=exact"), "{out}");
        let err = run_csv(input, &[("address", "nowhere")], OutputKind::Pairs)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("nowhere"), "{err}");
    }

    #[test]
    fn two_files_link_through_csv() {
        let a =
            "id,given_name,family_name,birth_date\na1,Youssef,Haddad,1985-02-01\na2,Awa,Sow,1990\n";
        let b = "id,given_name,family_name,birth_date\nb1,Hawa,Sow,1990-05-05\nb2,Yusuf,Hadad,01/02/1985\n";
        let mut out = Vec::new();
        let rep = link_csv_files(
            a.as_bytes(),
            b.as_bytes(),
            &mut out,
            &DedupOptions::default(),
            &mut |_| {},
        )
        .expect("run");
        let out = String::from_utf8_lossy(&out);
        assert_eq!(rep.records, 4);
        assert!(out.contains("a1,b2,"), "{out}");
        assert!(out.contains("a2,b1,"), "{out}");
    }

    #[test]
    fn semicolon_files_from_french_spreadsheets_are_read() {
        let (out, rep) = run_csv(
            "id;prénom;nom\n1;Ali;Ba\n2;Aly;Bah\n",
            &[],
            OutputKind::Clusters,
        )
        .expect("run");
        assert_eq!(rep.records, 2);
        assert_eq!(out.lines().count(), 3);
    }

    #[test]
    fn empty_input_gives_empty_output_and_a_note() {
        let (out, rep) = run_csv("", &[], OutputKind::Clusters).expect("empty run");
        assert_eq!(out.trim(), "record_id,cluster_id");
        assert_eq!(rep.notes.len(), 1);
        let (out, rep) =
            run_csv("id,given_name\n", &[], OutputKind::Clusters).expect("header-only run");
        assert_eq!(out.trim(), "record_id,cluster_id");
        assert!(rep.notes[0].contains("no records"));
    }

    #[test]
    fn bad_values_are_reported_not_fatal() {
        let input = "id,given_name,family_name,birth_date,phone\n\
                     1,Mohamed,Diallo,vers 1990,pas de tel\n\
                     2,Muhammad,Dialo,1990,0661234567\n";
        let (out, rep) = run_csv(input, &[], OutputKind::Clusters).expect("run");
        assert_eq!(out.lines().count(), 3);
        assert_eq!(rep.link.issues.bad_dates, 1);
        assert_eq!(rep.link.issues.bad_phones, 1);
        assert_eq!(rep.notes.len(), 2, "{:?}", rep.notes);
    }

    /// A small file (an NGO's 50 beneficiaries is a real case) has too few candidate pairs
    /// to estimate weights from; the built-in prior then decides, and it must not let a
    /// shared household phone and the weak fields (city, nationality) outweigh a different
    /// given name, sex and birth date.
    const SMALL_HOUSEHOLD_FILE: &str = "\
id,given_name,family_name,name_arabic,sex,birth_date,nationality,phone,document_number,city
a1,Mohamed,Diallo,,M,1994,GN,+212 661 23 45 67,,Rabat
a2,Muhammad,Dialo,,M,1994-03-12,GN,0661234567,,Rabat
a3,,,محمد ديالو,M,1994,GN,,,Rabat
b1,Fatoumata,Camara,,F,1990-05-01,ML,0700112233,P1234567,Casablanca
b2,Fatimata,Kamara,,F,1990-01-05,ML,,P 1234567,Casablanca
c1,Aminata,Diallo,,F,2001-07-07,SN,0612121212,,Rabat
c2,Mamadou,Diallo,,M,1985,SN,0612121212,,Rabat
";

    #[test]
    fn small_file_keeps_a_household_apart_and_links_the_same_persons() {
        let (out, _) =
            run_csv(SMALL_HOUSEHOLD_FILE, &[], OutputKind::Clusters).expect("small file runs");
        let cluster: HashMap<String, String> = out
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let mut groups: Vec<Vec<&str>> = Vec::new();
        let mut ids: Vec<&String> = cluster.keys().collect();
        ids.sort();
        for id in ids {
            match groups.iter_mut().find(|g| cluster[g[0]] == cluster[id]) {
                Some(g) => g.push(id),
                None => groups.push(vec![id]),
            }
        }
        groups.sort();
        assert_eq!(
            groups,
            vec![
                vec!["a1", "a2", "a3"],
                vec!["b1", "b2"],
                vec!["c1"],
                vec!["c2"]
            ],
            "{out}"
        );
    }

    #[test]
    fn small_file_scores_a_household_pair_as_a_non_match() {
        let (out, _) =
            run_csv(SMALL_HOUSEHOLD_FILE, &[], OutputKind::Pairs).expect("small file runs");
        for line in out.lines().skip(1) {
            let f: Vec<&str> = line.splitn(5, ',').collect();
            if f[..2] == ["c1", "c2"] || f[..2] == ["c2", "c1"] {
                // Pairs below `pairs_min_probability` (0.01) are not written at all.
                let p: f64 = f[3].parse().expect("a probability");
                panic!("c1–c2 scored {p}, expected below 0.01: {line}");
            }
        }
    }

    #[test]
    fn pairs_carry_explanations() {
        let input = "id,given_name,family_name,birth_date,phone\n\
                     1,Mohamed,Diallo,1990-03-14,0661234567\n\
                     2,Muhammad,Diallo,14/03/1990,+212661234567\n";
        let (out, _) = run_csv(input, &[], OutputKind::Pairs).expect("run");
        let line = out.lines().nth(1).unwrap_or_default();
        assert!(line.starts_with("1,2,"), "{out}");
        assert!(line.contains("birth_date=exact"), "{out}");
        assert!(line.contains("phone=exact"), "{out}");
    }
}
