//! Reference data shipped with Passerelle: Morocco's regions and provinces
//! (`data/territories/`), loaded into the store at start when missing, and communes
//! loadable from a file.

use crate::error::ServiceError;
use crate::{Service, audit_row};
use passerelle_domain::territory::fold_name;
use passerelle_domain::{DomainError, ErrorCode, Locale, TerritoryCode, TerritoryLevel};
use passerelle_store::audit;
use passerelle_store::territories::{self, Territory};
use serde_json::json;

const REGIONS_CSV: &str = include_str!("../../../data/territories/ma-regions.csv");
const PROVINCES_CSV: &str = include_str!("../../../data/territories/ma-provinces.csv");

/// A problem in a territory file, with its line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub error: DomainError,
}

fn field(rec: &csv::StringRecord, headers: &csv::StringRecord, name: &str) -> String {
    headers
        .iter()
        .position(|h| h == name)
        .and_then(|i| rec.get(i))
        .unwrap_or("")
        .trim()
        .to_string()
}

fn opt(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Parses a territory CSV (`code,…,name_fr,name_ar,name_en,aliases`); `parent_column`
/// names the column holding the parent code (or none: the parent is `MA`).
pub fn parse_territories(
    text: &str,
    level: TerritoryLevel,
    parent_column: Option<&str>,
) -> Result<Vec<Territory>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(_) => {
            return Err(vec![RowError {
                line: 1,
                error: DomainError::new("header", ErrorCode::Format),
            }]);
        }
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(_) => {
                errors.push(RowError {
                    line,
                    error: DomainError::new("row", ErrorCode::Format),
                });
                continue;
            }
        };
        let code = match TerritoryCode::parse(&field(&rec, &headers, "code")) {
            Ok(c) if c.level() == level => c,
            Ok(c) => {
                errors.push(RowError {
                    line,
                    error: DomainError::with_value("code", ErrorCode::Format, c.as_str()),
                });
                continue;
            }
            Err(e) => {
                errors.push(RowError { line, error: e });
                continue;
            }
        };
        let parent = match parent_column {
            Some(col) => field(&rec, &headers, col),
            None => "MA".to_string(),
        };
        let name_fr = field(&rec, &headers, "name_fr");
        if name_fr.is_empty() {
            errors.push(RowError {
                line,
                error: DomainError::new("name_fr", ErrorCode::Required),
            });
            continue;
        }
        out.push(Territory {
            code,
            level,
            parent_code: Some(parent),
            kind: opt(field(&rec, &headers, "kind")),
            name_fr,
            name_ar: opt(field(&rec, &headers, "name_ar")),
            name_en: opt(field(&rec, &headers, "name_en")),
            aliases: field(&rec, &headers, "aliases"),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The shipped country, regions and provinces.
pub fn shipped_territories() -> Result<Vec<Territory>, Vec<RowError>> {
    let mut all = vec![Territory {
        code: TerritoryCode::parse("MA").map_err(|e| vec![RowError { line: 0, error: e }])?,
        level: TerritoryLevel::Country,
        parent_code: None,
        kind: None,
        name_fr: "Maroc".into(),
        name_ar: Some("المغرب".into()),
        name_en: Some("Morocco".into()),
        aliases: "Royaume du Maroc|Morocco|المملكة المغربية".into(),
    }];
    all.extend(parse_territories(
        REGIONS_CSV,
        TerritoryLevel::Region,
        None,
    )?);
    all.extend(parse_territories(
        PROVINCES_CSV,
        TerritoryLevel::Province,
        Some("region_code"),
    )?);
    Ok(all)
}

impl Service {
    /// Loads the shipped territories when the store has none. Returns how many were loaded.
    /// The shipped assessment forms are (re)loaded each time.
    pub async fn ensure_reference_data(&self, op: &str) -> Result<usize, ServiceError> {
        self.ensure_shipped_forms().await?;
        let mut tx = self.store.begin().await?;
        if territories::count(&mut tx).await? > 0 {
            return Ok(0);
        }
        let all = shipped_territories()
            .map_err(|e| ServiceError::Internal(format!("shipped territories: {e:?}")))?;
        for t in &all {
            territories::upsert(&mut tx, t).await?;
        }
        audit::append(
            &mut tx,
            audit_row(
                None,
                op,
                "load_territories",
                "territory",
                None,
                json!({"count": all.len()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(all.len())
    }

    /// Loads communes from a CSV (`code,province_code,name_fr,name_ar,name_en,aliases`),
    /// all or nothing: every bad row is reported with its line number, including
    /// provinces that do not exist.
    pub async fn import_communes(&self, text: &str, op: &str) -> Result<usize, Vec<RowError>> {
        let communes = parse_territories(text, TerritoryLevel::Commune, Some("province_code"))?;
        let internal = |e: &dyn std::fmt::Display| {
            vec![RowError {
                line: 0,
                error: DomainError::with_value("database", ErrorCode::Internal, e.to_string()),
            }]
        };
        let mut tx = self.store.begin().await.map_err(|e| internal(&e))?;
        let mut errors = Vec::new();
        for (i, c) in communes.iter().enumerate() {
            let parent = c.parent_code.as_deref().unwrap_or("");
            let known = match TerritoryCode::parse(parent) {
                Ok(p) => territories::get(&mut tx, &p)
                    .await
                    .map_err(|e| internal(&e))?
                    .is_some_and(|t| t.level == TerritoryLevel::Province),
                Err(_) => false,
            };
            if !known {
                errors.push(RowError {
                    line: i as u64 + 2,
                    error: DomainError::with_value(
                        "province_code",
                        ErrorCode::UnknownTerritory,
                        parent,
                    ),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        for c in &communes {
            territories::upsert(&mut tx, c)
                .await
                .map_err(|e| internal(&e))?;
        }
        audit::append(
            &mut tx,
            audit_row(
                None,
                op,
                "import_communes",
                "territory",
                None,
                json!({"count": communes.len()}),
            ),
        )
        .await
        .map_err(|e| internal(&e))?;
        tx.commit().await.map_err(|e| internal(&e))?;
        Ok(communes.len())
    }

    /// The regions, or the children of one territory.
    pub async fn territories(
        &self,
        parent: Option<&TerritoryCode>,
    ) -> Result<Vec<Territory>, ServiceError> {
        let mut conn = self.store.conn().await?;
        Ok(match parent {
            Some(p) => territories::children(&mut conn, p).await?,
            None => territories::list_level(&mut conn, TerritoryLevel::Region).await?,
        })
    }

    /// Resolves a code or any known spelling of a name ("Rabat-Salé", "rabat sale
    /// kenitra", "الرباط سلا القنيطرة") to a territory.
    pub async fn resolve_territory(&self, text: &str) -> Result<Territory, ServiceError> {
        let mut conn = self.store.conn().await?;
        if let Ok(code) = TerritoryCode::parse(text)
            && let Some(t) = territories::get(&mut conn, &code).await?
        {
            return Ok(t);
        }
        let wanted = fold_name(text);
        for level in [TerritoryLevel::Region, TerritoryLevel::Province] {
            for t in territories::list_level(&mut conn, level).await? {
                let names = [
                    Some(t.name_fr.as_str()),
                    t.name_ar.as_deref(),
                    t.name_en.as_deref(),
                ];
                let hit = names
                    .into_iter()
                    .flatten()
                    .chain(t.aliases.split('|'))
                    .any(|n| !n.is_empty() && fold_name(n) == wanted);
                if hit {
                    return Ok(t);
                }
            }
        }
        Err(DomainError::with_value("territory", ErrorCode::UnknownTerritory, text.trim()).into())
    }
}

/// A territory's name in the reader's language, French when missing.
pub fn territory_name(t: &Territory, locale: Locale) -> &str {
    match locale {
        Locale::Ar => t.name_ar.as_deref(),
        Locale::En => t.name_en.as_deref(),
        Locale::Fr => None,
    }
    .unwrap_or(&t.name_fr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_tree_has_12_regions_and_75_provinces() {
        let all = shipped_territories().unwrap();
        let regions: Vec<_> = all
            .iter()
            .filter(|t| t.level == TerritoryLevel::Region)
            .collect();
        let provinces: Vec<_> = all
            .iter()
            .filter(|t| t.level == TerritoryLevel::Province)
            .collect();
        assert_eq!(regions.len(), 12);
        assert_eq!(provinces.len(), 75);
        for p in provinces {
            let parent = p.parent_code.as_deref().unwrap();
            assert!(
                regions.iter().any(|r| r.code.as_str() == parent),
                "{} has parent {parent}",
                p.code
            );
        }
        assert!(all.iter().all(|t| t.name_ar.is_some()));
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let csv = "code,province_code,name_fr\nMA-RAB-001,MA-RAB,Hassan\nMA-XX-1,MA-RAB,Bad\nMA-RAB-002,MA-RAB,\n";
        let errors =
            parse_territories(csv, TerritoryLevel::Commune, Some("province_code")).unwrap_err();
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.line, e.error.field))
                .collect::<Vec<_>>(),
            vec![(3, "territory"), (4, "name_fr")]
        );
    }
}
