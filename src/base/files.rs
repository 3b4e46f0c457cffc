//! Reading an input file within bounds (SPEC 13): only a regular file
//! (after following symbolic links) is read, never a FIFO, a device or a
//! folder, and at most `MAX_FILE` bytes of it, counted while reading rather
//! than trusted from its metadata (a file may grow, `/proc` files say 0).

use std::io::Read;
use std::path::Path;

/// The largest input file schemac reads: 64 MiB.
pub const MAX_FILE: usize = 64 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// The system refused (not found, no permission, ...).
    Io(std::io::Error),
    /// Not a regular file: what it is instead ("a folder", "a FIFO", ...).
    NotRegular(&'static str),
    /// More than `MAX_FILE` bytes.
    TooLarge,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular(what) => write!(f, "it is not a regular file but {what}"),
            ReadError::TooLarge => write!(f, "it is larger than {} MiB", MAX_FILE >> 20),
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

/// What a file type is, in words, for a file that is not a regular one.
pub fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// The whole of a regular file of at most `MAX_FILE` bytes. Symbolic links
/// are followed; the type is checked before the file is opened (opening a
/// FIFO would wait for a writer, opening a device may act on it), and again
/// on the open file.
pub fn read_regular(path: &Path) -> Result<Vec<u8>, ReadError> {
    let t = std::fs::metadata(path)?.file_type();
    if !t.is_file() {
        return Err(ReadError::NotRegular(kind_of(t)));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32 | rustix::fs::OFlags::NOCTTY.bits() as i32);
    }
    let file = options.open(path)?;
    let t = file.metadata()?.file_type();
    if !t.is_file() {
        return Err(ReadError::NotRegular(kind_of(t)));
    }
    // The size is a hint (sized once, no doubling past it), never a bound.
    let hint = file.metadata().map(|m| m.len().min(MAX_FILE as u64) as usize + 1).unwrap_or(0);
    let mut bytes = Vec::with_capacity(hint);
    file.take(MAX_FILE as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > MAX_FILE {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// As `read_regular`, as UTF-8 text.
pub fn read_regular_text(path: &Path) -> Result<String, ReadError> {
    String::from_utf8(read_regular(path)?).map_err(|e| ReadError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok.toml");
        std::fs::write(&ok, "x = 1\n").unwrap();
        assert_eq!(read_regular(&ok).unwrap(), b"x = 1\n");
        assert!(matches!(read_regular(dir.path()), Err(ReadError::NotRegular("a folder"))));
        #[cfg(unix)]
        {
            let zero = dir.path().join("zero.toml");
            std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
            assert!(matches!(read_regular(&zero), Err(ReadError::NotRegular("a character device"))));
        }
        let big = dir.path().join("big.toml");
        std::fs::File::create(&big).unwrap().set_len(MAX_FILE as u64 + 1).unwrap();
        assert!(matches!(read_regular(&big), Err(ReadError::TooLarge)));
    }
}
