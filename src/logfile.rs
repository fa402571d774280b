//! The console's log file (with `AWSMON_LOG`): in the user's state directory
//! (`$XDG_STATE_HOME/awsmon/console.log`, else `~/.local/state/awsmon/console.log`), readable
//! by the user only, and never through a symbolic link someone else planted there.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::PathBuf;

/// Where the log goes.
pub fn path() -> io::Result<PathBuf> {
    let state = crate::config::xdg_dir("XDG_STATE_HOME", ".local/state")
        .ok_or_else(|| io::Error::other("neither XDG_STATE_HOME nor HOME is set"))?;
    Ok(state.join("awsmon").join("console.log"))
}

/// Opens it for appending: the directory is made 0700 if missing, the file 0600, and a
/// symbolic link in its place is refused rather than followed.
pub fn open() -> io::Result<File> {
    let path = path()?;
    if let Some(dir) = path.parent() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
        #[cfg(target_os = "linux")]
        opts.custom_flags(O_NOFOLLOW);
    }
    // Also checked by name, for systems where the flag above is not set.
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(io::Error::other(format!(
            "{} is a symbolic link; refusing to write through it",
            path.display()
        )));
    }
    let file = opts.open(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// `O_NOFOLLOW` on Linux (the same value on x86-64 and arm64); without a libc dependency.
#[cfg(target_os = "linux")]
const O_NOFOLLOW: i32 = 0o400_000;
