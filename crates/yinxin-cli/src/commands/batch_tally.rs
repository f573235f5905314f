//! What `license issue-batch` tells the user: each refused line with its number, an early stop
//! when the first lines all fail alike, and a closing summary with the warnings once each.

use std::path::Path;

use yinxin::license::IssuedLicense;
use yinxin_registry::IssuedRecord;

use crate::failure::{EXIT_INVALID, Failure};

/// After this many lines in a row failed with the same code before anything was issued, the
/// cause is not in the lines (a wrong authority, the wrong input): `issue-batch` stops.
const STOP_AFTER_SAME_ERROR: usize = 10;
/// Refused line numbers listed in the summary at most.
const SUMMARY_LINES: usize = 20;

/// What usually makes every line of a batch fail with `code`.
fn likely_cause(code: &str) -> &'static str {
    match code {
        "registry.duplicate" => {
            "was this input issued already? `yinxin registry list` shows what the registry holds"
        }
        "license.issuer_code_mismatch" | "license.certificate_not_valid" => {
            "is --authority the one that issues these licenses?"
        }
        c if c.starts_with("io.") || c.starts_with("crypto.") => "check the holder keys the lines name",
        _ => "fix what the first line's error says, then run the batch again",
    }
}

/// Counts what a batch did, reports each refusal with its line, and decides when to stop.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) issued: usize,
    pub(crate) refused: Vec<usize>,
    streak: Option<(&'static str, usize)>,
    /// Warnings by code: how many licenses, and the first one's message (said once at the end,
    /// not once per line).
    warnings: std::collections::BTreeMap<&'static str, (usize, String)>,
}

impl Tally {
    /// Reports a refused line; fails when the same error has refused every line so far.
    pub(crate) fn refuse(&mut self, line: usize, code: &'static str, message: &str) -> Result<(), Failure> {
        eprintln!("error[{code}]: line {line}: {message}");
        self.refused.push(line);
        let count = match self.streak {
            Some((c, n)) if c == code => n + 1,
            _ => 1,
        };
        self.streak = Some((code, count));
        if self.issued == 0 && count >= STOP_AFTER_SAME_ERROR {
            return Err(Failure {
                code,
                message: format!(
                    "the first {count} lines all failed with {code}, so the cause is not in single \
                     lines ({}); stopped at line {line}, nothing was issued",
                    likely_cause(code)
                ),
                exit: EXIT_INVALID,
            });
        }
        Ok(())
    }

    /// Counts licenses issued (and acknowledged) and their warnings.
    pub(crate) fn issued(&mut self, done: &[(IssuedRecord, IssuedLicense)]) {
        self.issued += done.len();
        if !done.is_empty() {
            self.streak = None;
        }
        for w in done.iter().flat_map(|(_, license)| &license.warnings) {
            self.warn(w.code(), w.to_string());
        }
    }

    pub(crate) fn warn(&mut self, code: &'static str, message: String) {
        self.warnings.entry(code).or_insert((0, message)).0 += 1;
    }

    /// The closing summary on stderr: each kind of warning once, then the counts.
    pub(crate) fn summary(&self, out_dir: &Path, stopped: bool) {
        for (code, (count, first)) in &self.warnings {
            let licenses = if *count == 1 { "1 license".to_owned() } else { format!("{count} licenses") };
            eprintln!("warning[{code}]: {licenses}, e.g.: {first}");
        }
        let mut lines: Vec<String> =
            self.refused.iter().take(SUMMARY_LINES).map(ToString::to_string).collect();
        if self.refused.len() > SUMMARY_LINES {
            lines.push(format!("and {} more", self.refused.len() - SUMMARY_LINES));
        }
        let refused = if self.refused.is_empty() {
            "none refused".to_owned()
        } else {
            format!("{} refused (lines {})", self.refused.len(), lines.join(", "))
        };
        let stopped = if stopped { "; stopped early (the error below says why)" } else { "" };
        eprintln!(
            "issued {} licenses, {refused}{stopped}. Acknowledgements (\"<identifier> <status index>\", one per \
             durable issuance) are on standard output; credentials are in {}.",
            self.issued,
            out_dir.display()
        );
    }
}
