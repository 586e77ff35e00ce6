//! The rule catalog: one module per rule (doc, check, fix, tests), the registry (`registry`)
//! and the engine that runs the rules over a workspace (`engine`). Codes and names are a
//! public interface (`../shared/RULES.md`).

pub mod dl001_unused_suppression;
pub mod dl002_invalid_config;
pub mod dl003_unreadable_file;
pub mod dl101_missing_server_export;
pub mod dl102_missing_procfile;
pub mod dl103_procfile_syntax;
pub mod dl104_procfile_no_web;
pub mod dl105_procfile_web_not_gunicorn;
pub mod dl106_procfile_target_unresolved;
pub mod dl107_missing_requirements;
pub mod dl108_gunicorn_not_required;
pub mod dl109_requirements_syntax;
pub mod dl110_dash_not_required;
pub mod dl111_import_not_required;
pub mod dl112_obsolete_requirement;
pub mod dl113_duplicate_requirement;
pub mod dl114_gunicorn_single_worker;
pub mod dl115_checks_syntax;
pub mod dl116_runtime_syntax;
pub mod dl117_procfile_fixed_bind;
pub mod dl118_python_eol;
pub mod dl119_runtime_dependency_missing;
pub mod dl201_unguarded_run;
pub mod dl202_removed_dash_api;
pub mod dl203_obsolete_component_import;
pub mod dl204_absolute_local_path;
pub mod dl205_file_not_deployed;
pub mod dl206_hardcoded_secret;
pub mod dl207_hardcoded_service_url;
pub mod dl208_hardcoded_path_prefix;
pub mod dl209_pages_import_cycle;
pub mod dl301_data_read_in_callback;
pub mod dl302_csv_prefer_parquet;
pub mod dl303_large_callback_payload;
pub mod dl304_global_state_in_callback;
pub mod dl305_large_data_file;
pub mod dl306_ephemeral_file_write;
pub mod dl307_missing_health_checks;
pub mod dl401_duplicate_callback_output;
pub mod dl402_unknown_component_id;
pub mod dl403_circular_callbacks;
pub mod dl404_duplicate_component_id;

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
