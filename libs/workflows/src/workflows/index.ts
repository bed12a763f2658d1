// Entry point of the workflow bundle the worker loads: every exported function is a workflow type.
export { stackCheck, type StackCheckResult } from './stack-check.workflow';
