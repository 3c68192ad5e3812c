//! `employer.consistency`: the withholding agent is the applicant unit in every month (三(四)(2):
//! 《劳动合同》签订单位、个税扣缴单位、社保缴纳单位和申请单位须为同一家单位). For a tax export
//! alone, it compares the agent stated for each month with `--unit`, or, without it, with the
//! agent of the latest month.

use super::{Evidence, Finding, Status, month_list};
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
    let stated: Vec<(YearMonth, &crate::extract::tax_export::Agent)> = window
        .months()
        .filter_map(|p| person.months.get(&p).map(|m| (p, m)))
        .flat_map(|(p, m)| m.agents.iter().map(move |a| (p, &**a)))
        .collect();
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
    for (period, agent) in &stated {
        match compare_unit_names(&reference, &agent.name) {
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
                if let Some(m) = person.months.get(period) {
                    evidence.extend(m.rows.iter().chain(m.form_rows.iter()).map(|r| Evidence {
                        document: document.to_string(),
                        locator: r.locator(),
                        text: format!("扣缴义务人：{}；{}", agent.name, r.text),
                        confidence: r.confidence,
                    }));
                }
            }
        }
    }
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
        let mut f = Finding::new(
            ID,
            POLICY,
            Status::Fail,
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
    let mut msg = format!("窗口内载明的扣缴义务人均为「{reference}」");
    for n in notes {
        msg.push_str(&format!("；{n}"));
    }
    if unknown > 0 {
        msg.push_str(&format!("；另有 {unknown} 个月未载明扣缴义务人"));
    }
    Finding::new(ID, POLICY, Status::Pass, msg)
}
