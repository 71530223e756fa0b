//! Typed errors of the core. Each names the field (as a JSON path) and the bad value,
//! so the CLI and the web page can print them as one line.

use thiserror::Error;

/// A drive letter that is not `A`–`Z`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{value:?} is not a drive letter (A-Z)")]
pub struct DriveError {
    pub value: String,
}

/// Why a scenario or plan file was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    /// Input larger than the cap; refused before parsing so memory stays bounded.
    #[error("input is {size} bytes, more than the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    /// Not JSON, or JSON of the wrong shape; `path` is where the parser stopped.
    #[error("{path}: {message}")]
    Json { path: String, message: String },
    /// Well-formed, but a value breaks a rule of the format.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl InputError {
    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
    /// The JSON path the error is about (`$` for the whole document).
    pub fn path(&self) -> &str {
        match self {
            InputError::TooLarge { .. } => "$",
            InputError::Json { path, .. } | InputError::Invalid { path, .. } => path,
        }
    }
}
