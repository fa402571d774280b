//! The notifier's code: the zip bundled at build time, or `AWSMON_NOTIFIER_ZIP` at run time.
//! It is uploaded as `notifier/<sha256>.zip`, so a new build rolls out as a stack update and
//! the same build is a no-op.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

include!(concat!(env!("OUT_DIR"), "/bundled_notifier.rs"));

pub const OVERRIDE_ENV: &str = "AWSMON_NOTIFIER_ZIP";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Bundled,
    /// From `AWSMON_NOTIFIER_ZIP`.
    File(PathBuf),
    /// No build at all: only a dry run plans with this, and nothing uploads it.
    Unbuilt,
}

#[derive(Clone)]
pub struct Artifact {
    pub bytes: Cow<'static, [u8]>,
    pub sha256: String,
    pub origin: Origin,
}

impl fmt::Debug for Artifact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Artifact")
            .field("len", &self.bytes.len())
            .field("sha256", &self.sha256)
            .field("origin", &self.origin)
            .finish()
    }
}

impl Artifact {
    /// The S3 key the zip is uploaded under.
    pub fn key(&self) -> String {
        format!("notifier/{}.zip", self.sha256)
    }

    /// What a dry run without a build plans with: the plan says no build exists.
    pub fn unbuilt() -> Artifact {
        Artifact {
            bytes: Cow::Borrowed(&[]),
            sha256: "unbuilt".to_string(),
            origin: Origin::Unbuilt,
        }
    }

    /// The build as a plan names it.
    pub fn describe(&self) -> String {
        match self.origin {
            Origin::Unbuilt => {
                "no notifier build: `scripts/build-notifier` makes one (AWSMON_NOTIFIER_ZIP), `scripts/build-release` bundles it".to_string()
            }
            _ => format!(
                "notifier build {}…",
                &self.sha256[..12.min(self.sha256.len())]
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactError {
    /// Neither bundled nor given: say exactly how to get one.
    Missing,
    Unreadable(PathBuf, String),
    NotAZip(PathBuf),
}

impl fmt::Display for ArtifactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArtifactError::Missing => f.write_str(
                "this build has no notifier bundled. Build one with `scripts/build-notifier` and \
                 set AWSMON_NOTIFIER_ZIP to the path it prints, or build a release with \
                 `scripts/build-release`, which bundles it",
            ),
            ArtifactError::Unreadable(p, e) => write!(f, "{OVERRIDE_ENV}={}: {e}", p.display()),
            ArtifactError::NotAZip(p) => {
                write!(f, "{OVERRIDE_ENV}={}: not a zip file", p.display())
            }
        }
    }
}

impl std::error::Error for ArtifactError {}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// `AWSMON_NOTIFIER_ZIP` if set, else the bundled zip.
pub fn load() -> Result<Artifact, ArtifactError> {
    match std::env::var_os(OVERRIDE_ENV).filter(|v| !v.is_empty()) {
        Some(path) => from_file(PathBuf::from(path)),
        None => bundled().ok_or(ArtifactError::Missing),
    }
}

pub fn bundled() -> Option<Artifact> {
    let bytes = BUNDLED_ZIP?;
    Some(Artifact {
        bytes: Cow::Borrowed(bytes),
        sha256: BUNDLED_SHA256.map_or_else(|| sha256_hex(bytes), str::to_string),
        origin: Origin::Bundled,
    })
}

pub fn from_file(path: PathBuf) -> Result<Artifact, ArtifactError> {
    let bytes =
        std::fs::read(&path).map_err(|e| ArtifactError::Unreadable(path.clone(), e.to_string()))?;
    // An empty or truncated file must never become an empty function.
    if bytes.len() < 22 || !bytes.starts_with(b"PK\x03\x04") {
        return Err(ArtifactError::NotAZip(path));
    }
    Ok(Artifact {
        sha256: sha256_hex(&bytes),
        bytes: Cow::Owned(bytes),
        origin: Origin::File(path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_must_be_zips() {
        let dir = tempfile::tempdir().expect("dir");
        let empty = dir.path().join("empty.zip");
        std::fs::write(&empty, b"").expect("write");
        assert_eq!(
            from_file(empty.clone()).err(),
            Some(ArtifactError::NotAZip(empty))
        );
        let zip = dir.path().join("ok.zip");
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend_from_slice(&[0; 40]);
        std::fs::write(&zip, &bytes).expect("write");
        let a = from_file(zip).expect("zip");
        assert_eq!(a.sha256, sha256_hex(&bytes));
        assert_eq!(a.key(), format!("notifier/{}.zip", a.sha256));
        assert!(
            ArtifactError::Missing
                .to_string()
                .contains("scripts/build-notifier")
        );
    }
}
