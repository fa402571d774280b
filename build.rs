//! Bundles the notifier Lambda zip into the binary when `AWSMON_BUNDLE_ZIP` names one (see
//! `scripts/build-release`). Without it the binary still builds, says "no notifier bundled",
//! and deploy explains how to get a zip.

use std::env;
use std::fs;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

fn main() {
    println!("cargo:rerun-if-env-changed=AWSMON_BUNDLE_ZIP");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("bundled_notifier.rs");
    let version = env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let code = if let Some(path) = env::var("AWSMON_BUNDLE_ZIP").ok().filter(|p| !p.is_empty()) {
        println!("cargo:rerun-if-changed={path}");
        let path = fs::canonicalize(&path).unwrap_or_else(|e| {
            panic!("AWSMON_BUNDLE_ZIP={path}: {e}; build it with scripts/build-notifier")
        });
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            bytes.starts_with(b"PK\x03\x04"),
            "{} is not a zip",
            path.display()
        );
        let sha = Sha256::digest(&bytes)
            .iter()
            .fold(String::new(), |mut s, b| {
                use std::fmt::Write as _;
                let _ = write!(s, "{b:02x}");
                s
            });
        format!(
            "pub const BUNDLED_ZIP: Option<&[u8]> = Some(include_bytes!({path:?}));\n\
             pub const BUNDLED_SHA256: Option<&str> = Some({sha:?});\n\
             pub const VERSION_LINE: &str = \"{version} (notifier sha256 {sha})\";\n",
            path = path.display().to_string()
        )
    } else {
        // Said at build time, so `cargo install --path .` does not hide it.
        println!(
            "cargo:warning=no notifier bundled: this binary can plan but not deploy; scripts/build-release builds one with the notifier zip inside (or set AWSMON_NOTIFIER_ZIP at run time)"
        );
        format!(
            "pub const BUNDLED_ZIP: Option<&[u8]> = None;\n\
             pub const BUNDLED_SHA256: Option<&str> = None;\n\
             pub const VERSION_LINE: &str = \"{version} (no notifier bundled)\";\n"
        )
    };
    fs::write(out, code).expect("write bundled_notifier.rs");
}
