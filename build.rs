//! Bundles the notifier Lambda zip into the binary, so the binary can deploy:
//! - `AWSMON_BUNDLE_ZIP` names a zip already built (`scripts/build-release` does this);
//! - otherwise a release build (`cargo install --path .` is one) builds the zip itself when
//!   cargo-lambda, zig and the arm64 target are there (`AWSMON_BUILD_NOTIFIER=0` skips it);
//! - otherwise the binary still builds, says "no notifier bundled", and the build says how to
//!   get one.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

const ARM64: &str = "aarch64-unknown-linux-gnu";

fn main() {
    println!("cargo:rerun-if-env-changed=AWSMON_BUNDLE_ZIP");
    println!("cargo:rerun-if-env-changed=AWSMON_BUILD_NOTIFIER");
    // Tools installed since the last build (cargo-lambda, zig) are found on the next one.
    println!("cargo:rerun-if-env-changed=PATH");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let version = env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let zip = match env::var("AWSMON_BUNDLE_ZIP").ok().filter(|p| !p.is_empty()) {
        Some(path) => {
            println!("cargo:rerun-if-changed={path}");
            Some(fs::canonicalize(&path).unwrap_or_else(|e| {
                panic!("AWSMON_BUNDLE_ZIP={path}: {e}; build it with scripts/build-notifier")
            }))
        }
        None => build_notifier(&out_dir),
    };
    let code = if let Some(path) = zip {
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
        format!(
            "pub const BUNDLED_ZIP: Option<&[u8]> = None;\n\
             pub const BUNDLED_SHA256: Option<&str> = None;\n\
             pub const VERSION_LINE: &str = \"{version} (no notifier bundled)\";\n"
        )
    };
    fs::write(out_dir.join("bundled_notifier.rs"), code).expect("write bundled_notifier.rs");
}

/// Builds the arm64 zip in a target directory of its own under `OUT_DIR`, for release builds
/// only: a debug build (and every test run) would otherwise pay minutes for a zip it never uses.
/// Says at build time why it did not, so `cargo install` does not hide it.
fn build_notifier(out_dir: &Path) -> Option<PathBuf> {
    let warn = |why: &str| {
        println!(
            "cargo:warning=no notifier bundled ({why}): this binary can plan but not deploy. \
             To bundle one, install cargo-lambda and zig (pip install cargo-lambda) and \
             `rustup target add {ARM64}`, then build again; or run scripts/build-release; \
             or set AWSMON_NOTIFIER_ZIP at run time"
        );
        None
    };
    if env::var("PROFILE").as_deref() != Ok("release") {
        // Development builds run with AWSMON_NOTIFIER_ZIP or plan only: no warning each build.
        return None;
    }
    if env::var("AWSMON_BUILD_NOTIFIER").as_deref() == Ok("0") {
        return warn("AWSMON_BUILD_NOTIFIER=0");
    }
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let lambda = manifest_dir.join("lambda");
    if !lambda.join("Cargo.toml").is_file() {
        return warn("the lambda/ crate is not in this source tree");
    }
    if !runs("cargo-lambda", &["lambda", "--version"]) {
        return warn("cargo-lambda is not on PATH");
    }
    if !runs("zig", &["version"]) && !runs("python3", &["-m", "ziglang", "version"]) {
        return warn("zig is not on PATH");
    }
    if !arm64_target_installed() {
        return warn(&format!("the {ARM64} target is not installed"));
    }
    // The notifier's sources and lock: a change to either builds the zip again.
    println!("cargo:rerun-if-changed={}", lambda.join("src").display());
    println!(
        "cargo:rerun-if-changed={}",
        lambda.join("Cargo.toml").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        manifest_dir.join("Cargo.lock").display()
    );
    let lambda_dir = out_dir.join("notifier");
    // A clean environment: the outer build's CARGO_*, RUSTFLAGS and TARGET would steer the
    // inner one. The jobserver (CARGO_MAKEFLAGS) is kept, so both share the same cores.
    let keep = [
        "PATH",
        "HOME",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
        "CARGO_MAKEFLAGS",
        "TMPDIR",
        // The network as the outer build sees it: proxies, certificates, offline mode.
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "CARGO_NET_OFFLINE",
    ];
    let status = Command::new("cargo-lambda")
        .args([
            "lambda",
            "build",
            "--release",
            "--arm64",
            "--output-format",
            "zip",
        ])
        .args([
            "--package",
            "awsmon-notifier",
            "--bin",
            "bootstrap",
            "--locked",
        ])
        .arg("--manifest-path")
        .arg(manifest_dir.join("Cargo.toml"))
        .arg("--lambda-dir")
        .arg(&lambda_dir)
        .env_clear()
        .envs(env::vars().filter(|(k, _)| {
            keep.contains(&k.as_str())
                || k.starts_with("CARGO_HTTP_")
                || k.starts_with("CARGO_REGISTRIES_")
        }))
        // Its own target directory: the outer build holds a lock on its own. (cargo-lambda
        // passes `--target-dir` on to `cargo metadata`, which refuses it; the variable works.)
        .env("CARGO_TARGET_DIR", out_dir.join("notifier-target"))
        .stdin(Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => {
            let zip = lambda_dir.join("bootstrap").join("bootstrap.zip");
            println!(
                "cargo:warning=notifier bundled: built {} with cargo-lambda",
                zip.display()
            );
            Some(zip)
        }
        Ok(s) => panic!(
            "building the notifier zip with cargo-lambda failed ({s}); \
             set AWSMON_BUILD_NOTIFIER=0 to build without it"
        ),
        Err(e) => panic!("running cargo-lambda: {e}"),
    }
}

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether rustup (or the toolchain) has the arm64 standard library.
fn arm64_target_installed() -> bool {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .is_some_and(|o| {
            Path::new(String::from_utf8_lossy(&o.stdout).trim())
                .join("lib/rustlib")
                .join(ARM64)
                .is_dir()
        })
}
