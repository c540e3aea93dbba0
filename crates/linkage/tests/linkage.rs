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
