//! Helpers shared by the CLI test files: run `yinxin` in a directory, read its output.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `yinxin ARGS` in `dir`, with no standard input.
pub fn yinxin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yinxin"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Runs `yinxin ARGS` in `dir` with `input` on standard input (PINs: `--pin-stdin`).
pub fn yinxin_in(dir: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_yinxin"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Standard output as text.
pub fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Standard error as text.
pub fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Standard output of a command that must have succeeded.
pub fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", err(o));
    out(o)
}

/// Standard output as one JSON value.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// Standard output as one JSON value per line.
pub fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    out(o).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// A path under ../shared.
pub fn shared(rel: &str) -> String {
    yinxin_test_vectors::shared_dir().join(rel).to_str().unwrap().to_owned()
}

/// `yinxin authority init --dir DIR --alg ALG --name NAME --code CODE` in `d`, which must succeed.
pub fn init_authority(d: &Path, dir: &str, alg: &str, name: &str, code: &str) {
    ok(&yinxin(d, &["authority", "init", "--dir", dir, "--alg", alg, "--name", name, "--code", code]));
}
