//! Pipelines as data (`pipelines/*.toml`): the stages, the checks with their parameters and
//! the materials lists of each application type. The engine runs what the file lists; adding
//! a check to a pipeline is one `[[check]]` block.

use serde::Deserialize;

use super::CheckId;
use crate::classify::Kind;

/// Built-in pipeline files.
pub const NEW_APPLICATION: &str = include_str!("../../pipelines/new-application.toml");
/// Built-in pipeline files.
pub const RENEWAL: &str = include_str!("../../pipelines/renewal.toml");
/// Built-in pipeline files.
pub const UNIT_REGISTRATION: &str = include_str!("../../pipelines/unit-registration.toml");

/// One check and its parameters.
#[derive(Clone, Debug, Deserialize)]
pub struct CheckSpec {
    /// SPEC §4 id (`category` expands to `category.N`); an unknown id fails the load.
    pub id: CheckId,
    /// Window length in months.
    pub months: Option<u32>,
    /// Days (renewal window).
    pub days: Option<u32>,
    /// Tolerance in per mille.
    pub tolerance_permille: Option<u32>,
    /// Months a lease must still run.
    pub lease_months_left: Option<u32>,
    /// A minimum in yuan.
    pub min_yuan: Option<i64>,
    /// A minimum count.
    pub min: Option<u32>,
}

/// A material the policy asks for.
#[derive(Clone, Debug, Deserialize)]
pub struct Material {
    /// What the guide calls it.
    pub name: String,
    /// The guide's section.
    pub section: String,
    /// Any one of these kinds satisfies it.
    pub kinds: Vec<Kind>,
}

/// A material of one category (三(二) Ⅱ).
#[derive(Clone, Debug, Deserialize)]
pub struct CategoryMaterial {
    /// 1–8.
    pub category: u8,
    /// What the guide calls it.
    pub name: String,
    /// Any one of these kinds satisfies it; empty: jzz cannot recognise it yet.
    pub kinds: Vec<Kind>,
}

/// A validated pipeline.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    /// `jzz.pipeline/1`.
    pub schema: String,
    /// `new-application`, `renewal`, `unit-registration`.
    pub name: String,
    /// Stage names, in order.
    pub stages: Vec<String>,
    /// Checks, in order.
    #[serde(rename = "check")]
    pub checks: Vec<CheckSpec>,
    /// Materials for everyone.
    #[serde(rename = "material", default)]
    pub materials: Vec<Material>,
    /// Materials per category.
    #[serde(rename = "category_material", default)]
    pub category_materials: Vec<CategoryMaterial>,
}

impl Pipeline {
    /// Parses a pipeline file; `origin` names it in errors (which carry line and column).
    pub fn from_toml(text: &str, origin: &str) -> Result<Pipeline, String> {
        let p: Pipeline = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        if p.schema != "jzz.pipeline/1" {
            return Err(format!("{origin}: schema \"{}\"", p.schema));
        }
        Ok(p)
    }

    /// The built-in pipeline for an application type name.
    pub fn builtin(name: &str) -> Result<Pipeline, String> {
        let text = match name {
            "new-application" => NEW_APPLICATION,
            "renewal" => RENEWAL,
            "unit-registration" => UNIT_REGISTRATION,
            other => return Err(format!("no pipeline \"{other}\"")),
        };
        Pipeline::from_toml(text, &format!("pipelines/{name}.toml"))
    }

    /// The parameters of a check, if the pipeline runs it.
    pub fn check(&self, id: CheckId) -> Option<&CheckSpec> {
        self.checks.iter().find(|c| c.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_pipelines_load() {
        for name in ["new-application", "renewal", "unit-registration"] {
            let p = Pipeline::builtin(name).unwrap();
            assert_eq!(p.name, name);
            assert!(p.checks.iter().any(|c| c.id == CheckId::DocumentsReadable));
        }
        let p = Pipeline::builtin("new-application").unwrap();
        assert_eq!(p.check(CheckId::TaxContinuity).unwrap().months, Some(12));
        assert_eq!(p.category_materials.len(), 8);
        let bad = NEW_APPLICATION.replace("kinds = [\"id_card\"]", "kinds = [\"passport\"]");
        assert!(
            Pipeline::from_toml(&bad, "t")
                .unwrap_err()
                .contains("passport")
        );
    }

    /// The 1-based line of the first occurrence of `needle` in `text`.
    fn line_of(text: &str, needle: &str) -> usize {
        text[..text.find(needle).unwrap()].matches('\n').count() + 1
    }

    #[test]
    fn an_unknown_check_id_fails_the_load_naming_file_and_line() {
        let bad = NEW_APPLICATION.replace("id = \"tax.continuity\"", "id = \"tax.continuty\"");
        let line = line_of(&bad, "tax.continuty");
        let e = Pipeline::from_toml(&bad, "pipelines/new-application.toml").unwrap_err();
        assert!(e.starts_with("pipelines/new-application.toml: "), "{e}");
        assert!(e.contains(&format!("line {line}")), "{e}");
        assert!(e.contains("unknown check id \"tax.continuty\""), "{e}");
    }

    #[test]
    fn an_unknown_material_kind_fails_the_load_naming_the_line() {
        let bad = NEW_APPLICATION.replace("kinds = [\"id_card\"]", "kinds = [\"passport\"]");
        let line = line_of(&bad, "passport");
        let e = Pipeline::from_toml(&bad, "pipelines/new-application.toml").unwrap_err();
        assert!(e.contains(&format!("line {line}")), "{e}");
        assert!(e.contains("passport"), "{e}");
    }

    #[test]
    fn every_check_id_round_trips() {
        for id in CheckId::ALL {
            assert_eq!(id.as_str().parse::<CheckId>(), Ok(*id));
        }
    }
}
