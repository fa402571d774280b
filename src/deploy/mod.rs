//! Deployments: the embedded CloudFormation templates, the facts a plan is drawn from, the
//! planner, the engine that carries a plan out, and the check that services really are on.

pub mod artifact;
pub mod engine;
pub mod facts;
pub mod plan;
pub mod planner;
pub mod stack_ops;
pub mod stackset_ops;
pub mod templates;
pub mod verify;
