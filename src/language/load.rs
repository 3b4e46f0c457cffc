//! Stage 1, load: revision files to `Revision` values. TOML is parsed into
//! toml's spanned document (`DeTable`) and decoded by hand, so that every
//! value and every key keeps its place for diagnostics, and so that all the
//! errors of every file are reported at once.

use crate::base::codes::{self, Code};
use crate::base::diag::{display_path, Diagnostic, Diagnostics, FileId, Sources, Sp, Span};
use crate::base::doc::{Item, Table, Val};
use crate::base::files::{ReadError, MAX_FILE};
use crate::base::suggest::closest;
use crate::vocab::ops::*;
use crate::vocab::types::{parse_type, ColumnType, EnumType, FkAction, Generated, IndexElement, IndexOptions, PerDialect, Value, INDEX_KINDS, INDEX_METHODS};
use indexmap::IndexMap;
use std::path::Path;

pub type DeItem<'i> = Item<'i>;

/// Reads every `*.toml` directly in `dir` (in name order) as a revision.
pub fn load_dir(dir: &Path, sources: &mut Sources) -> Result<Vec<Revision>, Diagnostics> {
    let folder = match RevisionDir::open(dir) {
        Ok(f) => f,
        Err(e) => {
            return Err(Diagnostic::error(
                codes::CANNOT_READ_REVISIONS,
                format!("cannot read the revisions directory `{}`: {e}", dir.display()),
            )
            .help("create it, or set `[migrations] directory` in schemac.toml")
            .into())
        }
    };
    // The directory as the user would write it, once: each file's name is
    // this prefix and its own name.
    let prefix = {
        let shown = display_path(dir);
        if shown.is_empty() || shown.ends_with('/') {
            shown
        } else {
            shown + "/"
        }
    };
    // Files are read and decoded on every core; ids are given in name order,
    // so the result does not depend on the scheduling.
    let names = &folder.names;
    let base = sources.len();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(names.len() / 256 + 1);
    let chunk = names.len().div_ceil(threads.max(1)).max(1);
    let loaded: Vec<Loaded> = std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                let (folder, prefix) = (&folder, prefix.as_str());
                scope.spawn(move || {
                    let mut buf = Vec::new();
                    part.iter()
                        .enumerate()
                        .map(|(i, name)| {
                            let display = format!("{prefix}{}", name.0.to_string_lossy());
                            load_file(folder.read(name, &mut buf), display, FileId((base + c * chunk + i) as u32))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect::<Result<Vec<_>, _>>()
    })
    .map_err(|_| {
        Diagnostics::from(
            Diagnostic::error(codes::INTERNAL_ERROR, "internal error: a loading thread failed").help("this is a bug in schemac; please report it"),
        )
    })?
    .into_iter()
    .flatten()
    .collect();
    let mut revisions = Vec::with_capacity(loaded.len());
    let mut diags = vec![];
    for l in loaded {
        match l.text {
            Some(text) => sources.add(l.display, text),
            None => sources.add_unkept(l.display),
        };
        diags.extend(l.diags);
        revisions.extend(l.revision);
    }
    if diags.iter().any(|d| d.is_error()) {
        return Err(Diagnostics(diags));
    }
    Ok(revisions)
}

/// The revisions folder, open: the names of its `*.toml` entries in byte
/// order, and a handle that opens each file relative to the folder. On
/// this kind of machine a system call is dear (a few microseconds), so a
/// regular file costs exactly `openat`, `read` and `close`: no path walk
/// from the root, no `statx` for a size hint, no `read` that only finds the
/// end. Any other entry (a link, a folder, a FIFO, a device) is looked at
/// with `stat` first, and read only if it is (or leads to) a regular file;
/// no file is read past `MAX_FILE` bytes (SPEC 13).
struct RevisionDir {
    #[cfg(unix)]
    fd: rustix::fd::OwnedFd,
    #[cfg(not(unix))]
    path: std::path::PathBuf,
    /// Entry names, and whether the entry is a regular file (not a link).
    names: Vec<(std::ffi::OsString, bool)>,
}

impl RevisionDir {
    fn open(dir: &Path) -> std::io::Result<RevisionDir> {
        // The file type comes with the directory entry: no stat per file.
        let mut names: Vec<(std::ffi::OsString, bool)> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok())
            .filter_map(|e| Some((e.file_name(), e.file_type().ok()?.is_file())))
            .filter(|(n, _)| Path::new(n).extension().is_some_and(|x| x == "toml"))
            .collect();
        names.sort_unstable();
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let fd = rustix::fs::open(dir, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
            Ok(RevisionDir { fd, names })
        }
        #[cfg(not(unix))]
        Ok(RevisionDir {
            path: dir.to_path_buf(),
            names,
        })
    }

    /// The whole file, read through `buf` (a scratch buffer reused from
    /// file to file) and returned at its exact size.
    #[cfg(unix)]
    fn read(&self, (name, regular): &(std::ffi::OsString, bool), buf: &mut Vec<u8>) -> Result<Vec<u8>, ReadError> {
        use rustix::fs::{AtFlags, FileType, Mode, OFlags};
        let kind = |t: FileType| match t {
            FileType::Directory => "a folder",
            FileType::Fifo => "a FIFO",
            FileType::CharacterDevice => "a character device",
            FileType::BlockDevice => "a block device",
            FileType::Socket => "a socket",
            _ => "not a regular file",
        };
        if !*regular {
            // A link (followed) or another kind of entry: its type before opening it.
            let st = rustix::fs::statat(&self.fd, name.as_os_str(), AtFlags::empty()).map_err(std::io::Error::from)?;
            let t = FileType::from_raw_mode(st.st_mode);
            if t != FileType::RegularFile {
                return Err(ReadError::NotRegular(kind(t)));
            }
        }
        buf.clear();
        if buf.capacity() < 64 * 1024 {
            buf.reserve(64 * 1024);
        }
        // NONBLOCK: an entry swapped for a FIFO since it was listed fails
        // to read rather than waiting for a writer.
        let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY;
        let fd = rustix::fs::openat(&self.fd, name.as_os_str(), flags, Mode::empty()).map_err(std::io::Error::from)?;
        if !*regular {
            let t = FileType::from_raw_mode(rustix::fs::fstat(&fd).map_err(std::io::Error::from)?.st_mode);
            if t != FileType::RegularFile {
                return Err(ReadError::NotRegular(kind(t)));
            }
        }
        loop {
            let spare = buf.spare_capacity_mut();
            let want = spare.len();
            let n = loop {
                match rustix::io::read(&fd, &mut *spare) {
                    Ok((got, _)) => break got.len(),
                    Err(rustix::io::Errno::INTR) => continue,
                    Err(e) => return Err(std::io::Error::from(e).into()),
                }
            };
            // SAFETY: `read` initialised the first `n` bytes of the spare capacity.
            unsafe { buf.set_len(buf.len() + n) };
            if buf.len() > MAX_FILE {
                return Err(ReadError::TooLarge);
            }
            // A short read of a regular file is its end; through a link
            // reading goes on until `read` returns 0.
            if n == 0 || (n < want && *regular) {
                return Ok(buf.as_slice().to_vec());
            }
            if n == want {
                // Grow by doubling, but never past the limit and one byte.
                buf.reserve(buf.capacity().min(MAX_FILE + 1 - buf.len()).max(1));
            }
        }
    }

    #[cfg(not(unix))]
    fn read(&self, (name, _): &(std::ffi::OsString, bool), _buf: &mut Vec<u8>) -> Result<Vec<u8>, ReadError> {
        crate::base::files::read_regular(&self.path.join(name))
    }
}

/// One revision file, read and decoded.
struct Loaded {
    display: String,
    /// `None` for a clean file, whose text `Sources` reads again if needed.
    text: Option<String>,
    diags: Vec<Diagnostic>,
    revision: Option<Revision>,
}

fn load_file(read: Result<Vec<u8>, ReadError>, display: String, file: FileId) -> Loaded {
    let mut diags = vec![];
    let text = match read {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                // The file is kept, decoded lossily, so that the diagnostic
                // can point at the first bad byte.
                let at = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let span = crate::base::diag::Span::new(file, at..at + char::REPLACEMENT_CHARACTER.len_utf8());
                diags.push(Diagnostic::error(codes::NOT_UTF8, format!("`{display}` is not UTF-8 text")).at(span, "not UTF-8"));
                return Loaded {
                    display,
                    text: Some(lossy),
                    diags,
                    revision: None,
                };
            }
        },
        Err(ReadError::Io(e)) => {
            diags.push(Diagnostic::error(codes::CANNOT_READ_REVISIONS, format!("cannot read `{display}`: {e}")));
            String::new()
        }
        Err(e) => {
            // Its text is kept empty: a diagnostic must never read it again.
            diags.push(
                Diagnostic::error(codes::NOT_A_REVISION_FILE, format!("`{display}` was not read: {e}"))
                    .at(Span::new(file, 0..0), "not read")
                    .help(format!(
                        "every `*.toml` entry of the revisions folder must be a regular file of at most {} MiB",
                        MAX_FILE >> 20
                    )),
            );
            String::new()
        }
    };
    let revision = if diags.is_empty() {
        decode_revision(file, display.clone(), &text, &mut diags)
    } else {
        None
    };
    // A clean file's text goes now, not after every file is read: it is
    // read again only if a later stage reports into it. One with
    // diagnostics keeps its text (it may be gone, or not UTF-8, by the time
    // they are shown).
    let text = (!diags.is_empty() || revision.is_none()).then_some(text);
    Loaded {
        display,
        text,
        diags,
        revision,
    }
}

/// Parses a TOML text, reporting a syntax error at its place.
pub fn parse_toml<'i>(file: FileId, text: &'i str, diags: &mut Vec<Diagnostic>) -> Option<Item<'i>> {
    match crate::base::doc::parse(text) {
        Ok(t) => Some(t),
        Err(e) => {
            diags.push(Diagnostic::error(codes::INVALID_TOML, format!("invalid TOML: {}", e.message)).at(Span::new(file, e.span), e.message));
            None
        }
    }
}

pub fn decode_revision(file: FileId, path: String, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Revision> {
    let doc = parse_toml(file, text, diags)?;
    let mut d = Decoder { file, text, diags };
    let root = d.table(&doc, REVISION_KEYS)?;
    let id = match root.get("revision") {
        Some(v) => d.ident_string(v, "revision")?,
        None => {
            d.diags.push(
                Diagnostic::error(codes::MISSING_REVISION_ID, "missing key `revision`")
                    .at(Span::new(file, 0..0), "every revision file needs `revision = \"<id>\"`"),
            );
            return None;
        }
    };
    let down = match root.get("down_revision") {
        None => vec![],
        Some(v) => match v.get_ref() {
            Val::Array(items) => items.iter().filter_map(|i| d.ident_string(i, "down_revision")).collect(),
            _ => vec![d.ident_string(v, "down_revision")?],
        },
    };
    let depends_on = match root.get("depends_on") {
        None => vec![],
        Some(v) => match v.get_ref() {
            Val::Array(_) => d.string_list(v),
            _ => d.string(v).into_iter().collect(),
        },
    };
    let message = root.get("message").and_then(|v| d.string(v)).map(|s| s.v).unwrap_or_default();
    let branch_labels = root.get("branch_labels").map(|v| d.string_list(v)).unwrap_or_default();
    let transactional = root.get("transactional").and_then(|v| d.boolean(v)).unwrap_or(true);
    let upgrade = root.get("upgrade").map(|v| d.ops(v)).unwrap_or_default();
    let downgrade = root.get("downgrade").map(|v| d.ops(v));
    let branch_labels = branch_labels.into_iter().collect();
    Some(Revision {
        file,
        path,
        id,
        down,
        depends_on,
        message,
        branch_labels,
        transactional,
        upgrade,
        downgrade,
    })
}

/// Decodes spanned TOML values, pushing a diagnostic for every problem.
pub struct Decoder<'a, 'i> {
    pub file: FileId,
    pub text: &'i str,
    pub diags: &'a mut Vec<Diagnostic>,
}

type Tbl<'a, 'i> = &'a Table<'i>;

impl<'i> Decoder<'_, 'i> {
    pub fn span(&self, v: &DeItem) -> Span {
        Span::new(self.file, v.span())
    }

    fn err(&mut self, code: Code, span: Span, msg: String, label: &str) {
        self.diags.push(Diagnostic::error(code, msg).at(span, label.to_string()));
    }

    /// The value as a table whose keys are all in `allowed`; unknown keys are errors.
    pub fn table<'t>(&mut self, v: &'t Item<'i>, allowed: &[&str]) -> Option<Tbl<'t, 'i>> {
        let Val::Table(t) = v.get_ref() else {
            let span = self.span(v);
            self.err(codes::WRONG_VALUE_KIND, span, "a document must be a table".into(), "expected a table");
            return None;
        };
        self.check_keys(t, allowed);
        Some(t)
    }

    pub fn check_keys(&mut self, t: &Table<'_>, allowed: &[&str]) {
        for (k, _) in t.iter() {
            if !allowed.contains(&k.get_ref()) {
                let key: &str = k.get_ref();
                let span = Span::new(self.file, k.span());
                let mut d = Diagnostic::error(codes::UNKNOWN_KEY, format!("unknown key `{key}`")).at(span, "not a known key here");
                if let Some(s) = closest(key, allowed) {
                    d = d.help(format!("did you mean `{s}`?"));
                } else {
                    d = d.help(format!("known keys: {}", allowed.join(", ")));
                }
                self.diags.push(d);
            }
        }
    }

    pub fn sub_table<'t>(&mut self, v: &'t DeItem<'i>, allowed: &[&str], what: &str) -> Option<Tbl<'t, 'i>> {
        match v.get_ref() {
            Val::Table(t) => {
                self.check_keys(t, allowed);
                Some(t)
            }
            other => {
                let span = self.span(v);
                self.err(
                    codes::WRONG_VALUE_KIND,
                    span,
                    format!("{what} must be a table, not a {}", other.type_str()),
                    "expected a table",
                );
                None
            }
        }
    }

    pub fn string(&mut self, v: &DeItem) -> Option<Sp<String>> {
        match v.get_ref() {
            Val::String(s) => Some(Sp::new(s.to_string(), self.span(v))),
            other => {
                let span = self.span(v);
                self.err(
                    codes::WRONG_VALUE_KIND,
                    span,
                    format!("expected a string, found a {}", other.type_str()),
                    "expected a string",
                );
                None
            }
        }
    }

    /// A name: a non-empty string with no NUL character, that every dialect
    /// accepts. MySQL and MariaDB refuse names that end with a space and
    /// characters outside the Basic Multilingual Plane:
    /// https://dev.mysql.com/doc/refman/8.0/en/identifiers.html
    pub fn name(&mut self, v: &DeItem) -> Option<Sp<String>> {
        let s = self.string(v)?;
        if s.v.is_empty() || s.v.contains('\0') {
            self.err(
                codes::INVALID_NAME,
                s.span,
                "a name must be non-empty and hold no NUL character".into(),
                "invalid name",
            );
            return None;
        }
        if s.v.ends_with(' ') {
            self.err(
                codes::INVALID_NAME,
                s.span,
                "a name cannot end with a space (MySQL and MariaDB refuse it)".into(),
                "invalid name",
            );
            return None;
        }
        // Only a four-byte UTF-8 sequence (lead byte 0xF0 and up) is beyond U+FFFF.
        if let Some(c) = s.v.bytes().any(|b| b >= 0xF0).then(|| s.v.chars().find(|c| u32::from(*c) > 0xFFFF)).flatten() {
            self.err(
                codes::INVALID_NAME,
                s.span,
                format!(
                    "a name cannot hold `{c}` (U+{:X}): MySQL and MariaDB take only characters up to U+FFFF",
                    u32::from(c)
                ),
                "invalid name",
            );
            return None;
        }
        Some(s)
    }

    /// A comment: any string with no NUL character (PostgreSQL and the
    /// mysql client refuse one).
    fn comment_text(&mut self, v: &DeItem) -> Option<Sp<String>> {
        let s = self.string(v)?;
        if s.v.contains('\0') {
            self.err(codes::INVALID_NAME, s.span, "a comment cannot hold a NUL character".into(), "NUL character");
            return None;
        }
        Some(s)
    }

    fn ident_string(&mut self, v: &DeItem, key: &str) -> Option<Sp<String>> {
        let s = self.string(v)?;
        let ok = !s.v.is_empty() && s.v.len() <= 32 && s.v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !ok {
            self.err(
                codes::INVALID_REVISION_ID,
                s.span,
                format!("`{key}` must match [A-Za-z0-9_]{{1,32}}"),
                "invalid revision id",
            );
            return None;
        }
        Some(s)
    }

    pub fn boolean(&mut self, v: &DeItem) -> Option<bool> {
        match v.get_ref() {
            Val::Boolean(b) => Some(*b),
            other => {
                let span = self.span(v);
                self.err(
                    codes::WRONG_VALUE_KIND,
                    span,
                    format!("expected true or false, found a {}", other.type_str()),
                    "expected a boolean",
                );
                None
            }
        }
    }

    pub fn string_list(&mut self, v: &DeItem) -> Vec<Sp<String>> {
        match v.get_ref() {
            Val::Array(items) => items.iter().filter_map(|i| self.name(i)).collect(),
            other => {
                let span = self.span(v);
                self.err(
                    codes::WRONG_VALUE_KIND,
                    span,
                    format!("expected an array of strings, found a {}", other.type_str()),
                    "expected an array",
                );
                vec![]
            }
        }
    }

    fn name_list(&mut self, v: &DeItem) -> Option<Sp<Vec<String>>> {
        let span = self.span(v);
        let items = self.string_list(v);
        if items.is_empty() {
            self.err(codes::EMPTY_COLUMN_LIST, span, "expected at least one column".into(), "empty list");
            return None;
        }
        Some(Sp::new(items.into_iter().map(|s| s.v).collect(), span))
    }

    /// A per-dialect table or a plain string.
    pub fn per_dialect(&mut self, v: &DeItem) -> Option<PerDialect> {
        match v.get_ref() {
            Val::String(s) => Some(PerDialect::single(s.to_string())),
            Val::Table(t) => {
                self.check_keys(t, DIALECT_KEYS);
                let mut m = IndexMap::new();
                for (k, val) in t.iter() {
                    if let Some(s) = self.string(val) {
                        m.insert(k.get_ref().to_string(), s.v);
                    }
                }
                Some(PerDialect(m))
            }
            other => {
                let span = self.span(v);
                self.err(
                    codes::WRONG_VALUE_KIND,
                    span,
                    format!("expected a string or a per-dialect table, found a {}", other.type_str()),
                    "expected a string or a table",
                );
                None
            }
        }
    }

    fn ops(&mut self, v: &DeItem<'i>) -> Vec<OpNode> {
        let items = match v.get_ref() {
            Val::Array(items) => items,
            _ => {
                let span = self.span(v);
                self.err(
                    codes::WRONG_VALUE_KIND,
                    span,
                    "`upgrade` and `downgrade` are arrays of tables ([[upgrade]])".into(),
                    "expected [[upgrade]] tables",
                );
                return vec![];
            }
        };
        // Sized up front: a decoded operation is a few hundred bytes and
        // every revision's are kept until the command has run.
        let mut ops = Vec::with_capacity(items.len());
        ops.extend(items.iter().filter_map(|item| self.op(item)));
        ops
    }

    fn op(&mut self, item: &DeItem<'i>) -> Option<OpNode> {
        let span = self.span(item);
        let t = match item.get_ref() {
            Val::Table(t) => t,
            _ => {
                self.err(codes::WRONG_VALUE_KIND, span, "an operation must be a table".into(), "expected a table");
                return None;
            }
        };
        let Some(opv) = t.get("op") else {
            self.err(codes::MISSING_KEY, span, "operation without `op`".into(), "add `op = \"...\"`");
            return None;
        };
        let op_name = self.string(opv)?;
        let Some(kind) = OpKind::from_name(&op_name.v) else {
            let mut d = Diagnostic::error(codes::UNKNOWN_OPERATION, format!("unknown operation `{}`", op_name.v)).at(op_name.span, "unknown op");
            let names: Vec<&str> = OpKind::written().map(OpKind::name).collect();
            if let Some(s) = closest(&op_name.v, &names) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            self.diags.push(d);
            return None;
        };
        self.check_keys(t, kind.keys());
        let op = self.op_of(kind, t, span)?;
        Some(OpNode { op, span, derived: None })
    }

    /// The operation of `kind` from its table, whose keys are checked.
    /// A `[[namespace]]` or `[[sequence]]` entry of the model file (SPEC 9),
    /// as the operation that makes it.
    pub fn model_op(&mut self, kind: OpKind, t: Tbl<'_, 'i>, span: Span) -> Option<Op> {
        self.op_of(kind, t, span)
    }

    fn op_of(&mut self, kind: OpKind, t: Tbl<'_, 'i>, span: Span) -> Option<Op> {
        Some(match kind {
            OpKind::CreateTable => Op::CreateTable(self.table_spec(t, span)?),
            OpKind::DropTable => Op::DropTable {
                table: self.req_table(t, span)?,
            },
            OpKind::RenameTable => Op::RenameTable {
                table: self.req_table(t, span)?,
                // The table stays in its schema.
                new_name: self.req_qualified(t, "new_name", span)?,
            },
            OpKind::AddColumn => {
                let table = self.req_table(t, span)?;
                let cv = self.required(t, "column", span)?;
                let column = self.column(cv)?;
                let backfill = match t.get("backfill") {
                    None => None,
                    Some(v) => Some(self.value(v, false)?),
                };
                Op::AddColumn { table, column, backfill }
            }
            OpKind::DropColumn => Op::DropColumn {
                table: self.req_table(t, span)?,
                column: self.req_name(t, "column", span)?,
            },
            OpKind::RenameColumn => Op::RenameColumn {
                table: self.req_table(t, span)?,
                column: self.req_name(t, "column", span)?,
                new_name: self.req_name(t, "new_name", span)?,
            },
            OpKind::AlterColumn => Op::AlterColumn(self.alter(t, span)?),
            OpKind::CreateIndex => Op::CreateIndex {
                table: self.req_table(t, span)?,
                index: self.index(t, span)?,
            },
            OpKind::DropIndex => Op::DropIndex {
                name: self.index_name(t, span)?,
                concurrently: self.opt_bool(t, "concurrently").unwrap_or(false),
            },
            OpKind::CreateUniqueConstraint => Op::AddConstraint {
                table: self.req_table(t, span)?,
                constraint: ConstraintSpec::Unique {
                    name: self.opt_name(t, "name"),
                    columns: self.req_list(t, "columns", span)?,
                },
            },
            OpKind::CreateForeignKey => Op::AddConstraint {
                table: self.req_table(t, span)?,
                constraint: ConstraintSpec::ForeignKey(self.foreign_key(t, span)?),
            },
            OpKind::CreateCheckConstraint => Op::AddConstraint {
                table: self.req_table(t, span)?,
                constraint: {
                    let name = self.opt_name(t, "name");
                    let (expr, dialects) = self.check_expr(t, span)?;
                    ConstraintSpec::Check { name, expr, dialects }
                },
            },
            OpKind::CreatePrimaryKey => Op::AddConstraint {
                table: self.req_table(t, span)?,
                constraint: ConstraintSpec::PrimaryKey {
                    name: self.opt_name(t, "name"),
                    columns: self.req_list(t, "columns", span)?,
                },
            },
            OpKind::DropConstraint => Op::DropConstraint {
                table: self.req_table(t, span)?,
                name: self.req_name(t, "name", span)?,
            },
            OpKind::CreateView => {
                let name = self.req_qualified(t, "name", span)?;
                let sqlv = self.required(t, "sql", span)?;
                Op::CreateView {
                    name,
                    sql: self.per_dialect(sqlv)?,
                }
            }
            OpKind::DropView => Op::DropView {
                name: self.req_qualified(t, "name", span)?,
            },
            OpKind::Execute => {
                let sqlv = self.required(t, "sql", span)?;
                Op::Execute { sql: self.per_dialect(sqlv)? }
            }
            OpKind::BulkInsert => {
                let table = self.req_table(t, span)?;
                let rows_v = self.required(t, "rows", span)?;
                Op::BulkInsert {
                    table,
                    rows: self.rows(rows_v)?,
                }
            }
            OpKind::RenameIndex => Op::RenameIndex {
                name: self.index_name(t, span)?,
                new_name: self.req_name(t, "new_name", span)?,
            },
            OpKind::RenameConstraint => Op::RenameConstraint {
                table: self.req_table(t, span)?,
                name: self.req_name(t, "name", span)?,
                new_name: self.req_name(t, "new_name", span)?,
            },
            OpKind::AlterTable => {
                let table = self.req_table(t, span)?;
                // `comment` is the one property so far: a string, or `false` to drop it.
                let v = self.required(t, "comment", span)?;
                let comment = match v.get_ref() {
                    Val::Boolean(false) => None,
                    _ => Some(self.comment_text(v)?.v),
                };
                Op::AlterTable { table, comment }
            }
            OpKind::AlterEnum => Op::AlterEnum(self.enum_change(t, span)?),
            OpKind::CreateNamespace => Op::CreateNamespace {
                name: self.req_name(t, "name", span)?,
            },
            OpKind::DropNamespace => Op::DropNamespace {
                name: self.req_name(t, "name", span)?,
            },
            OpKind::CreateSequence => {
                let name = self.req_qualified(t, "name", span)?;
                let owned_by = match t.get("owned_by") {
                    None => None,
                    Some(v) => {
                        let s = self.string(v)?;
                        match s.v.split_once('.') {
                            Some((tab, col)) if !tab.is_empty() && !col.is_empty() => {
                                // OWNED BY names a table of the sequence's own schema.
                                let table = crate::base::naming::qualify(crate::base::naming::schema_of(&name.v), tab);
                                Some(Sp::new((table, col.to_string()), s.span))
                            }
                            _ => {
                                self.err(
                                    codes::INVALID_REFERENCES,
                                    s.span,
                                    format!("`owned_by` must be \"table.column\", not `{}`", s.v),
                                    "expected table.column",
                                );
                                return None;
                            }
                        }
                    }
                };
                Op::CreateSequence(SequenceSpec {
                    name,
                    start: self.opt_int(t, "start"),
                    increment: self.opt_int(t, "increment"),
                    min: self.opt_int(t, "min"),
                    max: self.opt_int(t, "max"),
                    cycle: self.opt_bool(t, "cycle").unwrap_or(false),
                    owned_by,
                })
            }
            OpKind::DropSequence => Op::DropSequence {
                name: self.req_qualified(t, "name", span)?,
            },
            OpKind::AlterSequence => {
                let name = self.req_qualified(t, "name", span)?;
                let (restart, increment) = (self.opt_int(t, "restart"), self.opt_int(t, "increment"));
                if restart.is_none() && increment.is_none() {
                    self.err(
                        codes::MISSING_KEY,
                        span,
                        "alter_sequence needs `restart` or `increment`".into(),
                        "nothing to change",
                    );
                    return None;
                }
                if increment == Some(0) {
                    let at = t.get("increment").map(|v| self.span(v)).unwrap_or(span);
                    self.err(codes::NUMBER_OUT_OF_RANGE, at, "a sequence's `increment` cannot be 0".into(), "zero");
                    return None;
                }
                Op::AlterSequence { name, restart, increment }
            }
            // `from_name` never gives a derived-only kind.
            OpKind::DeleteRows => return None,
        })
    }

    /// The optional `schema` key of a table-level operation (SPEC 9).
    fn schema_key(&mut self, t: Tbl<'_, 'i>) -> Option<String> {
        t.get("schema").and_then(|v| self.name(v)).map(|s| s.v)
    }

    /// A required name, qualified with the operation's `schema` key.
    fn req_qualified(&mut self, t: Tbl<'_, 'i>, key: &str, span: Span) -> Option<Sp<String>> {
        let name = self.req_name(t, key, span)?;
        let schema = self.schema_key(t);
        Some(Sp::new(crate::base::naming::qualify(schema.as_deref(), &name.v), name.span))
    }

    /// An index's `name`: index names are unique in the whole model (as
    /// constraint names are), so the `schema` key is checked as a name and
    /// the index found by its name alone.
    fn index_name(&mut self, t: Tbl<'_, 'i>, span: Span) -> Option<Sp<String>> {
        self.schema_key(t);
        self.req_name(t, "name", span)
    }

    /// The `table` of a table-level operation, qualified with its `schema`.
    fn req_table(&mut self, t: Tbl<'_, 'i>, span: Span) -> Option<Sp<String>> {
        self.req_qualified(t, "table", span)
    }

    /// A required name, qualified with the schema under `schema_key`.
    fn req_qualified_as(&mut self, t: Tbl<'_, 'i>, key: &str, schema_key: &str, span: Span) -> Option<Sp<String>> {
        let name = self.req_name(t, key, span)?;
        let schema = t.get(schema_key).and_then(|v| self.name(v)).map(|s| s.v);
        Some(Sp::new(crate::base::naming::qualify(schema.as_deref(), &name.v), name.span))
    }

    /// An optional 64-bit integer (a sequence's bounds and steps).
    fn opt_int(&mut self, t: Tbl<'_, 'i>, key: &str) -> Option<i64> {
        let v = t.get(key)?;
        match self.value(v, false)?.v {
            Value::Int(n) => Some(n),
            _ => {
                let span = self.span(v);
                self.err(codes::WRONG_VALUE_KIND, span, format!("`{key}` must be an integer"), "expected an integer");
                None
            }
        }
    }

    /// A check's `expr`: SQL, or a per-dialect table (SPEC 9) whose entry
    /// `""` says the dialect has no such check.
    fn check_expr(&mut self, t: Tbl<'_, 'i>, span: Span) -> Option<(Sp<String>, Option<Box<PerDialect>>)> {
        let v = self.required(t, "expr", span)?;
        if let Val::String(_) = v.get_ref() {
            return Some((self.string(v)?, None));
        }
        let at = self.span(v);
        let pd = self.per_dialect(v)?;
        let text = pd
            .get(&["default"])
            .or_else(|| pd.0.values().find(|s| !s.is_empty()).map(|s| s.as_str()))
            .unwrap_or("");
        Some((Sp::new(text.to_string(), at), Some(Box::new(pd))))
    }

    /// `alter_enum` (SPEC 9): at least one of `add`, `rename`, `remove`.
    fn enum_change(&mut self, t: Tbl<'_, 'i>, span: Span) -> Option<EnumChange> {
        let name = self.req_name(t, "name", span)?;
        let list = |d: &mut Self, key: &str| {
            t.get(key)
                .map(|v| d.string_list(v).into_iter().map(|s| s.v).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        let add = list(self, "add");
        let remove = list(self, "remove");
        let rename = match t.get("rename") {
            Some(v) => self.pairs(v)?,
            None => vec![],
        };
        let map = match t.get("map") {
            Some(v) => self.pairs(v)?,
            None => vec![],
        };
        let before = self.opt_name(t, "before");
        let after = self.opt_name(t, "after");
        if add.is_empty() && rename.is_empty() && remove.is_empty() {
            self.err(
                codes::EMPTY_ALTER,
                span,
                "alter_enum changes nothing".into(),
                "give `add`, `rename` or `remove`",
            );
            return None;
        }
        for (key, given) in [("before", &before), ("after", &after)] {
            if let (Some(s), true) = (given, add.is_empty()) {
                self.err(
                    codes::BAD_ENUM_CHANGE,
                    s.span,
                    format!("`{key}` places the values of `add`, and there are none"),
                    "nothing to place",
                );
                return None;
            }
        }
        if let (Some(_), Some(a)) = (&before, &after) {
            self.err(codes::BAD_ENUM_CHANGE, a.span, "give `before` or `after`, not both".into(), "one of the two");
            return None;
        }
        Some(EnumChange {
            name,
            add,
            before,
            after,
            rename,
            remove,
            map,
        })
    }

    /// A table of strings to strings (`rename`, `map`), in the order written.
    fn pairs(&mut self, v: &DeItem<'i>) -> Option<Vec<(String, String)>> {
        let Val::Table(t) = v.get_ref() else {
            let span = self.span(v);
            self.err(codes::WRONG_VALUE_KIND, span, "expected a table of old = \"new\"".into(), "expected a table");
            return None;
        };
        let mut out = vec![];
        for (k, val) in t.iter() {
            let new = self.name(val)?;
            out.push((k.get_ref().to_string(), new.v));
        }
        Some(out)
    }

    /// A column's `generated = { expr = ..., stored = true }` (SPEC 9).
    fn generated(&mut self, v: &DeItem<'i>) -> Option<Sp<Generated>> {
        let span = self.span(v);
        let t = self.sub_table(v, GENERATED_KEYS, "`generated`")?;
        let expr = self.required(t, "expr", span)?;
        let expr = self.per_dialect(expr)?;
        let stored = self.opt_bool(t, "stored").unwrap_or(true);
        Some(Sp::new(Generated { expr, stored }, span))
    }

    fn required<'t>(&mut self, t: Tbl<'t, 'i>, key: &str, span: Span) -> Option<&'t DeItem<'i>> {
        let v = t.get(key);
        if v.is_none() {
            self.err(codes::MISSING_KEY, span, format!("missing key `{key}`"), &format!("this needs `{key}`"));
        }
        v
    }

    fn req_name(&mut self, t: Tbl<'_, 'i>, key: &str, span: Span) -> Option<Sp<String>> {
        let v = self.required(t, key, span)?;
        self.name(v)
    }

    fn opt_name(&mut self, t: Tbl<'_, 'i>, key: &str) -> Option<Sp<String>> {
        t.get(key).and_then(|v| self.name(v))
    }

    fn opt_bool(&mut self, t: Tbl<'_, 'i>, key: &str) -> Option<bool> {
        t.get(key).and_then(|v| self.boolean(v))
    }

    fn req_list(&mut self, t: Tbl<'_, 'i>, key: &str, span: Span) -> Option<Sp<Vec<String>>> {
        let v = self.required(t, key, span)?;
        self.name_list(v)
    }

    fn action(&mut self, t: Tbl<'_, 'i>, key: &str) -> Option<FkAction> {
        let s = self.string(t.get(key)?)?;
        match s.v.to_ascii_lowercase().as_str() {
            "cascade" => Some(FkAction::Cascade),
            "set null" => Some(FkAction::SetNull),
            "set default" => Some(FkAction::SetDefault),
            "restrict" => Some(FkAction::Restrict),
            "no action" => Some(FkAction::NoAction),
            other => {
                self.err(
                    codes::UNKNOWN_REFERENTIAL_ACTION,
                    s.span,
                    format!("unknown referential action `{other}`"),
                    "expected cascade, set null, set default, restrict or no action",
                );
                None
            }
        }
    }

    pub fn table_spec(&mut self, t: Tbl<'_, 'i>, span: Span) -> Option<TableSpec> {
        let table = self.req_table(t, span)?;
        let cols_v = self.required(t, "columns", span)?;
        let mut columns = vec![];
        match cols_v.get_ref() {
            Val::Array(items) if !items.is_empty() => {
                columns.reserve_exact(items.len());
                for c in items.iter() {
                    if let Some(c) = self.column(c) {
                        columns.push(c);
                    }
                }
            }
            _ => {
                let s = self.span(cols_v);
                self.err(
                    codes::WRONG_VALUE_KIND,
                    s,
                    "`columns` must be a non-empty array of column tables".into(),
                    "expected columns",
                );
                return None;
            }
        }
        let mut constraints = vec![];
        if let Some(v) = t.get("primary_key") {
            if let Val::Table(_) = v.get_ref() {
                // `{ name = "...", columns = [...] }`: a primary key named
                // otherwise than the convention (what `import` keeps).
                let s = self.span(v);
                if let Some(pt) = self.sub_table(v, PRIMARY_KEY_KEYS, "a primary key") {
                    if let Some(cols) = self.req_list(pt, "columns", s) {
                        constraints.push(ConstraintSpec::PrimaryKey {
                            name: self.opt_name(pt, "name"),
                            columns: cols,
                        });
                    }
                }
            } else if let Some(cols) = self.name_list(v) {
                constraints.push(ConstraintSpec::PrimaryKey { name: None, columns: cols });
            }
        }
        for item in self.array(t, "foreign_keys") {
            let s = self.span(item);
            if let Some(ft) = self.sub_table(item, FOREIGN_KEY_KEYS, "a foreign key") {
                if let Some(fk) = self.foreign_key(ft, s) {
                    constraints.push(ConstraintSpec::ForeignKey(fk));
                }
            }
        }
        for item in self.array(t, "unique_constraints") {
            let s = self.span(item);
            if let Some(ut) = self.sub_table(item, UNIQUE_KEYS, "a unique constraint") {
                if let Some(cols) = self.req_list(ut, "columns", s) {
                    constraints.push(ConstraintSpec::Unique {
                        name: self.opt_name(ut, "name"),
                        columns: cols,
                    });
                }
            }
        }
        for item in self.array(t, "check_constraints") {
            let s = self.span(item);
            if let Some(ct) = self.sub_table(item, CHECK_KEYS, "a check constraint") {
                if let Some((expr, dialects)) = self.check_expr(ct, s) {
                    constraints.push(ConstraintSpec::Check {
                        name: self.opt_name(ct, "name"),
                        expr,
                        dialects,
                    });
                }
            }
        }
        let mut indexes = vec![];
        for item in self.array(t, "indexes") {
            let s = self.span(item);
            if let Some(it) = self.sub_table(item, INDEX_KEYS, "an index") {
                if let Some(i) = self.index(it, s) {
                    indexes.push(i);
                }
            }
        }
        let comment = t.get("comment").and_then(|v| self.comment_text(v)).map(|s| s.v);
        let options = t.get("options").and_then(|v| self.per_dialect(v));
        Some(TableSpec {
            table,
            columns,
            constraints,
            indexes,
            comment,
            options,
        })
    }

    fn array<'t>(&mut self, t: Tbl<'t, 'i>, key: &str) -> Vec<&'t DeItem<'i>> {
        match t.get(key) {
            None => vec![],
            Some(v) => match v.get_ref() {
                Val::Array(items) => items.iter().collect(),
                other => {
                    let s = self.span(v);
                    self.err(
                        codes::WRONG_VALUE_KIND,
                        s,
                        format!("`{key}` must be an array, not a {}", other.type_str()),
                        "expected an array",
                    );
                    vec![]
                }
            },
        }
    }

    fn foreign_key(&mut self, t: Tbl<'_, 'i>, span: Span) -> Option<ForeignKeySpec> {
        Some(ForeignKeySpec {
            name: self.opt_name(t, "name"),
            columns: self.req_list(t, "columns", span)?,
            ref_table: self.req_qualified_as(t, "referred_table", "referred_schema", span)?,
            ref_columns: self.req_list(t, "referred_columns", span)?,
            on_delete: self.action(t, "on_delete"),
            on_update: self.action(t, "on_update"),
            span,
        })
    }

    fn index(&mut self, t: Tbl<'_, 'i>, span: Span) -> Option<IndexSpec> {
        let name = self.opt_name(t, "name");
        let mut spans: Vec<(&'static str, Span)> = vec![];
        let mut opts = IndexOptions::default();
        let cv = self.required(t, "columns", span)?;
        let cspan = self.span(cv);
        let columns = match cv.get_ref() {
            Val::Array(items) if items.iter().any(|i| matches!(i.get_ref(), Val::Table(_))) => {
                let mut names = Vec::with_capacity(items.len());
                for item in items.iter() {
                    let (entry, element) = self.index_element(item, &mut spans)?;
                    names.push(entry);
                    opts.elements.push(element);
                }
                if names.is_empty() {
                    self.err(codes::EMPTY_COLUMN_LIST, cspan, "expected at least one column".into(), "empty list");
                    return None;
                }
                Sp::new(names, cspan)
            }
            _ => self.name_list(cv)?,
        };
        if opts.has_expr() && name.is_none() {
            self.err(
                codes::EXPRESSION_INDEX_NEEDS_NAME,
                cspan,
                "an index on an expression needs a `name`: the convention names indexes after their columns".into(),
                "add `name = \"...\"` to this index",
            );
            return None;
        }
        if let Some(v) = t.get("method") {
            let s = self.string(v)?;
            spans.push(("method", s.span));
            opts.method = Some(self.one_of(s, &INDEX_METHODS, "method")?);
        }
        if let Some(v) = t.get("kind") {
            let s = self.string(v)?;
            spans.push(("kind", s.span));
            opts.kind = Some(self.one_of(s, &INDEX_KINDS, "kind")?);
        }
        if let Some(v) = t.get("include") {
            spans.push(("include", self.span(v)));
            opts.include = self.name_list(v)?.v;
        }
        // Elements that say nothing beyond their column are left out of the
        // model: `["a"]` and `[{ name = "a" }]` are the same index.
        if opts.elements.iter().all(|e| *e == IndexElement::default()) {
            opts.elements.clear();
        }
        let options = (opts != IndexOptions::default()).then(|| Box::new(opts));
        Some(IndexSpec {
            name,
            columns,
            unique: self.opt_bool(t, "unique").unwrap_or(false),
            where_: t.get("where").and_then(|v| self.string(v)),
            concurrently: self.opt_bool(t, "concurrently").unwrap_or(false),
            options,
            option_spans: spans,
            span,
        })
    }

    /// One entry of an index's `columns`: a column name, or a table
    /// `{ name, order, nulls, opclass, length }` or `{ expr }`.
    fn index_element(&mut self, item: &DeItem<'i>, spans: &mut Vec<(&'static str, Span)>) -> Option<(String, IndexElement)> {
        let Val::Table(_) = item.get_ref() else {
            return Some((self.name(item)?.v, IndexElement::default()));
        };
        let span = self.span(item);
        let et = self.sub_table(item, INDEX_ELEMENT_KEYS, "an index element")?;
        let mut e = IndexElement::default();
        let entry = match (et.get("name"), et.get("expr")) {
            (Some(n), None) => self.name(n)?.v,
            (None, Some(x)) => {
                let s = self.string(x)?;
                spans.push(("expr", s.span));
                e.expr = true;
                s.v
            }
            (Some(_), Some(x)) => {
                let s = self.span(x);
                self.err(
                    codes::BAD_INDEX_OPTION,
                    s,
                    "an index element is a column (`name`) or an expression (`expr`), not both".into(),
                    "remove one",
                );
                return None;
            }
            (None, None) => {
                self.err(
                    codes::MISSING_KEY,
                    span,
                    "an index element needs `name` or `expr`".into(),
                    "add `name` or `expr`",
                );
                return None;
            }
        };
        if let Some(v) = et.get("order") {
            let s = self.string(v)?;
            spans.push(("order", s.span));
            e.desc = Some(self.one_of(s, &["asc", "desc"], "order")? == "desc");
        }
        if let Some(v) = et.get("nulls") {
            let s = self.string(v)?;
            spans.push(("nulls", s.span));
            e.nulls_first = Some(self.one_of(s, &["first", "last"], "nulls")? == "first");
        }
        if let Some(v) = et.get("opclass") {
            let s = self.name(v)?;
            spans.push(("opclass", s.span));
            e.opclass = Some(s.v);
        }
        if let Some(v) = et.get("length") {
            let s = self.span(v);
            spans.push(("length", s));
            match v.get_ref() {
                Val::Integer(i) => match i.as_str().replace('_', "").parse::<u32>() {
                    Ok(n) if n > 0 && i.radix() == 10 => e.length = Some(n),
                    _ => {
                        self.err(codes::BAD_INDEX_OPTION, s, "`length` must be a positive integer".into(), "not a length");
                        return None;
                    }
                },
                other => {
                    let msg = format!("`length` must be a positive integer, not a {}", other.type_str());
                    self.err(codes::WRONG_VALUE_KIND, s, msg, "expected an integer");
                    return None;
                }
            }
        }
        Some((entry, e))
    }

    /// A string that must be one of `allowed` (compared in lower case).
    fn one_of(&mut self, s: Sp<String>, allowed: &[&str], key: &str) -> Option<String> {
        let lower = s.v.to_ascii_lowercase();
        if allowed.contains(&lower.as_str()) {
            return Some(lower);
        }
        let mut d = Diagnostic::error(codes::BAD_INDEX_OPTION, format!("`{key}` cannot be `{}`", s.v)).at(s.span, format!("expected {}", allowed.join(", ")));
        if let Some(c) = closest(&lower, allowed) {
            d = d.help(format!("did you mean `{c}`?"));
        }
        self.diags.push(d);
        None
    }

    pub fn column(&mut self, v: &DeItem<'i>) -> Option<ColumnSpec> {
        let span = self.span(v);
        let t = self.sub_table(v, COLUMN_KEYS, "a column")?;
        let name = self.req_name(t, "name", span)?;
        let tyv = self.required(t, "type", span)?;
        let ty = self.column_type(tyv)?;
        let references = match t.get("references") {
            None => None,
            Some(rv) => {
                let s = self.string(rv)?;
                // "table.column", or "schema.table.column" (SPEC 9).
                let parts: Vec<&str> = s.v.splitn(3, '.').collect();
                match parts.as_slice() {
                    [tab, col] if !tab.is_empty() && !col.is_empty() => Some(Box::new(Sp::new((tab.to_string(), col.to_string()), s.span))),
                    [sch, tab, col] if !sch.is_empty() && !tab.is_empty() && !col.is_empty() => {
                        Some(Box::new(Sp::new((crate::base::naming::qualify(Some(sch), tab), col.to_string()), s.span)))
                    }
                    _ => {
                        self.err(
                            codes::INVALID_REFERENCES,
                            s.span,
                            format!("`references` must be \"table.column\" or \"schema.table.column\", not `{}`", s.v),
                            "expected table.column",
                        );
                        return None;
                    }
                }
            }
        };
        let default = match t.get("default") {
            None => None,
            Some(dv) => Some(Box::new(self.value(dv, true)?)),
        };
        Some(ColumnSpec {
            name,
            ty,
            nullable: self.opt_bool(t, "nullable"),
            default,
            primary_key: self.opt_bool(t, "primary_key").unwrap_or(false),
            autoincrement: self.opt_bool(t, "autoincrement").unwrap_or(false),
            unique: self.opt_bool(t, "unique").unwrap_or(false),
            references,
            on_delete: self.action(t, "on_delete"),
            on_update: self.action(t, "on_update"),
            comment: t.get("comment").and_then(|v| self.comment_text(v)).map(|s| s.v),
            generated: match t.get("generated") {
                None => None,
                Some(g) => Some(Box::new(self.generated(g)?)),
            },
            collation: match t.get("collation") {
                None => None,
                Some(c) => {
                    let span = self.span(c);
                    Some(Box::new(Sp::new(self.per_dialect(c)?, span)))
                }
            },
            span,
        })
    }

    fn alter(&mut self, t: Tbl<'_, 'i>, span: Span) -> Option<AlterSpec> {
        // In its schema, as every table-level operation (SPEC 9).
        let table = self.req_table(t, span)?;
        let column = self.req_name(t, "column", span)?;
        let ty = match t.get("type") {
            Some(v) => Some(self.column_type(v)?),
            None => None,
        };
        let default = match t.get("default") {
            None => None,
            Some(v) if matches!(v.get_ref(), Val::Boolean(false)) => Some(None),
            Some(v) => Some(Some(self.value(v, true)?)),
        };
        let comment = match t.get("comment") {
            None => None,
            Some(v) if matches!(v.get_ref(), Val::Boolean(false)) => Some(None),
            Some(v) => Some(Some(self.comment_text(v)?.v)),
        };
        let backfill = match t.get("backfill") {
            None => None,
            Some(v) => Some(self.value(v, false)?),
        };
        let nullable = self.opt_bool(t, "nullable");
        let using = match t.get("using") {
            None => None,
            Some(v) => {
                let span = self.span(v);
                Some(Sp::new(self.per_dialect(v)?, span))
            }
        };
        if let (Some(u), None) = (&using, &ty) {
            self.err(
                codes::MISSING_KEY,
                u.span,
                "`using` computes a new value for a new `type`, and there is none".into(),
                "this needs `type`",
            );
            return None;
        }
        let collation = match t.get("collation") {
            None => None,
            Some(v) if matches!(v.get_ref(), Val::Boolean(false)) => Some(None),
            Some(v) => {
                let span = self.span(v);
                Some(Some(Sp::new(self.per_dialect(v)?, span)))
            }
        };
        let generated = match t.get("generated") {
            None => None,
            Some(g) => Some(Box::new(self.generated(g)?)),
        };
        if ty.is_none() && nullable.is_none() && default.is_none() && comment.is_none() && collation.is_none() && generated.is_none() {
            self.err(
                codes::EMPTY_ALTER,
                span,
                "alter_column changes nothing".into(),
                "give `type`, `nullable`, `default`, `comment`, `collation` or `generated`",
            );
            return None;
        }
        Some(AlterSpec {
            table,
            column,
            ty,
            nullable,
            default,
            comment,
            backfill,
            using,
            autoincrement: None,
            collation,
            generated,
        })
    }

    pub fn rows(&mut self, v: &DeItem<'i>) -> Option<Vec<Sp<Row>>> {
        let Val::Array(items) = v.get_ref() else {
            let s = self.span(v);
            self.err(codes::WRONG_VALUE_KIND, s, "`rows` must be an array of tables".into(), "expected an array");
            return None;
        };
        let mut rows = vec![];
        for item in items.iter() {
            let span = self.span(item);
            let Val::Table(t) = item.get_ref() else {
                self.err(
                    codes::WRONG_VALUE_KIND,
                    span,
                    "a row must be a table of column = value".into(),
                    "expected a table",
                );
                continue;
            };
            let mut row = Vec::new();
            for (k, val) in t.iter() {
                if let Some(value) = self.value(val, false) {
                    row.push((Sp::new(k.get_ref().to_string(), Span::new(self.file, k.span())), value));
                }
            }
            rows.push(Sp::new(row, span));
        }
        Some(rows)
    }

    /// A literal value: a TOML scalar, `{ expr = ... }` or `{ sql = ... }`.
    pub fn value(&mut self, v: &DeItem<'i>, is_default: bool) -> Option<Sp<Value>> {
        let span = self.span(v);
        let value = match v.get_ref() {
            Val::String(s) => Value::String(s.to_string()),
            Val::Boolean(b) => Value::Bool(*b),
            Val::Integer(i) => {
                let digits = i.as_str().replace('_', "");
                match i64::from_str_radix(digits.trim_start_matches(['0', 'x', 'o', 'b']).trim_start_matches('+'), i.radix()) {
                    Ok(n) if i.radix() != 10 => Value::Int(n),
                    _ => match digits.parse::<i64>() {
                        Ok(n) => Value::Int(n),
                        Err(_) => {
                            self.err(codes::NUMBER_OUT_OF_RANGE, span, "integer out of range (64-bit)".into(), "too large");
                            return None;
                        }
                    },
                }
            }
            Val::Float(f) => {
                let s = f.as_str().replace('_', "");
                match s.parse::<f64>() {
                    Ok(x) if x.is_finite() => Value::Float(s),
                    _ => {
                        self.err(codes::NUMBER_OUT_OF_RANGE, span, "a float value must be finite".into(), "not a finite number");
                        return None;
                    }
                }
            }
            Val::Datetime(d) => Value::Temporal(d.to_string()),
            Val::Table(t) => {
                self.check_keys(t, if is_default { &["expr", "sql", "next"] } else { &["expr", "sql"] });
                if let Some(e) = t.get("expr") {
                    let s = self.string(e)?;
                    let lower = s.v.to_ascii_lowercase();
                    if !["current_timestamp", "current_date", "current_time"].contains(&lower.as_str()) {
                        self.err(
                            codes::UNKNOWN_EXPRESSION,
                            s.span,
                            format!("unknown expression `{}`", s.v),
                            "expected current_timestamp, current_date or current_time",
                        );
                        return None;
                    }
                    Value::Current(lower)
                } else if let Some(n) = t.get("next").filter(|_| is_default) {
                    // `{ next = "seq" }` or `{ next = "schema.seq" }` (SPEC 9).
                    let s = self.name(n)?;
                    let (schema, seq) = match s.v.split_once('.') {
                        Some((a, b)) if !a.is_empty() && !b.is_empty() => (Some(a), b),
                        _ => (None, s.v.as_str()),
                    };
                    Value::Next(crate::base::naming::qualify(schema, seq))
                } else if let Some(sql) = t.get("sql") {
                    let pd = self.per_dialect(sql)?;
                    if !is_default && pd.get(&["default"]).is_some_and(|s| s.eq_ignore_ascii_case("null")) {
                        Value::Null
                    } else {
                        Value::Sql(Box::new(pd))
                    }
                } else {
                    self.err(
                        codes::UNKNOWN_EXPRESSION,
                        span,
                        "a value table needs `expr` or `sql`".into(),
                        "expected { expr = ... } or { sql = ... }",
                    );
                    return None;
                }
            }
            Val::Array(_) => {
                self.err(codes::WRONG_VALUE_KIND, span, "a value cannot be an array".into(), "expected a literal");
                return None;
            }
        };
        Some(Sp::new(value, span))
    }

    pub fn column_type(&mut self, v: &DeItem<'i>) -> Option<Sp<ColumnType>> {
        let span = self.span(v);
        match v.get_ref() {
            Val::String(s) => match parse_type(s) {
                Ok(t) => Some(Sp::new(t, span)),
                Err(msg) => {
                    let mut d = Diagnostic::error(codes::UNKNOWN_TYPE, format!("unknown type `{s}`: {msg}")).at(span, "not a neutral type");
                    d = d.help(crate::vocab::types::suggest_type(s).unwrap_or_else(|| format!("neutral types: {}", NEUTRAL_TYPES.join(", "))));
                    self.diags.push(d);
                    None
                }
            },
            Val::Table(t) => {
                if t.contains_key("enum") {
                    self.check_keys(t, ENUM_KEYS);
                    let values = self.string_list(t.get("enum")?);
                    let native = self.opt_bool(t, "native").unwrap_or(true);
                    // A non-native enum's name is optional (SPEC 9).
                    let name = if native {
                        self.req_name(t, "name", span)?
                    } else {
                        self.opt_name(t, "name").unwrap_or_else(|| Sp::new(String::new(), span))
                    };
                    if values.is_empty() {
                        self.err(codes::EMPTY_ENUM, span, "an enum needs at least one value".into(), "empty enum");
                        return None;
                    }
                    Some(Sp::new(
                        ColumnType::Enum(Box::new(EnumType {
                            name: name.v,
                            values: values.into_iter().map(|s| s.v).collect(),
                            native,
                        })),
                        span,
                    ))
                } else {
                    self.check_keys(t, DIALECT_KEYS);
                    let mut m = IndexMap::new();
                    let mut default = None;
                    for (k, val) in t.iter() {
                        let s = self.string(val)?;
                        if k.get_ref() == "default" {
                            default = Some(s.clone());
                        }
                        m.insert(k.get_ref().to_string(), s.v);
                    }
                    // A `default` entry is a neutral type: it serves the dialects with no raw entry.
                    if let Some(d) = default {
                        if let Err(msg) = parse_type(&d.v) {
                            let mut e = Diagnostic::error(codes::UNKNOWN_TYPE, format!("unknown type `{}`: {msg}", d.v)).at(d.span, "not a neutral type");
                            if let Some(help) = crate::vocab::types::suggest_type(&d.v) {
                                e = e.help(help);
                            }
                            self.diags.push(e);
                            return None;
                        }
                    }
                    Some(Sp::new(ColumnType::Raw(Box::new(PerDialect(m))), span))
                }
            }
            other => {
                self.err(
                    codes::WRONG_VALUE_KIND,
                    span,
                    format!("a type must be a string or a table, not a {}", other.type_str()),
                    "expected a type",
                );
                None
            }
        }
    }
}

pub const DIALECT_KEYS: &[&str] = &["postgresql", "mysql", "mariadb", "sqlite", "default"];

/// The keys of a revision file's top level.
pub const REVISION_KEYS: &[&str] = &[
    "revision",
    "down_revision",
    "depends_on",
    "message",
    "branch_labels",
    "transactional",
    "upgrade",
    "downgrade",
];

/// The keys of a `foreign_keys` entry of `create_table`.
pub const FOREIGN_KEY_KEYS: &[&str] = &[
    "name",
    "columns",
    "referred_table",
    "referred_schema",
    "referred_columns",
    "on_delete",
    "on_update",
];
/// The keys of `create_table`'s `primary_key` when it is a table.
pub const PRIMARY_KEY_KEYS: &[&str] = &["name", "columns"];
/// The keys of a `unique_constraints` entry.
pub const UNIQUE_KEYS: &[&str] = &["name", "columns"];
/// The keys of a `check_constraints` entry.
pub const CHECK_KEYS: &[&str] = &["name", "expr"];
/// The keys of an `indexes` entry.
pub const INDEX_KEYS: &[&str] = &["name", "columns", "unique", "where", "method", "include", "kind"];
/// The keys of an index element given as a table (SPEC 9).
pub const INDEX_ELEMENT_KEYS: &[&str] = &["name", "expr", "order", "nulls", "opclass", "length"];

pub const COLUMN_KEYS: &[&str] = &[
    "name",
    "type",
    "nullable",
    "default",
    "primary_key",
    "autoincrement",
    "unique",
    "references",
    "on_delete",
    "on_update",
    "comment",
    "generated",
    "collation",
];

/// The keys of a column's `generated` table (SPEC 9).
pub const GENERATED_KEYS: &[&str] = &["expr", "stored"];
/// The keys of an enum type table.
pub const ENUM_KEYS: &[&str] = &["enum", "name", "native"];

const NEUTRAL_TYPES: &[&str] = &[
    "boolean",
    "smallint",
    "integer",
    "bigint",
    "float",
    "decimal(p,s)",
    "string(n)",
    "char(n)",
    "text",
    "binary",
    "date",
    "time",
    "datetime",
    "timestamptz",
    "json",
    "jsonb",
    "uuid",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutral_type_spellings() {
        assert_eq!(parse_type(" String(255) "), Ok(ColumnType::String(Some(255))));
        assert_eq!(parse_type("VARCHAR"), Ok(ColumnType::String(None)));
        assert_eq!(parse_type("decimal(10, 2)"), Ok(ColumnType::Decimal(Some((10, 2)))));
        assert_eq!(parse_type("numeric(7)"), Ok(ColumnType::Decimal(Some((7, 0)))));
        assert_eq!(parse_type("Timestamp"), Ok(ColumnType::DateTime));
        assert_eq!(parse_type("bool"), Ok(ColumnType::Boolean));
        assert_eq!(parse_type("Text(5)"), Err("`text` takes no arguments".into()));
        assert_eq!(parse_type("string(1,2,3)"), Err("`string` takes one length between 1 and 1000000".into()));
        assert_eq!(parse_type("string(0)"), Err("`string` takes one length between 1 and 1000000".into()));
        assert!(parse_type("decimal(10,2,1)").unwrap_err().starts_with("decimal takes"));
        assert_eq!(parse_type("string(x)"), Err("bad arguments `(x)`".into()));
        assert_eq!(parse_type("string(255"), Err("unbalanced parenthesis".into()));
        assert_eq!(parse_type("money"), Err("not a neutral type".into()));
    }

    #[test]
    fn misspelt_types_get_a_suggestion() {
        use crate::vocab::types::{suggest_type, TYPE_NAMES};
        assert_eq!(
            suggest_type("varchr(20)").as_deref(),
            Some("did you mean `varchar(20)` (the same as `string(20)`)?")
        );
        assert_eq!(suggest_type("strng(50)").as_deref(), Some("did you mean `string(50)`?"));
        assert_eq!(suggest_type("Integr").as_deref(), Some("did you mean `integer`?"));
        assert_eq!(suggest_type("money"), None);
        // Every listed name is accepted, and stands for the neutral type it names.
        for (name, neutral) in TYPE_NAMES {
            assert_eq!(parse_type(name).map(|t| t.neutral()), Ok(neutral.to_string()), "{name}");
        }
    }

    /// A clean revision file's text is not kept, and is read back when a
    /// later diagnostic points into it (with the same line and column).
    #[test]
    fn clean_files_are_read_back_for_diagnostics() {
        let dir = std::env::temp_dir().join(format!("schemac-unkept-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "revision = \"a1\"\nmessage = \"m\"\n\n[[upgrade]]\nop = \"drop_table\"\ntable = \"nope\"\n";
        std::fs::write(dir.join("a1.toml"), text).unwrap();
        let mut sources = Sources::default();
        let revs = load_dir(&dir, &mut sources).expect("loads");
        let Op::DropTable { table } = &revs[0].upgrade[0].op else {
            panic!("drop_table")
        };
        assert_eq!(sources.text(revs[0].file), text);
        assert_eq!(sources.line_col(revs[0].file, table.span.start), (6, 9));
        let d = Diagnostic::error(codes::NO_SUCH_TABLE, "no such table").at(table.span, "here");
        let shown = sources.render(&[d], crate::base::diag::Format::Human);
        assert!(shown.contains("a1.toml:6:9") && shown.contains("table = \"nope\""), "{shown}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
