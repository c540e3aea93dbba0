//! The audit trail's hash chain.
//!
//! Each audit row stores the SHA-256 of its own content and of the previous row's
//! hash. Changing, inserting or deleting a row in the middle breaks every hash
//! after it, which `passerelle audit verify` detects. The chain proves integrity,
//! not authorship: an attacker with write access to the whole table could rebuild
//! it, which is why operators should copy the latest hash elsewhere (the verify
//! command prints it).

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit row's content, as hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor_org_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub operation_id: String,
    pub detail: String,
}

impl AuditEntry {
    /// The row's hash given the previous row's. Fields are length-prefixed so no
    /// two different rows can serialise to the same bytes.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(prev_hash.as_bytes());
        field(&self.seq.to_be_bytes());
        field(self.at.as_bytes());
        field(
            self.actor_user_id
                .map(|v| v.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        field(
            self.actor_org_id
                .map(|v| v.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        field(self.action.as_bytes());
        field(self.entity.as_bytes());
        field(self.entity_id.as_deref().unwrap_or("").as_bytes());
        field(self.operation_id.as_bytes());
        field(self.detail.as_bytes());
        hex::encode(h.finalize())
    }
}

/// The first place a chain of stored rows goes wrong, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFault {
    /// Row `seq` does not follow row `expected` (a row was deleted or inserted).
    Gap { seq: i64, expected: i64 },
    /// Row `seq` claims a previous hash that is not the previous row's.
    PrevMismatch { seq: i64 },
    /// Row `seq`'s content no longer matches its hash (it was edited).
    HashMismatch { seq: i64 },
}

/// Walks stored rows `(entry, prev_hash, hash)` in order and returns the number of
/// rows checked and the last hash, or the first fault.
pub fn verify_chain<I>(rows: I) -> Result<(u64, String), ChainFault>
where
    I: IntoIterator<Item = (AuditEntry, String, String)>,
{
    let mut last_hash = GENESIS.to_string();
    let mut count = 0;
    for (expected_seq, (entry, prev_hash, hash)) in (1..).zip(rows) {
        if entry.seq != expected_seq {
            return Err(ChainFault::Gap {
                seq: entry.seq,
                expected: expected_seq,
            });
        }
        if prev_hash != last_hash {
            return Err(ChainFault::PrevMismatch { seq: entry.seq });
        }
        if entry.chain_hash(&prev_hash) != hash {
            return Err(ChainFault::HashMismatch { seq: entry.seq });
        }
        last_hash = hash;
        count += 1;
    }
    Ok((count, last_hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, action: &str) -> AuditEntry {
        AuditEntry {
            seq,
            at: "2026-11-23T10:00:00.000000Z".into(),
            actor_user_id: Some(1),
            actor_org_id: Some(2),
            action: action.into(),
            entity: "user".into(),
            entity_id: Some("7".into()),
            operation_id: "op".into(),
            detail: "{}".into(),
        }
    }

    fn chain(actions: &[&str]) -> Vec<(AuditEntry, String, String)> {
        let mut prev = GENESIS.to_string();
        let mut rows = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            let e = entry(i as i64 + 1, a);
            let h = e.chain_hash(&prev);
            rows.push((e, prev.clone(), h.clone()));
            prev = h;
        }
        rows
    }

    #[test]
    fn an_intact_chain_verifies() {
        let rows = chain(&["create", "read", "update"]);
        let last = rows[2].2.clone();
        assert_eq!(verify_chain(rows), Ok((3, last)));
        assert_eq!(verify_chain(Vec::new()), Ok((0, GENESIS.to_string())));
    }

    #[test]
    fn edits_deletions_and_relinks_are_caught() {
        let mut edited = chain(&["create", "read", "update"]);
        edited[1].0.action = "nothing".into();
        assert_eq!(
            verify_chain(edited),
            Err(ChainFault::HashMismatch { seq: 2 })
        );

        let mut deleted = chain(&["create", "read", "update"]);
        deleted.remove(1);
        assert_eq!(
            verify_chain(deleted),
            Err(ChainFault::Gap {
                seq: 3,
                expected: 2
            })
        );

        let mut relinked = chain(&["create", "read", "update"]);
        relinked[2].1 = GENESIS.to_string();
        assert_eq!(
            verify_chain(relinked),
            Err(ChainFault::PrevMismatch { seq: 3 })
        );
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        let mut a = entry(1, "ab");
        a.entity = "c".into();
        let mut b = entry(1, "a");
        b.entity = "bc".into();
        assert_ne!(a.chain_hash(GENESIS), b.chain_hash(GENESIS));
    }
}
