//! Key material kept beside the keystore (never in the event log): the O's recipientRand HMAC
//! secret. It is created once and then kept across restarts, so ticket params issued before a
//! restart stay valid (go-livepeer draws a new secret per process and refuses them) and queued
//! winning tickets can recompute their recipientRand. It must not rotate while tickets are queued.

use crate::pm::RandSecret;
use rand::RngCore;
use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

/// File name of the secret inside the keystore directory.
pub const RAND_SECRET_FILE: &str = "pm-recipient-rand.secret";

/// Why the secret could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// Reading or writing the file failed.
    #[error("recipientRand secret {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The file exists but is not 32 bytes: refuse to replace it (queued tickets depend on it).
    #[error("recipientRand secret {path} is {len} bytes, want 32; refusing to replace it because queued winning tickets depend on it")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Its length.
        len: usize,
    },
}

/// Loads `<dir>/pm-recipient-rand.secret`, creating it (32 random bytes, mode 0600, fsynced,
/// written atomically) when it does not exist.
pub fn load_or_create_rand_secret(dir: &Path) -> Result<RandSecret, KeystoreError> {
    let path = dir.join(RAND_SECRET_FILE);
    let io = |source| KeystoreError::Io {
        path: path.clone(),
        source,
    };
    match fs::read(&path) {
        Ok(bytes) => {
            let arr: [u8; 32] =
                bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| KeystoreError::Corrupt {
                        path: path.clone(),
                        len: bytes.len(),
                    })?;
            return Ok(RandSecret(arr));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    fs::create_dir_all(dir).map_err(io)?;
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    write_private(&path, &secret).map_err(io)?;
    Ok(RandSecret(secret))
}

/// Writes `bytes` to `path` readable by this user only (mode 0600), atomically (a temporary file
/// synced and renamed over it) and durably (the folder synced).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = dir.join(name);
    {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Loads a secret shared by several Os from `path` (`-sharedSecretFile`): 32 raw bytes, or 64
/// hex digits (surrounding whitespace ignored). It must exist: a missing shared secret is never
/// made up, or the siblings would disagree.
pub fn load_shared_secret(path: &Path) -> Result<RandSecret, KeystoreError> {
    let bytes = fs::read(path).map_err(|source| KeystoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let hex_text = std::str::from_utf8(&bytes)
        .ok()
        .map(|t| t.trim().trim_start_matches("0x"))
        .and_then(|t| hex::decode(t).ok());
    let raw = match hex_text {
        Some(decoded) if decoded.len() == 32 => decoded,
        _ => bytes,
    };
    let len = raw.len();
    let arr: [u8; 32] = raw.try_into().map_err(|_| KeystoreError::Corrupt {
        path: path.to_path_buf(),
        len,
    })?;
    Ok(RandSecret(arr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_secret_reads_as_hex_or_raw_and_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let (hex_file, raw_file) = (dir.path().join("hex"), dir.path().join("raw"));
        fs::write(&hex_file, format!("0x{}\n", "ab".repeat(32))).unwrap();
        fs::write(&raw_file, [0xab; 32]).unwrap();
        assert_eq!(load_shared_secret(&hex_file).unwrap().0, [0xab; 32]);
        assert_eq!(load_shared_secret(&raw_file).unwrap().0, [0xab; 32]);
        fs::write(&raw_file, [1; 5]).unwrap();
        assert!(load_shared_secret(&raw_file)
            .unwrap_err()
            .to_string()
            .contains("is 5 bytes, want 32"));
        assert!(load_shared_secret(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn created_once_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create_rand_secret(dir.path()).unwrap();
        let b = load_or_create_rand_secret(dir.path()).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.0, [0u8; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(RAND_SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::write(dir.path().join(RAND_SECRET_FILE), [1u8; 5]).unwrap();
        assert!(matches!(
            load_or_create_rand_secret(dir.path()),
            Err(KeystoreError::Corrupt { len: 5, .. })
        ));
    }
}
