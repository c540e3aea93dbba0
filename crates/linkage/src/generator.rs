//! A deterministic generator of synthetic migrant registries with known truth.
//!
//! Why: real registries of migrants cannot leave the organisations that hold them, yet the
//! engine must be measured on data that looks like theirs. The generator draws persons of
//! the nationalities in the sources (Senegal, Mali, Guinea, Côte d'Ivoire, Cameroon, DR
//! Congo, Nigeria, Syria, Yemen, Sudan, Morocco), registers each with one to five
//! organisations, and lets every desk write the person its own way:
//!
//! * names: spelling variants (from the variant table *and* from generic transliteration
//!   rules the engine does not know: ou↔u, doubled letters, e↔a, y↔i…), keyboard typos,
//!   given and family swapped, compounds split, Arabic script only or beside the Latin;
//! * dates: year only, `01/01/YYYY`, day and month swapped, off-by-one year, typos,
//!   several formats, a few unreadable values;
//! * phones: changed, missing, in international or local form; documents missing or
//!   with formatting noise; a city changed after a move.
//!
//! It also plants the hard non-matches that make naive engines fail: households sharing a
//! phone, a city and a family name; twins sharing a family name, a birth date and a phone;
//! and dozens of "Mamadou Diallo" born the same year.
//!
//! Name pools hold roughly 50–80 given names and 35–90 family names per region, written
//! from common public name lists. That is fewer than a real population has, so at a
//! million records the generator makes more namesakes (same name, same birth year, different
//! persons) than reality would, and scores at that size are pessimistic.
//!
//! Same seed, same output, on every platform.

use std::io::Write;

use crate::engine::SplitMix;
use crate::record::Record;
use crate::translit::VARIANT_FAMILIES;

/// Generator settings.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorConfig {
    /// Approximate number of records to produce.
    pub records: usize,
    /// Seed of the pseudo-random generator.
    pub seed: u64,
    /// Plant households, twins and the common-name group.
    pub hard_cases: bool,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            records: 5000,
            seed: 1,
            hard_cases: true,
        }
    }
}

/// One synthetic registration and its truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticRecord {
    /// The registration as an organisation would hold it.
    pub record: Record,
    /// The true person.
    pub person_id: u64,
    /// The registering organisation.
    pub organisation: &'static str,
}

const ORGS: &[&str] = &[
    "entraide_nationale",
    "ngo_oujda",
    "ngo_rabat",
    "unhcr_partner",
    "iom_partner",
    "anapec",
    "health_centre",
];
const CITIES: &[&str] = &[
    "Rabat",
    "Casablanca",
    "Tanger",
    "Oujda",
    "Fès",
    "Marrakech",
    "Agadir",
    "Nador",
    "Laâyoune",
    "Tétouan",
    "Meknès",
];

struct Pool {
    nat: &'static [&'static str],
    male: &'static [&'static str],
    female: &'static [&'static str],
    family: &'static [&'static str],
    phone_code: &'static str,
    arabic_share: u32,
}

const WA_MALE: &[&str] = &[
    "Abdou",
    "Alhassane",
    "Cheick",
    "Dramane",
    "Fousseyni",
    "Gaoussou",
    "Habib",
    "Ismaïla",
    "Kalidou",
    "Mahamadou",
    "Mamoudou",
    "Modibo",
    "Nouhoum",
    "Oumarou",
    "Saliou",
    "Siaka",
    "Soumaïla",
    "Tiémoko",
    "Yacouba",
    "Zoumana",
    "Thierno",
    "Alpha",
    "Mory",
    "Ansoumane",
    "Abdourahmane",
    "Moustapha",
    "Sory",
    "Amara",
    "Kader",
    "Elhadj",
    "Mamadou",
    "Ibrahima",
    "Ousmane",
    "Abdoulaye",
    "Moussa",
    "Amadou",
    "Souleymane",
    "Cheikh",
    "Modou",
    "Lamine",
    "Boubacar",
    "Seydou",
    "Issa",
    "Bakary",
    "Oumar",
    "Alassane",
    "Idrissa",
    "Youssouf",
    "Salif",
    "Adama",
    "Sekou",
    "Mohamed",
    "Malick",
    "Djibril",
    "Tidiane",
    "Moctar",
    "Daouda",
    "Lassana",
    "Fodé",
    "Mamadi",
    "Aliou",
    "Sidiki",
    "Boubou",
    "Karamoko",
    "Demba",
    "Samba",
    "Pape",
    "Babacar",
];
const WA_FEMALE: &[&str] = &[
    "Mariétou",
    "Adja",
    "Astou",
    "Fanta",
    "Kadidia",
    "Nogaye",
    "Bintou",
    "Dado",
    "Fatim",
    "Hadja",
    "Kadi",
    "Massitan",
    "Oumy",
    "Ramata",
    "Seynabou",
    "Sira",
    "Tenin",
    "Aïda",
    "Dior",
    "Yacine",
    "Maty",
    "Nafi",
    "Sali",
    "Djamila",
    "Haby",
    "Kani",
    "Fatoumata",
    "Aminata",
    "Mariama",
    "Aïssatou",
    "Kadiatou",
    "Awa",
    "Fatou",
    "Hawa",
    "Ramatoulaye",
    "Oumou",
    "Binta",
    "Khady",
    "Ndèye",
    "Coumba",
    "Rokia",
    "Assitan",
    "Djénéba",
    "Salimata",
    "Mariam",
    "Nafissatou",
    "Aïcha",
    "Safiatou",
    "Maïmouna",
    "Sokhna",
    "Dieynaba",
    "Penda",
    "Korka",
    "Nènè",
];
const WA_FAMILY: &[&str] = &[
    "Cissokho",
    "Coly",
    "Dabo",
    "Danfa",
    "Diaby",
    "Diagne",
    "Diakhaté",
    "Diawara",
    "Dieng",
    "Dione",
    "Diouf",
    "Dramé",
    "Gassama",
    "Kébé",
    "Konté",
    "Koroma",
    "Lo",
    "Ly",
    "Magassa",
    "Mané",
    "Ndao",
    "Ndoye",
    "Samb",
    "Sy",
    "Tandia",
    "Timbo",
    "Wade",
    "Wagué",
    "Diabaté",
    "Fadiga",
    "Koïta",
    "Marega",
    "Sakho",
    "Tounkara",
    "Soumaré",
    "Diallo",
    "Traoré",
    "Keïta",
    "Coulibaly",
    "Touré",
    "Camara",
    "Sow",
    "Ndiaye",
    "Diop",
    "Cissé",
    "Konaté",
    "Koné",
    "Sylla",
    "Bah",
    "Barry",
    "Bangoura",
    "Soumah",
    "Fofana",
    "Doumbia",
    "Dembélé",
    "Sangaré",
    "Kouyaté",
    "Diakité",
    "Sissoko",
    "Mbaye",
    "Gueye",
    "Faye",
    "Seck",
    "Sarr",
    "Ndour",
    "Kaba",
    "Condé",
    "Sacko",
    "Tall",
    "Niang",
    "Thiam",
    "Fall",
    "Sané",
    "Mendy",
    "Diatta",
    "Kanté",
    "Samaké",
    "Diarra",
    "Sidibé",
    "Ouattara",
    "Bamba",
    "Kouassi",
    "Koffi",
    "Konan",
    "N'Guessan",
    "Kouamé",
    "Yéo",
    "Soro",
    "Baldé",
    "Jalloh",
    "Kourouma",
];
const CA_MALE: &[&str] = &[
    "Thierry",
    "Yannick",
    "Stéphane",
    "Samuel",
    "Daniel",
    "Michel",
    "Ghislain",
    "Kevin",
    "Steve",
    "Eric",
    "Roger",
    "Simon",
    "Dieudonné",
    "Bienvenu",
    "Prince",
    "Jean",
    "Pierre",
    "Paul",
    "Joseph",
    "Emmanuel",
    "Patrick",
    "Christian",
    "Serge",
    "Blaise",
    "Hervé",
    "Didier",
    "Junior",
    "Arnaud",
    "Franck",
    "Landry",
    "Aristide",
    "Guy",
    "Fabrice",
    "Cédric",
    "Olivier",
    "Jean-Claude",
    "Jean-Pierre",
    "Alain",
    "Rodrigue",
];
const CA_FEMALE: &[&str] = &[
    "Pauline",
    "Aline",
    "Nathalie",
    "Annie",
    "Carine",
    "Viviane",
    "Laure",
    "Odile",
    "Estelle",
    "Claudine",
    "Berthe",
    "Régine",
    "Marie",
    "Grace",
    "Esther",
    "Sandrine",
    "Clarisse",
    "Chantal",
    "Nadège",
    "Brigitte",
    "Josiane",
    "Rachel",
    "Blandine",
    "Mireille",
    "Pascaline",
    "Gisèle",
    "Solange",
    "Françoise",
    "Marie-Claire",
    "Prisca",
    "Ornella",
    "Divine",
];
const CA_FAMILY: &[&str] = &[
    "Ngoma",
    "Kapinga",
    "Kanku",
    "Lokwa",
    "Mavungu",
    "Nsimba",
    "Tshimanga",
    "Mbenza",
    "Bokolo",
    "Eyenga",
    "Manga",
    "Ondoa",
    "Nkeng",
    "Tchakounte",
    "Djoko",
    "Fonkou",
    "Njoya",
    "Moukoko",
    "Mbarga",
    "Nkoulou",
    "Ngono",
    "Essomba",
    "Fotso",
    "Kamga",
    "Tchoupo",
    "Nana",
    "Atangana",
    "Owona",
    "Kabila",
    "Mukendi",
    "Kabongo",
    "Ilunga",
    "Mbuyi",
    "Kasongo",
    "Nzuzi",
    "Makiese",
    "Mutombo",
    "Kalala",
    "Tshibangu",
    "Ngoy",
    "Lukusa",
    "Mbala",
    "Ndongo",
    "Ekambi",
    "Fouda",
    "Abena",
    "Tamba",
    "Nkembe",
];
const NG_MALE: &[&str] = &[
    "Adewale",
    "Ayodele",
    "Chidi",
    "Ebuka",
    "Gbenga",
    "Ikechukwu",
    "Jide",
    "Lanre",
    "Nonso",
    "Olumide",
    "Rotimi",
    "Tobi",
    "Umar",
    "Victor",
    "Wale",
    "Chinedu",
    "Emeka",
    "Oluwaseun",
    "Babatunde",
    "Ibrahim",
    "Musa",
    "Abubakar",
    "Yusuf",
    "Chukwuemeka",
    "Tunde",
    "Segun",
    "Uche",
    "Ifeanyi",
    "Aliyu",
    "Sani",
    "Kelechi",
    "Obinna",
    "Femi",
    "Kunle",
    "Nnamdi",
];
const NG_FEMALE: &[&str] = &[
    "Amaka",
    "Bukola",
    "Chiamaka",
    "Damilola",
    "Ebere",
    "Fatima",
    "Kemi",
    "Lola",
    "Ronke",
    "Temitope",
    "Uju",
    "Ngozi",
    "Chioma",
    "Funmilayo",
    "Aisha",
    "Amina",
    "Zainab",
    "Blessing",
    "Adaeze",
    "Folake",
    "Hauwa",
    "Halima",
    "Nneka",
    "Yetunde",
    "Bisi",
    "Ifeoma",
    "Joy",
];
const NG_FAMILY: &[&str] = &[
    "Adeleke",
    "Afolabi",
    "Aminu",
    "Anyanwu",
    "Dike",
    "Egwu",
    "Ezeh",
    "Garba",
    "Ibe",
    "Musa",
    "Nnaji",
    "Ogbu",
    "Okoro",
    "Onyeka",
    "Salisu",
    "Okafor",
    "Okonkwo",
    "Adeyemi",
    "Ogunleye",
    "Bello",
    "Abubakar",
    "Mohammed",
    "Usman",
    "Ibrahim",
    "Eze",
    "Nwosu",
    "Olawale",
    "Adebayo",
    "Danjuma",
    "Yusuf",
    "Lawal",
    "Suleiman",
    "Okeke",
    "Obi",
    "Balogun",
    "Akande",
    "Nwachukwu",
    "Chukwu",
    "Ogundipe",
];
const AR_MALE: &[&str] = &[
    "Abdelaziz",
    "Abdelkarim",
    "Hicham",
    "Mehdi",
    "Othmane",
    "Reda",
    "Zakaria",
    "Soufiane",
    "Ilyas",
    "Amine",
    "Ayoub",
    "Hamid",
    "Jalal",
    "Kamal",
    "Mounir",
    "Nizar",
    "Radwan",
    "Sami",
    "Tamer",
    "Wael",
    "Yahya",
    "Zaid",
    "Haitham",
    "Ghassan",
    "Mazen",
    "Basel",
    "Firas",
    "Mohamed",
    "Ahmed",
    "Mahmoud",
    "Youssef",
    "Omar",
    "Ali",
    "Hassan",
    "Hussein",
    "Khaled",
    "Abdelkader",
    "Abdallah",
    "Ibrahim",
    "Mustapha",
    "Said",
    "Rachid",
    "Karim",
    "Hamza",
    "Yassine",
    "Bilal",
    "Tarek",
    "Jamal",
    "Salah",
    "Ismail",
    "Souleymane",
    "Abderrahmane",
    "Walid",
    "Samir",
    "Nabil",
    "Fouad",
    "Adel",
    "Majid",
    "Faisal",
    "Osman",
    "Idriss",
    "Younes",
    "Anas",
    "Ayman",
    "Ziad",
    "Bashar",
    "Ammar",
];
const AR_FEMALE: &[&str] = &[
    "Aya", "Batoul", "Duaa", "Esraa", "Fadwa", "Ghalia", "Hala", "Iman", "Jana", "Kawthar",
    "Lamia", "Maha", "Najwa", "Rabab", "Safaa", "Shaimaa", "Tasnim", "Yara", "Zahra", "Abir",
    "Bouchra", "Loubna", "Naima", "Siham", "Fatima", "Aicha", "Khadija", "Mariam", "Zeinab",
    "Amina", "Asmaa", "Houda", "Leila", "Salma", "Nour", "Rania", "Hiba", "Samira", "Nadia",
    "Souad", "Rim", "Lina", "Dalia", "Yasmine", "Hanane", "Meryem", "Ikram", "Sara", "Ghada",
    "Wafa", "Rasha", "Manal",
];
const AR_FAMILY: &[&str] = &[
    "Al Ali",
    "Al Omar",
    "Al Saleh",
    "Al Hamad",
    "Al Youssef",
    "Shaker",
    "Hamdi",
    "Qassem",
    "Rahmoun",
    "Sharif",
    "Zein",
    "Barakat",
    "Hilal",
    "Kanaan",
    "Atassi",
    "Jabri",
    "Kayyali",
    "Mardini",
    "Saadi",
    "Taha",
    "Zaher",
    "Al Jundi",
    "Elnour",
    "Mahjoub",
    "Al Ahmad",
    "Haddad",
    "Khalil",
    "Hussein",
    "Al Masri",
    "Hashemi",
    "Obeid",
    "Alaoui",
    "Idrissi",
    "Tahiri",
    "Bennani",
    "El Amrani",
    "Benali",
    "Al Hassan",
    "Othman",
    "Abdallah",
    "Mansour",
    "Saleh",
    "Darwish",
    "Khoury",
    "Najjar",
    "Sabbagh",
    "Halabi",
    "Hamdan",
    "Al Zubaidi",
    "Bashir",
    "Abdelrahman",
    "Idris",
    "Nasser",
    "Qasim",
    "Farouk",
    "El Fassi",
    "Berrada",
    "Chraibi",
    "Tazi",
    "Lahlou",
    "Ziani",
    "Ouazzani",
    "Al Shami",
    "Al Khatib",
    "Jaber",
    "Suleiman",
    "Al Tamimi",
    "Al Hakimi",
    "Ahmed",
    "Adam",
    "Osman",
    "Babiker",
    "Elamin",
];

const POOLS: &[(Pool, u32)] = &[
    (
        Pool {
            nat: &["SN", "Sénégal", "sénégalaise", "Senegal"],
            male: WA_MALE,
            female: WA_FEMALE,
            family: WA_FAMILY,
            phone_code: "221",
            arabic_share: 5,
        },
        14,
    ),
    (
        Pool {
            nat: &["ML", "Mali", "malienne", "Malien"],
            male: WA_MALE,
            female: WA_FEMALE,
            family: WA_FAMILY,
            phone_code: "223",
            arabic_share: 5,
        },
        12,
    ),
    (
        Pool {
            nat: &["GN", "Guinée", "guinéenne", "Guinea"],
            male: WA_MALE,
            female: WA_FEMALE,
            family: WA_FAMILY,
            phone_code: "224",
            arabic_share: 5,
        },
        14,
    ),
    (
        Pool {
            nat: &["CI", "Côte d'Ivoire", "ivoirienne", "Ivory Coast"],
            male: WA_MALE,
            female: WA_FEMALE,
            family: WA_FAMILY,
            phone_code: "225",
            arabic_share: 0,
        },
        10,
    ),
    (
        Pool {
            nat: &["CM", "Cameroun", "camerounaise", "Cameroon"],
            male: CA_MALE,
            female: CA_FEMALE,
            family: CA_FAMILY,
            phone_code: "237",
            arabic_share: 0,
        },
        9,
    ),
    (
        Pool {
            nat: &["CD", "RDC", "congolaise", "DR Congo"],
            male: CA_MALE,
            female: CA_FEMALE,
            family: CA_FAMILY,
            phone_code: "243",
            arabic_share: 0,
        },
        7,
    ),
    (
        Pool {
            nat: &["NG", "Nigeria", "nigériane", "Nigerian"],
            male: NG_MALE,
            female: NG_FEMALE,
            family: NG_FAMILY,
            phone_code: "234",
            arabic_share: 0,
        },
        6,
    ),
    (
        Pool {
            nat: &["SY", "Syrie", "syrienne", "سوريا"],
            male: AR_MALE,
            female: AR_FEMALE,
            family: AR_FAMILY,
            phone_code: "963",
            arabic_share: 70,
        },
        10,
    ),
    (
        Pool {
            nat: &["YE", "Yémen", "yéménite", "اليمن"],
            male: AR_MALE,
            female: AR_FEMALE,
            family: AR_FAMILY,
            phone_code: "967",
            arabic_share: 70,
        },
        6,
    ),
    (
        Pool {
            nat: &["SD", "Soudan", "soudanaise", "السودان"],
            male: AR_MALE,
            female: AR_FEMALE,
            family: AR_FAMILY,
            phone_code: "249",
            arabic_share: 70,
        },
        7,
    ),
    (
        Pool {
            nat: &["MA", "Maroc", "marocaine", "المغرب"],
            male: AR_MALE,
            female: AR_FEMALE,
            family: AR_FAMILY,
            phone_code: "212",
            arabic_share: 60,
        },
        5,
    ),
];

/// Arabic spellings the generator writes, with the hamza, taa marbuta and alef maksura as a
/// careful clerk would; desks then drop or vary them.
const ARABIC: &[(&str, &str)] = &[
    ("Abdelaziz", "عبد العزيز"),
    ("Abdelkarim", "عبد الكريم"),
    ("Hicham", "هشام"),
    ("Mehdi", "مهدي"),
    ("Othmane", "عثمان"),
    ("Reda", "رضا"),
    ("Zakaria", "زكرياء"),
    ("Soufiane", "سفيان"),
    ("Ilyas", "إلياس"),
    ("Amine", "أمين"),
    ("Ayoub", "أيوب"),
    ("Hamid", "حميد"),
    ("Jalal", "جلال"),
    ("Kamal", "كمال"),
    ("Mounir", "منير"),
    ("Nizar", "نزار"),
    ("Radwan", "رضوان"),
    ("Sami", "سامي"),
    ("Tamer", "تامر"),
    ("Wael", "وائل"),
    ("Yahya", "يحيى"),
    ("Zaid", "زيد"),
    ("Haitham", "هيثم"),
    ("Ghassan", "غسان"),
    ("Mazen", "مازن"),
    ("Basel", "باسل"),
    ("Firas", "فراس"),
    ("Aya", "آية"),
    ("Batoul", "بتول"),
    ("Duaa", "دعاء"),
    ("Esraa", "إسراء"),
    ("Fadwa", "فدوى"),
    ("Ghalia", "غالية"),
    ("Hala", "هالة"),
    ("Iman", "إيمان"),
    ("Jana", "جنى"),
    ("Kawthar", "كوثر"),
    ("Lamia", "لمياء"),
    ("Maha", "مها"),
    ("Najwa", "نجوى"),
    ("Rabab", "رباب"),
    ("Safaa", "صفاء"),
    ("Shaimaa", "شيماء"),
    ("Tasnim", "تسنيم"),
    ("Yara", "يارا"),
    ("Zahra", "زهرة"),
    ("Abir", "عبير"),
    ("Bouchra", "بشرى"),
    ("Loubna", "لبنى"),
    ("Naima", "نعيمة"),
    ("Siham", "سهام"),
    ("Al Ali", "العلي"),
    ("Al Omar", "العمر"),
    ("Al Saleh", "الصالح"),
    ("Al Hamad", "الحمد"),
    ("Al Youssef", "اليوسف"),
    ("Shaker", "شاكر"),
    ("Hamdi", "حمدي"),
    ("Qassem", "قاسم"),
    ("Rahmoun", "رحمون"),
    ("Sharif", "شريف"),
    ("Zein", "زين"),
    ("Barakat", "بركات"),
    ("Hilal", "هلال"),
    ("Kanaan", "كنعان"),
    ("Atassi", "الأتاسي"),
    ("Jabri", "الجابري"),
    ("Kayyali", "الكيالي"),
    ("Mardini", "مارديني"),
    ("Saadi", "السعدي"),
    ("Taha", "طه"),
    ("Zaher", "زاهر"),
    ("Al Jundi", "الجندي"),
    ("Elnour", "النور"),
    ("Mahjoub", "محجوب"),
    ("Mohamed", "محمد"),
    ("Ahmed", "أحمد"),
    ("Mahmoud", "محمود"),
    ("Youssef", "يوسف"),
    ("Omar", "عمر"),
    ("Ali", "علي"),
    ("Hassan", "حسن"),
    ("Hussein", "حسين"),
    ("Khaled", "خالد"),
    ("Abdelkader", "عبد القادر"),
    ("Abdallah", "عبد الله"),
    ("Ibrahim", "إبراهيم"),
    ("Mustapha", "مصطفى"),
    ("Said", "سعيد"),
    ("Rachid", "رشيد"),
    ("Karim", "كريم"),
    ("Hamza", "حمزة"),
    ("Yassine", "ياسين"),
    ("Bilal", "بلال"),
    ("Tarek", "طارق"),
    ("Jamal", "جمال"),
    ("Salah", "صلاح"),
    ("Ismail", "إسماعيل"),
    ("Souleymane", "سليمان"),
    ("Abderrahmane", "عبد الرحمن"),
    ("Walid", "وليد"),
    ("Samir", "سمير"),
    ("Nabil", "نبيل"),
    ("Fouad", "فؤاد"),
    ("Adel", "عادل"),
    ("Majid", "ماجد"),
    ("Faisal", "فيصل"),
    ("Osman", "عثمان"),
    ("Idriss", "إدريس"),
    ("Younes", "يونس"),
    ("Anas", "أنس"),
    ("Ayman", "أيمن"),
    ("Ziad", "زياد"),
    ("Bashar", "بشار"),
    ("Ammar", "عمار"),
    ("Fatima", "فاطمة"),
    ("Aicha", "عائشة"),
    ("Khadija", "خديجة"),
    ("Mariam", "مريم"),
    ("Zeinab", "زينب"),
    ("Amina", "أمينة"),
    ("Asmaa", "أسماء"),
    ("Houda", "هدى"),
    ("Leila", "ليلى"),
    ("Salma", "سلمى"),
    ("Nour", "نور"),
    ("Rania", "رانيا"),
    ("Hiba", "هبة"),
    ("Samira", "سميرة"),
    ("Nadia", "نادية"),
    ("Souad", "سعاد"),
    ("Rim", "ريم"),
    ("Lina", "لينا"),
    ("Dalia", "داليا"),
    ("Yasmine", "ياسمين"),
    ("Hanane", "حنان"),
    ("Meryem", "مريم"),
    ("Ikram", "إكرام"),
    ("Sara", "سارة"),
    ("Ghada", "غادة"),
    ("Wafa", "وفاء"),
    ("Rasha", "رشا"),
    ("Manal", "منال"),
    ("Al Ahmad", "الأحمد"),
    ("Haddad", "حداد"),
    ("Khalil", "خليل"),
    ("Al Masri", "المصري"),
    ("Hashemi", "الهاشمي"),
    ("Obeid", "عبيد"),
    ("Alaoui", "العلوي"),
    ("Idrissi", "الإدريسي"),
    ("Tahiri", "الطاهري"),
    ("Bennani", "بناني"),
    ("El Amrani", "العمراني"),
    ("Benali", "بن علي"),
    ("Al Hassan", "الحسن"),
    ("Othman", "عثمان"),
    ("Mansour", "منصور"),
    ("Saleh", "صالح"),
    ("Darwish", "درويش"),
    ("Khoury", "خوري"),
    ("Najjar", "نجار"),
    ("Sabbagh", "صباغ"),
    ("Halabi", "الحلبي"),
    ("Hamdan", "حمدان"),
    ("Al Zubaidi", "الزبيدي"),
    ("Bashir", "بشير"),
    ("Abdelrahman", "عبد الرحمن"),
    ("Idris", "إدريس"),
    ("Nasser", "ناصر"),
    ("Qasim", "قاسم"),
    ("Farouk", "فاروق"),
    ("El Fassi", "الفاسي"),
    ("Berrada", "برادة"),
    ("Chraibi", "الشرايبي"),
    ("Tazi", "التازي"),
    ("Lahlou", "لحلو"),
    ("Ziani", "الزياني"),
    ("Ouazzani", "الوزاني"),
    ("Al Shami", "الشامي"),
    ("Al Khatib", "الخطيب"),
    ("Jaber", "جابر"),
    ("Suleiman", "سليمان"),
    ("Al Tamimi", "التميمي"),
    ("Al Hakimi", "الحكيمي"),
    ("Adam", "آدم"),
    ("Babiker", "بابكر"),
    ("Elamin", "الأمين"),
    ("Mamadou", "مامادو"),
    ("Diallo", "ديالو"),
    ("Moussa", "موسى"),
    ("Ousmane", "عثمان"),
    ("Ibrahima", "إبراهيما"),
    ("Fatoumata", "فاتوماتا"),
    ("Aminata", "أميناتا"),
    ("Traoré", "تراوري"),
    ("Keïta", "كيتا"),
    ("Camara", "كامارا"),
    ("Touré", "توري"),
    ("Cissé", "سيسي"),
    ("Issa", "عيسى"),
    ("Youssouf", "يوسف"),
    ("Abdoulaye", "عبد الله"),
];

fn arabic_of(latin: &str) -> Option<&'static str> {
    ARABIC.iter().find(|(l, _)| *l == latin).map(|(_, a)| *a)
}

struct Person {
    id: u64,
    given: &'static str,
    /// A second given name or, for Arab persons, the father's name (nasab).
    second: Option<&'static str>,
    family: &'static str,
    male: bool,
    pool: usize,
    year: u16,
    month: u8,
    day: u8,
    year_only: bool,
    phone: Option<String>,
    phone2: String,
    document: Option<String>,
    city: usize,
}

struct Gen {
    rng: SplitMix,
}

impl Gen {
    fn pct(&mut self, p: u32) -> bool {
        (self.rng.below(100) as u32) < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.rng.below(xs.len())]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.rng.below(10) as u8))
            .collect()
    }
    fn mobile(&mut self, code: &str) -> String {
        // Most persons use a Moroccan SIM; recent arrivals keep their own.
        if code == "212" || self.pct(85) {
            format!("212{}{}", self.pick(&["6", "7"]), self.digits(8))
        } else {
            format!("{code}7{}", self.digits(7))
        }
    }
    fn pool(&mut self) -> usize {
        let total: u32 = POOLS.iter().map(|(_, w)| w).sum();
        let mut x = self.rng.below(total as usize) as u32;
        for (i, (_, w)) in POOLS.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        0
    }
    fn person(&mut self, id: u64) -> Person {
        let pool = self.pool();
        let p = &POOLS[pool].0;
        let male = self.pct(60);
        let given = if male {
            *self.pick(p.male)
        } else {
            *self.pick(p.female)
        };
        let family = *self.pick(p.family);
        let second = if self.pct(35) {
            // Father's names are male names; West African second given names follow sex.
            Some(*self.pick(if male || p.arabic_share > 0 {
                p.male
            } else {
                p.female
            }))
            .filter(|s| *s != given)
        } else {
            None
        };
        let year = 1960 + self.rng.below(48) as u16;
        let phone = if self.pct(85) {
            Some(self.mobile(p.phone_code))
        } else {
            None
        };
        let phone2 = self.mobile(p.phone_code);
        let doc_len = 6 + self.rng.below(3);
        let document = if self.pct(50) {
            let prefix = *self.pick(&["AB", "CD", "MA", "PS", "RC", "XK", "SY", "GN"]);
            Some(format!("{prefix}{}", self.digits(doc_len)))
        } else {
            None
        };
        Person {
            id,
            given,
            second,
            family,
            male,
            pool,
            year,
            month: 1 + self.rng.below(12) as u8,
            day: 1 + self.rng.below(28) as u8,
            year_only: self.pct(25),
            phone,
            phone2,
            document,
            city: self.rng.below(CITIES.len()),
        }
    }

    /// A spelling variant: from the variant table, or from generic transliteration rules.
    fn variant(&mut self, name: &str) -> String {
        let lower = crate::normalise::normalise_name(name);
        if self.pct(50)
            && let Some(fam) = VARIANT_FAMILIES
                .iter()
                .find(|f| f.contains(&lower.as_str()))
        {
            let v = *self.pick(fam);
            return capitalise(v);
        }
        let rules: &[(&str, &str)] = &[
            ("ou", "u"),
            ("u", "ou"),
            ("ss", "s"),
            ("s", "ss"),
            ("mm", "m"),
            ("ll", "l"),
            ("l", "ll"),
            ("tt", "t"),
            ("e", "a"),
            ("a", "e"),
            ("y", "i"),
            ("i", "y"),
            ("dj", "j"),
            ("j", "dj"),
            ("k", "c"),
            ("c", "k"),
            ("ph", "f"),
            ("kh", "k"),
            ("ch", "sh"),
            ("sh", "ch"),
            ("é", "e"),
            ("ï", "i"),
            ("oo", "ou"),
            ("q", "k"),
            ("ah", "a"),
            ("ee", "i"),
            ("an", "ane"),
            ("ane", "an"),
            ("ine", "in"),
            ("th", "t"),
        ];
        let mut s = name.to_string();
        for _ in 0..4 {
            let (from, to) = *self.pick(rules);
            if let Some(pos) = s.to_lowercase().find(from)
                && s.is_char_boundary(pos)
                && s.is_char_boundary(pos + from.len())
            {
                s.replace_range(pos..pos + from.len(), to);
                break;
            }
        }
        s
    }

    fn typo(&mut self, name: &str) -> String {
        let mut c: Vec<char> = name.chars().collect();
        if c.len() < 3 {
            return name.to_string();
        }
        let i = 1 + self.rng.below(c.len() - 1);
        match self.rng.below(4) {
            0 => {
                c.remove(i);
            }
            1 => c.insert(i, *self.pick(&['a', 'e', 'i', 'o', 'n', 'r', 's', 't'])),
            2 => c[i] = *self.pick(&['a', 'e', 'i', 'o', 'u', 'm', 'n', 'l']),
            _ => {
                if i + 1 < c.len() {
                    c.swap(i, i + 1);
                }
            }
        }
        c.into_iter().collect()
    }

    fn noisy_name(&mut self, name: &str) -> String {
        let mut s = name.to_string();
        if self.pct(25) {
            s = self.variant(&s);
        }
        if self.pct(7) {
            s = self.typo(&s);
        }
        if self.pct(10) {
            for (a, b) in [
                ("Abdel", "Abdel "),
                ("Abd", "Abd "),
                ("Abou", "Abou "),
                ("Al ", "Al-"),
                ("El ", "El-"),
                ("Ben", "Ben "),
            ] {
                if s.starts_with(a) && !s.starts_with(b) {
                    s = s.replacen(a, b, 1);
                    break;
                }
            }
        }
        match self.rng.below(10) {
            0 => s.to_uppercase(),
            1 => s.to_lowercase(),
            _ => s,
        }
    }

    fn arabic_variant(&mut self, ar: &str) -> String {
        let mut s = ar.to_string();
        if self.pct(40) {
            s = s.replace(['أ', 'إ', 'آ'], "ا");
        }
        if self.pct(30) {
            s = s.replace('ة', "ه");
        }
        if self.pct(30) {
            s = s.replace('ى', "ي");
        }
        if self.pct(30) {
            s = s.replace("عبد ال", "عبدال");
        }
        if self.pct(10) {
            s = s.replacen("ال", "", 1);
        }
        s
    }

    fn date(&mut self, p: &Person) -> Option<String> {
        if self.pct(4) {
            return None;
        }
        if self.pct(1) {
            return Some((*self.pick(&["vers 1990", "inconnue?", "??/??/19"])).to_string());
        }
        let mut y = p.year;
        let (mut m, mut d) = (p.month, p.day);
        if p.year_only || self.pct(12) {
            if self.pct(6) {
                y = if self.pct(50) { y + 1 } else { y - 1 };
            }
            return Some(if self.pct(60) {
                format!("{y}")
            } else {
                format!("01/01/{y}")
            });
        }
        match self.rng.below(100) {
            0..=5 if d <= 12 => std::mem::swap(&mut m, &mut d),
            6..=9 => y = if self.pct(50) { y + 1 } else { y - 1 },
            10..=13 => d = 1 + (d % 28),
            _ => {}
        }
        Some(match self.rng.below(3) {
            0 => format!("{y:04}-{m:02}-{d:02}"),
            1 => format!("{d:02}/{m:02}/{y:04}"),
            _ => format!("{d:02}-{m:02}-{y:04}"),
        })
    }

    fn phone_form(&mut self, p: &str) -> String {
        let (code, rest) = if let Some(r) = p.strip_prefix("212") {
            ("212", r)
        } else {
            p.split_at(3)
        };
        match self.rng.below(5) {
            0 => format!("+{code} {rest}"),
            1 => format!("00{code}{rest}"),
            2 if code == "212" => format!("0{rest}"),
            3 if code == "212" => {
                let d: Vec<char> = format!("0{rest}").chars().collect();
                d.chunks(2)
                    .map(|c| c.iter().collect::<String>())
                    .collect::<Vec<_>>()
                    .join("-")
            }
            _ => format!("+{code}{rest}"),
        }
    }

    fn register(&mut self, p: &Person, rid: &mut u64) -> SyntheticRecord {
        let pool = &POOLS[p.pool].0;
        let org = *self.pick(ORGS);
        let mut given = self.noisy_name(p.given);
        // Some desks write the second given name (or father's name), others drop it.
        let second = p.second.filter(|_| self.pct(65));
        if let Some(sec) = second {
            given = format!("{given} {}", self.noisy_name(sec));
        }
        let mut family = self.noisy_name(p.family);
        if self.pct(8) {
            std::mem::swap(&mut given, &mut family);
        }
        let second_ar = match second {
            Some(sec) => arabic_of(sec).map(|a| format!(" {a}")),
            None => Some(String::new()),
        };
        let ar = match (arabic_of(p.given), second_ar, arabic_of(p.family)) {
            (Some(g), Some(sec), Some(f)) if self.pct(pool.arabic_share) => {
                Some(self.arabic_variant(&format!("{g}{sec} {f}")))
            }
            _ => None,
        };
        let (given, family) = match &ar {
            Some(_) if self.pct(45) => (None, None),
            _ => (Some(given), Some(family)),
        };
        let phone = match &p.phone {
            Some(ph) if self.pct(65) => Some(self.phone_form(ph)),
            _ if self.pct(30) => {
                let ph2 = p.phone2.clone();
                Some(self.phone_form(&ph2))
            }
            _ if self.pct(2) => Some("pas de tél".to_string()),
            _ => None,
        };
        let document = match &p.document {
            Some(d) if self.pct(55) => {
                let mut d = d.clone();
                if self.pct(30) {
                    d = format!("{} {}", &d[..2], &d[2..]);
                }
                if self.pct(20) {
                    d = d.to_lowercase();
                }
                if self.pct(3) {
                    d = self.typo(&d);
                }
                Some(d)
            }
            _ => None,
        };
        let sex = if self.pct(95) {
            let m = if self.pct(1) { !p.male } else { p.male };
            Some(
                (*self.pick(if m {
                    &["M", "H", "Homme", "masculin"][..]
                } else {
                    &["F", "F", "Femme", "féminin"][..]
                }))
                .to_string(),
            )
        } else {
            None
        };
        let nationality = if self.pct(90) {
            Some((*self.pick(pool.nat)).to_string())
        } else {
            None
        };
        let city = if self.pct(85) {
            CITIES[p.city]
        } else {
            *self.pick(CITIES)
        };
        *rid += 1;
        SyntheticRecord {
            record: Record {
                id: format!("R{:07}", *rid),
                given_name: given,
                family_name: family,
                name_arabic: ar,
                sex,
                birth_date: self.date(p),
                nationality,
                phone,
                document_number: document,
                city: Some(city.to_string()),
                extra: Vec::new(),
            },
            person_id: p.id,
            organisation: org,
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Generates a registry of about `cfg.records` registrations, shuffled.
pub fn generate(cfg: &GeneratorConfig) -> Vec<SyntheticRecord> {
    let mut g = Gen {
        rng: SplitMix(cfg.seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x1234_5678),
    };
    let mut persons: Vec<Person> = Vec::new();
    let target_persons = (cfg.records as f64 / 1.9).ceil() as usize;
    let mut next_id = 0u64;
    while persons.len() < target_persons {
        next_id += 1;
        let mut p = g.person(next_id);
        if cfg.hard_cases && g.pct(12) {
            // A household: the person, a spouse and children sharing phone and city.
            let size = 1 + g.rng.below(4);
            let mut members = Vec::new();
            for k in 0..size {
                next_id += 1;
                let mut q = g.person(next_id);
                q.pool = p.pool;
                let pool = &POOLS[p.pool].0;
                q.male = k > 0 && g.pct(50);
                q.second = None;
                q.given = if q.male {
                    *g.pick(pool.male)
                } else {
                    *g.pick(pool.female)
                };
                q.family = if k == 0 && g.pct(50) {
                    *g.pick(pool.family)
                } else {
                    p.family
                };
                q.year = if k == 0 {
                    p.year + g.rng.below(6) as u16
                } else {
                    (p.year + 18 + g.rng.below(15) as u16).min(2024)
                };
                q.phone = p.phone.clone();
                q.city = p.city;
                members.push(q);
            }
            persons.extend(members);
        }
        if cfg.hard_cases && g.pct(2) {
            // Twins: same family name, birth date, phone and city; another given name.
            next_id += 1;
            let mut t = g.person(next_id);
            let pool = &POOLS[p.pool].0;
            t.pool = p.pool;
            t.family = p.family;
            t.year = p.year;
            t.month = p.month;
            t.day = p.day;
            t.year_only = p.year_only;
            t.phone = p.phone.clone();
            t.city = p.city;
            t.second = None;
            t.given = loop {
                let cand = if t.male {
                    *g.pick(pool.male)
                } else {
                    *g.pick(pool.female)
                };
                if cand != p.given {
                    break cand;
                }
            };
            persons.push(t);
        }
        if cfg.hard_cases && g.pct(1) && p.pool <= 2 {
            p.given = "Mamadou";
            p.second = None;
            p.family = "Diallo";
            p.male = true;
            p.year = 1995;
        }
        persons.push(p);
    }
    if cfg.hard_cases {
        // Many "Mamadou Diallo" born in 1995, each a different person.
        for _ in 0..(cfg.records / 250).max(3) {
            next_id += 1;
            let mut p = g.person(next_id);
            p.pool = 2;
            p.given = "Mamadou";
            p.second = None;
            p.family = "Diallo";
            p.male = true;
            p.year = 1995;
            persons.push(p);
        }
    }
    let mut out = Vec::with_capacity(cfg.records + 16);
    let mut rid = 0u64;
    for p in &persons {
        let n = match g.rng.below(100) {
            0..=44 => 1,
            45..=74 => 2,
            75..=89 => 3,
            90..=96 => 4,
            _ => 5,
        };
        for _ in 0..n {
            out.push(g.register(p, &mut rid));
        }
    }
    // Shuffle deterministically, then renumber so ids say nothing about the person.
    for i in (1..out.len()).rev() {
        let j = g.rng.below(i + 1);
        out.swap(i, j);
    }
    for (k, r) in out.iter_mut().enumerate() {
        r.record.id = format!("R{:07}", k + 1);
    }
    out
}

/// Writes a generated registry as CSV with a `person_id` truth column.
pub fn write_csv(records: &[SyntheticRecord], w: impl Write) -> Result<(), crate::LinkageError> {
    let mut wtr = csv::Writer::from_writer(w);
    wtr.write_record([
        "record_id",
        "person_id",
        "organisation",
        "given_name",
        "family_name",
        "name_arabic",
        "sex",
        "birth_date",
        "nationality",
        "phone",
        "document_number",
        "city",
    ])?;
    for s in records {
        let r = &s.record;
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        wtr.write_record([
            r.id.clone(),
            s.person_id.to_string(),
            s.organisation.to_string(),
            o(&r.given_name),
            o(&r.family_name),
            o(&r.name_arabic),
            o(&r.sex),
            o(&r.birth_date),
            o(&r.nationality),
            o(&r.phone),
            o(&r.document_number),
            o(&r.city),
        ])?;
    }
    wtr.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_registry() {
        let cfg = GeneratorConfig {
            records: 300,
            ..GeneratorConfig::default()
        };
        assert_eq!(generate(&cfg), generate(&cfg));
        let other = generate(&GeneratorConfig { seed: 2, ..cfg });
        assert_ne!(
            generate(&GeneratorConfig {
                records: 300,
                ..GeneratorConfig::default()
            }),
            other
        );
    }

    #[test]
    fn registry_has_the_hard_cases() {
        let recs = generate(&GeneratorConfig {
            records: 3000,
            ..GeneratorConfig::default()
        });
        let mamadous: std::collections::HashSet<u64> = recs
            .iter()
            .filter(|r| {
                r.record.given_name.as_deref() == Some("Mamadou")
                    && r.record.family_name.as_deref() == Some("Diallo")
            })
            .map(|r| r.person_id)
            .collect();
        assert!(mamadous.len() >= 5, "{} Mamadou Diallo", mamadous.len());
        assert!(
            recs.iter()
                .any(|r| r.record.name_arabic.is_some() && r.record.given_name.is_none())
        );
        assert!((2500..4000).contains(&recs.len()), "{} records", recs.len());
    }
}
