//! Saving config.yml: change only the keys whose values changed, keep every other line
//! (comments, unknown keys) byte for byte, and replace the file atomically.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use awsmon_notifier::Service;
use awsmon_notifier::secret::mask_url;

use super::yaml::{self, Kind};
use super::{Config, KEYS, RegionSelection, parse};

/// A key's value in a uniform shape, for comparing, printing and writing.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Absent,
    Str(String),
    Num(f64),
    List(Vec<String>),
    /// Webhook URLs: secrets, masked whenever shown.
    Urls(Vec<String>),
    Map(Vec<(String, String)>),
}

impl Value {
    pub fn display_masked(&self) -> String {
        match self {
            Value::Absent => "(not set)".to_string(),
            Value::Str(s) => s.clone(),
            Value::Num(n) => n.to_string(),
            Value::List(items) => format!("[{}]", items.join(", ")),
            Value::Urls(urls) if urls.is_empty() => "(default)".to_string(),
            Value::Urls(urls) => urls
                .iter()
                .map(|u| mask_url(u))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Map(entries) => {
                let parts: Vec<String> = entries.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{{{}}}", parts.join(", "))
            }
        }
    }

    pub fn to_json_masked(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Absent => J::Null,
            Value::Str(s) => J::String(s.clone()),
            Value::Num(n) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
            Value::List(items) => J::Array(items.iter().cloned().map(J::String).collect()),
            Value::Urls(urls) => J::Array(urls.iter().map(|u| J::String(mask_url(u))).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), J::String(v.clone())))
                    .collect(),
            ),
        }
    }

    /// The YAML lines for `key: value`. `comma_string` writes URL lists in the old project's
    /// comma-separated form.
    fn render(&self, key: &str, comma_string: bool) -> Option<String> {
        let list = |items: &[String]| {
            if items.is_empty() {
                format!("{key}: []\n")
            } else {
                let mut out = format!("{key}:\n");
                for item in items {
                    out.push_str(&format!("  - {}\n", yaml::scalar(item)));
                }
                out
            }
        };
        Some(match self {
            Value::Absent => return None,
            Value::Str(s) => format!("{key}: {}\n", yaml::scalar(s)),
            Value::Num(n) => format!("{key}: {n}\n"),
            Value::Urls(urls) if comma_string || urls.is_empty() => {
                format!("{key}: {}\n", yaml::scalar(&urls.join(",")))
            }
            Value::List(items) | Value::Urls(items) => list(items),
            Value::Map(entries) if entries.is_empty() => format!("{key}: {{}}\n"),
            Value::Map(entries) => {
                let mut out = format!("{key}:\n");
                for (k, v) in entries {
                    out.push_str(&format!("  {}: {}\n", yaml::scalar(k), yaml::scalar(v)));
                }
                out
            }
        })
    }
}

pub fn value_of(cfg: &Config, key: &str) -> Value {
    let s = &cfg.settings;
    let urls = |list: &[awsmon_notifier::WebhookUrl]| {
        Value::Urls(list.iter().map(|u| u.expose().to_string()).collect())
    };
    let strings = |list: &[String]| Value::List(list.to_vec());
    match key {
        "PREFIX_SERVICE_NAME" => Value::Str(cfg.prefix_service_name.clone()),
        "PREFIX_S3" => Value::Str(cfg.prefix_s3.clone()),
        "STACK_TAGS" => Value::Map(cfg.stack_tags.clone()),
        "WEBHOOK_URLS" => urls(&s.routes.default),
        "BUDGET_LIMIT" => cfg.budget_limit.map_or(Value::Absent, Value::Num),
        "BUDGET_TAGKEYVALUE" => strings(&cfg.budget_tag_filters),
        "BUDGET_THRESHOLD_PERCENTAGE" => Value::Num(cfg.budget_threshold_percentage),
        "HOME_REGION" => Value::Str(s.home_region.clone()),
        "ALERT_EMAIL" => cfg.alert_email.clone().map_or(Value::Absent, Value::Str),
        "NOTIFIER_RESERVED_CONCURRENCY" => Value::Num(f64::from(cfg.notifier_reserved_concurrency)),
        "ALLOW_PRIVATE_WEBHOOKS" => Value::Str(s.allow_private_webhooks.to_string()),
        "REGIONS" => match &cfg.regions {
            RegionSelection::All => Value::Str("all".to_string()),
            RegionSelection::List(list) => strings(list),
        },
        "GUARDDUTY_MIN_SEVERITY" => Value::Num(s.guardduty.min_severity),
        "GUARDDUTY_MENTION_HERE_SEVERITY" => Value::Num(s.guardduty.mention_here_severity),
        "GUARDDUTY_MENTION_CHANNEL_SEVERITY" => Value::Num(s.guardduty.mention_channel_severity),
        "GUARDDUTY_GLOBAL_FINDINGS_REGION" => s
            .guardduty
            .global_findings_region
            .clone()
            .map_or(Value::Absent, Value::Str),
        "CONFIG_RESOURCE_TYPES" => strings(&s.config.resource_types),
        "CONFIG_EXCLUDE_RESOURCE_TYPES" => strings(&s.config.exclude_resource_types),
        "TRUSTEDADVISOR_STATUSES" => strings(&s.trusted_advisor.statuses),
        "TRUSTEDADVISOR_IGNORE_CHECKS" => strings(&s.trusted_advisor.ignore_checks),
        "INSPECTOR_MIN_SEVERITY" => Value::Str(s.inspector.min_severity.to_string()),
        "INSPECTOR_RESOURCE_TYPES" => strings(&s.inspector.resource_types),
        other => other
            .strip_prefix("WEBHOOK_URLS_")
            .and_then(|suffix| {
                Service::ALL
                    .into_iter()
                    .find(|svc| svc.config_suffix() == suffix)
            })
            .map_or(Value::Absent, |svc| {
                urls(
                    s.routes
                        .per_service
                        .get(&svc)
                        .map_or(&[][..], Vec::as_slice),
                )
            }),
    }
}

/// What a save will write, computed before anything touches the disk.
#[derive(Debug, Clone)]
pub struct SavePlan {
    pub text: String,
    /// Keys whose lines change.
    pub changed: Vec<&'static str>,
    /// Line numbers (in the old file) of comments that the rewrite drops. Tell the user first.
    pub lost_comment_lines: Vec<usize>,
}

impl SavePlan {
    /// Computes the new file text from the old one (if any) and the desired config.
    pub fn new(file: &str, old_text: Option<&str>, desired: &Config) -> Result<SavePlan, String> {
        let old_text = old_text.unwrap_or("");
        let old_cfg = parse::parse_config(file, old_text)
            .map(|(c, _)| c)
            .unwrap_or_default();
        let lines: Vec<&str> = old_text.split_inclusive('\n').collect();
        let Some(spans) = top_level_spans(old_text, &lines) else {
            return Err(format!(
                "{file}: the top level is not a block mapping of KEY: value, so it cannot be edited in place"
            ));
        };
        // Replacements, by old line range; appended keys go at the end.
        let mut replacements: Vec<(usize, usize, String)> = Vec::new();
        let mut appended = String::new();
        let mut changed = Vec::new();
        let mut lost = Vec::new();
        for spec in KEYS {
            let new_value = value_of(desired, spec.name);
            let span = spans.iter().find(|s| s.key == spec.name);
            if span.is_some() && value_of(&old_cfg, spec.name) == new_value {
                continue;
            }
            if span.is_none()
                && new_value == value_of(&Config::default(), spec.name)
                && spec.name != "PREFIX_S3"
            {
                continue;
            }
            if span.is_none()
                && spec.name == "PREFIX_S3"
                && desired.prefix_s3 == desired.prefix_service_name.to_ascii_lowercase()
            {
                continue;
            }
            changed.push(spec.name);
            if let Some(span) = span {
                let comma = span.scalar_value;
                let rendered = new_value.render(spec.name, comma).unwrap_or_default();
                lost.extend(
                    (span.start..span.end)
                        .filter(|&i| {
                            lines[i].trim_start().starts_with('#') || lines[i].contains(" #")
                        })
                        .map(|i| i + 1),
                );
                replacements.push((span.start, span.end, rendered));
            } else {
                let comma = spec.name.starts_with("WEBHOOK_URLS");
                if let Some(rendered) = new_value.render(spec.name, comma) {
                    appended.push_str(&rendered);
                }
            }
        }
        replacements.sort_by_key(|r| r.0);
        let mut text = String::new();
        let mut i = 0;
        for (start, end, rendered) in replacements {
            text.extend(lines[i..start].iter().copied());
            text.push_str(&rendered);
            i = end;
        }
        text.extend(lines[i..].iter().copied());
        if !appended.is_empty() {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&appended);
        }
        // Never write what would not load back as the desired config.
        match parse::parse_config(file, &text) {
            Ok((reloaded, _))
                if KEYS
                    .iter()
                    .all(|k| value_of(&reloaded, k.name) == value_of(desired, k.name)) => {}
            Ok(_) => {
                return Err(format!(
                    "{file}: internal error: the edited file would not read back as saved; nothing written"
                ));
            }
            Err((issues, _)) => {
                let first = issues.first().map(ToString::to_string).unwrap_or_default();
                return Err(format!(
                    "the new values are not valid, nothing written: {first}"
                ));
            }
        }
        Ok(SavePlan {
            text,
            changed,
            lost_comment_lines: lost,
        })
    }
}

struct Span {
    key: String,
    /// First and one-past-last line (0-based) of the key's block, trailing comments excluded.
    start: usize,
    end: usize,
    /// The value was a scalar (e.g. a comma-separated URL string): keep that form.
    scalar_value: bool,
}

fn top_level_spans(text: &str, lines: &[&str]) -> Option<Vec<Span>> {
    let root = match yaml::parse(text) {
        Ok(Some(root)) => root,
        Ok(None) => return Some(Vec::new()),
        Err(_) => return None,
    };
    let Kind::Map(entries) = &root.kind else {
        return None;
    };
    // A flow mapping (`{A: 1}`) starts with a brace; its keys cannot be edited line by line.
    if lines
        .get(root.pos.line.saturating_sub(1))
        .is_some_and(|l| l.trim_start().starts_with('{'))
    {
        return None;
    }
    let starts: Vec<usize> = entries.iter().map(|(k, _)| k.pos.line - 1).collect();
    let mut spans = Vec::new();
    for (idx, (k, v)) in entries.iter().enumerate() {
        let start = starts[idx];
        let mut end = starts.get(idx + 1).copied().unwrap_or(lines.len());
        while end > start + 1 {
            let line = lines[end - 1].trim();
            if line.is_empty() || line.starts_with('#') || line == "---" || line == "..." {
                end -= 1;
            } else {
                break;
            }
        }
        spans.push(Span {
            key: k.as_scalar().unwrap_or_default().to_string(),
            start,
            end,
            scalar_value: matches!(v.kind, Kind::Scalar { .. }),
        });
    }
    Some(spans)
}

/// Why a save did not happen.
#[derive(Debug)]
pub enum SaveError {
    /// The file is not what was read: someone else saved it meanwhile. Nothing was written.
    Changed {
        path: PathBuf,
    },
    /// `path` is a symbolic link whose target is missing.
    DanglingLink {
        path: PathBuf,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaveError::Changed { path } => write!(
                f,
                "{} changed on disk since it was read (another console or an editor saved it); nothing was written: reload it and make the change again",
                path.display()
            ),
            SaveError::DanglingLink { path } => write!(
                f,
                "{} is a symbolic link to a file that does not exist; nothing was written",
                path.display()
            ),
            SaveError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for SaveError {}

/// Where a save really writes: a symbolic link's target (so the link stays a link), else the
/// path itself.
pub fn save_target(path: &Path) -> Result<PathBuf, SaveError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(|_| SaveError::DanglingLink {
                path: path.to_path_buf(),
            })
        }
        _ => Ok(path.to_path_buf()),
    }
}

/// Writes `text` over `path` atomically only if the file still holds `read` (`None`: there was
/// no file), so two saves from the same starting point never lose one of them. A symbolic link
/// is written through to its target, atomically in the target's directory. Returns the file
/// written.
pub fn save_if_unchanged(
    path: &Path,
    read: Option<&str>,
    text: &str,
) -> Result<PathBuf, SaveError> {
    let target = save_target(path)?;
    let now = match fs::read(&target) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(SaveError::Io {
                path: target,
                error,
            });
        }
    };
    if now.as_deref() != read.map(str::as_bytes) {
        return Err(SaveError::Changed {
            path: path.to_path_buf(),
        });
    }
    write_atomic(&target, text.as_bytes()).map_err(|error| SaveError::Io {
        path: target.clone(),
        error,
    })?;
    Ok(target)
}

/// Atomically replaces `path` with `bytes`: see [`write_atomic_with`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, bytes, std::io::Write::write_all)
}

/// Writes a temp file beside `path` with `write`, fsyncs it, keeps the current file as
/// `<name>.bak`, then renames the temp file over `path` (mode 0600). If anything fails before
/// the rename, the original is untouched and the temp file is removed.
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    write: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "config path has no file name"))?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = create_private(&tmp)?;
        write(&mut file, bytes)?;
        file.sync_all()?;
        drop(file);
        if path.exists() {
            let bak = dir.join(format!("{name}.bak"));
            let bak_tmp = dir.join(format!(".{name}.bak.tmp-{}", std::process::id()));
            fs::copy(path, &bak_tmp)?;
            set_private(&bak_tmp)?;
            fs::rename(&bak_tmp, &bak)?;
        }
        fs::rename(&tmp, path)?;
        // The rename is durable only once the directory entry is on disk.
        File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn create_private(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(path)?;
    set_private(path)?;
    Ok(file)
}

fn set_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
