//! `employer.consistency`: the withholding agent is the applicant unit in every month (三(四)(2):
//! 《劳动合同》签订单位、个税扣缴单位、社保缴纳单位和申请单位须为同一家单位). For a tax export
//! alone, it compares the agent stated for each month with `--unit`, or, without it, with the
//! agent of the latest month.

use super::{Evidence, Finding, Status, month_list};
use crate::extract::tax_export::Agent;
use crate::facts::{PersonFacts, Window};
use crate::model::{UnitNameMatch, YearMonth, compare_unit_names};

const ID: &str = "employer.consistency";
const POLICY: &str = "三(四)(2)";

/// Compares each window month's agent with the unit.
pub fn consistency(
    person: &PersonFacts,
    window: &Window,
    unit: Option<&str>,
    document: &str,
) -> Finding {
    let mut stated: Vec<(YearMonth, &Agent)> = window
        .months()
        .filter_map(|p| person.months.get(&p).map(|m| (p, m)))
        .flat_map(|(p, m)| m.agents.iter().map(move |a| (p, &**a)))
        .collect();
    // No month of the window is in the file (the person left before it, or joined after):
    // the agent of the months the file does hold is what the file says about the employer.
    let outside = stated.is_empty()
        && !window
            .months()
            .any(|p| person.months.get(&p).is_some_and(|m| m.present()));
    if outside {
        stated = person
            .months
            .iter()
            .flat_map(|(p, m)| m.agents.iter().map(move |a| (*p, &**a)))
            .collect();
    }
    if stated.is_empty() {
        let msg = match unit {
            Some(u) => format!(
                "文件未载明扣缴义务人（个人扣缴明细导出不含此列，以导出单位为准），无法与「{u}」核对"
            ),
            None => "文件未载明扣缴义务人（个人扣缴明细导出不含此列，以导出单位为准）".to_string(),
        };
        return Finding::new(ID, POLICY, Status::NotApplicable, msg);
    }
    let reference: String = match unit {
        Some(u) => u.to_string(),
        None => stated
            .last()
            .map(|(_, a)| a.name.clone())
            .unwrap_or_default(),
    };
    let mut other: Vec<YearMonth> = Vec::new();
    let mut other_names: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut evidence = Vec::new();
    let mut agreeing = Vec::new();
    // Most months name the same agent or two: each name is compared with the reference once.
    let mut compared: Vec<(&str, UnitNameMatch)> = Vec::new();
    for (period, agent) in &stated {
        let cite = |ev: &mut Vec<Evidence>| {
            if let Some(m) = person.months.get(period) {
                ev.extend(m.rows.iter().chain(m.form_rows.iter()).map(|r| Evidence {
                    text: {
                        let mut t = format!("扣缴义务人（{}）：{}；", stated_in(agent), agent.name);
                        r.text.push_to(&mut t);
                        t
                    },
                    ..Evidence::of_row(document, r)
                }));
            }
        };
        let m = match compared.iter().find(|(n, _)| *n == agent.name) {
            Some((_, m)) => m.clone(),
            None => {
                let m = compare_unit_names(&reference, &agent.name);
                compared.push((&agent.name, m.clone()));
                m
            }
        };
        match m {
            UnitNameMatch::Identical => {}
            UnitNameMatch::Equivalent { notes: n } => {
                let note = format!(
                    "「{}」与「{reference}」视为同一单位（{}）",
                    agent.name,
                    n.join("、")
                );
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            UnitNameMatch::Different { reason } => {
                if !other.contains(period) {
                    other.push(*period);
                }
                let n = format!("「{}」（{reason}）", agent.name);
                if !other_names.contains(&n) {
                    other_names.push(n);
                }
                cite(&mut evidence);
                continue;
            }
        }
        cite(&mut agreeing);
    }
    agreeing.dedup_by(|a, b| a.locator == b.locator && a.document == b.document);
    let unknown = window
        .months()
        .filter(|p| {
            person
                .months
                .get(p)
                .is_some_and(|m| m.present() && m.agents.is_empty())
        })
        .count();
    if !other.is_empty() {
        // Outside the window another agent is a question for a reviewer, not a failure.
        let status = if outside {
            Status::NeedsReview
        } else {
            Status::Fail
        };
        let mut f = Finding::new(
            ID,
            POLICY,
            status,
            format!(
                "{} 的扣缴义务人不是「{reference}」：{}",
                month_list(&other, 6),
                other_names.join("；")
            ),
        );
        f.months = other;
        f.evidence = evidence;
        return f;
    }
    let mut msg = if outside {
        format!(
            "窗口 {} 至 {} 内文件中没有该员工的记录；文件载明的扣缴义务人（{}）均为「{reference}」",
            window.from,
            window.to,
            month_list(&months_of(&stated), 6)
        )
    } else {
        format!("窗口内载明的扣缴义务人均为「{reference}」")
    };
    for n in notes {
        msg.push_str(&format!("；{n}"));
    }
    if unknown > 0 {
        msg.push_str(&format!("；另有 {unknown} 个月未载明扣缴义务人"));
    }
    let mut f = Finding::new(ID, POLICY, Status::Pass, msg);
    f.evidence = agreeing;
    f
}

/// Where the agent was read, in words.
fn stated_in(agent: &Agent) -> &'static str {
    match agent.stated_in.as_str() {
        "column" => "扣缴义务人列",
        "header_block" => "表头",
        "title" => "标题",
        "sheet_name" => "工作表名称",
        _ => "文件",
    }
}

fn months_of(stated: &[(YearMonth, &Agent)]) -> Vec<YearMonth> {
    let mut v: Vec<YearMonth> = stated.iter().map(|s| s.0).collect();
    v.dedup();
    v
}
