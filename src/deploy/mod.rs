//! Deployments: the embedded CloudFormation templates, and (being built) plan → stacks →
//! artifact.

pub mod artifact;
pub mod engine;
pub mod plan;
pub mod stack_ops;
pub mod templates;
