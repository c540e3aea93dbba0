//! The public portal's reading side: finding services by place, category, language
//! and "who can use it", a service's and a location's page, the rights pages, and the
//! region map. No actor: everything here is public.

use crate::Service;
use crate::directory::{Names, top_category};
use crate::error::ServiceError;
use passerelle_domain::directory::{
    Directory, LocationRecord, OrgRecord, RightPage, ServiceRecord, open_to,
};
use passerelle_domain::territory::fold_name;
use passerelle_domain::{Locale, TerritoryCode, TerritoryLevel};
use passerelle_store::territories;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a visitor asks for; every field may be empty.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PortalQuery {
    /// A region or province code.
    #[serde(default)]
    pub territory: String,
    /// A category code (a top-level one covers its sub-categories).
    #[serde(default)]
    pub category: String,
    /// A language code the staff speak (`ar`, `fr`…).
    #[serde(default)]
    pub language: String,
    /// The visitor's situation: an eligibility status (`refugee`, `irregular`…).
    #[serde(default)]
    pub status: String,
    /// Words to look for in names and descriptions.
    #[serde(default)]
    pub q: String,
}

impl PortalQuery {
    pub fn is_empty(&self) -> bool {
        [
            &self.territory,
            &self.category,
            &self.language,
            &self.status,
            &self.q,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// A service found, with the places that matched.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub service: ServiceRecord,
    pub organisation: Names,
    pub category: Names,
    pub places: Vec<LocationRecord>,
    /// No location: offered nationally, remotely or through partners.
    pub everywhere: bool,
}

/// The territorial tree as the portal's place filter lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RegionChoice {
    pub code: String,
    pub names: Names,
    pub provinces: Vec<(String, Names)>,
}

/// A region's outline for the map, in map units, and its centroid in degrees.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RegionShape {
    pub code: String,
    pub path: String,
    pub label: [f64; 2],
    pub centroid: [f64; 2],
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RegionMap {
    pub width: f64,
    pub height: f64,
    pub regions: Vec<RegionShape>,
}

/// The region outlines shipped in `data/map/ma-regions.json` (see its README).
pub fn region_map() -> &'static RegionMap {
    static MAP: OnceLock<RegionMap> = OnceLock::new();
    MAP.get_or_init(|| {
        serde_json::from_str(include_str!("../../../data/map/ma-regions.json")).unwrap_or(
            RegionMap {
                width: 0.0,
                height: 0.0,
                regions: Vec::new(),
            },
        )
    })
}

/// The distance in kilometres between two regions' centroids.
pub fn region_distance(a: &str, b: &str) -> Option<f64> {
    let map = region_map();
    let find = |c: &str| map.regions.iter().find(|r| r.code == c).map(|r| r.centroid);
    let (p, q) = (find(a)?, find(b)?);
    let (lat1, lat2) = (p[1].to_radians(), q[1].to_radians());
    let dlat = lat2 - lat1;
    let dlon = (q[0] - p[0]).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    Some(6371.0 * 2.0 * h.sqrt().asin())
}

/// Where territories sit: province → region, commune → province.
#[derive(Debug, Clone, Default)]
pub struct Places {
    pub parent: HashMap<String, String>,
    pub level: HashMap<String, TerritoryLevel>,
}

impl Places {
    /// The region a territory belongs to (itself for a region).
    pub fn region(&self, code: &str) -> Option<String> {
        let mut current = code.to_string();
        for _ in 0..4 {
            match self.level.get(&current) {
                Some(TerritoryLevel::Region) => return Some(current),
                Some(TerritoryLevel::Country) | None => return None,
                _ => current = self.parent.get(&current)?.clone(),
            }
        }
        None
    }

    /// The province a territory belongs to (itself for a province).
    pub fn province(&self, code: &str) -> Option<String> {
        match self.level.get(code)? {
            TerritoryLevel::Province => Some(code.to_string()),
            TerritoryLevel::Commune => self.parent.get(code).cloned(),
            _ => None,
        }
    }

    /// Whether `inner` lies within `outer` (or is it).
    pub fn within(&self, inner: &str, outer: &str) -> bool {
        if inner == outer || outer == "MA" {
            return true;
        }
        let mut current = inner.to_string();
        for _ in 0..4 {
            match self.parent.get(&current) {
                Some(p) if p == outer => return true,
                Some(p) => current = p.clone(),
                None => return false,
            }
        }
        false
    }
}

fn haystack(s: &ServiceRecord, org: Option<&OrgRecord>) -> String {
    let mut parts: Vec<&str> = vec![&s.name_fr];
    for t in [
        &s.name_ar,
        &s.name_en,
        &s.description_fr,
        &s.description_ar,
        &s.description_en,
    ]
    .into_iter()
    .flatten()
    {
        parts.push(t);
    }
    if let Some(o) = org {
        parts.push(&o.name_fr);
        parts.extend(o.name_ar.as_deref());
        parts.extend(o.name_en.as_deref());
        parts.push(o.code.as_str());
    }
    fold_name(&parts.join(" "))
}

/// Filters the directory for the portal. Pure, so it is tested without a store.
pub fn search(d: &Directory, places: &Places, q: &PortalQuery, locale: Locale) -> Vec<Hit> {
    let territory = q.territory.trim().to_ascii_uppercase();
    let category = q.category.trim();
    let language = q.language.trim().to_ascii_lowercase();
    let status = q.status.trim();
    let words: Vec<String> = fold_name(&q.q)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut hits = Vec::new();
    for s in &d.services {
        if !category.is_empty()
            && s.category != category
            && top_category(d, &s.category) != category
        {
            continue;
        }
        if !status.is_empty() && !open_to(s, status) {
            continue;
        }
        let org = d
            .organisations
            .iter()
            .find(|o| o.code == s.organization_code);
        if !words.is_empty() {
            let text = haystack(s, org);
            if !words.iter().all(|w| text.contains(w.as_str())) {
                continue;
            }
        }
        let located: Vec<&LocationRecord> = s
            .location_codes
            .iter()
            .filter_map(|c| d.locations.iter().find(|l| &l.code == c))
            .collect();
        let matching: Vec<LocationRecord> = located
            .iter()
            .filter(|l| {
                territory.is_empty() || places.within(l.territory_code.as_str(), &territory)
            })
            .filter(|l| language.is_empty() || l.languages.contains(&language))
            .map(|l| (*l).clone())
            .collect();
        let everywhere = located.is_empty();
        let keep = if everywhere {
            let covers = org.is_some_and(|o| {
                o.territories.is_empty() && o.parent_code.is_none()
                    || o.territories.iter().any(|t| {
                        t.as_str() == "MA"
                            || territory.is_empty()
                            || places.within(&territory, t.as_str())
                            || places.within(t.as_str(), &territory)
                    })
            });
            language.is_empty() && (territory.is_empty() || covers)
        } else {
            !matching.is_empty()
        };
        if !keep {
            continue;
        }
        let term = d.taxonomy.iter().find(|t| t.code == s.category);
        hits.push(Hit {
            service: s.clone(),
            organisation: org
                .map(|o| Names::new(&o.name_fr, &o.name_ar, &o.name_en))
                .unwrap_or_default(),
            category: term
                .map(|t| Names::new(&t.name_fr, &t.name_ar, &t.name_en))
                .unwrap_or_default(),
            places: matching,
            everywhere,
        });
    }
    let name = |h: &Hit| {
        fold_name(
            Names::new(&h.service.name_fr, &h.service.name_ar, &h.service.name_en).pick(locale),
        )
    };
    hits.sort_by_cached_key(|h| (h.everywhere, name(h)));
    hits
}

/// A location's page: the place, its organisation, the services given there.
#[derive(Debug, Clone, Serialize)]
pub struct LocationPage {
    pub location: LocationRecord,
    pub organisation: OrgRecord,
    pub services: Vec<(ServiceRecord, Names)>,
    pub territory: Names,
    pub region: Option<(String, Names)>,
}

/// A service's page: the service, who gives it, where, and its category.
#[derive(Debug, Clone, Serialize)]
pub struct ServicePage {
    pub service: ServiceRecord,
    pub organisation: OrgRecord,
    pub category: Names,
    pub locations: Vec<LocationRecord>,
    /// The areas the organisation covers, named, when the service has no location.
    pub areas: Vec<Names>,
}

impl Service {
    /// Where every territory sits, for the portal's place filter and routing.
    pub async fn places(&self) -> Result<Places, ServiceError> {
        let mut conn = self.store.conn().await?;
        let mut p = Places::default();
        p.level.insert("MA".into(), TerritoryLevel::Country);
        for level in [TerritoryLevel::Region, TerritoryLevel::Province] {
            for t in territories::list_level(&mut conn, level).await? {
                p.level.insert(t.code.to_string(), level);
                if let Some(parent) = t.parent_code {
                    p.parent.insert(t.code.to_string(), parent);
                }
            }
        }
        Ok(p)
    }

    /// Adds the communes the directory's locations name (communes are many; only these matter).
    async fn with_communes(&self, d: &Directory, mut p: Places) -> Result<Places, ServiceError> {
        let mut conn = self.store.conn().await?;
        for l in &d.locations {
            let code = l.territory_code.to_string();
            if p.level.contains_key(&code) {
                continue;
            }
            if let Some(t) = territories::get(&mut conn, &l.territory_code).await? {
                p.level.insert(code.clone(), t.level);
                if let Some(parent) = t.parent_code {
                    p.parent.insert(code, parent);
                }
            }
        }
        Ok(p)
    }

    /// The portal's search.
    pub async fn portal_search(
        &self,
        q: &PortalQuery,
        locale: Locale,
    ) -> Result<Vec<Hit>, ServiceError> {
        let d = self.directory_snapshot().await?;
        let places = self.with_communes(&d, self.places().await?).await?;
        Ok(search(&d, &places, q, locale))
    }

    /// Regions with their provinces, for the place filter.
    pub async fn portal_regions(&self) -> Result<Vec<RegionChoice>, ServiceError> {
        let mut conn = self.store.conn().await?;
        let mut out = Vec::new();
        for r in territories::list_level(&mut conn, TerritoryLevel::Region).await? {
            let provinces = territories::children(&mut conn, &r.code)
                .await?
                .into_iter()
                .map(|p| {
                    (
                        p.code.to_string(),
                        Names::new(&p.name_fr, &p.name_ar, &p.name_en),
                    )
                })
                .collect();
            out.push(RegionChoice {
                code: r.code.to_string(),
                names: Names::new(&r.name_fr, &r.name_ar, &r.name_en),
                provinces,
            });
        }
        Ok(out)
    }

    pub async fn portal_service(&self, code: &str) -> Result<ServicePage, ServiceError> {
        let d = self.directory_snapshot().await?;
        let s = d
            .services
            .iter()
            .find(|s| s.code.eq_ignore_ascii_case(code.trim()))
            .ok_or(ServiceError::NotFound)?;
        let org = d
            .organisations
            .iter()
            .find(|o| o.code == s.organization_code)
            .ok_or(ServiceError::NotFound)?;
        let term = d.taxonomy.iter().find(|t| t.code == s.category);
        let mut areas = Vec::new();
        if s.location_codes.is_empty() {
            let mut conn = self.store.conn().await?;
            for t in &org.territories {
                if let Some(t) = territories::get(&mut conn, t).await? {
                    areas.push(Names::new(&t.name_fr, &t.name_ar, &t.name_en));
                }
            }
        }
        Ok(ServicePage {
            service: s.clone(),
            organisation: org.clone(),
            category: term
                .map(|t| Names::new(&t.name_fr, &t.name_ar, &t.name_en))
                .unwrap_or_default(),
            locations: s
                .location_codes
                .iter()
                .filter_map(|c| d.locations.iter().find(|l| &l.code == c).cloned())
                .collect(),
            areas,
        })
    }

    pub async fn portal_location(&self, code: &str) -> Result<LocationPage, ServiceError> {
        let d = self.directory_snapshot().await?;
        let l = d
            .locations
            .iter()
            .find(|l| l.code.eq_ignore_ascii_case(code.trim()))
            .ok_or(ServiceError::NotFound)?;
        let org = d
            .organisations
            .iter()
            .find(|o| o.code == l.organization_code)
            .ok_or(ServiceError::NotFound)?;
        let services = d
            .services
            .iter()
            .filter(|s| s.location_codes.contains(&l.code))
            .map(|s| {
                let term = d.taxonomy.iter().find(|t| t.code == s.category);
                (
                    s.clone(),
                    term.map(|t| Names::new(&t.name_fr, &t.name_ar, &t.name_en))
                        .unwrap_or_default(),
                )
            })
            .collect();
        let mut conn = self.store.conn().await?;
        let t = territories::get(&mut conn, &l.territory_code).await?;
        let mut region = None;
        let mut current: Option<TerritoryCode> = t
            .as_ref()
            .and_then(|t| t.parent_code.as_deref())
            .and_then(|p| TerritoryCode::parse(p).ok());
        for _ in 0..3 {
            let Some(code) = current.take() else { break };
            let Some(parent) = territories::get(&mut conn, &code).await? else {
                break;
            };
            if parent.level == TerritoryLevel::Region {
                region = Some((
                    parent.code.to_string(),
                    Names::new(&parent.name_fr, &parent.name_ar, &parent.name_en),
                ));
                break;
            }
            current = parent
                .parent_code
                .as_deref()
                .and_then(|p| TerritoryCode::parse(p).ok());
        }
        Ok(LocationPage {
            location: l.clone(),
            organisation: org.clone(),
            services,
            territory: t
                .map(|t| Names::new(&t.name_fr, &t.name_ar, &t.name_en))
                .unwrap_or_else(|| Names {
                    fr: l.territory_code.to_string(),
                    ..Names::default()
                }),
            region,
        })
    }

    pub async fn portal_rights(&self) -> Result<Vec<RightPage>, ServiceError> {
        Ok(self.directory_snapshot().await?.rights)
    }

    /// For each region, how many services are delivered there; and how many are
    /// offered everywhere (no location, national organisation).
    pub async fn portal_region_counts(
        &self,
    ) -> Result<(Vec<(String, Names, i64)>, i64), ServiceError> {
        let d = self.directory_snapshot().await?;
        let places = self.with_communes(&d, self.places().await?).await?;
        let regions = self.portal_regions().await?;
        let mut counts: HashMap<String, i64> = HashMap::new();
        let mut everywhere = 0;
        for s in &d.services {
            let mut seen: Vec<String> = s
                .location_codes
                .iter()
                .filter_map(|c| d.locations.iter().find(|l| &l.code == c))
                .filter_map(|l| places.region(l.territory_code.as_str()))
                .collect();
            seen.sort();
            seen.dedup();
            if s.location_codes.is_empty() {
                everywhere += 1;
            }
            for r in seen {
                *counts.entry(r).or_default() += 1;
            }
        }
        Ok((
            regions
                .into_iter()
                .map(|r| {
                    let n = counts.get(&r.code).copied().unwrap_or(0);
                    (r.code, r.names, n)
                })
                .collect(),
            everywhere,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_map_has_the_twelve_regions_and_is_small() {
        let m = region_map();
        assert_eq!(m.regions.len(), 12);
        for (i, r) in m.regions.iter().enumerate() {
            assert_eq!(r.code, format!("MA-{:02}", i + 1));
            assert!(r.path.starts_with('M') && r.path.ends_with('Z'));
        }
        assert!(include_str!("../../../data/map/ma-regions.json").len() < 200_000);
        // Rabat-Salé-Kénitra is nearer Casablanca-Settat than Dakhla-Oued Ed-Dahab.
        let near = region_distance("MA-04", "MA-06").unwrap_or(f64::MAX);
        let far = region_distance("MA-04", "MA-12").unwrap_or(0.0);
        assert!(near < 250.0 && far > 1000.0, "{near} {far}");
    }
}
