//! The analysis core: pure functions from file texts to a project model and diagnostics.
//! No IO, no async, no protocol types.

// Safe code only: nodes that borrow a tree live with it in a `self_cell` (analysis/python.rs).
#![forbid(unsafe_code)]

pub(crate) mod app_objects;
pub mod callbacks;
pub mod checks;
pub(crate) mod closure;
pub mod deploy_nav;
pub mod descriptors;
pub mod diagnostic;
pub mod fixes;
pub mod graph;
pub mod gunicorn;
pub mod io_calls;
pub mod navigation;
pub mod paths;
pub(crate) mod predeploy;
pub mod procfile;
pub mod project;
pub mod python;
pub mod requirements;
pub mod runtime;
pub mod scope;
pub mod settings;
pub mod shell;
pub mod tables;
pub mod workspace;

pub use diagnostic::{Applicability, Diagnostic, FileEdit, Fix, Related, Severity};
pub use project::App;
pub use workspace::Workspace;

#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
