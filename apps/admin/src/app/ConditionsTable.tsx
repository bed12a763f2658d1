import { type Phase, UNARY_OPERATORS, type Operator, subjectDatatypeLabel } from './labels';
import { type ConditionForm, type ProgramForm, compatibleTerms, emptyCondition, factsFor, moveItem, operatorsFor, predicateNames, subjectDatatype } from './form';
import { DragHandle, ReorderButtons, dropProps } from './Reorder';
import { operatorWords, pathWords } from './words';
import { Problem } from './Problem';

interface Props {
  form: ProgramForm;
  phase: Phase | 'any';
  /** The document path of the list: `eligibility`, `terms[3].branches[0]`, `rewardRules[1].conditions`. */
  path: string;
  conditions: ConditionForm[];
  onChange(next: ConditionForm[]): void;
  problems: Record<string, string[]>;
  /** A predicate's own name, not offered as its own reference. */
  selfName?: string;
  caption: string;
}

/** A conditions table (ALL must match): Subject | Operator | Value (literal) | Value term ref | Predicate ref. */
export function ConditionsTable({ form, phase, path, conditions, onChange, problems, selfName, caption }: Props) {
  const facts = factsFor(form.product, phase);
  const set = (i: number, patch: Partial<ConditionForm>) => onChange(conditions.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const predicates = predicateNames(form, selfName);
  const move = (from: number, to: number) => onChange(moveItem(conditions, from, to));
  return (
    <table className="conditions" data-path={path}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th>
            <span className="visually-hidden">Order</span>
          </th>
          <th>Subject</th>
          <th>Operator</th>
          <th>Value (literal)</th>
          <th>Value term ref</th>
          <th>Predicate ref</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {conditions.map((c, i) => {
          const p = `${path}[${i}]`;
          const datatype = subjectDatatype(form.product, c.subject);
          const operators = operatorsFor(form.product, c.subject);
          const unary = UNARY_OPERATORS.includes(c.operator as Operator);
          const terms = compatibleTerms(form, c.subject, c.operator);
          const offered = facts.some((f) => f.path === c.subject);
          // Labels in the screen's words ("Eligibility condition 2: operator"), never internal paths.
          const label = (part: string) => pathWords(`${p}.${part}`, form);
          return (
            <tr key={i} data-condition={p} {...dropProps(path, i, move)}>
              <td className="order">
                <DragHandle group={path} index={i} label={`condition ${i + 1}`} />
                {i + 1}
                <ReorderButtons label={`condition ${i + 1}`} index={i} count={conditions.length} onMove={move} />
              </td>
              <td data-label="Subject">
                <select
                  aria-label={label('subject')}
                  data-path={`${p}.subject`}
                  value={c.kind === 'predicate' ? '' : c.subject}
                  disabled={c.kind === 'predicate'}
                  onChange={(e) => set(i, { kind: 'comparison', subject: e.target.value, operator: '', value: '', term: '', predicate: '' })}
                >
                  <option value="">{c.kind === 'predicate' ? '(predicate)' : 'Choose a fact'}</option>
                  {!offered && c.subject !== '' && <option value={c.subject}>{c.subject} (not available here)</option>}
                  {facts.map((f) => (
                    <option key={f.path} value={f.path} title={f.description}>
                      {f.path} ({f.datatype})
                    </option>
                  ))}
                </select>
                {datatype && <small className="datatype"> {subjectDatatypeLabel(datatype)}</small>}
                <Problem problems={problems} path={`${p}.subject`} />
                <Problem problems={problems} path={p} />
              </td>
              <td data-label="Operator">
                <select
                  aria-label={label('operator')}
                  data-path={`${p}.operator`}
                  value={c.operator}
                  disabled={c.kind === 'predicate' || c.subject === ''}
                  onChange={(e) => set(i, { operator: e.target.value, term: '' })}
                >
                  <option value="">—</option>
                  {c.operator !== '' && !operators.includes(c.operator as Operator) && <option value={c.operator}>{operatorWords(c.operator)} (invalid)</option>}
                  {operators.map((op) => (
                    <option key={op} value={op}>
                      {operatorWords(op)}
                    </option>
                  ))}
                </select>
                <Problem problems={problems} path={`${p}.operator`} />
              </td>
              <td data-label="Value">
                <input
                  aria-label={label('value')}
                  data-path={`${p}.value`}
                  type={datatype === 'int' && !['in', 'not_in'].includes(c.operator) ? 'number' : 'text'}
                  placeholder={['in', 'not_in'].includes(c.operator) ? 'comma-separated' : datatype === 'datetime' ? 'YYYY-MM-DD HH:MM' : ''}
                  value={c.value}
                  disabled={c.kind === 'predicate' || unary || c.term !== ''}
                  onChange={(e) => set(i, { value: e.target.value })}
                />
                <Problem problems={problems} path={`${p}.value`} />
              </td>
              <td data-label="Value term">
                <select
                  aria-label={label('term')}
                  data-path={`${p}.term`}
                  value={c.term}
                  disabled={c.kind === 'predicate' || unary || c.operator === ''}
                  onChange={(e) => set(i, { term: e.target.value, value: '' })}
                >
                  <option value="">—</option>
                  {c.term !== '' && !terms.includes(c.term) && <option value={c.term}>{c.term} (incompatible)</option>}
                  {terms.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
                <Problem problems={problems} path={`${p}.term`} />
              </td>
              <td data-label="Predicate">
                <select
                  aria-label={label('predicate')}
                  data-path={`${p}.predicate`}
                  value={c.kind === 'predicate' ? c.predicate : ''}
                  onChange={(e) =>
                    set(i, e.target.value === '' ? { kind: 'comparison', predicate: '' } : { ...emptyCondition(), kind: 'predicate', predicate: e.target.value })
                  }
                >
                  <option value="">—</option>
                  {c.kind === 'predicate' && !predicates.includes(c.predicate) && <option value={c.predicate}>{c.predicate} (unknown)</option>}
                  {predicates.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
                {c.kind === 'predicate' && (
                  <label className="negate">
                    <input type="checkbox" checked={c.negate} onChange={(e) => set(i, { negate: e.target.checked })} /> not
                  </label>
                )}
                <Problem problems={problems} path={`${p}.predicate`} />
              </td>
              <td data-label="Remove">
                <button type="button" aria-label={`Remove ${pathWords(p, form)}`} onClick={() => onChange(conditions.filter((_, j) => j !== i))}>
                  ✕
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={7}>
            <button type="button" data-add={path} onClick={() => onChange([...conditions, emptyCondition()])}>
              + Add condition
            </button>
            <Problem problems={problems} path={path} />
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
