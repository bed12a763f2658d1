import { useEffect, useState } from 'react';
import { BENEFICIARIES, DATATYPES, FREE_PERIOD_UNITS, FULFILMENT_KINDS, INITIAL_REWARD_STATUSES, PROGRAM_STATUSES, type Datatype } from '@referrals/rule-dsl';
import { ConditionsTable } from './ConditionsTable';
import { type ProgramForm, type RuleForm, type TermForm, catalogFor, productKeys, emptyCondition, emptyRule, emptyTerm, factsFor, moveItem, offsetNote } from './form';
import { DateTimeInput } from './DateTimeInput';
import { DragHandle, ReorderButtons, dropProps } from './Reorder';
import { Problem } from './Problem';

interface Props {
  form: ProgramForm;
  setForm(next: ProgramForm): void;
  problems: Record<string, string[]>;
  serverOffsetMs: number | null;
  /** Status is chosen when creating; afterwards it changes only through the confirmed actions (activate, pause, retire). */
  isNew: boolean;
  /** A problem the operator clicked: its term or rule is expanded and its field focused. */
  reveal: { path: string; n: number } | null;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Today (00:00) and now, as a UTC datetime-local value. */
const todayUtc = () => `${new Date().toISOString().slice(0, 10)}T00:00`;
const nowUtc = () => {
  const d = new Date();
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};

/** The editable sections of the "Change referral program" screen. */
export function Editor({ form, setForm, problems, serverOffsetMs, isNew, reveal }: Props) {
  const [openTerms, setOpenTerms] = useState<Record<number, boolean>>({});
  const [openRules, setOpenRules] = useState<Record<number, boolean>>({});
  const set = (patch: Partial<ProgramForm>) => setForm({ ...form, ...patch });
  const setTerm = (i: number, patch: Partial<TermForm>) => set({ terms: form.terms.map((t, j) => (j === i ? { ...t, ...patch } : t)) });
  const setRule = (i: number, patch: Partial<RuleForm>) => set({ rewardRules: form.rewardRules.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const catalog = catalogFor(form.product);
  const numericFacts = factsFor(form.product, 'reward').filter((f) => ['int', 'decimal', 'money'].includes(f.datatype));
  const note = serverOffsetMs === null ? null : offsetNote(serverOffsetMs);
  const moveTerm = (from: number, to: number) => {
    set({ terms: moveItem(form.terms, from, to) });
    setOpenTerms({ ...openTerms, [from]: openTerms[to] === true, [to]: openTerms[from] === true });
  };
  const moveRule = (from: number, to: number) => {
    set({ rewardRules: moveItem(form.rewardRules, from, to) });
    setOpenRules({ ...openRules, [from]: openRules[to] === true, [to]: openRules[from] === true });
  };

  // A clicked problem inside a collapsed term or rule expands it, then its field gets the focus.
  useEffect(() => {
    if (!reveal) return;
    const term = /^terms\[(\d+)\]/.exec(reveal.path);
    const rule = /^rewardRules\[(\d+)\]/.exec(reveal.path);
    if (term) setOpenTerms((o) => ({ ...o, [Number(term[1])]: true }));
    if (rule) setOpenRules((o) => ({ ...o, [Number(rule[1])]: true }));
    // The expanded rows render on a later frame: look for the field a few frames, then settle for its nearest container.
    let frame = 0;
    let tries = 0;
    const focus = () => {
      const exact = document.querySelector<HTMLElement>(`[data-path="${CSS.escape(reveal.path)}"]`);
      if (!exact && tries++ < 30) {
        frame = requestAnimationFrame(focus);
        return;
      }
      let path = reveal.path;
      for (;;) {
        const target = document.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`);
        if (target) {
          target.scrollIntoView({ block: 'center' });
          (target.matches('input, select, button') ? target : target.querySelector<HTMLElement>('input, select, button'))?.focus();
          return;
        }
        const shorter = path.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
        if (shorter === path || shorter === '') return;
        path = shorter;
      }
    };
    frame = requestAnimationFrame(focus);
    return () => cancelAnimationFrame(frame);
  }, [reveal]);

  const text = (label: string, path: string, value: string, onChange: (v: string) => void, type = 'text', extra?: string) => (
    <label className="field">
      <span>{label}</span>
      <input aria-label={label} data-path={path} type={type} value={value} onChange={(e) => onChange(e.target.value)} />
      {extra && <small>{extra}</small>}
      <Problem problems={problems} path={path} />
    </label>
  );

  /** A schedule date as the reference shows it: a start_date / frozen_date / end_date row of Defined terms. */
  const scheduleRow = (name: string, label: string, key: 'startAt' | 'frozenAt' | 'endAt', hint: string) => (
    <tr key={name} data-term={name} className="schedule-term">
      <td />
      <td data-label="Name">
        <code>{name}</code>
        <small className="description"> — {hint}</small>
      </td>
      <td data-label="Kind">value</td>
      <td data-label="Datatype">datetime</td>
      <td data-label="Value">
        <div className="datetime">
          <DateTimeInput label={label} path={`schedule.${key}`} value={form[key]} onChange={(v) => set({ [key]: v })} />
          <button type="button" title="Today 00:00 UTC (Shift+click: now)" onClick={(e) => set({ [key]: e.shiftKey ? nowUtc() : todayUtc() })}>
            Today
          </button>
        </div>
        <Problem problems={problems} path={`schedule.${key}`} />
      </td>
      <td />
    </tr>
  );

  return (
    <>
      <section aria-labelledby="sec-info">
        <h2 id="sec-info">Program information</h2>
        <div className="grid">
          {text('Key', 'key', form.key, (v) => set({ key: v }), 'text', 'a slug, like challenge-based-rewards-student')}
          {text('Name', 'name', form.name, (v) => set({ name: v }))}
          {text('Description', 'description', form.description, (v) => set({ description: v }))}
          <label className="field">
            <span>Product</span>
            <select aria-label="Product" data-path="product" value={form.product} onChange={(e) => set({ product: e.target.value, trigger: catalogFor(e.target.value)?.events[0] ?? '' })}>
              {productKeys().map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
            <Problem problems={problems} path="product" />
          </label>
          {isNew && (
            <label className="field">
              <span>Status</span>
              <select aria-label="Status" data-path="status" value={form.status} onChange={(e) => set({ status: e.target.value as ProgramForm['status'] })}>
                {/* `retired` is set only by the retire operation (it cancels open rewards); shown, not offered. */}
                {PROGRAM_STATUSES.filter((s) => s !== 'retired' || form.status === 'retired').map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
              <Problem problems={problems} path="status" />
            </label>
          )}
          {text('Priority', 'priority', form.priority, (v) => set({ priority: v }), 'number', 'Lower number = higher priority')}
        </div>
      </section>

      <section aria-labelledby="sec-schedule">
        <h2 id="sec-schedule">Schedule</h2>
        {note && <p className="note" data-clock-offset>{note}</p>}
        <p className="hint">
          Times are UTC (<code>YYYY-MM-DD HH:MM</code>). start → frozen: inviting allowed; start → end: rewards apply. The dates are the <code>start_date</code>,{' '}
          <code>frozen_date</code> and <code>end_date</code> rows of Defined terms below.
        </p>
        <Problem problems={problems} path="schedule" />
      </section>

      <section aria-labelledby="sec-terms">
        <h2 id="sec-terms">Defined terms</h2>
        <button type="button" onClick={() => setOpenTerms(Object.fromEntries(form.terms.map((_, i) => [i, true])))}>
          Expand all
        </button>
        <button type="button" onClick={() => setOpenTerms({})}>
          Collapse all
        </button>
        <table className="terms">
          <thead>
            <tr>
              <th>#</th>
              <th>Name</th>
              <th>Kind</th>
              <th>Datatype</th>
              <th>Value (value-kind) or Branches (predicate-kind)</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {scheduleRow('start_date', 'Start', 'startAt', 'inviting and rewards open')}
            {scheduleRow('frozen_date', 'Frozen', 'frozenAt', 'inviting closes; existing invitees can still earn rewards until end_date')}
            {scheduleRow('end_date', 'End', 'endAt', 'rewards close')}
            {form.terms.map((t, i) => {
              const p = `terms[${i}]`;
              const open = openTerms[i] === true;
              return (
                <tr key={i} data-term={t.name} {...dropProps('terms', i, moveTerm)}>
                  <td data-label="Order">
                    <DragHandle group="terms" index={i} label={`term ${i + 1}`} />
                    {i + 1}
                    <ReorderButtons label={`term ${i + 1}`} index={i} count={form.terms.length} onMove={moveTerm} />
                  </td>
                  <td data-label="Name">
                    {t.kind === 'predicate' && <span className="pill">predicate</span>}
                    <input aria-label={`Term name ${i + 1}`} data-path={`${p}.name`} value={t.name} onChange={(e) => setTerm(i, { name: e.target.value })} />
                    <Problem problems={problems} path={`${p}.name`} />
                    <input
                      aria-label={`Term description ${i + 1}`}
                      data-path={`${p}.description`}
                      className="description"
                      placeholder="— description"
                      value={t.description}
                      onChange={(e) => setTerm(i, { description: e.target.value })}
                    />
                  </td>
                  <td data-label="Kind">
                    <select aria-label={`Term kind ${i + 1}`} data-path={`${p}.kind`} value={t.kind} onChange={(e) => setTerm(i, { kind: e.target.value as TermForm['kind'] })}>
                      <option value="value">value</option>
                      <option value="predicate">predicate</option>
                    </select>
                  </td>
                  <td data-label="Datatype">
                    {t.kind === 'value' ? (
                      <select aria-label={`Term datatype ${i + 1}`} data-path={`${p}.datatype`} value={t.datatype} onChange={(e) => setTerm(i, { datatype: e.target.value as Datatype })}>
                        {DATATYPES.map((d) => (
                          <option key={d}>{d}</option>
                        ))}
                      </select>
                    ) : (
                      'bool'
                    )}
                  </td>
                  <td data-label="Value">
                    {t.kind === 'value' ? (
                      <>
                        {t.datatype === 'bool' ? (
                          <select aria-label={`Term value ${i + 1}`} data-path={`${p}.value`} value={t.value} onChange={(e) => setTerm(i, { value: e.target.value })}>
                            <option value="">—</option>
                            <option>true</option>
                            <option>false</option>
                          </select>
                        ) : (
                          <input
                            aria-label={`Term value ${i + 1}`}
                            data-path={`${p}.value`}
                            type={t.datatype === 'int' ? 'number' : 'text'}
                            placeholder={t.datatype.startsWith('list') ? 'comma-separated' : t.datatype === 'money' ? '12.50 USD' : t.datatype === 'datetime' ? 'YYYY-MM-DD HH:MM' : ''}
                            value={t.value}
                            onChange={(e) => setTerm(i, { value: e.target.value })}
                          />
                        )}
                        {t.datatype.startsWith('list') && <small> comma-separated</small>}
                        <Problem problems={problems} path={`${p}.value`} />
                      </>
                    ) : (
                      <>
                        <button type="button" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${t.name || `term ${i + 1}`}`} onClick={() => setOpenTerms({ ...openTerms, [i]: !open })}>
                          {open ? '▾' : '▸'} {t.branches.length} branch{t.branches.length === 1 ? '' : 'es'}
                        </button>
                        <Problem problems={problems} path={`${p}.branches`} />
                        {!open && Object.keys(problems).some((k) => k.startsWith(`${p}.branches[`)) && (
                          <button type="button" className="problem" onClick={() => setOpenTerms({ ...openTerms, [i]: true })}>
                            Problems in these branches: show them
                          </button>
                        )}
                        {open && (
                          <div className="branches">
                            <p>matches if ANY branch matches</p>
                            {t.branches.map((b, bi) => (
                              <div key={bi} className="branch" {...dropProps(`${p}.branches`, bi, (from, to) => setTerm(i, { branches: moveItem(t.branches, from, to) }))}>
                                <DragHandle group={`${p}.branches`} index={bi} label={`branch ${bi + 1}`} />
                                <ReorderButtons
                                  label={`branch ${bi + 1} of ${t.name || `term ${i + 1}`}`}
                                  index={bi}
                                  count={t.branches.length}
                                  onMove={(from, to) => setTerm(i, { branches: moveItem(t.branches, from, to) })}
                                />
                                <ConditionsTable
                                  form={form}
                                  phase="any"
                                  path={`${p}.branches[${bi}]`}
                                  caption={`Branch ${bi + 1} — ALL must match`}
                                  conditions={b}
                                  selfName={t.name}
                                  problems={problems}
                                  onChange={(next) => setTerm(i, { branches: t.branches.map((x, j) => (j === bi ? next : x)) })}
                                />
                                <button type="button" onClick={() => setTerm(i, { branches: t.branches.filter((_, j) => j !== bi) })}>
                                  Remove branch {bi + 1}
                                </button>
                              </div>
                            ))}
                            <button type="button" data-add-branch={p} onClick={() => setTerm(i, { branches: [...t.branches, [emptyCondition()]] })}>
                              + Add branch
                            </button>
                          </div>
                        )}
                      </>
                    )}
                    <Problem problems={problems} path={p} />
                  </td>
                  <td>
                    <button type="button" aria-label={`Remove term ${i + 1}`} onClick={() => set({ terms: form.terms.filter((_, j) => j !== i) })}>
                      ✕
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button type="button" data-add="terms" onClick={() => set({ terms: [...form.terms, emptyTerm()] })}>
          + Add term
        </button>
        <Problem problems={problems} path="terms" />
      </section>

      <section aria-labelledby="sec-eligibility">
        <h2 id="sec-eligibility">Eligibility</h2>
        <p className="hint">
          Evaluated at referral link creation. ALL conditions must match for this program to apply to a new referral. Lesson-specific metrics (e.g. lesson.usd_amount) are not
          available here — referencing them is a save-time error.
        </p>
        <ConditionsTable form={form} phase="eligibility" path="eligibility" caption="ALL must match" conditions={form.eligibility} problems={problems} onChange={(next) => set({ eligibility: next })} />
      </section>

      <section aria-labelledby="sec-rewards">
        <h2 id="sec-rewards">Reward calculation</h2>
        <p className="hint">
          Evaluated at each lesson completion. First rule whose conditions all match wins; its reward is paid. If none match, no reward for that lesson (but the program stays applied to
          the referral).
        </p>
        <label className="field">
          <span>Trigger event</span>
          <select aria-label="Trigger" data-path="trigger" value={form.trigger} onChange={(e) => set({ trigger: e.target.value })}>
            {(catalog?.events ?? []).map((ev) => (
              <option key={ev}>{ev}</option>
            ))}
          </select>
          <Problem problems={problems} path="trigger" />
        </label>
        <button type="button" onClick={() => setOpenRules(Object.fromEntries(form.rewardRules.map((_, i) => [i, true])))}>
          Expand all
        </button>
        <button type="button" onClick={() => setOpenRules({})}>
          Collapse all
        </button>
        <table className="rules">
          <thead>
            <tr>
              <th>#</th>
              <th>Reward type</th>
              <th>Amount</th>
              <th>Status</th>
              <th>Description</th>
              <th>Conditions (ALL must match)</th>
            </tr>
          </thead>
          <tbody>
            {form.rewardRules.map((r, i) => {
              const p = `rewardRules[${i}]`;
              const open = openRules[i] === true;
              return (
                <tr key={i} data-rule={i} {...dropProps('rewardRules', i, moveRule)}>
                  <td data-label="Order">
                    <DragHandle group="rewardRules" index={i} label={`rule ${i + 1}`} />
                    {i + 1}
                    <ReorderButtons label={`rule ${i + 1}`} index={i} count={form.rewardRules.length} onMove={moveRule} />
                  </td>
                  <td data-label="Reward type">
                    <select aria-label={`Reward type ${i + 1}`} data-path={`${p}.reward.type`} value={r.rewardType} onChange={(e) => setRule(i, { rewardType: e.target.value as RuleForm['rewardType'] })}>
                      <option value="fixed">fixed</option>
                      <option value="percent">percent</option>
                      <option value="free_period">free_period</option>
                      <option value="credits">credits</option>
                    </select>
                    <label>
                      <small>Beneficiary</small>
                      <select aria-label={`Beneficiary ${i + 1}`} data-path={`${p}.beneficiary`} value={r.beneficiary} onChange={(e) => setRule(i, { beneficiary: e.target.value as RuleForm['beneficiary'] })}>
                        {BENEFICIARIES.map((b) => (
                          <option key={b}>{b}</option>
                        ))}
                      </select>
                    </label>
                  </td>
                  <td data-label="Amount">
                    {r.rewardType === 'fixed' && (
                      <>
                        <input aria-label={`Amount ${i + 1}`} data-path={`${p}.reward.amount`} type="number" step="0.01" value={r.amount} onChange={(e) => setRule(i, { amount: e.target.value })} />
                        <input aria-label={`Currency ${i + 1}`} data-path={`${p}.reward.currency`} size={4} value={r.currency} onChange={(e) => setRule(i, { currency: e.target.value.toUpperCase() })} />
                      </>
                    )}
                    {r.rewardType === 'percent' && (
                      <>
                        <input aria-label={`Percent ${i + 1}`} data-path={`${p}.reward.percent`} type="number" step="any" value={r.percent} onChange={(e) => setRule(i, { percent: e.target.value })} />
                        % of
                        <select aria-label={`Percent of ${i + 1}`} data-path={`${p}.reward.of`} value={r.of} onChange={(e) => setRule(i, { of: e.target.value })}>
                          <option value="">—</option>
                          {numericFacts.map((f) => (
                            <option key={f.path}>{f.path}</option>
                          ))}
                        </select>
                        <input aria-label={`Currency ${i + 1}`} data-path={`${p}.reward.currency`} size={4} value={r.currency} onChange={(e) => setRule(i, { currency: e.target.value.toUpperCase() })} />
                      </>
                    )}
                    {r.rewardType === 'free_period' && (
                      <>
                        <input aria-label={`Count ${i + 1}`} data-path={`${p}.reward.count`} type="number" value={r.count} onChange={(e) => setRule(i, { count: e.target.value })} />
                        <select aria-label={`Unit ${i + 1}`} data-path={`${p}.reward.unit`} value={r.unit} onChange={(e) => setRule(i, { unit: e.target.value as RuleForm['unit'] })}>
                          {FREE_PERIOD_UNITS.map((u) => (
                            <option key={u}>{u}</option>
                          ))}
                        </select>
                      </>
                    )}
                    {r.rewardType === 'credits' && (
                      <input aria-label={`Credits ${i + 1}`} data-path={`${p}.reward.credits`} type="number" value={r.credits} onChange={(e) => setRule(i, { credits: e.target.value })} />
                    )}
                    <Problem problems={problems} path={`${p}.reward`} />
                    {['amount', 'currency', 'percent', 'of', 'count', 'credits'].map((k) => (
                      <Problem key={k} problems={problems} path={`${p}.reward.${k}`} />
                    ))}
                  </td>
                  <td data-label="Status">
                    <select aria-label={`Initial status ${i + 1}`} data-path={`${p}.initialStatus`} value={r.initialStatus} onChange={(e) => setRule(i, { initialStatus: e.target.value as RuleForm['initialStatus'] })}>
                      {INITIAL_REWARD_STATUSES.map((s) => (
                        <option key={s}>{s}</option>
                      ))}
                    </select>
                  </td>
                  <td data-label="Description">
                    <input aria-label={`Rule description ${i + 1}`} data-path={`${p}.description`} value={r.description} onChange={(e) => setRule(i, { description: e.target.value })} />
                    <Problem problems={problems} path={`${p}.description`} />
                  </td>
                  <td data-label="Conditions">
                    <button type="button" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} rule ${i + 1}`} onClick={() => setOpenRules({ ...openRules, [i]: !open })}>
                      {open ? '▾' : '▸'} {r.conditions.length} condition{r.conditions.length === 1 ? '' : 's'}
                    </button>
                    <button type="button" aria-label={`Remove rule ${i + 1}`} onClick={() => set({ rewardRules: form.rewardRules.filter((_, j) => j !== i) })}>
                      ✕
                    </button>
                    {open && (
                      <ConditionsTable
                        form={form}
                        phase="reward"
                        path={`${p}.conditions`}
                        caption="ALL must match"
                        conditions={r.conditions}
                        problems={problems}
                        onChange={(next) => setRule(i, { conditions: next })}
                      />
                    )}
                    {!open && Object.keys(problems).some((k) => k.startsWith(`${p}.conditions`)) && (
                      <button type="button" className="problem" onClick={() => setOpenRules({ ...openRules, [i]: true })}>
                        Problems in these conditions: show them
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button type="button" data-add="rewardRules" onClick={() => set({ rewardRules: [...form.rewardRules, emptyRule()] })}>
          + Add rule
        </button>
      </section>

      <section aria-labelledby="sec-limits">
        <h2 id="sec-limits">Limits and fulfilment</h2>
        <div className="grid">
          {text('Attribution window (days)', 'limits.attributionWindowDays', form.attributionWindowDays, (v) => set({ attributionWindowDays: v }), 'number')}
          {text('Referrer reward cap', 'limits.referrerRewardCap', form.referrerRewardCap, (v) => set({ referrerRewardCap: v }), 'number', 'empty: no cap')}
          {text('Pending expiry (days)', 'limits.pendingExpiryDays', form.pendingExpiryDays, (v) => set({ pendingExpiryDays: v }), 'number', 'empty: never')}
          <label className="field">
            <input
              type="checkbox"
              aria-label="First qualifying event only"
              data-path="limits.firstQualifyingEventOnly"
              checked={form.firstQualifyingEventOnly}
              onChange={(e) => set({ firstQualifyingEventOnly: e.target.checked })}
            />
            <span>First qualifying event only</span>
          </label>
          <label className="field">
            <span>Fulfilment</span>
            <select aria-label="Fulfilment" data-path="fulfilment.kind" value={form.fulfilmentKind} onChange={(e) => set({ fulfilmentKind: e.target.value as ProgramForm['fulfilmentKind'] })}>
              {FULFILMENT_KINDS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          {form.fulfilmentKind === 'issuance_bonus_item' && text('Bonus item kind', 'fulfilment.itemKind', form.itemKind, (v) => set({ itemKind: v }))}
        </div>
      </section>
    </>
  );
}
