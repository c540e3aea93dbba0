//! The `passerelle` command: a thin shell over the service layer.
//!
//! `serve` runs the web application; `demo` runs it on a fresh embedded database
//! with demo data; `migrate`, `user add`, `audit verify`, `territory import-communes`
//! and `default-config` are the operator's tools. Configuration comes in layers:
//! built-in defaults, a TOML file (`--config`), then `PASSERELLE__SECTION__KEY`
//! environment variables, then command-line flags.

mod config;

use anyhow::{Context, Result, bail};

/// mimalloc instead of the system allocator: a case page allocates a few thousand
/// small strings and rows across the runtime's and SQLite's threads, where glibc's
/// arenas cost a sixth of the CPU under load (see BENCHMARKS.md, issue #4).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use config::Config;
use passerelle_service::{NewUserInput, Service, ServiceError};
use passerelle_store::Store;
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "passerelle",
    version,
    about = "Passerelle — information system for Morocco's national immigration and asylum strategy"
)]
struct Cli {
    /// A TOML configuration file (see `passerelle default-config`).
    #[arg(long, global = true, env = "PASSERELLE_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB (overrides the config).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application.
    Serve {
        #[arg(long)]
        listen: Option<String>,
    },
    /// Run the web application on a fresh embedded database with demo data, or on
    /// the empty database that `--database-url` names (to try PostgreSQL).
    Demo {
        /// Where the demo database goes (emptied first); unused with `--database-url`.
        #[arg(long, default_value = "./data-dir/demo")]
        data_dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Apply database migrations and load reference data.
    Migrate,
    /// Governance: bodies, meetings, committee briefs.
    Governance {
        #[command(subcommand)]
        command: GovernanceCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Territories.
    Territory {
        #[command(subcommand)]
        command: TerritoryCommand,
    },
    /// The registry of people (case work).
    People {
        #[command(subcommand)]
        command: PeopleCommand,
    },
    /// Assessment forms of case work (sections, fields, conditions, labels), versioned.
    Form {
        #[command(subcommand)]
        command: FormCommand,
    },
    /// Results frameworks (SNIA, AMUDDU, regional strategies).
    Framework {
        #[command(subcommand)]
        command: FrameworkCommand,
    },
    /// Aggregate values reported by partners.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// The service directory: import and export.
    Directory {
        #[command(subcommand)]
        command: DirectoryCommand,
    },
    /// Indicator values computed from what was reported.
    Indicator {
        #[command(subcommand)]
        command: IndicatorCommand,
    },
    /// Find the records that are the same person: writes `record_id,cluster_id` for
    /// every row (or scored pairs with `--pairs`).
    Dedup {
        /// A CSV with columns record_id (or id), given_name, family_name, name_arabic,
        /// sex, birth_date, nationality, phone, document_number, city.
        input: PathBuf,
        #[arg(long, short)]
        output: PathBuf,
        /// A second file to link against the first, instead of deduplicating one.
        #[arg(long)]
        against: Option<PathBuf>,
        /// Use another column for a field: --map given_name=prenom (repeatable).
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// Write scored pairs with their explanation instead of clusters.
        #[arg(long)]
        pairs: bool,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Privacy-preserving linkage: encode a file with a key shared among partners
    /// (names never leave the organisation), then link encoded files.
    Linkage {
        #[command(subcommand)]
        command: LinkageCommand,
    },
    /// Import from partners' systems: DHIS2 data value sets and the DHIS2 mapping.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Export for partners' systems: IATI activity files, DHIS2 data value sets, the mapping.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// The yearly report: freeze a data version, generate the report (PDF or HTML, French or Arabic).
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Print the default configuration as TOML.
    DefaultConfig,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Freeze every figure of a year's report, its sources and the approved narratives;
    /// prints the snapshot's id and content hash.
    Snapshot {
        #[arg(long)]
        year: i32,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List the frozen data versions.
    Snapshots {
        #[arg(long)]
        year: Option<i32>,
    },
    /// Generate the yearly report from a snapshot (default: the latest of the year).
    Yearly {
        #[arg(long)]
        year: i32,
        #[arg(long, value_enum, default_value_t = ReportLang::Fr)]
        lang: ReportLang,
        #[arg(long, value_enum, default_value_t = ReportFormat::Pdf)]
        format: ReportFormat,
        #[arg(long)]
        output: PathBuf,
        #[arg(long)]
        snapshot: Option<i64>,
        #[arg(long, value_enum, default_value_t = ReportAudience::Internal)]
        audience: ReportAudience,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportLang {
    Fr,
    Ar,
    En,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Pdf,
    Html,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportAudience {
    Internal,
    Public,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a DHIS2 data value set (JSON, CSV or ADX, from the extension or the
    /// content) through the mapping; prints DHIS2's import summary. All or nothing
    /// unless --import-what-maps.
    Dhis2 {
        file: PathBuf,
        /// The reporting organisation when the file names none.
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long)]
        import_what_maps: bool,
    },
    /// Replace the DHIS2 mapping from its CSV (kind,code,dhis2_code,note); all or nothing.
    Mapping { file: PathBuf },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// A results framework as an IATI 2.03 activity file, on standard output.
    Iati {
        #[arg(long)]
        framework: String,
    },
    /// Approved values as a DHIS2 data value set, on standard output.
    Dhis2 {
        #[arg(long, value_enum, default_value_t = Dhis2Out::Json)]
        format: Dhis2Out,
        /// A DHIS2 data set code (default: every mapped indicator).
        #[arg(long)]
        data_set: Option<String>,
        #[arg(long)]
        period: Option<String>,
        #[arg(long)]
        org_unit: Option<String>,
    },
    /// The DHIS2 mapping as CSV, on standard output.
    Mapping,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Dhis2Out {
    Json,
    Csv,
    Adx,
}

#[derive(Subcommand)]
enum LinkageCommand {
    /// Encode a CSV (the same columns as `dedup`) into keyed Bloom filters and digests.
    Encode {
        input: PathBuf,
        #[arg(long, short)]
        output: PathBuf,
        /// A file holding the secret key shared by the partners (never by the matcher).
        #[arg(long)]
        key_file: PathBuf,
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
    },
    /// Link two or more encoded files: writes `file,record_id,cluster_id`.
    Match {
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        #[arg(long, short)]
        output: PathBuf,
        /// Scored pairs instead of clusters.
        #[arg(long)]
        pairs: bool,
        /// Each record matches at most one record of the other file (two files only).
        #[arg(long)]
        one_to_one: bool,
    },
}

#[derive(Subcommand)]
enum PeopleCommand {
    /// Link every organisation's registry with the linkage engine so that indicators
    /// count each person once (prints counts, never names).
    Link,
}

#[derive(Subcommand)]
enum FormCommand {
    /// Load a new version of a form from its JSON definition (refused with every
    /// problem located; a version, once loaded, is never changed).
    Import { file: PathBuf },
    /// Print a form's definition (its latest version unless `--version`).
    Show {
        code: String,
        #[arg(long)]
        version: Option<i64>,
    },
}

#[derive(Subcommand)]
enum GovernanceCommand {
    /// Import the bodies (`bodies.json`) and meetings calendar (`meetings.csv`) of a
    /// directory such as `data/governance` (all or nothing).
    Import { dir: PathBuf },
    /// A committee brief: each programme the body steers with its actions and their
    /// latest figures, submissions overdue, follow-up actions, alerts.
    Brief {
        /// The body's code: CP3, COPIL, AMUDDU-CTOS…
        body: String,
        /// The brief's date (YYYY-MM-DD); today by default.
        #[arg(long)]
        date: Option<String>,
        /// A meeting id of the body: the brief prepares it.
        #[arg(long)]
        meeting: Option<i64>,
        #[arg(long, value_enum, default_value_t = BriefFormat::Md)]
        format: BriefFormat,
        /// Language of the HTML brief (fr, ar, en).
        #[arg(long, default_value = "fr")]
        lang: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum BriefFormat {
    Json,
    Html,
    Md,
}

#[derive(Subcommand)]
enum FrameworkCommand {
    /// Import or replace a framework from its JSON definition (all or nothing).
    Import { file: PathBuf },
    /// List the frameworks loaded.
    List,
    /// Print a framework's tree.
    Show {
        code: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Subcommand)]
enum DataCommand {
    /// Import values from CSV files (indicator,period,territory,organisation,value
    /// [,qualifier,comment,sex,age,status,nationality,school_level]); all or nothing.
    Import { files: Vec<PathBuf> },
}

#[derive(Subcommand)]
enum DirectoryCommand {
    /// Import directory files, all together and all or nothing: CSV tables named
    /// organizations.csv, locations.csv, services.csv, taxonomy.csv, rights.csv,
    /// projects.csv, conventions.csv (or a directory holding them), an XLSX workbook
    /// with one sheet per table, or an HSDS JSON document. Records match by code.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Export the directory: CSV writes one file per table into --output (a
    /// directory); xlsx, hsds and hxl write one file (--output, or standard output).
    Export {
        #[arg(long, value_enum, default_value_t = DirFormat::Csv)]
        format: DirFormat,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DirFormat {
    Csv,
    Xlsx,
    Hsds,
    Hxl,
}

#[derive(Subcommand)]
enum IndicatorCommand {
    /// An indicator's values for a period, optionally by dimensions.
    Values {
        #[arg(long)]
        indicator: String,
        #[arg(long)]
        period: String,
        /// A territory code or name (default: MA, the whole country).
        #[arg(long)]
        territory: Option<String>,
        /// Comma-separated: territory, organisation, or a dimension of data/dimensions.json (sex, age, status, nationality, school_level, group); `age:age-2` folds finer bands into a category set.
        #[arg(long, value_delimiter = ',')]
        by: Vec<String>,
        /// Count submitted values too, not only approved ones.
        #[arg(long)]
        include_submitted: bool,
        /// Who the figures are for: `public` and `partners` withhold counts of fewer
        /// than the configured threshold of people (5 by default) and their complements.
        #[arg(long, default_value = "internal", value_parser = ["internal", "partners", "public"])]
        audience: String,
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Csv,
    Text,
    Json,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from PASSERELLE_NEW_PASSWORD or standard input.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// The organisation's code (e.g. EN-RABAT).
        #[arg(long)]
        organisation: String,
        /// Comma-separated: administrator, secretariat, focal_point, supervisor, case_worker, community_agent, viewer.
        #[arg(long)]
        roles: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the whole audit trail.
    Verify,
}

#[derive(Subcommand)]
enum TerritoryCommand {
    /// Load communes from a CSV (code,province_code,name_fr,name_ar,name_en,aliases).
    ImportCommunes { file: PathBuf },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("passerelle: {e:#}");
        std::process::exit(1);
    }
}

async fn open(cfg: &Config) -> Result<Service> {
    let url = cfg.database_url()?;
    let store = Store::connect(&url).await?;
    store.migrate().await.context("applying migrations")?;
    let svc = Service::new(store, cfg.service()?);
    svc.ensure_reference_data("startup")
        .await
        .context("loading reference data")?;
    Ok(svc)
}

fn describe(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid(errors) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| match &e.value {
                    Some(v) => format!("  {}: {} ({v})", e.field, e.code),
                    None => format!("  {}: {}", e.field, e.code),
                })
                .collect();
            anyhow::anyhow!("invalid input:\n{}", lines.join("\n"))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// A service error as the report's readers see it: the sentence in French, Arabic
/// and English (the CLI has no language of its own), then the code.
fn describe_localised(e: ServiceError) -> anyhow::Error {
    use passerelle_domain::Locale;
    let w = passerelle_web::error::WebError::from(ServiceError::Invalid(match &e {
        ServiceError::Invalid(errors) => errors.clone(),
        _ => return describe(e),
    }));
    let lines: Vec<String> = [Locale::Fr, Locale::Ar, Locale::En]
        .into_iter()
        .map(|l| passerelle_web::error::message(&w, l))
        .collect();
    anyhow::anyhow!("{}\n({})", lines.join("\n"), w.code)
}

async fn report(cfg: &Config, command: ReportCommand) -> Result<()> {
    use passerelle_domain::Locale;
    use passerelle_domain::disclosure::Audience;
    let svc = open(cfg).await?;
    match command {
        ReportCommand::Snapshot { year, label } => {
            let info = svc
                .take_snapshot(None, year, &label, "cli")
                .await
                .map_err(describe_localised)?;
            println!(
                "snapshot {} ({}) sha256 {}",
                info.snapshot_id, info.year, info.content_hash
            );
        }
        ReportCommand::Snapshots { year } => {
            for s in svc.snapshots(None, year).await.map_err(describe)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    s.snapshot_id, s.year, s.created_at, s.content_hash, s.label
                );
            }
        }
        ReportCommand::Yearly {
            year,
            lang,
            format,
            output,
            snapshot,
            audience,
        } => {
            let (info, content) = svc
                .snapshot(None, snapshot, Some(year))
                .await
                .map_err(describe_localised)?;
            let locale = match lang {
                ReportLang::Fr => Locale::Fr,
                ReportLang::Ar => Locale::Ar,
                ReportLang::En => Locale::En,
            };
            let audience = match audience {
                ReportAudience::Internal => Audience::Internal,
                ReportAudience::Public => Audience::Public,
            };
            let policy = svc.disclosure();
            let doc = passerelle_web::report::document(&info, &content, locale, audience, &policy);
            let bytes = match format {
                ReportFormat::Pdf => {
                    let paths: Vec<PathBuf> =
                        cfg.report.font_paths.iter().map(PathBuf::from).collect();
                    let fonts = passerelle_report::Fonts::load(&paths)?;
                    passerelle_report::pdf(&doc, &fonts)?
                }
                ReportFormat::Html => passerelle_web::report::standalone_html(&doc)
                    .context("rendering the report")?
                    .into_bytes(),
            };
            std::fs::write(&output, bytes)
                .with_context(|| format!("writing {}", output.display()))?;
            println!(
                "{} written from snapshot {} (sha256 {})",
                output.display(),
                info.snapshot_id,
                info.content_hash
            );
        }
    }
    svc.store().close().await;
    Ok(())
}

async fn run(cli: Cli) -> Result<()> {
    let mut cfg = Config::load(cli.config.as_deref())?;
    let url_given = cli.database_url.is_some();
    if let Some(url) = cli.database_url {
        cfg.database.url = url;
    }
    match cli.command {
        Command::DefaultConfig => {
            print!("{}", config::default_toml()?);
            Ok(())
        }
        Command::Migrate => {
            let svc = open(&cfg).await?;
            println!(
                "migrations applied on {}",
                passerelle_store::redact_url(&cfg.database_url()?)
            );
            svc.store().close().await;
            Ok(())
        }
        Command::Serve { listen } => {
            config::init_tracing(&cfg);
            let svc = open(&cfg).await?;
            serve(svc, &cfg, listen.as_deref().unwrap_or(&cfg.server.listen)).await
        }
        Command::Demo { data_dir, listen } => {
            config::init_tracing(&cfg);
            if !url_given {
                if data_dir.exists() {
                    std::fs::remove_dir_all(&data_dir)
                        .with_context(|| format!("emptying {}", data_dir.display()))?;
                }
                std::fs::create_dir_all(&data_dir)
                    .with_context(|| format!("creating {}", data_dir.display()))?;
                cfg.database.url = format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("passerelle.db").display()
                );
            }
            cfg.server.secure_cookies = false;
            let svc = open(&cfg).await?;
            svc.load_demo("demo").await.map_err(describe)?;
            println!("Passerelle demo: http://{listen}/");
            println!(
                "Demo users (password: {}):",
                passerelle_service::demo::DEMO_PASSWORD
            );
            for (username, name, org, role) in passerelle_service::demo::DEMO_USERS {
                println!("  {username:<15} {role:<16} {org:<13} {name}");
            }
            serve(svc, &cfg, &listen).await
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    name,
                    organisation,
                    roles,
                },
        } => {
            let password = match std::env::var("PASSERELLE_NEW_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("password (at least 12 characters), then Enter:");
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let svc = open(&cfg).await?;
            let input = NewUserInput {
                username: username.clone(),
                display_name: name,
                organisation,
                roles: vec![roles],
                password,
            };
            let id = svc
                .create_user(None, &input, &passerelle_service::new_operation_id())
                .await
                .map_err(describe)?;
            println!("user {username} created (id {})", id.0);
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let svc = open(&cfg).await?;
            match svc.verify_audit(None).await {
                Ok(r) => {
                    println!(
                        "audit chain intact: {} rows, last hash {}",
                        r.rows, r.last_hash
                    );
                    Ok(())
                }
                Err(ServiceError::AuditChainBroken { seq }) => {
                    bail!("audit chain broken at row {seq}")
                }
                Err(e) => Err(describe(e)),
            }
        }
        Command::Framework { command } => framework(&cfg, command).await,
        Command::Governance { command } => governance(&cfg, command).await,
        Command::People {
            command: PeopleCommand::Link,
        } => {
            let svc = open(&cfg).await?;
            let s = svc.link_registries(None, "cli").await.map_err(describe)?;
            println!(
                "{} people, {} pairs linked, {} people grouped with another registration",
                s.people, s.pairs, s.clustered
            );
            Ok(())
        }
        Command::Form { command } => {
            let svc = open(&cfg).await?;
            match command {
                FormCommand::Import { file } => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("reading {}", file.display()))?;
                    match svc.import_form(&text, "cli").await {
                        Ok((code, version)) => {
                            println!("form {code} version {version} loaded");
                            Ok(())
                        }
                        Err(issues) => {
                            for i in &issues {
                                eprintln!(
                                    "  {}: {}{}",
                                    i.field,
                                    i.code,
                                    i.value
                                        .as_deref()
                                        .map(|v| format!(" ({v})"))
                                        .unwrap_or_default()
                                );
                            }
                            anyhow::bail!(
                                "{}: {} problem(s), nothing loaded",
                                file.display(),
                                issues.len()
                            )
                        }
                    }
                }
                FormCommand::Show { code, version } => {
                    let def = svc
                        .form_definition(&code, version)
                        .await
                        .map_err(describe)?;
                    println!("{}", serde_json::to_string_pretty(&def)?);
                    Ok(())
                }
            }
        }
        Command::Linkage { command } => linkage(command),
        Command::Directory {
            command: DirectoryCommand::Import { files },
        } => {
            use passerelle_service::directory::{DirectoryImportError, read_files};
            let svc = open(&cfg).await?;
            let mut inputs = Vec::new();
            for path in &files {
                if path.is_dir() {
                    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                        .with_context(|| format!("reading {}", path.display()))?
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            p.extension()
                                .and_then(|e| e.to_str())
                                .is_some_and(|e| matches!(e, "csv" | "xlsx" | "ods" | "json"))
                        })
                        .collect();
                    entries.sort();
                    for p in entries {
                        let bytes = std::fs::read(&p)
                            .with_context(|| format!("reading {}", p.display()))?;
                        inputs.push((p.display().to_string(), bytes));
                    }
                } else {
                    let bytes = std::fs::read(path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    inputs.push((path.display().to_string(), bytes));
                }
            }
            let names: Vec<String> = inputs.iter().map(|(n, _)| n.clone()).collect();
            let result = match read_files(&inputs) {
                Ok(raw) => {
                    svc.import_directory(
                        None,
                        &raw,
                        &names.join(", "),
                        &passerelle_service::new_operation_id(),
                    )
                    .await
                }
                Err(issues) => Err(DirectoryImportError::Invalid(issues)),
            };
            match result {
                Ok(r) => {
                    for (table, n) in &r.tables {
                        println!("{table}: {n} rows");
                    }
                    println!("{} rows imported or updated", r.rows);
                    Ok(())
                }
                Err(DirectoryImportError::Invalid(issues)) => {
                    for i in &issues {
                        eprintln!("{i}");
                    }
                    bail!("{} problems; nothing was imported", issues.len())
                }
                Err(DirectoryImportError::Service(e)) => Err(describe(e)),
            }
        }
        Command::Directory {
            command: DirectoryCommand::Export { format, output },
        } => {
            use passerelle_service::directory::ExportFormat;
            let svc = open(&cfg).await?;
            let format = match format {
                DirFormat::Csv => ExportFormat::Csv,
                DirFormat::Xlsx => ExportFormat::Xlsx,
                DirFormat::Hsds => ExportFormat::Hsds,
                DirFormat::Hxl => ExportFormat::Hxl,
            };
            let files = svc
                .export_directory(None, format, None)
                .await
                .map_err(describe)?;
            match (format, output) {
                (ExportFormat::Csv, Some(dir)) => {
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                    for f in files {
                        let path = dir.join(&f.name);
                        std::fs::write(&path, &f.bytes)
                            .with_context(|| format!("writing {}", path.display()))?;
                        println!("{}", path.display());
                    }
                }
                (ExportFormat::Csv, None) => {
                    bail!("--format csv writes one file per table: give --output DIRECTORY")
                }
                (_, Some(path)) => {
                    for f in files {
                        std::fs::write(&path, &f.bytes)
                            .with_context(|| format!("writing {}", path.display()))?;
                    }
                }
                (_, None) => {
                    let mut out = std::io::stdout().lock();
                    for f in files {
                        out.write_all(&f.bytes)?;
                    }
                }
            }
            Ok(())
        }
        Command::Data {
            command: DataCommand::Import { files },
        } => {
            use passerelle_service::values::ValuesImportError;
            let svc = open(&cfg).await?;
            let mut failed = 0;
            for file in &files {
                let bytes =
                    std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
                let is_sheet = file.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(e.to_ascii_lowercase().as_str(), "xlsx" | "xls" | "ods")
                });
                let text = if is_sheet {
                    passerelle_service::values::spreadsheet_to_csv(&bytes)
                } else {
                    String::from_utf8(bytes).map_err(|_| {
                        ValuesImportError::Invalid(vec![passerelle_domain::values::RowIssue {
                            line: 1,
                            column: "file".into(),
                            code: passerelle_domain::ErrorCode::Format,
                            value: "not UTF-8 text: save it as CSV UTF-8 or XLSX".into(),
                            rule: None,
                        }])
                    })
                };
                let result = match text {
                    Ok(text) => {
                        svc.import_values(
                            None,
                            &text,
                            &file.display().to_string(),
                            &passerelle_service::new_operation_id(),
                        )
                        .await
                    }
                    Err(e) => Err(e),
                };
                match result {
                    Ok(r) => println!(
                        "{}: {} values imported, {} updated",
                        file.display(),
                        r.imported,
                        r.updated
                    ),
                    Err(ValuesImportError::Invalid(issues)) => {
                        for i in &issues {
                            eprintln!("{}: {i}", file.display());
                        }
                        eprintln!(
                            "{}: {} problems; nothing was imported from this file",
                            file.display(),
                            issues.len()
                        );
                        failed += 1;
                    }
                    Err(ValuesImportError::Service(e)) => return Err(describe(e)),
                }
            }
            if failed > 0 {
                bail!("{failed} of {} files refused", files.len());
            }
            Ok(())
        }
        Command::Import { command } => {
            use passerelle_service::exchange::{Dhis2Format, Dhis2ImportOptions};
            use passerelle_service::values::ValuesImportError;
            let svc = open(&cfg).await?;
            let op = passerelle_service::new_operation_id();
            match command {
                ImportCommand::Dhis2 {
                    file,
                    organisation,
                    import_what_maps,
                } => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("reading {}", file.display()))?;
                    let format = file
                        .extension()
                        .and_then(|e| e.to_str())
                        .and_then(Dhis2Format::parse)
                        .unwrap_or_else(|| Dhis2Format::sniff(&text));
                    let options = Dhis2ImportOptions {
                        organisation,
                        import_what_maps,
                        id_scheme: None,
                    };
                    let summary = svc
                        .import_dhis2(None, format, &text, &options, &op)
                        .await
                        .map_err(describe)?;
                    println!("{}", serde_json::to_string_pretty(&summary)?);
                    if summary.status == "ERROR" {
                        bail!("{}: nothing was imported", file.display());
                    }
                    Ok(())
                }
                ImportCommand::Mapping { file } => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("reading {}", file.display()))?;
                    match svc.import_exchange_mapping(None, &text, &op).await {
                        Ok(n) => {
                            println!("{}: {n} mapping rows", file.display());
                            Ok(())
                        }
                        Err(ValuesImportError::Invalid(issues)) => {
                            for i in &issues {
                                eprintln!("{}: {i}", file.display());
                            }
                            bail!(
                                "{}: {} problems; the mapping was not replaced",
                                file.display(),
                                issues.len()
                            )
                        }
                        Err(ValuesImportError::Service(e)) => Err(describe(e)),
                    }
                }
            }
        }
        Command::Report { command } => report(&cfg, command).await,
        Command::Export { command } => {
            use passerelle_service::exchange::{Dhis2Format, Dhis2Query};
            let svc = open(&cfg).await?;
            match command {
                ExportCommand::Iati { framework } => {
                    print!(
                        "{}",
                        svc.iati_activity(None, &framework)
                            .await
                            .map_err(describe)?
                    );
                }
                ExportCommand::Dhis2 {
                    format,
                    data_set,
                    period,
                    org_unit,
                } => {
                    let q = Dhis2Query {
                        data_set,
                        period,
                        org_unit,
                        ..Default::default()
                    };
                    let export = svc.export_dhis2(None, &q).await.map_err(describe)?;
                    let format = match format {
                        Dhis2Out::Json => Dhis2Format::Json,
                        Dhis2Out::Csv => Dhis2Format::Csv,
                        Dhis2Out::Adx => Dhis2Format::Adx,
                    };
                    let left = export.left_out(format);
                    match format {
                        Dhis2Format::Json => println!("{}", export.to_json()),
                        Dhis2Format::Csv => print!("{}", export.to_csv()),
                        Dhis2Format::Adx => {
                            let now = passerelle_store::now();
                            print!("{}", export.to_adx(&format!("{}Z", &now[..19])))
                        }
                    }
                    if left > 0 {
                        eprintln!("{left} values left out: no DHIS2 code in the mapping");
                    }
                }
                ExportCommand::Mapping => {
                    let rows = svc.exchange_mapping(None).await.map_err(describe)?;
                    print!("{}", passerelle_domain::exchange::mapping_csv(&rows));
                }
            }
            Ok(())
        }
        Command::Indicator {
            command:
                IndicatorCommand::Values {
                    indicator,
                    period,
                    territory,
                    by,
                    include_submitted,
                    audience,
                    format,
                },
        } => {
            let svc = open(&cfg).await?;
            let q = passerelle_service::values::ValuesQuery {
                indicator,
                period,
                territory,
                by,
                include_submitted,
                audience: passerelle_domain::disclosure::Audience::parse(&audience)
                    .unwrap_or_default(),
            };
            let table = svc.indicator_values(None, &q).await.map_err(describe)?;
            match format {
                Format::Json => {
                    let _ = writeln!(
                        std::io::stdout(),
                        "{}",
                        serde_json::to_string_pretty(&table)?
                    );
                }
                Format::Csv | Format::Text => {
                    let _ = write!(std::io::stdout(), "{}", table.to_csv());
                }
            }
            for note in &table.notes {
                eprintln!("note: {note}");
            }
            Ok(())
        }
        Command::Dedup {
            input,
            output,
            against,
            map,
            pairs,
            quiet,
        } => dedup(&input, &output, against.as_deref(), &map, pairs, quiet),
        Command::Territory {
            command: TerritoryCommand::ImportCommunes { file },
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let svc = open(&cfg).await?;
            match svc
                .import_communes(&text, &passerelle_service::new_operation_id())
                .await
            {
                Ok(n) => {
                    println!("{n} communes loaded");
                    Ok(())
                }
                Err(rows) => {
                    for r in &rows {
                        eprintln!(
                            "line {}: {}: {}{}",
                            r.line,
                            r.error.field,
                            r.error.code,
                            r.error
                                .value
                                .as_ref()
                                .map(|v| format!(" ({v})"))
                                .unwrap_or_default()
                        );
                    }
                    bail!("{} bad rows; nothing was loaded", rows.len())
                }
            }
        }
    }
}

async fn governance(cfg: &Config, command: GovernanceCommand) -> Result<()> {
    use passerelle_service::governance::GovImportError;
    let svc = open(cfg).await?;
    match command {
        GovernanceCommand::Import { dir } => {
            let read = |name: &str| {
                let path = dir.join(name);
                std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))
            };
            let (bodies, meetings) = (read("bodies.json")?, read("meetings.csv")?);
            match svc
                .import_governance(
                    None,
                    &bodies,
                    &meetings,
                    &passerelle_service::new_operation_id(),
                )
                .await
            {
                Ok(s) => {
                    println!(
                        "governance imported: {} bodies, {} members; meetings: {} added, {} already there",
                        s.bodies, s.members, s.meetings_added, s.meetings_unchanged
                    );
                    Ok(())
                }
                Err(GovImportError::Invalid(issues)) => {
                    for i in &issues {
                        eprintln!("{}/{i}", dir.display());
                    }
                    bail!("{} problems; nothing was imported", issues.len())
                }
                Err(GovImportError::Service(e)) => Err(describe(e)),
            }
        }
        GovernanceCommand::Brief {
            body,
            date,
            meeting,
            format,
            lang,
        } => {
            let brief = match svc.brief(None, &body, meeting, date.as_deref()).await {
                Err(ServiceError::NotFound) => bail!(
                    "no body {body} (or no such meeting of it); the bodies are listed at /governance"
                ),
                other => other.map_err(describe)?,
            };
            let text = match format {
                BriefFormat::Json => serde_json::to_string_pretty(&brief)?,
                BriefFormat::Md => brief.to_markdown(),
                BriefFormat::Html => {
                    let locale = passerelle_domain::Locale::parse(&lang)
                        .ok_or_else(|| anyhow::anyhow!("--lang: fr, ar or en"))?;
                    passerelle_web::governance::brief_document(brief, locale)?
                }
            };
            let _ = writeln!(std::io::stdout(), "{text}");
            Ok(())
        }
    }
}

async fn framework(cfg: &Config, command: FrameworkCommand) -> Result<()> {
    use passerelle_service::frameworks::ImportError;
    let svc = open(cfg).await?;
    match command {
        FrameworkCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            match svc
                .import_framework(None, &text, &passerelle_service::new_operation_id())
                .await
            {
                Ok(s) => {
                    println!(
                        "framework {} imported: {} nodes, {} indicators; targets: {} added, {} revised, {} withdrawn",
                        s.code,
                        s.nodes,
                        s.indicators,
                        s.targets.added,
                        s.targets.revised,
                        s.targets.withdrawn
                    );
                    Ok(())
                }
                Err(ImportError::Invalid(issues)) => {
                    for i in &issues {
                        eprintln!("{}: {i}", file.display());
                    }
                    bail!("{} problems; nothing was imported", issues.len())
                }
                Err(ImportError::Service(e)) => Err(describe(e)),
            }
        }
        FrameworkCommand::List => {
            for f in svc.frameworks(None).await.map_err(describe)? {
                println!(
                    "{:<24} {:>4} nodes {:>4} indicators  {}",
                    f.code, f.nodes, f.indicators, f.title.fr
                );
            }
            Ok(())
        }
        FrameworkCommand::Show { code, format } => {
            let view = match svc.framework(None, &code).await {
                Err(ServiceError::NotFound) => {
                    bail!("no framework {code}; `passerelle framework list` shows those loaded")
                }
                other => other.map_err(describe)?,
            };
            match format {
                Format::Json => {
                    // A closed pipe (`| head`) ends the output quietly.
                    let _ = writeln!(
                        std::io::stdout(),
                        "{}",
                        serde_json::to_string_pretty(&view.definition.tree())?
                    );
                }
                Format::Text | Format::Csv => {
                    fn walk(
                        def: &passerelle_domain::framework::FrameworkDef,
                        parent: Option<&str>,
                        depth: usize,
                    ) {
                        for n in def.children_of(parent) {
                            let _ = writeln!(
                                std::io::stdout(),
                                "{}{} [{}] {}",
                                "  ".repeat(depth),
                                n.code,
                                n.level,
                                n.title.fr
                            );
                            for i in def.indicators.iter().filter(|i| i.node == n.code) {
                                let _ = writeln!(
                                    std::io::stdout(),
                                    "{}  ◦ {} {}",
                                    "  ".repeat(depth),
                                    i.code,
                                    i.title.fr
                                );
                            }
                            walk(def, Some(&n.code), depth + 1);
                        }
                    }
                    let _ = writeln!(
                        std::io::stdout(),
                        "{} — {}",
                        view.definition.code,
                        view.definition.title.fr
                    );
                    walk(&view.definition, None, 1);
                }
            }
            Ok(())
        }
    }
}

fn dedup(
    input: &std::path::Path,
    output: &std::path::Path,
    against: Option<&std::path::Path>,
    map: &[String],
    pairs: bool,
    quiet: bool,
) -> Result<()> {
    use passerelle_linkage::{DedupOptions, OutputKind, Progress, Stage};
    let mut opts = DedupOptions::default();
    for m in map {
        opts.mapping.push(DedupOptions::parse_mapping(m)?);
    }
    if pairs {
        opts.output = OutputKind::Pairs;
    }
    let open_in = |p: &std::path::Path| {
        std::fs::File::open(p)
            .map(std::io::BufReader::new)
            .with_context(|| format!("reading {}", p.display()))
    };
    let out =
        std::fs::File::create(output).with_context(|| format!("writing {}", output.display()))?;
    let out = std::io::BufWriter::new(out);
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut progress = |p: Progress| {
        let stage = match p.stage {
            Stage::Reading => "reading",
            Stage::Blocking => "blocking",
            Stage::Comparing => "comparing",
            Stage::Estimating => "estimating",
            Stage::Clustering => "clustering",
            Stage::Writing => "writing",
        };
        bar.set_message(stage);
        bar.set_length(p.total.max(p.done));
        bar.set_position(p.done);
    };
    let report = match against {
        None => passerelle_linkage::dedup_csv(open_in(input)?, out, &opts, &mut progress)?,
        Some(b) => passerelle_linkage::link_csv_files(
            open_in(input)?,
            open_in(b)?,
            out,
            &opts,
            &mut progress,
        )?,
    };
    bar.finish_and_clear();
    eprintln!(
        "{} records read, {} rows written to {}",
        report.records,
        report.rows_written,
        output.display()
    );
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    Ok(())
}

fn linkage(command: LinkageCommand) -> Result<()> {
    use passerelle_linkage::{EncodeOptions, MatchOptions, OutputKind};
    let open_in = |p: &std::path::Path| {
        std::fs::File::open(p)
            .map(std::io::BufReader::new)
            .with_context(|| format!("reading {}", p.display()))
    };
    let create = |p: &std::path::Path| {
        std::fs::File::create(p)
            .map(std::io::BufWriter::new)
            .with_context(|| format!("writing {}", p.display()))
    };
    match command {
        LinkageCommand::Encode {
            input,
            output,
            key_file,
            map,
        } => {
            let key = std::fs::read(&key_file)
                .with_context(|| format!("reading the key file {}", key_file.display()))?;
            let key: Vec<u8> = key.trim_ascii().to_vec();
            let mut opts = EncodeOptions::default();
            for m in &map {
                opts.mapping
                    .push(passerelle_linkage::DedupOptions::parse_mapping(m)?);
            }
            let report = passerelle_linkage::encode_csv(
                open_in(&input)?,
                create(&output)?,
                &key,
                &opts,
                &mut |_| {},
            )?;
            eprintln!(
                "{} records encoded ({}) into {}",
                report.records,
                report.scheme,
                output.display()
            );
            for note in &report.notes {
                eprintln!("note: {note}");
            }
        }
        LinkageCommand::Match {
            files,
            output,
            pairs,
            one_to_one,
        } => {
            let readers = files
                .iter()
                .map(|f| open_in(f))
                .collect::<Result<Vec<_>>>()?;
            let opts = MatchOptions {
                output: if pairs {
                    OutputKind::Pairs
                } else {
                    OutputKind::Clusters
                },
                labels: files
                    .iter()
                    .map(|f| {
                        f.file_stem()
                            .map(|s| s.to_string_lossy().to_string())
                            .unwrap_or_default()
                    })
                    .collect(),
                one_to_one,
                ..Default::default()
            };
            let report =
                passerelle_linkage::match_csv(readers, create(&output)?, &opts, &mut |_| {})?;
            eprintln!(
                "{} records from {} files linked; {} rows written to {}",
                report.records,
                report.files,
                report.rows_written,
                output.display()
            );
            for note in &report.notes {
                eprintln!("note: {note}");
            }
        }
    }
    Ok(())
}

/// How often a serving process refreshes the database's planner statistics.
const STATISTICS_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

async fn serve(svc: Service, cfg: &Config, listen: &str) -> Result<()> {
    // A registry grows from nothing to millions of rows while the server runs; plans
    // chosen on the statistics of the first days would stay (see
    // `Store::refresh_statistics`). Once an hour, bounded work.
    let store = svc.store().clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(STATISTICS_EVERY);
        every.tick().await;
        loop {
            every.tick().await;
            if let Err(e) = store.refresh_statistics().await {
                tracing::warn!(error = %e, "refreshing the planner's statistics");
            }
        }
    });
    let app = passerelle_web::app(
        svc,
        passerelle_web::WebConfig {
            secure_cookies: cfg.server.secure_cookies,
        },
    );
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    tracing::info!(address = %listen, "serving");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")
}
