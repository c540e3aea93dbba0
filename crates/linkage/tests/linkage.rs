//! End-to-end stories of the linkage engine (one integration-test binary for the crate).

use passerelle_linkage::generator::{GeneratorConfig, generate};
use passerelle_linkage::score::pairwise;
use passerelle_linkage::{Config, Matcher, Record, link, link_two};

fn person(id: &str, given: &str, family: &str, dob: &str, phone: &str) -> Record {
    Record {
        id: id.into(),
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        birth_date: Some(dob.into()),
        phone: Some(phone.into()),
        ..Record::default()
    }
}

#[test]
fn synthetic_registry_of_5000_reaches_f1_095() {
    // Arrange: a registry with variants, Arabic script, households, twins, namesakes.
    let synth = generate(&GeneratorConfig {
        records: 5000,
        seed: 7,
        ..GeneratorConfig::default()
    });
    let records: Vec<Record> = synth.iter().map(|s| s.record.clone()).collect();
    let truth: Vec<u64> = synth.iter().map(|s| s.person_id).collect();

    // Act.
    let linkage = link(&records, &Config::default()).expect("linkage runs");

    // Assert: pairwise F1 against the true persons.
    let s = pairwise(&linkage.clusters, &truth);
    assert!(
        s.f1 >= 0.95,
        "F1 {:.4} (precision {:.4}, recall {:.4})",
        s.f1,
        s.precision,
        s.recall
    );
}

#[test]
fn the_same_person_across_scripts_and_spellings_scores_high() {
    let matcher = Matcher::untrained(Vec::new());
    let a = person("a", "Mohamed", "Diallo", "14/03/1990", "0661234567");
    let b = Record {
        id: "b".into(),
        name_arabic: Some("محمد ديالو".into()),
        birth_date: Some("1990".into()),
        phone: Some("+212 6 61 23 45 67".into()),
        ..Record::default()
    };
    let s = matcher.score_pair(&a, &b);
    assert!(s.probability > 0.9, "{s:?}");
    assert!(
        s.explanation
            .iter()
            .any(|f| f.field == "phone" && f.level == "exact")
    );
}

#[test]
fn two_lists_link_one_to_one() {
    let a = vec![
        person("a1", "Youssef", "Haddad", "1985-02-01", "0612345678"),
        person("a2", "Fatoumata", "Camara", "1992-07-19", "0698765432"),
    ];
    let b = vec![
        person("b1", "Fatimata", "Kamara", "19/07/1992", "+212698765432"),
        person("b2", "Yusuf", "Hadad", "1985", "0600000000"),
    ];
    let l = link_two(&a, &b, &Config::default()).expect("linkage runs");
    let mut m: Vec<(usize, usize)> = l.matches.iter().map(|&(i, j, _)| (i, j)).collect();
    m.sort_unstable();
    assert_eq!(m, vec![(0, 1), (1, 0)]);
}

#[test]
fn a_household_sharing_a_phone_stays_several_persons() {
    let phone = "0661112233";
    let records = vec![
        person("1", "Mamadou", "Diallo", "1975-05-02", phone),
        person("2", "Mamadou", "Diallo", "02/05/1975", phone),
        person("3", "Aissatou", "Diallo", "1999-11-30", phone),
        person("4", "Ibrahima", "Diallo", "2003-01-15", phone),
    ];
    let l = link(&records, &Config::default()).expect("linkage runs");
    assert_eq!(l.clusters[0], l.clusters[1], "same father twice");
    assert_ne!(l.clusters[0], l.clusters[2]);
    assert_ne!(l.clusters[0], l.clusters[3]);
    assert_ne!(l.clusters[2], l.clusters[3]);
}

#[test]
fn search_before_create_finds_the_registered_person() {
    // Arrange: a registry and the matcher learned on it.
    let synth = generate(&GeneratorConfig {
        records: 2000,
        seed: 3,
        ..GeneratorConfig::default()
    });
    let records: Vec<Record> = synth.iter().map(|s| s.record.clone()).collect();
    let linkage = link(&records, &Config::default()).expect("linkage runs");
    let index = passerelle_linkage::SearchIndex::new(linkage.matcher, &records);

    // Act: search with one of the registrations as typed at a desk.
    let probe = records
        .iter()
        .find(|r| r.given_name.is_some() && r.family_name.is_some() && r.birth_date.is_some())
        .cloned()
        .expect("a complete record");
    let found = index.search(&probe, 0.5, 10);

    // Assert: the registration itself comes first, with its reasons.
    assert!(!found.is_empty());
    assert_eq!(records[found[0].0].id, probe.id);
    assert!(found[0].1.explanation.iter().any(|f| f.level == "exact"));
}

// ---------------------------------------------------------------------------------------
// Privacy-preserving mode: organisations encode with a shared key, the matcher links.

mod pprl {
    use std::collections::HashMap;

    use passerelle_linkage::generator::{GeneratorConfig, SyntheticRecord, generate, write_csv};
    use passerelle_linkage::score::pairwise;
    use passerelle_linkage::{
        Config, EncodeOptions, LinkageError, MatchOptions, OutputKind, Record, encode_csv, link,
        match_csv,
    };

    const KEY: &[u8] = b"shared among partners, never given to the matcher";

    fn encode(csv: &[u8], key: &[u8]) -> Result<Vec<u8>, LinkageError> {
        let mut out = Vec::new();
        encode_csv(csv, &mut out, key, &EncodeOptions::default(), &mut |_| {})?;
        Ok(out)
    }

    /// Splits a synthetic registry across `n` organisations (by the generator's
    /// organisation), as CSV files.
    fn split(synth: &[SyntheticRecord], n: usize) -> Vec<Vec<u8>> {
        let mut orgs: Vec<&str> = synth.iter().map(|s| s.organisation).collect();
        orgs.sort_unstable();
        orgs.dedup();
        let mut parts: Vec<Vec<SyntheticRecord>> = vec![Vec::new(); n];
        for s in synth {
            let k = orgs.iter().position(|o| *o == s.organisation).unwrap_or(0) % n;
            parts[k].push(s.clone());
        }
        parts
            .iter()
            .map(|p| {
                let mut buf = Vec::new();
                write_csv(p, &mut buf).expect("csv written");
                buf
            })
            .collect()
    }

    fn matched_clusters(encoded: &[Vec<u8>]) -> HashMap<String, String> {
        let mut out = Vec::new();
        match_csv(
            encoded.iter().map(|e| e.as_slice()).collect(),
            &mut out,
            &MatchOptions::default(),
            &mut |_| {},
        )
        .expect("match runs");
        let text = String::from_utf8(out).expect("utf-8");
        text.lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f.len() == 3).then(|| (f[1].to_string(), f[2].to_string()))
            })
            .collect()
    }

    #[test]
    fn encoded_linkage_is_within_002_f1_of_clear_text() {
        let synth = generate(&GeneratorConfig {
            records: 3000,
            seed: 11,
            ..GeneratorConfig::default()
        });
        let records: Vec<Record> = synth.iter().map(|s| s.record.clone()).collect();
        let truth: Vec<u64> = synth.iter().map(|s| s.person_id).collect();
        let clear = link(&records, &Config::default()).expect("clear-text linkage");
        let clear_score = pairwise(&clear.clusters, &truth);

        let encoded: Vec<Vec<u8>> = split(&synth, 3)
            .iter()
            .map(|f| encode(f, KEY).expect("encoding"))
            .collect();
        let clusters = matched_clusters(&encoded);
        assert_eq!(clusters.len(), synth.len());
        let predicted: Vec<&String> = synth
            .iter()
            .map(|s| clusters.get(&s.record.id).expect("every record clustered"))
            .collect();
        let enc_score = pairwise(&predicted, &truth);
        eprintln!(
            "clear text F1 {:.4}, encoded F1 {:.4}",
            clear_score.f1, enc_score.f1
        );
        assert!(
            (enc_score.f1 - clear_score.f1).abs() <= 0.02,
            "encoded F1 {:.4} (P {:.4} R {:.4}) vs clear text {:.4}",
            enc_score.f1,
            enc_score.precision,
            enc_score.recall,
            clear_score.f1
        );
    }

    #[test]
    fn encoding_is_deterministic_per_key_and_differs_between_keys() {
        let synth = generate(&GeneratorConfig {
            records: 200,
            seed: 3,
            ..GeneratorConfig::default()
        });
        let files = split(&synth, 1);
        let a = encode(&files[0], KEY).expect("encoding");
        let b = encode(&files[0], KEY).expect("encoding");
        let c = encode(&files[0], b"another key").expect("encoding");
        assert_eq!(a, b);
        assert_ne!(a, c);
        // The encodings of the first record differ field by field under another key.
        let first = |x: &[u8]| {
            String::from_utf8_lossy(x)
                .lines()
                .nth(1)
                .unwrap_or_default()
                .to_string()
        };
        let (ra, rc) = (first(&a), first(&c));
        let fa: Vec<&str> = ra.split(',').collect();
        let fc: Vec<&str> = rc.split(',').collect();
        assert_eq!(fa[0], fc[0], "record ids are kept");
        assert_ne!(fa[1], fc[1], "name encodings differ between keys");
        // And files encoded under different keys are refused, not silently unmatched.
        let err = match_csv(
            vec![a.as_slice(), c.as_slice()],
            Vec::new(),
            &MatchOptions::default(),
            &mut |_| {},
        );
        assert!(
            matches!(err, Err(LinkageError::SchemeMismatch { .. })),
            "{err:?}"
        );
    }

    #[test]
    fn no_plaintext_name_appears_in_the_encoding() {
        let input = "id,given_name,family_name,name_arabic,birth_date,phone,city\n\
                     1,Fatoumata,Camara,,1992-04-01,0661234567,Rabat\n\
                     2,Mohamed,Diallo,محمد ديالو,1990,+212 700 11 22 33,Casablanca\n\
                     3,Youssef,Haddad,,12/03/1985,,Oujda\n";
        let out =
            String::from_utf8(encode(input.as_bytes(), KEY).expect("encoding")).expect("utf-8");
        for word in [
            "Fatoumata",
            "fatoumata",
            "Camara",
            "camara",
            "Mohamed",
            "mohamed",
            "diallo",
            "محمد",
            "Haddad",
            "haddad",
            "1992",
            "0661234567",
            "661234567",
            "Rabat",
            "rabat",
            "oujda",
        ] {
            assert!(!out.contains(word), "{word} appears in {out}");
        }
        assert_eq!(out.lines().count(), 4);
    }

    #[test]
    fn arabic_and_latin_spellings_of_one_person_link_without_the_key() {
        let a = "id,given_name,family_name,birth_date,phone\n\
                 a1,Mohamed,Diallo,1994-03-12,0661234567\n\
                 a2,Fatoumata,Camara,1990-05-01,0700112233\n";
        let b = "id,name_arabic,birth_date,phone\n\
                 b1,محمد ديالو,12/03/1994,+212 661 23 45 67\n\
                 b2,عائشة بنعلي,1970-01-02,0611111111\n";
        let ea = encode(a.as_bytes(), KEY).expect("encoding");
        let eb = encode(b.as_bytes(), KEY).expect("encoding");
        let clusters = matched_clusters(&[ea, eb]);
        assert_eq!(clusters["a1"], clusters["b1"], "{clusters:?}");
        assert_ne!(clusters["a2"], clusters["b1"], "{clusters:?}");
        assert_ne!(clusters["b2"], clusters["a1"], "{clusters:?}");
    }

    #[test]
    fn pairs_output_names_files_and_explains() {
        let a = "id,given_name,family_name,birth_date\na1,Youssef,Haddad,1985-02-01\n";
        let b = "id,given_name,family_name,birth_date\nb1,Yusuf,Hadad,01/02/1985\n";
        let files = [
            encode(a.as_bytes(), KEY).expect("encoding"),
            encode(b.as_bytes(), KEY).expect("encoding"),
        ];
        let mut out = Vec::new();
        let opts = MatchOptions {
            output: OutputKind::Pairs,
            labels: vec!["ngo".into(), "entraide".into()],
            ..MatchOptions::default()
        };
        let rep = match_csv(
            files.iter().map(|f| f.as_slice()).collect(),
            &mut out,
            &opts,
            &mut |_| {},
        )
        .expect("match runs");
        let out = String::from_utf8(out).expect("utf-8");
        assert_eq!(rep.records, 2);
        assert!(out.contains("ngo,a1,entraide,b1,"), "{out}");
        assert!(out.contains("birth_date=exact"), "{out}");
    }

    #[test]
    fn bad_input_gets_typed_errors() {
        // An empty key.
        let r = encode(b"id,given_name\n1,Ali\n", b"");
        assert!(matches!(r, Err(LinkageError::EmptyKey)), "{r:?}");
        // Filter settings out of range.
        let r = encode_csv(
            b"id,given_name\n1,Ali\n".as_slice(),
            Vec::new(),
            KEY,
            &EncodeOptions {
                bloom_bits: 1000,
                ..EncodeOptions::default()
            },
            &mut |_| {},
        );
        assert!(matches!(r, Err(LinkageError::InvalidOption(_))), "{r:?}");
        // Missing columns in the clear file.
        let r = encode(b"ref,prenom_x\n1,Ali\n", KEY);
        assert!(
            matches!(r, Err(LinkageError::MissingColumns { .. })),
            "{r:?}"
        );
        // An empty file encodes to a header only; matching it gives a header only.
        let empty = encode(b"", KEY).expect("empty file encodes");
        assert_eq!(String::from_utf8_lossy(&empty).lines().count(), 1);
        let mut out = Vec::new();
        let rep = match_csv(
            vec![empty.as_slice(), b"".as_slice()],
            &mut out,
            &MatchOptions::default(),
            &mut |_| {},
        )
        .expect("empty match");
        assert_eq!(rep.records, 0);
        assert_eq!(
            String::from_utf8_lossy(&out).trim(),
            "file,record_id,cluster_id"
        );
        // A clear-text file given to the matcher.
        let r = match_csv(
            vec![b"id,given_name\n1,Ali\n".as_slice()],
            Vec::new(),
            &MatchOptions::default(),
            &mut |_| {},
        );
        assert!(
            matches!(r, Err(LinkageError::MissingColumns { .. })),
            "{r:?}"
        );
        // A damaged encoding.
        let good = encode(b"id,given_name\n1,Ali\n", KEY).expect("encoding");
        let text = String::from_utf8_lossy(&good).replace(",A", ",!");
        let damaged = text.replacen("\n1,", "\n1,!!", 1);
        let r = match_csv(
            vec![damaged.as_bytes()],
            Vec::new(),
            &MatchOptions::default(),
            &mut |_| {},
        );
        assert!(matches!(r, Err(LinkageError::BadEncoding { .. })), "{r:?}");
    }
}
