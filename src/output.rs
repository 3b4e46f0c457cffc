//! The files schemac writes, and how (SPEC 13): a script or a new revision
//! is written into a temporary file in the target's folder and renamed into
//! place (a new revision exclusively: never over a file, and under a lock on
//! the folder); a failed or interrupted run leaves no file behind. Every
//! temporary file is registered here, and SIGINT or SIGTERM removes the
//! registered ones before the process exits (through the `ctrlc` crate, so
//! no signal handler is written by hand).
//!
//! Modes: `-o FILE` keeps an existing file's permission bits; a new file,
//! script or revision, gets the umask's (the temporary file is created with
//! 0666 and the umask applied, not tempfile's 0600).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary files in progress, removed on SIGINT or SIGTERM.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The exit code after an interruption (128 + SIGINT, as shells report it).
const INTERRUPTED: i32 = 130;

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Installs the handler once: it runs on its own thread, takes the list (so
/// that a rename in progress finishes first), removes every file in it and exits.
fn install_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // If a handler cannot be installed the run goes on: an interrupt
        // then leaves the temporary file, as it did before.
        let _ = ctrlc::set_handler(|| {
            let files = pending();
            for f in files.iter() {
                let _ = std::fs::remove_file(f);
            }
            std::process::exit(INTERRUPTED);
        });
    });
}

/// Whether `path` names an existing file that is neither a regular file nor
/// a folder (a device, a FIFO, a socket), following links.
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// A temporary file beside its target, registered for removal on an
/// interrupt, removed when dropped unless it was persisted.
pub struct Pending {
    tmp: Option<tempfile::NamedTempFile>,
}

impl Pending {
    /// A new temporary file in `dir`, with the umask's mode.
    pub fn new_in(dir: &Path) -> std::io::Result<Pending> {
        install_handler();
        let mut b = tempfile::Builder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut list = pending();
        let tmp = b.tempfile_in(dir).map_err(plain)?;
        list.push(tmp.path().to_path_buf());
        Ok(Pending { tmp: Some(tmp) })
    }

    /// A temporary file for a script bound for `target`: beside it, or in
    /// the temporary folder when `target` is a device or a FIFO (`-o
    /// /dev/null`), which is written through, never replaced (`persist`).
    pub fn for_target(target: &Path) -> std::io::Result<Pending> {
        if is_special(target) {
            return Pending::new_in(&std::env::temp_dir());
        }
        Pending::new_in(target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))
    }

    pub fn file(&self) -> &std::fs::File {
        self.tmp().as_file()
    }

    fn tmp(&self) -> &tempfile::NamedTempFile {
        self.tmp.as_ref().expect("a pending file until persisted or dropped")
    }

    /// The file opened again from its start (to copy it to stdout).
    pub fn reopen(&self) -> std::io::Result<std::fs::File> {
        self.tmp().reopen()
    }

    /// Renames the file to `target`, replacing it; an existing target's
    /// permission bits are kept.
    pub fn persist(mut self, target: &Path) -> std::io::Result<()> {
        if is_special(target) {
            // A device or a FIFO: its contents are written through; the
            // temporary file goes when `self` is dropped.
            let mut from = self.reopen()?;
            let mut to = std::fs::OpenOptions::new().write(true).open(target)?;
            std::io::copy(&mut from, &mut to)?;
            return Ok(());
        }
        if let Ok(meta) = std::fs::metadata(target) {
            self.file().set_permissions(meta.permissions())?;
        }
        let tmp = self.tmp.take().expect("persisted once");
        let mut list = pending();
        let path = tmp.path().to_path_buf();
        let result = tmp.persist(target).map(drop).map_err(|e| e.error);
        list.retain(|p| *p != path);
        result
    }

    /// Links the file to `target` only if no file has that name (atomic:
    /// of two runs, one wins); the temporary name goes either way.
    pub fn persist_new(mut self, target: &Path) -> std::io::Result<()> {
        let tmp = self.tmp.take().expect("persisted once");
        let mut list = pending();
        let path = tmp.path().to_path_buf();
        let result = tmp.persist_noclobber(target).map(drop).map_err(|e| e.error);
        list.retain(|p| *p != path);
        result
    }
}

/// The system's error without the random temporary name tempfile adds
/// (`... at path "/dir/.tmpXXXXXX"`): the target's name is what a
/// diagnostic shows.
fn plain(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.rfind(" at path \"") {
        Some(i) => std::io::Error::new(e.kind(), &text[..i]),
        None => e,
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let mut list = pending();
            let path = tmp.path().to_path_buf();
            drop(tmp);
            list.retain(|p| *p != path);
        }
    }
}

/// An exclusive lock on a folder (`flock`), held until dropped: two runs of
/// `revision` or `merge` on one folder take turns.
pub struct DirLock {
    #[cfg(unix)]
    _fd: rustix::fd::OwnedFd,
}

impl DirLock {
    pub fn take(dir: &Path) -> std::io::Result<DirLock> {
        #[cfg(unix)]
        {
            use rustix::fs::{FlockOperation, Mode, OFlags};
            let fd = rustix::fs::open(dir, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
            rustix::fs::flock(&fd, FlockOperation::LockExclusive)?;
            Ok(DirLock { _fd: fd })
        }
        #[cfg(not(unix))]
        {
            let _ = dir;
            Ok(DirLock {})
        }
    }
}

/// Writes `text` (with a final line break) to a new file at `path`, never
/// over an existing one: an `AlreadyExists` error if the name is taken.
pub fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = Pending::new_in(dir)?;
    {
        let mut f = tmp.file();
        f.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            f.write_all(b"\n")?;
        }
    }
    tmp.persist_new(path)
}
