//! Diagnostics as data: a stable code, a message, labelled spans into the
//! source files, and an optional help line. Rendering happens in one place
//! (`Sources::render`), through codespan-reporting, so that every stage only
//! builds values and never formats locations itself.

use crate::base::codes::Code;
use crate::base::text::{escape, escape_lines};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, Severity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, Config, DisplayStyle};
use std::path::Path;

/// Index of a file in `Sources`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    /// A sub-range of this span, `offset` bytes in, `len` bytes long.
    pub fn sub(self, offset: usize, len: usize) -> Span {
        let start = (self.start as usize + offset).min(self.end as usize) as u32;
        let end = (start as usize + len).min(self.end as usize) as u32;
        Span {
            file: self.file,
            start,
            end: end.max(start),
        }
    }
}

/// A value together with the place in a source file it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Sp<T> {
    pub v: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(v: T, span: Span) -> Sp<T> {
        Sp { v, span }
    }
}

impl<T> std::ops::Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.v
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

/// One problem found in the input: what, where, and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub level: Level,
    pub code: Code,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            code,
            message: message.into(),
            labels: vec![],
            help: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// The primary place: the value that is wrong.
    pub fn at(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// A second place that explains the first (where a table was defined, say).
    pub fn also(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// A stage's failure: every error it found, not only the first.
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Short,
    Json,
}

/// The text of every file read, so that spans can be shown with their lines.
#[derive(Default)]
pub struct Sources {
    /// Name, text and line index per file. Line starts are found only when
    /// a diagnostic is shown (codespan's `SimpleFiles` would index every file
    /// up front), and then once per file: every position after that is a
    /// binary search, so that N diagnostics in one file cost N log N, not N
    /// times the file.
    files: Vec<SourceFile>,
}

struct SourceFile {
    name: String,
    text: Text,
    /// The byte offset of each line's start, built on first use.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    fn new(name: String, text: Text) -> SourceFile {
        SourceFile {
            name,
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn text(&self) -> &str {
        Sources::text_of(&self.name, &self.text)
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let text = self.text();
            std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
        })
    }

    /// The 0-based line holding a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts().partition_point(|&s| s <= offset).saturating_sub(1)
    }
}

/// A file's text: kept, or (for a revision file that decoded cleanly, of
/// which a long history has many) read again from its name, relative to
/// the current folder, only if a diagnostic points into it. Keeping every
/// text would cost about 480 bytes a revision for the whole run.
#[derive(Debug)]
enum Text {
    Kept(String),
    Reread(std::sync::OnceLock<String>),
}

impl<'a> Files<'a> for Sources {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, FilesError> {
        self.files.get(id).map(|f| f.name.as_str()).ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, FilesError> {
        self.files.get(id).map(SourceFile::text).ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        let file = self.files.get(id).ok_or(FilesError::FileMissing)?;
        Ok(file.line_of(byte_index.min(file.text().len())))
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<std::ops::Range<usize>, FilesError> {
        let file = self.files.get(id).ok_or(FilesError::FileMissing)?;
        let starts = file.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })?;
        let end = starts.get(line_index + 1).copied().unwrap_or(file.text().len());
        Ok(start..end)
    }
}

impl Sources {
    pub fn add(&mut self, name: String, text: String) -> FileId {
        self.files.push(SourceFile::new(name, Text::Kept(text)));
        FileId(self.files.len() as u32 - 1)
    }

    /// A file whose text is not kept: `name` is a path from the current
    /// folder, read again if a diagnostic needs its lines (empty if it is
    /// gone or no longer text).
    pub fn add_unkept(&mut self, name: String) -> FileId {
        self.files.push(SourceFile::new(name, Text::Reread(std::sync::OnceLock::new())));
        FileId(self.files.len() as u32 - 1)
    }

    fn text_of<'a>(name: &str, text: &'a Text) -> &'a str {
        match text {
            Text::Kept(t) => t,
            Text::Reread(t) => t.get_or_init(|| crate::base::files::read_regular_text(Path::new(name)).unwrap_or_default()),
        }
    }

    /// How many files have been added; the next one gets this id.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn name(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize).map(|f| f.name.as_str()).unwrap_or("?")
    }

    pub fn text(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize).map(SourceFile::text).unwrap_or("")
    }

    /// 1-based line and column (in characters) of a byte offset: a binary
    /// search in the file's line index, then a count within the line.
    pub fn line_col(&self, id: FileId, offset: u32) -> (usize, usize) {
        let Some(file) = self.files.get(id.0 as usize) else {
            return (1, 1);
        };
        let text = file.text();
        let offset = floor_char_boundary(text, (offset as usize).min(text.len()));
        let line = file.line_of(offset);
        let line_start = file.line_starts()[line];
        (line + 1, text[line_start..offset].chars().count() + 1)
    }

    /// Renders diagnostics in the requested format.
    pub fn render(&self, diags: &[Diagnostic], format: Format) -> String {
        match format {
            Format::Json => self.render_json(diags),
            Format::Human | Format::Short => {
                let mut config = Config::default();
                if format == Format::Short {
                    config.display_style = DisplayStyle::Short;
                }
                let mut out = String::new();
                for d in diags {
                    let cs = self.to_codespan(d);
                    match term::emit_into_string(&config, self, &cs) {
                        Ok(s) => out.push_str(&s),
                        Err(_) => out.push_str(&format!("error[{}]: {}\n", d.code, escape(&d.message))),
                    }
                }
                // The source lines shown may hold control characters too.
                match escape_lines(&out) {
                    std::borrow::Cow::Borrowed(_) => out,
                    std::borrow::Cow::Owned(o) => o,
                }
            }
        }
    }

    fn to_codespan(&self, d: &Diagnostic) -> CsDiagnostic<usize> {
        let severity = match d.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
        };
        let labels = d
            .labels
            .iter()
            .map(|l| {
                let range = l.span.start as usize..l.span.end as usize;
                let label = if l.primary {
                    CsLabel::primary(l.span.file.0 as usize, range)
                } else {
                    CsLabel::secondary(l.span.file.0 as usize, range)
                };
                label.with_message(escape(&l.message))
            })
            .collect();
        let mut notes = vec![];
        if let Some(help) = &d.help {
            notes.push(format!("help: {}", escape(help)));
        }
        CsDiagnostic::new(severity)
            .with_code(d.code.id())
            .with_message(escape(&d.message))
            .with_labels(labels)
            .with_notes(notes)
    }

    fn render_json(&self, diags: &[Diagnostic]) -> String {
        let mut s = serde_json::to_string_pretty(&self.json_items(diags)).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Each diagnostic as a JSON object: level, code, message, labels (file, line, column), help.
    pub fn json_items(&self, diags: &[Diagnostic]) -> Vec<serde_json::Value> {
        diags
            .iter()
            .map(|d| {
                let labels: Vec<serde_json::Value> = d
                    .labels
                    .iter()
                    .map(|l| {
                        let (line, column) = self.line_col(l.span.file, l.span.start);
                        serde_json::json!({
                            "file": self.name(l.span.file), "line": line, "column": column,
                            "message": l.message, "primary": l.primary,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "level": if d.is_error() { "error" } else { "warning" },
                    "code": d.code.id(), "message": d.message, "labels": labels, "help": d.help,
                })
            })
            .collect()
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A path as the user would write it: relative to the current folder when inside it.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = cwd.as_ref().and_then(|c| path.strip_prefix(c).ok()).unwrap_or(path);
    rel.display().to_string()
}
