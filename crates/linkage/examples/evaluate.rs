//! Runs the engine on a CSV data set with ground truth and prints precision, recall, F1
//! and time. Used by `scripts/bench-linkage/run.sh`.
//!
//! ```text
//! evaluate dedup FILE.csv --truth person_id [--map field=column]...
//! evaluate link A.csv B.csv --truth person_id [--map field=column]...
//! evaluate generate OUT.csv --records N [--seed S]
//! evaluate pprl FILE.csv --truth person_id [--parts 3] [--map field=column]...
//! evaluate pprl-link A.csv B.csv --truth COL [--map field=column]...
//! evaluate run IN.csv OUT.csv                   (as the CLI: no ground truth in memory)
//! evaluate breakdown FILE.csv --truth COL       (where true pairs are lost, false links made)
//! evaluate params FILE.csv                      (the estimated m, u, r and class shares)
//! evaluate features FILE.csv PAIRS.csv --truth COL   (every candidate pair: levels, weights, truth)
//! evaluate recluster FILE.csv WEIGHTS.csv --truth COL (cluster pair weights from elsewhere)
//! ```
//! Options: `--random-pairs N`, `--max-block N`, `--window N`, `--em-iterations N`,
//! `--threshold P`, `--min-mean P` (clustering's mean probability), `--cannot-link BITS` set
//! the engine's `Config`; `UNBLOCKED=1` makes `breakdown` list the keys that missed pairs
//! share and count those the model would link if they were compared.
//! `pprl` splits FILE across `--parts` organisations (by its `organisation` column when it
//! has one, else row by row), encodes each part with a key, links the encoded parts, and
//! prints the figures of the same run on clear text for comparison. `pprl-link` does the
//! same for two files linked one-to-one (FEBRL4).
//! The truth column is read only by this program, never by the engine. `PPRL_DIFFUSION=t`
//! sets the encodings' diffusion (default `pprl::DEFAULT_DIFFUSION`, 0 for plain filters).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use passerelle_linkage::generator::{GeneratorConfig, generate, write_csv};
use passerelle_linkage::score::{PairwiseScore, pairwise};
use passerelle_linkage::{
    DedupOptions, EncodeOptions, MatchOptions, OutputKind, dedup_csv, encode_csv, link_csv_files,
    match_csv,
};

const EVAL_KEY: &[u8] = b"evaluation key: in production, a secret shared among partners";

/// Encodes each clear CSV (in memory) and returns the encodings and the seconds spent.
fn encode_all(parts: &[Vec<u8>], opts: &DedupOptions) -> Res<(Vec<Vec<u8>>, f64)> {
    let eo = EncodeOptions {
        mapping: opts.mapping.clone(),
        diffusion: std::env::var("PPRL_DIFFUSION")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(passerelle_linkage::pprl::DEFAULT_DIFFUSION),
        ..EncodeOptions::default()
    };
    let t0 = Instant::now();
    let mut out = Vec::new();
    for p in parts {
        let mut e = Vec::new();
        let rep = encode_csv(p.as_slice(), &mut e, EVAL_KEY, &eo, &mut |_| {})?;
        for n in &rep.notes {
            eprintln!("encode note: {n}");
        }
        out.push(e);
    }
    Ok((out, t0.elapsed().as_secs_f64()))
}

/// Splits a CSV into `parts` CSVs with the same header: by the `organisation` column when
/// there is one (all rows of an organisation in one part), else round robin.
fn split_csv(path: &str, parts: usize) -> Res<Vec<Vec<u8>>> {
    let mut rdr = csv::Reader::from_path(path)?;
    let h = rdr.headers()?.clone();
    let org = h.iter().position(|c| c == "organisation");
    let mut wtrs: Vec<csv::Writer<Vec<u8>>> = (0..parts)
        .map(|_| csv::Writer::from_writer(Vec::new()))
        .collect();
    for w in &mut wtrs {
        w.write_record(&h)?;
    }
    let mut orgs: Vec<String> = Vec::new();
    for (k, r) in rdr.records().enumerate() {
        let r = r?;
        let part = match org.and_then(|i| r.get(i)) {
            Some(o) => {
                let pos = match orgs.iter().position(|x| x == o) {
                    Some(p) => p,
                    None => {
                        orgs.push(o.to_string());
                        orgs.len() - 1
                    }
                };
                pos % parts
            }
            None => k % parts,
        };
        wtrs[part].write_record(&r)?;
    }
    let mut out = Vec::new();
    for w in wtrs {
        out.push(w.into_inner().map_err(|e| e.to_string())?);
    }
    Ok(out)
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn column(path: &str, name: &str, key: &str) -> Res<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path)?;
    let h = rdr.headers()?.clone();
    let ti = h
        .iter()
        .position(|c| c == name)
        .ok_or(format!("no column {name} in {path}"))?;
    let ki = h
        .iter()
        .position(|c| c == key)
        .ok_or(format!("no column {key} in {path}"))?;
    let mut m = HashMap::new();
    for r in rdr.records() {
        let r = r?;
        m.insert(
            r.get(ki).unwrap_or_default().to_string(),
            r.get(ti).unwrap_or_default().to_string(),
        );
    }
    Ok(m)
}

fn id_column(path: &str, opts: &DedupOptions) -> Res<String> {
    if let Some((_, c)) = opts.mapping.iter().find(|(f, _)| f == "record_id") {
        return Ok(c.clone());
    }
    let mut rdr = csv::Reader::from_path(path)?;
    let h = rdr.headers()?.clone();
    for c in ["record_id", "id", "rec_id"] {
        if h.iter().any(|x| x == c) {
            return Ok(c.to_string());
        }
    }
    Err("no id column".into())
}

fn print(name: &str, n: usize, s: &PairwiseScore, secs: f64) {
    println!(
        "RESULT dataset={name} records={n} precision={:.4} recall={:.4} f1={:.4} seconds={secs:.3} tp={} predicted={} true={}",
        s.precision, s.recall, s.f1, s.true_positives, s.predicted_pairs, s.true_pairs
    );
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut truth = "person_id".to_string();
    let mut opts = DedupOptions::default();
    let mut records = 5000usize;
    let mut seed = 1u64;
    let mut parts = 3usize;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--truth" => {
                truth = args.get(i + 1).cloned().ok_or("--truth needs a value")?;
                i += 1;
            }
            "--map" => {
                opts.mapping.push(DedupOptions::parse_mapping(
                    args.get(i + 1).ok_or("--map needs a value")?,
                )?);
                i += 1;
            }
            "--records" => {
                records = args.get(i + 1).ok_or("--records needs a value")?.parse()?;
                i += 1;
            }
            "--em-iterations" => {
                opts.config.em_max_iterations = args
                    .get(i + 1)
                    .ok_or("--em-iterations needs a value")?
                    .parse()?;
                i += 1;
            }
            "--random-pairs" => {
                opts.config.random_pairs = args
                    .get(i + 1)
                    .ok_or("--random-pairs needs a value")?
                    .parse()?;
                i += 1;
            }
            "--max-block" => {
                opts.config.blocking.max_block_size = args
                    .get(i + 1)
                    .ok_or("--max-block needs a value")?
                    .parse()?;
                i += 1;
            }
            "--window" => {
                opts.config.blocking.window =
                    args.get(i + 1).ok_or("--window needs a value")?.parse()?;
                i += 1;
            }
            "--threshold" => {
                opts.config.threshold = args
                    .get(i + 1)
                    .ok_or("--threshold needs a value")?
                    .parse()?;
                i += 1;
            }
            "--min-mean" => {
                opts.config.cluster.min_mean_probability =
                    args.get(i + 1).ok_or("--min-mean needs a value")?.parse()?;
                i += 1;
            }
            "--cannot-link" => {
                opts.config.cluster.cannot_link_weight = args
                    .get(i + 1)
                    .ok_or("--cannot-link needs a value")?
                    .parse()?;
                i += 1;
            }
            "--parts" => {
                parts = args.get(i + 1).ok_or("--parts needs a value")?.parse()?;
                i += 1;
            }
            "--seed" => {
                seed = args.get(i + 1).ok_or("--seed needs a value")?.parse()?;
                i += 1;
            }
            a => positional.push(a.to_string()),
        }
        i += 1;
    }
    match positional.first().map(String::as_str) {
        Some("generate") => {
            let out = positional.get(1).ok_or("generate needs OUT.csv")?;
            let recs = generate(&GeneratorConfig {
                records,
                seed,
                ..GeneratorConfig::default()
            });
            write_csv(&recs, File::create(out)?)?;
            eprintln!("wrote {} records to {out}", recs.len());
        }
        Some("dedup") => {
            let path = positional.get(1).ok_or("dedup needs FILE.csv")?;
            let idc = id_column(path, &opts)?;
            let truth_of = column(path, &truth, &idc)?;
            let t0 = Instant::now();
            let mut out = Vec::new();
            let rep = dedup_csv(
                BufReader::new(File::open(path)?),
                &mut out,
                &opts,
                &mut |p| eprintln!("{:.3}s {:?}", t0.elapsed().as_secs_f64(), p),
            )?;
            let secs = t0.elapsed().as_secs_f64();
            let mut rdr = csv::Reader::from_reader(out.as_slice());
            let (mut pred, mut tru) = (Vec::new(), Vec::new());
            for r in rdr.records() {
                let r = r?;
                pred.push(r.get(1).unwrap_or_default().to_string());
                tru.push(
                    truth_of
                        .get(r.get(0).unwrap_or_default())
                        .cloned()
                        .unwrap_or_default(),
                );
            }
            eprintln!("{:?}", rep.link);
            for n in &rep.notes {
                eprintln!("note: {n}");
            }
            print(path, rep.records, &pairwise(&pred, &tru), secs);
        }
        Some("pprl") => {
            let path = positional.get(1).ok_or("pprl needs FILE.csv")?;
            let idc = id_column(path, &opts)?;
            let truth_of = column(path, &truth, &idc)?;
            // Clear text on the whole file.
            let t0 = Instant::now();
            let mut out = Vec::new();
            let rep = dedup_csv(
                BufReader::new(File::open(path)?),
                &mut out,
                &opts,
                &mut |_| {},
            )?;
            let clear_secs = t0.elapsed().as_secs_f64();
            let mut rdr = csv::Reader::from_reader(out.as_slice());
            let (mut pred, mut tru) = (Vec::new(), Vec::new());
            for r in rdr.records() {
                let r = r?;
                pred.push(r.get(1).unwrap_or_default().to_string());
                tru.push(
                    truth_of
                        .get(r.get(0).unwrap_or_default())
                        .cloned()
                        .unwrap_or_default(),
                );
            }
            print(
                &format!("{path} clear"),
                rep.records,
                &pairwise(&pred, &tru),
                clear_secs,
            );
            // Encoded, split across organisations.
            let split = split_csv(path, parts)?;
            let (encoded, enc_secs) = encode_all(&split, &opts)?;
            let bytes: usize = encoded.iter().map(Vec::len).sum();
            let t1 = Instant::now();
            let mut out = Vec::new();
            let mrep = match_csv(
                encoded.iter().map(Vec::as_slice).collect(),
                &mut out,
                &MatchOptions {
                    config: opts.config.clone(),
                    ..MatchOptions::default()
                },
                &mut |_| {},
            )?;
            let match_secs = t1.elapsed().as_secs_f64();
            let mut rdr = csv::Reader::from_reader(out.as_slice());
            let (mut pred, mut tru) = (Vec::new(), Vec::new());
            for r in rdr.records() {
                let r = r?;
                pred.push(r.get(2).unwrap_or_default().to_string());
                tru.push(
                    truth_of
                        .get(r.get(1).unwrap_or_default())
                        .cloned()
                        .unwrap_or_default(),
                );
            }
            eprintln!("{:?}", mrep.link);
            print(
                &format!("{path} encoded({parts} parts)"),
                mrep.records,
                &pairwise(&pred, &tru),
                match_secs,
            );
            println!("ENCODE seconds={enc_secs:.3} bytes={bytes}");
        }
        Some("pprl-link") => {
            let a = positional.get(1).ok_or("pprl-link needs A.csv B.csv")?;
            let b = positional.get(2).ok_or("pprl-link needs A.csv B.csv")?;
            let idc = id_column(a, &opts)?;
            let ta = column(a, &truth, &idc)?;
            let tb = column(b, &truth, &idc)?;
            let (encoded, enc_secs) = encode_all(&[std::fs::read(a)?, std::fs::read(b)?], &opts)?;
            let t0 = Instant::now();
            let mut out = Vec::new();
            let rep = match_csv(
                encoded.iter().map(Vec::as_slice).collect(),
                &mut out,
                &MatchOptions {
                    config: opts.config.clone(),
                    output: OutputKind::Pairs,
                    one_to_one: true,
                    ..MatchOptions::default()
                },
                &mut |_| {},
            )?;
            let secs = t0.elapsed().as_secs_f64();
            let mut rdr = csv::Reader::from_reader(out.as_slice());
            let mut predicted = HashSet::new();
            for r in rdr.records() {
                let r = r?;
                predicted.insert((
                    r.get(1).unwrap_or_default().to_string(),
                    r.get(3).unwrap_or_default().to_string(),
                ));
            }
            let mut by_truth: HashMap<&str, usize> = HashMap::new();
            for t in tb.values() {
                *by_truth.entry(t.as_str()).or_insert(0) += 1;
            }
            let true_pairs: usize = ta
                .values()
                .map(|t| by_truth.get(t.as_str()).copied().unwrap_or(0))
                .sum();
            let tp = predicted
                .iter()
                .filter(|(x, y)| matches!((ta.get(x), tb.get(y)), (Some(p), Some(q)) if p == q))
                .count();
            eprintln!("{:?}", rep.link);
            let s =
                PairwiseScore::from_counts(tp as u64, predicted.len() as u64, true_pairs as u64);
            print(&format!("{a}+{b} encoded"), rep.records, &s, secs);
            println!("ENCODE seconds={enc_secs:.3}");
        }
        Some("run") => {
            // What the CLI does: CSV in, clusters out, no ground truth held in memory.
            let path = positional.get(1).ok_or("run needs IN.csv OUT.csv")?;
            let out = positional.get(2).ok_or("run needs IN.csv OUT.csv")?;
            let t0 = Instant::now();
            let rep = dedup_csv(
                BufReader::new(File::open(path)?),
                std::io::BufWriter::new(File::create(out)?),
                &opts,
                &mut |_| {},
            )?;
            eprintln!("{:?}", rep.link);
            println!(
                "RUN records={} seconds={:.3}",
                rep.records,
                t0.elapsed().as_secs_f64()
            );
        }
        Some("diagnose") => {
            // Prints the wrongly linked pairs (above threshold, different persons) and
            // missed pairs (below threshold, same person) with their explanations.
            let path = positional.get(1).ok_or("diagnose needs FILE.csv")?;
            let idc = id_column(path, &opts)?;
            let truth_of = column(path, &truth, &idc)?;
            opts.output = OutputKind::Pairs;
            opts.config.pairs_min_probability = 0.0;
            let mut out = Vec::new();
            let rep = dedup_csv(
                BufReader::new(File::open(path)?),
                &mut out,
                &opts,
                &mut |_| {},
            )?;
            eprintln!("{:?}", rep.link);
            let mut by_person: HashMap<&str, u64> = HashMap::new();
            for t in truth_of.values() {
                *by_person.entry(t.as_str()).or_insert(0) += 1;
            }
            let true_pairs: u64 = by_person.values().map(|n| n * (n - 1) / 2).sum();
            let mut blocked_true = 0u64;
            let mut rdr = csv::Reader::from_reader(out.as_slice());
            let (mut fp, mut fneg) = (0, 0);
            for r in rdr.records() {
                let r = r?;
                let same = truth_of.get(r.get(0).unwrap_or_default())
                    == truth_of.get(r.get(1).unwrap_or_default());
                let p: f64 = r.get(3).unwrap_or("0").parse()?;
                if same {
                    blocked_true += 1;
                }
                if p >= 0.5 && !same {
                    fp += 1;
                    if fp <= 25 {
                        println!("FP {:?}", r);
                    }
                } else if p < 0.5 && same {
                    fneg += 1;
                    if fneg <= 25 {
                        println!("FN {:?}", r);
                    }
                }
            }
            println!(
                "false positives {fp}, false negatives (scored) {fneg}; true pairs {true_pairs}, of which blocked {blocked_true}"
            );
        }
        Some("breakdown") => {
            // Where true pairs are lost (not blocked / scored below the threshold / split
            // by clustering) and where false links come from (a pair above the threshold,
            // or transitivity inside a cluster), with the most frequent patterns of each.
            let path = positional.get(1).ok_or("breakdown needs FILE.csv")?;
            let idc = id_column(path, &opts)?;
            let truth_of = column(path, &truth, &idc)?;
            let recs = passerelle_linkage::csvio::read_records(File::open(path)?, &opts.mapping)?;
            let person: Vec<&str> = recs
                .iter()
                .map(|r| truth_of.get(&r.id).map(String::as_str).unwrap_or(""))
                .collect();
            opts.config.pairs_min_probability = 0.0;
            // `FALSE_NAMES=1`: the model, the names the false links kept are made of, and
            // up to six missed pairs that agree on birth date, sex and phone.
            let names_of_false = std::env::var("FALSE_NAMES").is_ok();
            let t0 = Instant::now();
            let l = passerelle_linkage::link(&recs, &opts.config)?;
            eprintln!("{:.2}s {:?}", t0.elapsed().as_secs_f64(), l.report);
            if names_of_false {
                let p = l.matcher.params();
                for f in 0..p.fields() {
                    println!(
                        "field {f}: m {:.4?}\n         u {:.6?}\n         r {:.4?}",
                        p.m[f],
                        p.u[f],
                        p.r.get(f)
                    );
                }
                println!("lambda {:e} related {:e}", p.lambda, p.lambda_related);
            }
            let mut by_person: HashMap<&str, Vec<usize>> = HashMap::new();
            for (i, p) in person.iter().enumerate() {
                by_person.entry(p).or_default().push(i);
            }
            let true_pairs: usize = by_person
                .values()
                .map(|v| v.len() * (v.len() - 1) / 2)
                .sum();
            let mut blocked = 0usize;
            let mut above = 0usize;
            let mut rescued = 0usize;
            let mut split = 0usize;
            let mut missed: HashMap<String, usize> = HashMap::new();
            let mut fp_edge = 0usize;
            let mut fp_edge_kept = 0usize;
            let mut fp_kinds: HashMap<String, usize> = HashMap::new();
            let mut false_names: HashMap<String, usize> = HashMap::new();
            let mut shown = 0;
            let summary = |s: &passerelle_linkage::PairScore| {
                s.explanation
                    .iter()
                    .filter(|f| f.field != "nationality")
                    .map(|f| format!("{}={}", &f.field[..3.min(f.field.len())], f.level))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            for p in &l.pairs {
                let same = person[p.a] == person[p.b];
                let together = l.clusters[p.a] == l.clusters[p.b];
                if same {
                    blocked += 1;
                    if p.probability >= opts.config.threshold {
                        above += 1;
                        if !together {
                            split += 1;
                        }
                    } else if together {
                        rescued += 1;
                    } else {
                        let s = l.matcher.score_pair(&recs[p.a], &recs[p.b]);
                        let k = summary(&s);
                        if names_of_false
                            && k.contains("bir=exact sex=exact pho=exact")
                            && shown < 6
                        {
                            shown += 1;
                            println!(
                                "MISSED {:?}\n   {:?}\n   w={:.2} {:?}",
                                recs[p.a],
                                recs[p.b],
                                s.weight,
                                s.explanation
                                    .iter()
                                    .map(|f| format!("{}:{:.2}", f.field, f.weight))
                                    .collect::<Vec<_>>()
                            );
                        }
                        *missed.entry(k).or_insert(0) += 1;
                    }
                } else if p.probability >= opts.config.threshold {
                    fp_edge += 1;
                    if together {
                        fp_edge_kept += 1;
                        let s = l.matcher.score_pair(&recs[p.a], &recs[p.b]);
                        *fp_kinds.entry(summary(&s)).or_insert(0) += 1;
                        if names_of_false {
                            let (x, y) = (&recs[p.a], &recs[p.b]);
                            *false_names
                                .entry(format!(
                                    "{} {} / {} {}",
                                    x.given_name.as_deref().unwrap_or(""),
                                    x.family_name.as_deref().unwrap_or(""),
                                    y.given_name.as_deref().unwrap_or(""),
                                    y.family_name.as_deref().unwrap_or("")
                                ))
                                .or_insert(0) += 1;
                        }
                    }
                }
            }
            let mut by_cluster: HashMap<u32, Vec<usize>> = HashMap::new();
            for (i, &c) in l.clusters.iter().enumerate() {
                by_cluster.entry(c).or_default().push(i);
            }
            let (mut tp, mut pred) = (0usize, 0usize);
            for v in by_cluster.values() {
                for (x, &i) in v.iter().enumerate() {
                    for &j in &v[x + 1..] {
                        pred += 1;
                        if person[i] == person[j] {
                            tp += 1;
                        }
                    }
                }
            }
            println!("true pairs {true_pairs}");
            println!("  not blocked            {}", true_pairs - blocked);
            println!(
                "  blocked, below thresh. {} (of which clustered anyway {rescued})",
                blocked - above
            );
            println!("  above threshold        {above} (of which split by clustering {split})");
            println!("clustered pairs {pred}: true {tp}, false {}", pred - tp);
            println!(
                "  false edges above threshold {fp_edge}, kept in a cluster {fp_edge_kept}; by transitivity {}",
                pred - tp - fp_edge_kept
            );
            let s = PairwiseScore::from_counts(tp as u64, pred as u64, true_pairs as u64);
            print(path, recs.len(), &s, t0.elapsed().as_secs_f64());
            let top = |m: HashMap<String, usize>, title: &str| {
                let mut v: Vec<_> = m.into_iter().collect();
                v.sort_by_key(|b| std::cmp::Reverse(b.1));
                println!("{title}");
                for (k, n) in v.iter().take(25) {
                    println!("  {n:6} {k}");
                }
            };
            // Calibration: per pattern (explanation levels), true and false pairs among the
            // candidates and the mean model probability; the oracle that links a pattern
            // when most of its pairs are true bounds what pattern weights alone can reach.
            let mut cal: HashMap<String, (usize, usize, f64)> = HashMap::new();
            let calibrate = recs.len() <= 300_000 || std::env::var("CALIBRATE").is_ok();
            for p in l.pairs.iter().filter(|_| calibrate) {
                let s = l.matcher.score_pair(&recs[p.a], &recs[p.b]);
                let e = cal.entry(summary(&s)).or_insert((0, 0, 0.0));
                if person[p.a] == person[p.b] {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
                e.2 += p.probability;
            }
            let (mut otp, mut opred, mut mtp, mut mpred) = (0usize, 0usize, 0usize, 0usize);
            let mut worst: Vec<(String, usize, usize, f64)> = Vec::new();
            for (k, &(t, f, ps)) in &cal {
                let mean = ps / (t + f) as f64;
                if t > f {
                    otp += t;
                    opred += t + f;
                }
                if mean >= 0.5 {
                    mtp += t;
                    mpred += t + f;
                }
                let loss = if (t > f) != (mean >= 0.5) {
                    t.abs_diff(f)
                } else {
                    0
                };
                if loss > 0 {
                    worst.push((k.clone(), t, f, mean));
                }
            }
            let o = PairwiseScore::from_counts(otp as u64, opred as u64, true_pairs as u64);
            let m = PairwiseScore::from_counts(mtp as u64, mpred as u64, true_pairs as u64);
            println!(
                "pairwise, by pattern: model mean≥0.5 F1 {:.4}; oracle F1 {:.4} (P {:.4} R {:.4})",
                m.f1, o.f1, o.precision, o.recall
            );
            worst.sort_by_key(|b| std::cmp::Reverse(b.1.abs_diff(b.2)));
            for (k, t, f, mean) in worst.iter().take(20) {
                println!("  true {t:6} false {f:6} model {mean:.3}  {k}");
            }
            top(
                missed,
                "missed (blocked, below threshold, not clustered), by pattern:",
            );
            top(fp_kinds, "false edges kept, by pattern:");
            if names_of_false {
                top(false_names, "false edges kept, by names:");
            }
            if std::env::var("UNBLOCKED").is_ok() {
                // The true pairs blocking missed: which keys they share, and how large
                // those keys' blocks are.
                let keys: Vec<Vec<String>> =
                    recs.iter().map(passerelle_linkage::index_keys).collect();
                let mut size: HashMap<&str, usize> = HashMap::new();
                for k in keys.iter().flatten() {
                    *size.entry(k.as_str()).or_insert(0) += 1;
                }
                let cand: HashSet<(usize, usize)> = l
                    .pairs
                    .iter()
                    .map(|p| (p.a.min(p.b), p.a.max(p.b)))
                    .collect();
                let mut kinds: HashMap<String, usize> = HashMap::new();
                let mut shown = 0;
                // How many of them the model would link if blocking had paired them: the
                // recall a better blocking could add at most.
                let (mut unblocked, mut would_link) = (0usize, 0usize);
                let mut unblocked_linkable: HashMap<String, usize> = HashMap::new();
                for v in by_person.values() {
                    for (x, &i) in v.iter().enumerate() {
                        for &j in &v[x + 1..] {
                            if cand.contains(&(i.min(j), i.max(j))) {
                                continue;
                            }
                            unblocked += 1;
                            let sc = l.matcher.score_pair(&recs[i], &recs[j]);
                            if sc.probability >= opts.config.threshold {
                                would_link += 1;
                                *unblocked_linkable.entry(summary(&sc)).or_insert(0) += 1;
                            }
                            let mut sig: Vec<String> = keys[i]
                                .iter()
                                .filter(|k| keys[j].contains(k))
                                .map(|k| {
                                    let kind = k.split('|').next().unwrap_or("");
                                    let s = size[k.as_str()];
                                    format!("{kind}:{}", if s > 24 { "big" } else { "small" })
                                })
                                .collect();
                            sig.sort();
                            sig.dedup();
                            if shown < 8 && sig.is_empty() {
                                shown += 1;
                                println!("NONE {:?}\n     {:?}", recs[i], recs[j]);
                            }
                            let sig = if sig.is_empty() {
                                "none".to_string()
                            } else {
                                sig.join(",")
                            };
                            *kinds.entry(sig).or_insert(0) += 1;
                        }
                    }
                }
                println!(
                    "unblocked true pairs {unblocked}, of which scored above the threshold {would_link}"
                );
                top(kinds, "unblocked true pairs, by shared key kinds:");
                top(
                    unblocked_linkable,
                    "unblocked true pairs the model would link, by pattern:",
                );
            }
        }
        Some("features") => {
            // Every candidate pair with the engine's weight, probability, levels and
            // per-field weights, and whether the two records are one person: the input of
            // `scripts/bench-linkage/supervised.py`, which measures how much a supervised
            // learner trained on the labels gets out of the same comparisons.
            let path = positional.get(1).ok_or("features needs FILE.csv OUT.csv")?;
            let out = positional.get(2).ok_or("features needs FILE.csv OUT.csv")?;
            let idc = id_column(path, &opts)?;
            let truth_of = column(path, &truth, &idc)?;
            let recs = passerelle_linkage::csvio::read_records(File::open(path)?, &opts.mapping)?;
            opts.config.pairs_min_probability = 0.0;
            let l = passerelle_linkage::link(&recs, &opts.config)?;
            let mut w = csv::Writer::from_path(out)?;
            // The explanation's entries, named as the engine names them.
            let fields: Vec<String> = (0..passerelle_linkage::compare::FIXED_FIELDS)
                .map(|i| {
                    passerelle_linkage::explain::field_name(
                        passerelle_linkage::compare::Field::from_index(i),
                        &[],
                    )
                })
                .chain([passerelle_linkage::explain::RELATIVES.to_string()])
                .collect();
            let mut h: Vec<String> = [
                "a",
                "b",
                "same",
                "weight",
                "probability",
                "together",
                "swapped",
            ]
            .iter()
            .map(|x| x.to_string())
            .collect();
            for f in &fields {
                h.push(format!("level_{f}"));
                h.push(format!("w_{f}"));
            }
            w.write_record(&h)?;
            for p in &l.pairs {
                let s = l.matcher.score_pair(&recs[p.a], &recs[p.b]);
                let same = truth_of.get(&recs[p.a].id) == truth_of.get(&recs[p.b].id);
                let mut row = vec![
                    p.a.to_string(),
                    p.b.to_string(),
                    u8::from(same).to_string(),
                    format!("{:.4}", p.weight),
                    format!("{:.6}", p.probability),
                    u8::from(l.clusters[p.a] == l.clusters[p.b]).to_string(),
                    u8::from(s.swapped).to_string(),
                ];
                for name in &fields {
                    match s.explanation.iter().find(|f| &f.field == name) {
                        Some(f) => {
                            row.push(f.level.to_string());
                            row.push(format!("{:.3}", f.weight));
                        }
                        None => {
                            row.push("none".into());
                            row.push("0".into());
                        }
                    }
                }
                w.write_record(&row)?;
            }
            w.flush()?;
            eprintln!("{} pairs written", l.pairs.len());
        }
        Some("recluster") => {
            // Clusters FILE's records as the engine does, but with the pair weights of
            // WEIGHTS.csv (`a,b,weight` in bits, by record position, as written by
            // `scripts/bench-linkage/supervised.py`) for the pairs it lists; other pairs the
            // clustering checks are scored by the engine's model.
            let path = positional
                .get(1)
                .ok_or("recluster needs FILE.csv WEIGHTS.csv")?;
            let wpath = positional
                .get(2)
                .ok_or("recluster needs FILE.csv WEIGHTS.csv")?;
            let idc = id_column(path, &opts)?;
            let truth_of = column(path, &truth, &idc)?;
            let recs = passerelle_linkage::csvio::read_records(File::open(path)?, &opts.mapping)?;
            let l = passerelle_linkage::link(&recs, &opts.config)?;
            let mut external: HashMap<(u32, u32), f32> = HashMap::new();
            for r in csv::Reader::from_path(wpath)?.records() {
                let r = r?;
                let (a, b): (u32, u32) = (r[0].parse()?, r[1].parse()?);
                external.insert((a.min(b), a.max(b)), r[2].parse()?);
            }
            let t = opts.config.threshold;
            let threshold_w = (t / (1.0 - t)).log2();
            let edges: Vec<(f32, u32, u32)> = external
                .iter()
                .filter(|(_, w)| f64::from(**w) >= threshold_w)
                .map(|(&(a, b), &w)| (w, a, b))
                .collect();
            let score = |i: u32, j: u32| match external.get(&(i.min(j), i.max(j))) {
                Some(w) => f64::from(*w),
                None => {
                    l.matcher
                        .score_pair(&recs[i as usize], &recs[j as usize])
                        .weight
                }
            };
            let t0 = Instant::now();
            let clusters = passerelle_linkage::cluster::cluster(
                recs.len(),
                edges,
                &opts.config.cluster,
                &score,
            );
            let ids: Vec<String> = recs.iter().map(|r| r.id.clone()).collect();
            let truth_ids: Vec<String> = ids
                .iter()
                .map(|id| truth_of.get(id).cloned().unwrap_or_default())
                .collect();
            let s = pairwise(&clusters, &truth_ids);
            print(path, recs.len(), &s, t0.elapsed().as_secs_f64());
        }
        Some("params") => {
            let path = positional.get(1).ok_or("params needs FILE.csv")?;
            let recs = passerelle_linkage::csvio::read_records(File::open(path)?, &opts.mapping)?;
            let l = passerelle_linkage::link(&recs, &opts.config)?;
            let p = l.matcher.params();
            println!(
                "lambda {:.4e} related {:.4e} iterations {}",
                p.lambda, p.lambda_related, p.iterations
            );
            for f in 0..p.fields() {
                let fmt = |v: &Vec<f64>| {
                    v.iter()
                        .map(|x| format!("{x:.4}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                println!(
                    "field {f}\n  m {}\n  u {}\n  r {}",
                    fmt(&p.m[f]),
                    fmt(&p.u[f]),
                    fmt(&p.r[f])
                );
            }
        }
        Some("linkdiag") => {
            let a = positional.get(1).ok_or("linkdiag needs A.csv B.csv")?;
            let b = positional.get(2).ok_or("linkdiag needs A.csv B.csv")?;
            let idc = id_column(a, &opts)?;
            let ta = column(a, &truth, &idc)?;
            let tb = column(b, &truth, &idc)?;
            let ra = passerelle_linkage::csvio::read_records(File::open(a)?, &opts.mapping)?;
            let rb = passerelle_linkage::csvio::read_records(File::open(b)?, &opts.mapping)?;
            opts.config.pairs_min_probability = 1e-9;
            let l = passerelle_linkage::link_two(&ra, &rb, &opts.config)?;
            let matched: HashSet<(usize, usize)> =
                l.matches.iter().map(|&(i, j, _)| (i, j)).collect();
            let mut cand = HashSet::new();
            for p in &l.pairs {
                cand.insert((p.a, p.b));
                let same = ta.get(&ra[p.a].id) == tb.get(&rb[p.b].id);
                if same && !matched.contains(&(p.a, p.b)) {
                    let s = l.matcher.score_pair(&ra[p.a], &rb[p.b]);
                    println!(
                        "MISSED {} {} w={:.2} {}",
                        ra[p.a].id,
                        rb[p.b].id,
                        p.weight,
                        passerelle_linkage::format_explanation(&s)
                    );
                } else if !same && matched.contains(&(p.a, p.b)) {
                    println!("WRONG {} {} w={:.2}", ra[p.a].id, rb[p.b].id, p.weight);
                }
            }
            let idx_b: HashMap<&str, usize> = rb
                .iter()
                .enumerate()
                .map(|(i, r)| (tb.get(&r.id).map(String::as_str).unwrap_or(""), i))
                .collect();
            for (i, r) in ra.iter().enumerate() {
                if let Some(&j) = ta.get(&r.id).and_then(|t| idx_b.get(t.as_str()))
                    && !cand.contains(&(i, j))
                {
                    println!("NOT BLOCKED {:?}\n            {:?}", ra[i], rb[j]);
                }
            }
            eprintln!("{:?}", l.matcher.params());
        }
        Some("link") => {
            let a = positional.get(1).ok_or("link needs A.csv B.csv")?;
            let b = positional.get(2).ok_or("link needs A.csv B.csv")?;
            let idc = id_column(a, &opts)?;
            let ta = column(a, &truth, &idc)?;
            let tb = column(b, &truth, &idc)?;
            opts.output = OutputKind::Pairs;
            let t0 = Instant::now();
            let mut out = Vec::new();
            let rep = link_csv_files(
                BufReader::new(File::open(a)?),
                BufReader::new(File::open(b)?),
                &mut out,
                &opts,
                &mut |p| eprintln!("{:.3}s {:?}", t0.elapsed().as_secs_f64(), p),
            )?;
            let secs = t0.elapsed().as_secs_f64();
            let mut rdr = csv::Reader::from_reader(out.as_slice());
            let mut predicted = HashSet::new();
            for r in rdr.records() {
                let r = r?;
                predicted.insert((
                    r.get(0).unwrap_or_default().to_string(),
                    r.get(1).unwrap_or_default().to_string(),
                ));
            }
            let mut by_truth: HashMap<&str, usize> = HashMap::new();
            for t in tb.values() {
                *by_truth.entry(t.as_str()).or_insert(0) += 1;
            }
            let true_pairs: usize = ta
                .values()
                .map(|t| by_truth.get(t.as_str()).copied().unwrap_or(0))
                .sum();
            let tp = predicted
                .iter()
                .filter(|(x, y)| matches!((ta.get(x), tb.get(y)), (Some(p), Some(q)) if p == q))
                .count();
            eprintln!("{:?}", rep.link);
            let s =
                PairwiseScore::from_counts(tp as u64, predicted.len() as u64, true_pairs as u64);
            print(&format!("{a}+{b}"), rep.records, &s, secs);
        }
        _ => {
            eprintln!(
                "usage: evaluate dedup FILE --truth COL | link A B --truth COL | generate OUT --records N"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
