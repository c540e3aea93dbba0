//! The organisations and directory services that case pages list and name,
//! read again only when either table changed.
//!
//! A case page names organisations (the case's, the person's, each referral's) and
//! offers them, with the directory's services, in its referral and transfer forms:
//! two lists of a hundred rows, the same on every page. Reading them for each page
//! was a third of its database time. Here they are kept in memory with the *stamp*
//! they were read under — row count and newest `updated_at` of each table, one
//! one-row query — and read again when the stamp differs. Every write to these
//! tables inserts or upserts with `updated_at = now()` and nothing deletes them,
//! so a change always moves the stamp: a page never shows a list older than the
//! database, on one server or several.

use crate::ServiceError;
use passerelle_store::orgs::{self, Organisation};
use passerelle_store::{Conn, casework as cw};
use std::sync::{Arc, Mutex};

/// A directory service as a referral form offers it: (code, organisation code,
/// name in French, Arabic, English).
pub type ServiceOption = (String, String, String, Option<String>, Option<String>);

#[derive(Debug, Default)]
pub struct RefLists {
    pub organisations: Vec<Organisation>,
    pub services: Vec<ServiceOption>,
    /// What the lists were read under ([`orgs::REFERENCE_STAMP`]): equal stamps,
    /// equal lists, so what is built from them can be kept too (the web's option
    /// lists). Empty for the empty lists of who may not see the directory.
    pub stamp: String,
}

impl RefLists {
    pub fn org_name(&self, id: i64) -> String {
        self.organisations
            .iter()
            .find(|o| o.id.0 == id)
            .map(|o| o.name_fr.clone())
            .unwrap_or_default()
    }

    /// A directory service's names (French, Arabic, English), by code.
    pub fn service_names(&self, code: &str) -> Option<(String, Option<String>, Option<String>)> {
        self.services
            .iter()
            .find(|s| s.0 == code)
            .map(|s| (s.2.clone(), s.3.clone(), s.4.clone()))
    }
}

#[derive(Default)]
pub(crate) struct RefCache {
    current: Mutex<Option<(String, Arc<RefLists>)>>,
}

impl RefCache {
    /// The lists in memory if they were read under `stamp`.
    pub(crate) fn cached(&self, stamp: &str) -> Option<Arc<RefLists>> {
        let current = self.current.lock().ok()?;
        let (s, lists) = current.as_ref()?;
        (s == stamp).then(|| lists.clone())
    }

    pub(crate) async fn get(&self, conn: &mut Conn) -> Result<Arc<RefLists>, ServiceError> {
        let stamp = orgs::reference_stamp(conn).await?;
        self.get_stamped(conn, stamp).await
    }

    /// The lists for a stamp the caller read with its own statement
    /// ([`orgs::REFERENCE_STAMP`]); read again only when it moved.
    pub(crate) async fn get_stamped(
        &self,
        conn: &mut Conn,
        stamp: String,
    ) -> Result<Arc<RefLists>, ServiceError> {
        if let Some(lists) = self.cached(&stamp) {
            return Ok(lists);
        }
        let lists = Arc::new(RefLists {
            organisations: orgs::list(conn).await?,
            services: cw::directory_service_options(conn).await?,
            stamp: stamp.clone(),
        });
        // Read after the stamp: a change in between moves the stamp again, so the
        // next page reads once more; never an old list under a new stamp.
        if let Ok(mut c) = self.current.lock() {
            *c = Some((stamp, lists.clone()));
        }
        Ok(lists)
    }
}
