//! Saving config.yml: change only the keys whose values changed, keep every other line
//! (comments, unknown keys) byte for byte, and replace the file atomically.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use super::schema::Kind as ValueKind;
use super::yaml::{self, Kind};
use super::{Config, KEYS, parse};

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
        // A home region found in the environment is not pinned into the file by a save.
        let unpinned_home = !desired.home_region_in_file;
        for spec in KEYS.iter() {
            let new_value = spec.get(desired);
            let span = spans.iter().find(|s| s.key == spec.name);
            if span.is_some() && spec.get(&old_cfg) == new_value {
                continue;
            }
            if span.is_none()
                && new_value == spec.get(&Config::default())
                && spec.name != "PREFIX_S3"
            {
                continue;
            }
            if span.is_none() && spec.name == "HOME_REGION" && unpinned_home {
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
                let comma = matches!(spec.kind, ValueKind::Webhooks);
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
                    .filter(|k| !(unpinned_home && k.name == "HOME_REGION"))
                    .all(|k| k.get(&reloaded) == k.get(desired)) => {}
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
    if read.is_none()
        && let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
    {
        // The first save into the user's config directory makes it, private.
        let mut b = fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir).map_err(|error| SaveError::Io {
            path: dir.to_path_buf(),
            error,
        })?;
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
