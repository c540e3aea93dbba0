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
        self.ensure_shipped_directory(op).await?;
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
        Ok(())
    }
}
