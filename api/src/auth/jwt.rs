//! Access tokens: short-lived HS256 JWTs. The algorithm is pinned on both sides, so a token
//! claiming `none` or another algorithm is refused.
use std::path::Path;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "tongxin";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub typ: String,
    /// The account's session version when the token was issued: a token of an older version
    /// (after sign-out, a password or role change, a detected reuse) is refused.
    #[serde(default)]
    pub sv: i32,
}

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_secs: u64,
}

impl Keys {
    pub fn new(secret: &[u8], ttl_secs: u64) -> Keys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.leeway = 5;
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    pub fn issue(&self, user_id: &str, session_version: i32) -> Result<String, String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now + self.ttl_secs as i64,
            iss: ISSUER.into(),
            typ: "access".into(),
            sv: session_version,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// The claims of a valid, unexpired access token; `Err(true)` when it was only expired.
    pub fn verify(&self, token: &str) -> Result<Claims, bool> {
        match decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) if data.claims.typ == "access" => Ok(data.claims),
            Ok(_) => Err(false),
            Err(e) => Err(matches!(
                e.kind(),
                jsonwebtoken::errors::ErrorKind::ExpiredSignature
            )),
        }
    }
}

/// The signing secret: `TONGXIN_JWT_SECRET` when set, otherwise a random one generated on first
/// start into `<data_dir>/jwt-secret` with mode 0600, so tokens survive restarts.
pub fn load_or_create_secret(configured: Option<&str>, data_dir: &Path) -> Result<Vec<u8>, String> {
    if let Some(s) = configured {
        if s.len() < 32 {
            return Err("TONGXIN_JWT_SECRET must be at least 32 bytes".into());
        }
        let bits = entropy_bits(s);
        if bits < MIN_SECRET_BITS {
            return Err(format!(
                "TONGXIN_JWT_SECRET looks guessable (about {bits:.0} bits of entropy, at least {MIN_SECRET_BITS:.0} needed); use 32 random bytes, e.g. `openssl rand -hex 32`, or leave it unset to have one generated"
            ));
        }
        return Ok(s.as_bytes().to_vec());
    }
    load_or_create_file(&data_dir.join("jwt-secret"), "JWT signing secret")
}

/// What a configured secret must carry, estimated by [`entropy_bits`]: 128 bits, which 32 random
/// hex digits reach and a repeated phrase or a long dictionary word does not.
pub const MIN_SECRET_BITS: f64 = 128.0;

/// The secret's length times the Shannon entropy of its characters: a lower bound's stand-in
/// that refuses `aaaa…`, `1234…1234` and a word typed twice, and accepts random hex or base64.
/// A repeated block counts once.
pub fn entropy_bits(secret: &str) -> f64 {
    let chars: Vec<char> = secret.chars().collect();
    // A secret made of one block repeated carries only the block's entropy.
    let period = (1..=chars.len() / 2)
        .find(|p| chars.len() % p == 0 && chars.chunks(*p).all(|c| c == &chars[..*p]))
        .unwrap_or(chars.len());
    let block = &chars[..period];
    let mut counts = std::collections::HashMap::new();
    for c in block {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = block.len() as f64;
    let per_char: f64 = counts
        .values()
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum();
    per_char * n
}

/// A 64-byte random secret kept (hex) in a private file, created on first use.
pub fn load_or_create_file(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    let data_dir = path.parent().unwrap_or(Path::new("."));
    if let Ok(existing) = std::fs::read(path) {
        if existing.len() >= 32 {
            return Ok(existing);
        }
        return Err(format!(
            "{} is shorter than 32 bytes; remove it to generate a new one",
            path.display()
        ));
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let mut secret = [0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    write_private(path, hex.as_bytes())?;
    log::info!("generated a new {what} in {}", path.display());
    Ok(hex.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_others_do_not() {
        let keys = Keys::new(&[7u8; 32], 60);
        let t = keys.issue("u1", 3).unwrap();
        assert_eq!(keys.verify(&t).unwrap().sv, 3);
        assert_eq!(keys.verify(&t).unwrap().sub, "u1");
        let other = Keys::new(&[8u8; 32], 60);
        assert!(other.verify(&t).is_err());
        // alg=none is refused even with a valid-looking payload
        let parts: Vec<&str> = t.split('.').collect();
        let none_header = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"alg":"none","typ":"JWT"}"#,
        );
        assert!(keys
            .verify(&format!("{none_header}.{}.", parts[1]))
            .is_err());
    }

    #[test]
    fn expired_tokens_are_reported_as_expired() {
        let keys = Keys::new(&[7u8; 32], 0);
        let mut claims = Claims {
            sub: "u".into(),
            iat: 0,
            exp: 1000,
            iss: ISSUER.into(),
            typ: "access".into(),
            sv: 0,
        };
        claims.exp = chrono::Utc::now().timestamp() - 120;
        let t = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&[7u8; 32]),
        )
        .unwrap();
        assert_eq!(keys.verify(&t).unwrap_err(), true);
    }

    #[test]
    fn generated_secret_is_private_and_stable() {
        let dir = std::env::temp_dir().join(format!("tx-secret-{}", uuid::Uuid::new_v4()));
        let a = load_or_create_secret(None, &dir).unwrap();
        let b = load_or_create_secret(None, &dir).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("jwt-secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(load_or_create_secret(Some("short"), &dir).is_err());
        // Long enough but guessable: refused; random hex: accepted.
        for weak in [
            "a".repeat(40),
            "passwordpasswordpasswordpassword".into(),
            "0123456789012345678901234567890123456789".into(),
        ] {
            assert!(load_or_create_secret(Some(&weak), &dir).is_err(), "{weak}");
        }
        assert!(load_or_create_secret(
            Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
            &dir
        )
        .is_ok());
        assert!(
            load_or_create_secret(Some("a-very-secret-signing-key-of-enough-length"), &dir).is_ok()
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
