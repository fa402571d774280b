//! Deployments: the embedded CloudFormation templates, and (being built) plan → stacks →
//! artifact.

pub mod artifact;
pub mod stack_ops;
pub mod templates;
