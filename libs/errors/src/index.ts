export { codesOf, DomainError, isDomainError, type DomainErrorOptions, type ErrorCodeDoc, type Issue } from './domain-error';
export {
  formatIssuePath,
  INPUT_INVALID,
  inputInvalid,
  inputIssueCodes,
  inputParser,
  issuesOf,
  parseInput,
  type InputErrorClass,
  type InputIssueCode,
} from './parse-input';
