//! Encryption of sensitive fields at rest, and blind indexes for the searchable ones.
//!
//! Sensitive values (identity documents, phones, legal status details, assessment
//! answers, case notes, referral messages) are sealed with ChaCha20-Poly1305 under a
//! key from configuration, with a fresh random nonce each time, and stored as
//! `v1:` + hex(nonce ‖ ciphertext). A database dump without the key reveals none of
//! them. Values that must be found by equality (a phone number, a document number)
//! also get a blind index: HMAC-SHA-256 under a key derived from the same secret, so
//! the database can match them without holding them in clear.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The 32-byte secret. Its `Debug` never prints it.
#[derive(Clone)]
pub struct FieldKey([u8; 32]);

impl std::fmt::Debug for FieldKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldKey(…)")
    }
}

impl FieldKey {
    pub fn random() -> FieldKey {
        let mut k = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut k);
        FieldKey(k)
    }

    /// From 64 hexadecimal characters.
    pub fn from_hex(text: &str) -> Option<FieldKey> {
        let bytes = hex::decode(text.trim()).ok()?;
        <[u8; 32]>::try_from(bytes.as_slice()).ok().map(FieldKey)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// Seals and opens field values; computes blind indexes.
pub struct FieldCipher {
    aead: ChaCha20Poly1305,
    index_key: [u8; 32],
}

type HmacSha256 = Hmac<Sha256>;

/// A stored value that cannot be opened: wrong key, or tampered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an encrypted field could not be decrypted (wrong key or altered data)")]
pub struct Undecryptable;

impl FieldCipher {
    pub fn new(key: &FieldKey) -> FieldCipher {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac =
                <HmacSha256 as Mac>::new_from_slice(&key.0).expect("HMAC takes any key length");
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        let enc = derive(b"passerelle field encryption v1");
        FieldCipher {
            aead: ChaCha20Poly1305::new(Key::from_slice(&enc)),
            index_key: derive(b"passerelle blind index v1"),
        }
    }

    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .aead
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .expect("ChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(12 + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        format!("v1:{}", hex::encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<String, Undecryptable> {
        let bytes = sealed
            .strip_prefix("v1:")
            .and_then(|h| hex::decode(h).ok())
            .ok_or(Undecryptable)?;
        if bytes.len() < 12 {
            return Err(Undecryptable);
        }
        let (nonce, ct) = bytes.split_at(12);
        let plain = self
            .aead
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| Undecryptable)?;
        String::from_utf8(plain).map_err(|_| Undecryptable)
    }

    /// The blind index of a normalised value, namespaced by `kind` (`phone`, `doc`).
    pub fn blind_index(&self, kind: &str, value: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.index_key)
            .expect("HMAC takes any key length");
        mac.update(kind.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        let tag = mac.finalize().into_bytes();
        format!("{kind}:{}", hex::encode(&tag[..16]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_tamper() {
        let c = FieldCipher::new(&FieldKey::random());
        let s = c.seal("carte de réfugié 123 / بطاقة");
        assert!(
            s.starts_with("v1:") && !s.contains("réfugié"),
            "hex only, never the clear text"
        );
        assert_eq!(c.open(&s).unwrap(), "carte de réfugié 123 / بطاقة");
        assert_ne!(c.seal("x"), c.seal("x"), "fresh nonce each time");
        let mut bad = s.clone();
        bad.replace_range(10..12, if &s[10..12] == "00" { "11" } else { "00" });
        assert_eq!(c.open(&bad), Err(Undecryptable));
        let other = FieldCipher::new(&FieldKey::random());
        assert_eq!(other.open(&s), Err(Undecryptable));
    }

    #[test]
    fn blind_indexes_are_stable_and_keyed() {
        let k = FieldKey::random();
        let a = FieldCipher::new(&k);
        let b = FieldCipher::new(&FieldKey::from_hex(&k.to_hex()).unwrap());
        assert_eq!(
            a.blind_index("phone", "612345678"),
            b.blind_index("phone", "612345678")
        );
        assert_ne!(
            a.blind_index("phone", "612345678"),
            a.blind_index("doc", "612345678")
        );
        let c = FieldCipher::new(&FieldKey::random());
        assert_ne!(a.blind_index("phone", "1"), c.blind_index("phone", "1"));
    }
}
