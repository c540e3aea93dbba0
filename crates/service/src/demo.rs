//! Demo data: real institutions the source documents name, and one user of each
//! role, so a newcomer can try every screen. No invented addresses or phone numbers.

use crate::Service;
use crate::admin::{NewOrgInput, NewUserInput};
use crate::error::ServiceError;

/// Every demo user has this password; `passerelle demo` prints it.
pub const DEMO_PASSWORD: &str = "passerelle-demo";

/// (code, kind, parent, territory, French name, Arabic name, English name)
pub const DEMO_ORGANISATIONS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "MCMREAM",
        "ministry",
        "",
        "MA-04",
        "Ministère délégué chargé des Marocains résidant à l'étranger et des affaires de la migration",
        "الوزارة المنتدبة المكلفة بالمغاربة المقيمين بالخارج وشؤون الهجرة",
        "Ministry in charge of Moroccans living abroad and migration affairs",
    ),
    (
        "EN",
        "public_agency",
        "",
        "MA",
        "Entraide Nationale",
        "التعاون الوطني",
        "Entraide Nationale",
    ),
    (
        "EN-RABAT",
        "public_agency",
        "EN",
        "MA-04",
        "Entraide Nationale — délégation de Rabat",
        "التعاون الوطني — مندوبية الرباط",
        "Entraide Nationale — Rabat delegation",
    ),
    (
        "EN-CASA",
        "public_agency",
        "EN",
        "MA-06",
        "Entraide Nationale — délégation de Casablanca",
        "التعاون الوطني — مندوبية الدار البيضاء",
        "Entraide Nationale — Casablanca delegation",
    ),
    (
        "ANAPEC",
        "public_agency",
        "",
        "MA",
        "Agence nationale de promotion de l'emploi et des compétences",
        "الوكالة الوطنية لإنعاش التشغيل والكفاءات",
        "National agency for the promotion of employment and skills",
    ),
    (
        "ANAPEC-RABAT",
        "public_agency",
        "ANAPEC",
        "MA-04",
        "ANAPEC — agence de Rabat",
        "أنابيك — وكالة الرباط",
        "ANAPEC — Rabat agency",
    ),
    (
        "ANAPEC-CASA",
        "public_agency",
        "ANAPEC",
        "MA-06",
        "ANAPEC — agence de Casablanca",
        "أنابيك — وكالة الدار البيضاء",
        "ANAPEC — Casablanca agency",
    ),
    (
        "OFPPT",
        "public_agency",
        "",
        "MA",
        "Office de la formation professionnelle et de la promotion du travail",
        "مكتب التكوين المهني وإنعاش الشغل",
        "Office for vocational training and labour promotion",
    ),
    (
        "AMAPPE",
        "ngo",
        "",
        "MA-04",
        "Association marocaine d'appui à la promotion de la petite entreprise",
        "الجمعية المغربية لدعم إنعاش المقاولة الصغرى",
        "Moroccan association supporting small enterprise",
    ),
    (
        "CARITAS",
        "ngo",
        "",
        "MA-04",
        "Caritas Maroc",
        "كاريتاس المغرب",
        "Caritas Morocco",
    ),
    (
        "UNHCR",
        "un_agency",
        "",
        "MA-04",
        "Haut-Commissariat des Nations unies pour les réfugiés",
        "المفوضية السامية للأمم المتحدة لشؤون اللاجئين",
        "UN Refugee Agency",
    ),
    (
        "MEN",
        "ministry",
        "",
        "MA",
        "Ministère de l'Éducation nationale, du Préscolaire et des Sports",
        "وزارة التربية الوطنية والتعليم الأولي والرياضة",
        "Ministry of National Education, Preschool and Sports",
    ),
    (
        "MS",
        "ministry",
        "",
        "MA",
        "Ministère de la Santé et de la Protection sociale",
        "وزارة الصحة والحماية الاجتماعية",
        "Ministry of Health and Social Protection",
    ),
    (
        "PMP",
        "public_agency",
        "",
        "MA",
        "Présidence du Ministère public",
        "رئاسة النيابة العامة",
        "Presidency of the Public Prosecution",
    ),
    (
        "OIM",
        "un_agency",
        "",
        "MA-04",
        "Organisation internationale pour les migrations",
        "المنظمة الدولية للهجرة",
        "International Organization for Migration",
    ),
    (
        "ENABEL",
        "donor",
        "",
        "MA-04",
        "Enabel — Agence belge de développement",
        "إنابل — الوكالة البلجيكية للتنمية",
        "Enabel — Belgian development agency",
    ),
];

/// The 2020 report's text for programme 7 (`data/report-2020/`).
pub const DEMO_NARRATIVE_P7: &str = include_str!("../../../data/report-2020/p7-emploi.json");

/// (username, display name, organisation, roles)
pub const DEMO_USERS: &[(&str, &str, &str, &str)] = &[
    (
        "admin",
        "Administratrice Passerelle",
        "MCMREAM",
        "administrator",
    ),
    ("secretariat", "Nadia Benjelloun", "MCMREAM", "secretariat"),
    ("focal.anapec", "Youssef El Amrani", "ANAPEC", "focal_point"),
    ("supervisor.en", "Khadija Alaoui", "EN-RABAT", "supervisor"),
    (
        "worker.en",
        "Fatima Zahra Idrissi",
        "EN-RABAT",
        "case_worker",
    ),
    ("worker.anapec", "Omar Tazi", "ANAPEC-RABAT", "case_worker"),
    (
        "supervisor.anapec",
        "Salma Berrada",
        "ANAPEC-RABAT",
        "supervisor",
    ),
    (
        "agent.amappe",
        "Aminata Diallo",
        "AMAPPE",
        "community_agent",
    ),
    ("viewer.enabel", "Pieter Janssens", "ENABEL", "viewer"),
];

/// The 2020 report's figures, as import files (`data/figures-2020/`).
pub const FIGURES_2020: &[(&str, &str)] = &[
    (
        "p1-education.csv",
        include_str!("../../../data/figures-2020/p1-education.csv"),
    ),
    (
        "p3-covid.csv",
        include_str!("../../../data/figures-2020/p3-covid.csv"),
    ),
    (
        "p7-anapec.csv",
        include_str!("../../../data/figures-2020/p7-anapec.csv"),
    ),
    (
        "p8-avrr.csv",
        include_str!("../../../data/figures-2020/p8-avrr.csv"),
    ),
    (
        "amuddu-formation.csv",
        include_str!("../../../data/figures-2020/amuddu-formation.csv"),
    ),
    (
        "p8-trafficking.csv",
        include_str!("../../../data/figures-2020/p8-trafficking.csv"),
    ),
];

impl Service {
    /// Loads the demo organisations and users into an empty store.
    pub async fn load_demo(&self, op: &str) -> Result<(), ServiceError> {
        self.ensure_reference_data(op).await?;
        self.ensure_shipped_frameworks(op).await?;
        self.ensure_shipped_datasets().await?;
        for (code, kind, parent, territory, fr, ar, en) in DEMO_ORGANISATIONS {
            let input = NewOrgInput {
                code: code.to_string(),
                kind: kind.to_string(),
                name_fr: fr.to_string(),
                name_ar: ar.to_string(),
                name_en: en.to_string(),
                parent: parent.to_string(),
                territory: territory.to_string(),
            };
            self.create_organisation(None, &input, op).await?;
        }
        for (username, name, org, roles) in DEMO_USERS {
            let input = NewUserInput {
                username: username.to_string(),
                display_name: name.to_string(),
                organisation: org.to_string(),
                roles: vec![roles.to_string()],
                password: DEMO_PASSWORD.to_string(),
            };
            self.create_user(None, &input, op).await?;
        }
        self.load_demo_casework(op).await?;
        self.ensure_shipped_directory(op).await?;
        self.ensure_shipped_mapping(op).await?;
        for (name, text) in FIGURES_2020 {
            match self
                .import_values(None, text, &format!("data/figures-2020/{name}"), op)
                .await
            {
                Ok(_) => {}
                Err(crate::values::ValuesImportError::Service(e)) => return Err(e),
                Err(crate::values::ValuesImportError::Invalid(issues)) => {
                    let text: Vec<String> = issues.iter().map(ToString::to_string).collect();
                    return Err(ServiceError::Internal(format!(
                        "{name}: {}",
                        text.join("; ")
                    )));
                }
            }
        }
        self.ensure_shipped_governance(op).await?;
        self.load_demo_governance(op).await?;
        self.load_demo_narratives(op).await?;
        Ok(())
    }

    /// The 2020 report's narrative of programme 7 (Emploi): the report's own text,
    /// which the ministry compiled from the institutions' contributions (French only),
    /// entered and approved by the secretariat, so the yearly report and the follow-up
    /// of its recommendations have something real to show.
    async fn load_demo_narratives(&self, op: &str) -> Result<(), ServiceError> {
        use passerelle_domain::report::{Section, SectionText};
        #[derive(serde::Deserialize)]
        struct DemoNarrative {
            node: String,
            year: i32,
            organisation: String,
            sections: std::collections::BTreeMap<String, String>,
        }
        let n: DemoNarrative = serde_json::from_str(DEMO_NARRATIVE_P7)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut conn = self.store.conn().await?;
        let sec =
            passerelle_store::users::credentials_by_username(&mut conn, "secretariat").await?;
        drop(conn);
        let Some(sec) = sec else {
            return Ok(());
        };
        let sec = self.actor(sec.user.id).await?;
        let sections: Vec<(Section, SectionText)> = n
            .sections
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    Section::parse(k)?,
                    SectionText {
                        fr: v.clone(),
                        ar: String::new(),
                    },
                ))
            })
            .collect();
        self.save_narrative(&sec, &n.node, n.year, &n.organisation, &sections, true, op)
            .await?;
        self.review_narrative(
            &sec,
            &n.node,
            n.year,
            &n.organisation,
            passerelle_domain::reporting::Transition::Approve,
            "",
            op,
        )
        .await?;
        Ok(())
    }

    /// One follow-up action at CP3's meeting of 13 November 2020, so the tracker and
    /// the brief have something to show. The report publishes no decisions: this
    /// one is marked illustrative everywhere it appears.
    async fn load_demo_governance(&self, op: &str) -> Result<(), ServiceError> {
        let meeting = {
            let mut conn = self.store.conn().await?;
            passerelle_store::governance::meeting_on(&mut conn, "CP3", "2020-11-13").await?
        };
        let Some(meeting) = meeting else {
            return Ok(());
        };
        let action = passerelle_domain::governance::ActionInput {
            title: "Exemple illustratif : transmettre l'état d'avancement des actions 7.1 et 7.2 avant la réunion suivante".into(),
            origin: "decision".into(),
            source_ref: String::new(),
            owner: "ANAPEC".into(),
            due_on: "2020-12-31".into(),
        };
        self.demo_follow_up(
            meeting.id,
            "Exemple illustratif (aucune décision publiée) : suivi de l'accompagnement des migrants par l'ANAPEC",
            &action,
            op,
        )
        .await
    }

    /// A few fictional people registered by the Rabat social assistance centre, so the
    /// search before create and the caseload have something to show. Names are common
    /// ones in the population served; every other detail is invented.
    async fn load_demo_casework(&self, op: &str) -> Result<(), ServiceError> {
        use crate::casework::CaseworkError;
        use passerelle_domain::casework::PersonInput;
        let mut conn = self.store.conn().await?;
        let Some(worker) =
            passerelle_store::users::credentials_by_username(&mut conn, "worker.en").await?
        else {
            return Ok(());
        };
        drop(conn);
        let actor = self.actor(worker.user.id).await?;
        let people = [
            (
                "Mohamed",
                "Diallo",
                "محمد ديالو",
                "M",
                "1994",
                "GN",
                "fr,ff",
                "+212 612 34 56 78",
                "regularised_2014",
            ),
            (
                "Aminata",
                "Traoré",
                "",
                "F",
                "1998-03-12",
                "ML",
                "fr,bm",
                "0661 23 45 67",
                "residence_card",
            ),
            (
                "Youssef",
                "Al Hassan",
                "يوسف الحسن",
                "M",
                "1987",
                "SY",
                "ar",
                "",
                "refugee",
            ),
        ];
        let consents: Vec<(String, String)> = [
            ("registration", "any"),
            ("case_work", "any"),
            ("referral", "public_agency"),
            ("statistics", "any"),
        ]
        .iter()
        .map(|(p, s)| (p.to_string(), s.to_string()))
        .collect();
        let describe = |e: CaseworkError| ServiceError::Internal(format!("demo case work: {e:?}"));
        for (given, family, ar, sex, birth, nat, langs, phone, status) in people {
            let input = PersonInput {
                given_name: given.into(),
                family_name: family.into(),
                name_ar: ar.into(),
                sex: sex.into(),
                birth_date: birth.into(),
                birth_approximate: birth.len() == 4,
                nationality: nat.into(),
                languages: langs.into(),
                phones: phone.into(),
                legal_status: status.into(),
                territory: "MA-RAB".into(),
                ..Default::default()
            };
            let id = self
                .register_person(&actor, &input, &consents, &[], op)
                .await
                .map_err(describe)?;
            if given == "Aminata" {
                let case = self
                    .open_case(&actor, id, None, op)
                    .await
                    .map_err(describe)?;
                self.add_plan_step(
                    &actor,
                    case,
                    "Insertion professionnelle",
                    "Inscription à l'ANAPEC",
                    "2026-01-15",
                    op,
                )
                .await
                .map_err(describe)?;
            }
        }
        Ok(())
    }
}
