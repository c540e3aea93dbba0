//! The yearly report as PDF, typeset by typst used as a library.
//!
//! The report arrives here already written in one language
//! ([`passerelle_domain::report::Document`]: every string translated, every number
//! formatted, charts as SVG). We hand typst a fixed template ([`TEMPLATE`]) and the
//! document as `/data.json`, charts as `/chart-N.svg`, in a world of our own
//! ([`ReportWorld`]): nothing is read from disk but the fonts, nothing is downloaded,
//! so the same document always gives the same PDF. Typst shapes Arabic and lays out
//! right-to-left text itself, which is why it was chosen over PDF crates that do not.
//!
//! Fonts come from the configured paths (`report.font_paths`, by default Debian's
//! `fonts-noto-core` and `fonts-hosny-amiri`); only the families the template uses are
//! kept in memory.

use passerelle_domain::report::Document;
use std::path::{Path, PathBuf};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The typst template; it reads `/data.json`.
pub const TEMPLATE: &str = include_str!("report.typ");

/// The font families the template asks for.
pub const FAMILIES: [&str; 4] = [
    "noto sans",
    "noto naskh arabic",
    "amiri",
    "noto sans arabic",
];

/// Where Debian puts the fonts the report needs.
pub const DEFAULT_FONT_PATHS: [&str; 2] = [
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/fonts-hosny-amiri",
];

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// No usable font in the configured paths.
    #[error(
        "no font of the families {families:?} in {paths:?}: install fonts-noto-core and fonts-hosny-amiri, or set report.font_paths"
    )]
    NoFonts {
        paths: Vec<PathBuf>,
        families: Vec<String>,
    },
    /// A family the language needs is missing.
    #[error("the font family \"{0}\" is missing from report.font_paths")]
    MissingFamily(String),
    /// Typst refused the document (a bug in the template or the data).
    #[error("typesetting failed: {0}")]
    Typeset(String),
}

/// The fonts loaded from the configured paths.
pub struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl Fonts {
    /// Loads the template's families from `paths` (directories, searched one level
    /// deep, or font files).
    pub fn load(paths: &[PathBuf]) -> Result<Fonts, ReportError> {
        let mut files = Vec::new();
        for p in paths {
            if p.is_dir() {
                if let Ok(rd) = std::fs::read_dir(p) {
                    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
                    v.sort();
                    files.extend(v);
                }
            } else {
                files.push(p.clone());
            }
        }
        let mut fonts = Vec::new();
        for f in files {
            if !is_font_file(&f) {
                continue;
            }
            let Ok(data) = std::fs::read(&f) else {
                continue;
            };
            for font in Font::iter(Bytes::new(data)) {
                let family = font.info().family.to_lowercase();
                if FAMILIES.contains(&family.as_str()) {
                    fonts.push(font);
                }
            }
        }
        if fonts.is_empty() {
            return Err(ReportError::NoFonts {
                paths: paths.to_vec(),
                families: FAMILIES.iter().map(|s| s.to_string()).collect(),
            });
        }
        let book = FontBook::from_fonts(&fonts);
        Ok(Fonts {
            book: LazyHash::new(book),
            fonts,
        })
    }

    pub fn has_family(&self, family: &str) -> bool {
        self.book.contains_family(&family.to_lowercase())
    }
}

fn is_font_file(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("ttf" | "otf" | "ttc")
    )
}

/// The typst world of one report: the template, the data, the charts, the fonts.
struct ReportWorld<'a> {
    library: LazyHash<Library>,
    fonts: &'a Fonts,
    main: FileId,
    source: Source,
    data: Bytes,
    charts: Vec<(FileId, Bytes)>,
    data_id: FileId,
}

fn file_id(path: &str) -> Result<FileId, ReportError> {
    let vpath = VirtualPath::new(path).map_err(|e| ReportError::Typeset(format!("{e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotSource)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            return Ok(self.data.clone());
        }
        if id == self.main {
            return Ok(Bytes::from_string(self.source.text().to_string()));
        }
        self.charts
            .iter()
            .find(|(c, _)| *c == id)
            .map(|(_, b)| b.clone())
            .ok_or(FileError::AccessDenied)
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Reports carry the snapshot's date, never today's: regenerating is stable.
        None
    }
}

/// The font families for a document's language, in order of preference.
pub fn families_for(doc: &Document) -> Vec<&'static str> {
    if doc.rtl {
        vec!["Amiri", "Noto Naskh Arabic", "Noto Sans"]
    } else {
        vec!["Noto Sans", "Amiri"]
    }
}

/// Typesets `doc` as PDF.
pub fn pdf(doc: &Document, fonts: &Fonts) -> Result<Vec<u8>, ReportError> {
    let families = families_for(doc);
    if let Some(first) = families.first()
        && !fonts.has_family(first)
    {
        // Arabic without an Arabic font would print boxes: refuse instead.
        if doc.rtl && !fonts.has_family("Noto Naskh Arabic") {
            return Err(ReportError::MissingFamily((*first).to_string()));
        }
    }
    let mut data = serde_json::to_value(doc).map_err(|e| ReportError::Typeset(e.to_string()))?;
    if let Some(obj) = data.as_object_mut() {
        obj.insert("fonts".into(), serde_json::json!(families));
    }
    let mut charts = Vec::new();
    for o in &doc.objectives {
        for p in &o.programmes {
            for t in &p.tables {
                if let Some(svg) = &t.chart_svg {
                    charts.push((
                        file_id(&format!("/chart-{}.svg", t.number))?,
                        Bytes::new(svg.clone().into_bytes()),
                    ));
                }
            }
        }
    }
    let main = file_id("/main.typ")?;
    let world = ReportWorld {
        library: LazyHash::new(Library::default()),
        fonts,
        main,
        source: Source::new(main, TEMPLATE.to_string()),
        data: Bytes::new(
            serde_json::to_vec(&data).map_err(|e| ReportError::Typeset(e.to_string()))?,
        ),
        data_id: file_id("/data.json")?,
        charts,
    };
    let document: typst_layout::PagedDocument = typst::compile(&world)
        .output
        .map_err(|errs| ReportError::Typeset(format!("{errs:?}")))?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(doc.hash_line.clone()),
        timestamp: None,
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errs| ReportError::Typeset(format!("{errs:?}")))
}
