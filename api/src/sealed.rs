//! Personal identifiers sealed at rest (身份证号): a database dump or backup without the data key
//! reveals none of them.
//!
//! One 32-byte-or-longer master key (`TONGXIN_DATA_KEY`, or `<data-dir>/data-key` generated on
//! first start — back it up with the database, and never beside it) gives two keys by HMAC
//! derivation: an AES-256-GCM key that seals each value with a fresh nonce, bound to the row and
//! column it belongs to (so a sealed value copied into another row does not open), and an HMAC
//! key for the blind index that finds duplicates and exact matches without decrypting anything.
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::hmac;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

const VERSION: &str = "v1";

pub struct Sealer {
    aead: LessSafeKey,
    index: hmac::Key,
}

fn derive(master: &[u8], label: &str) -> [u8; 32] {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, master), label.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

impl Sealer {
    pub fn new(master: &[u8]) -> Sealer {
        let aead_key = derive(master, "tongxin/sealed/aes-256-gcm/v1");
        let index_key = derive(master, "tongxin/sealed/blind-index/v1");
        Sealer {
            aead: LessSafeKey::new(
                UnboundKey::new(&AES_256_GCM, &aead_key).expect("a 32-byte key"),
            ),
            index: hmac::Key::new(hmac::HMAC_SHA256, &index_key),
        }
    }

    /// Seals `plain` for the record named by `context` (e.g. `members.id_number:<id>`).
    pub fn seal(&self, context: &str, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).expect("the system random source");
        let mut buf = plain.as_bytes().to_vec();
        self.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .expect("sealing a short value");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        format!("{VERSION}:{}", B64.encode(out))
    }

    /// Opens a sealed value; `None` when it was sealed under another key or for another record.
    pub fn open(&self, context: &str, sealed: &str) -> Option<String> {
        let raw = B64.decode(sealed.strip_prefix("v1:")?).ok()?;
        if raw.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let mut buf = rest.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let plain = self
            .aead
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buf)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }

    /// A keyed digest for equality lookups: the same input always gives the same index.
    pub fn blind_index(&self, kind: &str, plain: &str) -> String {
        let tag = hmac::sign(&self.index, format!("{kind}\u{0}{plain}").as_bytes());
        tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The configured data key, or the one in `<data-dir>/data-key`, created on first start.
pub fn load_or_create_key(
    configured: Option<&str>,
    data_dir: &std::path::Path,
) -> Result<Vec<u8>, String> {
    if let Some(k) = configured {
        if k.len() < 32 {
            return Err("TONGXIN_DATA_KEY must be at least 32 bytes".into());
        }
        return Ok(k.as_bytes().to_vec());
    }
    crate::auth::jwt::load_or_create_file(&data_dir.join("data-key"), "data key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_open_only_with_the_key_and_the_record() {
        let s = Sealer::new(b"0123456789abcdef0123456789abcdef");
        let a = s.seal("members.id_number:1", "32040219800101001X");
        let b = s.seal("members.id_number:1", "32040219800101001X");
        assert_ne!(a, b, "a fresh nonce every time");
        assert!(!a.contains("3204021980"));
        assert_eq!(
            s.open("members.id_number:1", &a).as_deref(),
            Some("32040219800101001X")
        );
        assert_eq!(
            s.open("members.id_number:2", &a),
            None,
            "bound to its record"
        );
        let other = Sealer::new(b"another key, also 32 bytes long!!");
        assert_eq!(other.open("members.id_number:1", &a), None);
        assert_eq!(s.blind_index("id", "x"), s.blind_index("id", "x"));
        assert_ne!(s.blind_index("id", "x"), other.blind_index("id", "x"));
        assert_eq!(s.open("members.id_number:1", "v1:!!"), None);
    }
}
