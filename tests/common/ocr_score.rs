//! Scoring OCR readings against the fixtures' truth (`fixtures/ocr/manifest.json`), shared by
//! `tests/ocr_accuracy.rs` and `benches/ocr.rs`.
//!
//! Every leaf of a truth object (`file`, `kind` and `note` aside) is one field. It is:
//! - **exact** when the reading holds the same value (text compared without spaces); a truth
//!   of `null` (no value, e.g. the month of a period that is not one month) is exact when the
//!   reading has none either;
//! - **missing** when the reading has no value there (nothing can rest on it);
//! - **flagged** when the value differs but was marked unsure: the confidence that covers it
//!   (the field's own `read_from.<field>.confidence` or that of a source beside it named for
//!   it, `verification_source` for `verification_code`; else the nearest enclosing
//!   `source.confidence`; else the document's lowest OCR confidence) is under the bar, or its
//!   row carries a problem;
//! - **confident-wrong** otherwise — the worst outcome: a wrong value presented as sure.
//!
//! Arrays of objects (table rows) are matched element by element to the reading's element
//! sharing the most leaves, so a row OCR missed does not shift every row after it.

#![allow(dead_code)]

use serde_json::Value;

/// Field counts for one reading (or a sum of readings).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    pub fields: usize,
    pub exact: usize,
    pub missing: usize,
    pub flagged: usize,
    pub confident_wrong: usize,
}

impl Score {
    pub fn add(&mut self, o: Score) {
        self.fields += o.fields;
        self.exact += o.exact;
        self.missing += o.missing;
        self.flagged += o.flagged;
        self.confident_wrong += o.confident_wrong;
    }

    /// Counts `n` fields with outcome `o`.
    pub fn count(&mut self, o: Outcome, n: usize) {
        self.fields += n;
        match o {
            Outcome::Exact => self.exact += n,
            Outcome::Missing => self.missing += n,
            Outcome::Flagged => self.flagged += n,
            Outcome::ConfidentWrong => self.confident_wrong += n,
        }
    }

    pub fn percent_exact(&self) -> f64 {
        if self.fields == 0 {
            0.0
        } else {
            100.0 * self.exact as f64 / self.fields as f64
        }
    }
}

fn norm(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(
            s.chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| match c {
                    '（' => '(',
                    '）' => ')',
                    c => c,
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn is_value(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !v.is_null())
}

/// The confidence an object states for itself: `source.confidence`, or `confidence`.
fn own_confidence(v: &Value) -> Option<f64> {
    v.get("source")
        .and_then(|s| s.get("confidence"))
        .and_then(Value::as_f64)
        .or_else(|| v.get("confidence").and_then(Value::as_f64))
}

/// The source an object states for its field `k` beside it: `<prefix>_source` for a field
/// named `<prefix>_…` (the longest such prefix).
fn sibling_source<'a>(a: &'a Value, k: &str) -> Option<&'a Value> {
    let m = a.as_object()?;
    k.match_indices('_')
        .rev()
        .find_map(|(i, _)| m.get(&format!("{}_source", &k[..i])))
        .filter(|s| s.is_object())
}

/// Whether an object (a row) carries problems.
fn has_problems(v: &Value) -> bool {
    v.get("problems")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

fn leaves(v: &Value) -> usize {
    match v {
        Value::Object(m) => m.values().map(leaves).sum(),
        Value::Array(a) => a.iter().map(leaves).sum(),
        _ => 1,
    }
}

fn shared(t: &Value, a: &Value) -> usize {
    match (t, a) {
        (Value::Object(tm), Value::Object(am)) => tm
            .iter()
            .map(|(k, tv)| am.get(k).map_or(0, |av| shared(tv, av)))
            .sum(),
        (t, a) => usize::from(norm(t) == norm(a)),
    }
}

/// What became of one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Exact,
    Missing,
    Flagged,
    ConfidentWrong,
}

/// A field's visitor: path, outcome, truth leaf, read leaf, covering confidence, field count.
pub type Visit<'a> = dyn FnMut(&str, Outcome, &Value, Option<&Value>, Option<f64>, usize) + 'a;

/// Walks `truth` beside `actual`, calling `visit(path, outcome, truth leaf, read leaf,
/// confidence)` for every field. `conf` is the confidence covering this level (the document's
/// lowest OCR confidence at the top; `None` for a text layer), `bar` the policy's.
#[allow(clippy::too_many_arguments)]
pub fn walk(
    truth: &Value,
    actual: Option<&Value>,
    conf: Option<f64>,
    unsure: bool,
    bar: f64,
    path: &str,
    visit: &mut Visit<'_>,
) {
    match truth {
        Value::Object(tm) => {
            let a = actual.filter(|a| a.is_object());
            let conf = a.and_then(own_confidence).or(conf);
            let unsure = unsure || a.is_some_and(has_problems);
            for (k, tv) in tm {
                if matches!(k.as_str(), "file" | "kind" | "note") {
                    continue;
                }
                // A record may say where each field was read (`read_from.<field>`, or a
                // sibling source named for it: `verification_source` for
                // `verification_code`, `total_source` for `total_income_fen`), with that
                // field's own confidence.
                let field_conf = a
                    .and_then(|a| {
                        a.get("read_from")
                            .and_then(|r| r.get(k))
                            .or_else(|| sibling_source(a, k))
                    })
                    .and_then(own_confidence)
                    .or(conf);
                walk(
                    tv,
                    a.and_then(|a| a.get(k)),
                    field_conf,
                    unsure,
                    bar,
                    &format!("{path}.{k}"),
                    visit,
                );
            }
        }
        Value::Array(ta) if ta.iter().any(Value::is_object) => {
            let aa: Vec<&Value> = actual
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let mut used = vec![false; aa.len()];
            for (j, tv) in ta.iter().enumerate() {
                let best = (0..aa.len())
                    .filter(|&i| !used[i])
                    .max_by_key(|&i| (shared(tv, aa[i]), std::cmp::Reverse(i)))
                    .filter(|&i| shared(tv, aa[i]) > 0);
                if let Some(i) = best {
                    used[i] = true;
                }
                walk(
                    tv,
                    best.map(|i| aa[i]),
                    conf,
                    unsure,
                    bar,
                    &format!("{path}[{j}]"),
                    visit,
                );
            }
        }
        t => {
            let a = actual.filter(|a| !a.is_null());
            let outcome = match a {
                // Nothing there, as the truth says (a 税款所属期 that is not one month).
                None if t.is_null() => Outcome::Exact,
                None => Outcome::Missing,
                Some(a) if norm(t) == norm(a) => Outcome::Exact,
                Some(_) if unsure || conf.is_some_and(|c| c < bar) => Outcome::Flagged,
                Some(_) => Outcome::ConfidentWrong,
            };
            visit(path, outcome, t, a, conf, leaves(t).max(1));
        }
    }
}

/// Scores `actual` against `truth` (see [`walk`] for `conf` and `bar`).
pub fn score(
    truth: &Value,
    actual: Option<&Value>,
    conf: Option<f64>,
    unsure: bool,
    bar: f64,
) -> Score {
    let mut s = Score::default();
    walk(
        truth,
        actual,
        conf,
        unsure,
        bar,
        "",
        &mut |_, o, _, _, _, n| s.count(o, n),
    );
    s
}

/// Lists the fields that are confident-wrong, for a failure message.
pub fn confident_wrong_fields(
    truth: &Value,
    actual: Option<&Value>,
    conf: Option<f64>,
    unsure: bool,
    bar: f64,
    path: &str,
    out: &mut Vec<String>,
) {
    walk(
        truth,
        actual,
        conf,
        unsure,
        bar,
        path,
        &mut |p, o, t, a, c, _| {
            if o == Outcome::ConfidentWrong {
                out.push(format!(
                    "{p}: truth {t}, read {} (confidence {c:?})",
                    a.unwrap_or(&Value::Null)
                ));
            }
        },
    );
}

/// The reading of one file as JSON the scorer understands: the record, with each exported
/// row's problems (from the full export) merged in.
pub fn reading(i: &jzz::jobs::inspect::Inspection) -> Option<Value> {
    let mut r = serde_json::to_value(i.record.as_ref()?).ok()?;
    if let (Some(x), Some(rows)) = (&i.export, r.get_mut("rows").and_then(Value::as_array_mut)) {
        for (row, t) in rows.iter_mut().zip(x.rows()) {
            if !t.problems.is_empty() {
                row["problems"] = serde_json::json!(t.problems);
            }
        }
    }
    Some(r)
}
