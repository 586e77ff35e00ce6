//! The rule catalog: one module per rule (doc, check, fix, tests), the registry (`registry`)
//! and the engine that runs the rules over a workspace (`engine`). Codes and names are a
//! public interface (`../shared/RULES.md`).

#![forbid(unsafe_code)]

pub(crate) mod dl001_unused_suppression;
pub(crate) mod dl002_invalid_config;
pub(crate) mod dl003_unreadable_file;
pub(crate) mod dl101_missing_server_export;
pub(crate) mod dl102_missing_procfile;
pub(crate) mod dl103_procfile_syntax;
pub(crate) mod dl104_procfile_no_web;
pub(crate) mod dl105_procfile_web_not_gunicorn;
pub(crate) mod dl106_procfile_target_unresolved;
pub(crate) mod dl107_missing_requirements;
pub(crate) mod dl108_gunicorn_not_required;
pub(crate) mod dl109_requirements_syntax;
pub(crate) mod dl110_dash_not_required;
pub(crate) mod dl111_import_not_required;
pub(crate) mod dl112_obsolete_requirement;
pub(crate) mod dl113_duplicate_requirement;
pub(crate) mod dl114_gunicorn_single_worker;
pub(crate) mod dl115_checks_syntax;
pub(crate) mod dl116_runtime_syntax;
pub(crate) mod dl117_procfile_fixed_bind;
pub(crate) mod dl118_python_eol;
pub(crate) mod dl119_runtime_dependency_missing;
pub(crate) mod dl201_unguarded_run;
pub(crate) mod dl202_removed_dash_api;
pub(crate) mod dl203_obsolete_component_import;
pub(crate) mod dl204_absolute_local_path;
pub(crate) mod dl205_file_not_deployed;
pub(crate) mod dl206_hardcoded_secret;
pub(crate) mod dl207_hardcoded_service_url;
pub(crate) mod dl208_hardcoded_path_prefix;
pub(crate) mod dl209_pages_import_cycle;
pub(crate) mod dl301_data_read_in_callback;
pub(crate) mod dl302_csv_prefer_parquet;
pub(crate) mod dl303_large_callback_payload;
pub(crate) mod dl304_global_state_in_callback;
pub(crate) mod dl305_large_data_file;
pub(crate) mod dl306_ephemeral_file_write;
pub(crate) mod dl307_missing_health_checks;
pub(crate) mod dl401_duplicate_callback_output;
pub(crate) mod dl402_unknown_component_id;
pub(crate) mod dl403_circular_callbacks;
pub(crate) mod dl404_duplicate_component_id;

mod engine;
mod fix_loop;
pub(crate) mod helpers;
mod registry;
pub mod suppression;

#[cfg(test)]
pub(crate) mod testing;

pub use engine::{check, check_shared, check_with, sort, AppCache, Cancel, CheckOptions, Progress};
pub use fix_loop::{fix_until_stable, Fixed};
pub use registry::{codes, doc_url, markdown, markdown_all, rule, Fixes, Rule, RULES};
