import { useState } from 'react';
import { type Phase } from '@referrals/rule-dsl';
import { type ApiErrorBody, call } from './api';
import { type ProgramForm, factsFor, formToDocument, inputToIso, textToLiteral } from './form';
import { DateTimeInput } from './DateTimeInput';
import { operatorWords, rewardWords } from './words';

interface SimulateAnswer {
  code: string;
  decided: boolean;
  rule: { index: number; description: string } | null;
  grants: { beneficiary: string; initialStatus: string; reward: Record<string, unknown> }[];
  lines: string[];
}

/** Puts `lesson.usd_amount` = v at facts.lesson.usd_amount. */
function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node = (node[part] ??= {}) as Record<string, unknown>;
  }
  node[parts[parts.length - 1] ?? path] = value;
}

/**
 * An explanation line as people read it: operators in words and money literals as money
 * (`lesson.usd_amount gte "42.50"` stays recognisable: the code is kept in brackets).
 */
function explanationWords(line: string): string {
  return line
    .replace(/^(\s*\S+) (eq|neq|lt|lte|gt|gte|in|not_in|contains|not_contains|is_set|is_not_set|is_true|is_false)\b/, (_, subject: string, op: string) => `${subject} ${operatorWords(op)} (${op})`)
    .replace(/\{"amountMinor":(-?\d+),"currency":"([A-Z]{3})"\}/g, (_, minor: string, currency: string) => rewardWords({ type: 'fixed', amount: { amountMinor: Number(minor), currency } }));
}

interface ReferralRow {
  id: string;
  product: string;
  refereeUserId: string;
  referrerUserId: string | null;
  status: string;
  programKey: string | null;
  signedUpAt: string;
  createdAt: string;
}

/**
 * The facts a stored referral gives, by the catalogs' fact paths (both catalog kinds' names). What a
 * referral does not store (countries, toggles, the event's own facts) is left for the operator to type.
 */
function referralFacts(r: ReferralRow): Record<string, string> {
  const at = (iso: string) => iso.slice(0, 16).replace('T', ' ');
  const referrer = r.referrerUserId ?? '';
  return {
    'referral.created_at': at(r.createdAt),
    'advocate.user_id': referrer,
    'referrer.user_id': referrer,
    'invitee.user_id': r.refereeUserId,
    'referee.user_id': r.refereeUserId,
    'invitee.signed_up_at': at(r.signedUpAt),
  };
}

/** Simulate: a fact set typed from the catalog; the decision and its explanation. */
export function Simulate({ programKey, form }: { programKey: string; form: ProgramForm }) {
  const [phase, setPhase] = useState<Phase>('reward');
  const [values, setValues] = useState<Record<string, string>>({});
  const [at, setAt] = useState(form.startAt);
  const [answer, setAnswer] = useState<SimulateAnswer | null>(null);
  const [error, setError] = useState('');
  const [draft, setDraft] = useState(false);
  const facts = factsFor(form.product, phase).filter((f) => f.clock !== true);
  const [userId, setUserId] = useState('');
  const [referrals, setReferrals] = useState<ReferralRow[] | null>(null);
  const [filledFrom, setFilledFrom] = useState('');

  /** A real referral of a user (made or received), of this program's product, to fill its facts from. */
  async function findReferrals() {
    setError('');
    const res = await call<{ referrals?: ReferralRow[]; referred?: ReferralRow[] } & ApiErrorBody>('GET', `/v1/admin/users/${encodeURIComponent(userId.trim())}`);
    if (res.status !== 200) {
      setReferrals(null);
      setError(res.body.error?.message ?? `HTTP ${res.status}`);
      return;
    }
    setReferrals([...(res.body.referrals ?? []), ...(res.body.referred ?? [])].filter((r) => r.product === form.product));
  }

  function fillFromReferral(r: ReferralRow) {
    const known = referralFacts(r);
    const offered = new Set(factsFor(form.product, 'any').map((f) => f.path));
    setValues({ ...values, ...Object.fromEntries(Object.entries(known).filter(([path]) => offered.has(path))) });
    if (phase === 'eligibility') setAt(known['referral.created_at'] ?? at);
    setFilledFrom(r.id);
  }

  async function run() {
    const factSet: Record<string, unknown> = {};
    for (const f of facts) {
      const text = values[f.path] ?? '';
      if (text.trim() !== '') setPath(factSet, f.path, textToLiteral(text, f.datatype));
    }
    setError('');
    const res = await call<SimulateAnswer & ApiErrorBody>('POST', '/v1/admin/simulate', { ...(draft ? { document: formToDocument(form) } : { programKey }), phase, facts: factSet, at: inputToIso(at) });
    if (res.status === 200) setAnswer(res.body);
    else {
      setAnswer(null);
      setError(`${res.body.error?.message ?? `HTTP ${res.status}`} ${(res.body.error?.details ?? []).map((d) => `${d.path}: ${d.message}`).join('; ')}`);
    }
  }

  return (
    <section aria-labelledby="sec-simulate">
      <h2 id="sec-simulate">Simulate</h2>
      <p className="hint">Evaluates the program with the facts below; nothing is stored.</p>
      <label>
        <input type="checkbox" checked={draft} onChange={(e) => setDraft(e.target.checked)} /> Use my unsaved edits (otherwise the saved current version)
      </label>
      <fieldset className="from-referral">
        <legend>Fill from a real referral</legend>
        <label className="field">
          <span>User id (referrer or referee)</span>
          <input aria-label="Referral user id" value={userId} onChange={(e) => setUserId(e.target.value)} />
        </label>
        <button type="button" disabled={userId.trim() === ''} onClick={() => void findReferrals()}>
          Find referrals
        </button>
        {referrals && referrals.length === 0 && <p>No referral of {form.product} for this user.</p>}
        {referrals && referrals.length > 0 && (
          <ul data-referrals>
            {referrals.map((r) => (
              <li key={r.id}>
                <button type="button" aria-label={`Use referral ${r.id}`} onClick={() => fillFromReferral(r)}>
                  Use
                </button>{' '}
                {r.referrerUserId ?? '(no referrer)'} → {r.refereeUserId}, created {r.createdAt.slice(0, 16).replace('T', ' ')} UTC, {r.status}
                {r.programKey ? ` (${r.programKey})` : ''}
              </li>
            ))}
          </ul>
        )}
        {filledFrom && (
          <p className="hint" data-filled-from={filledFrom}>
            Filled from referral {filledFrom}: its date and the two users. What a referral does not store (countries, toggles, the lesson or payment) is yours to type.
          </p>
        )}
      </fieldset>
      <label className="field">
        <span>Phase</span>
        <select aria-label="Phase" value={phase} onChange={(e) => setPhase(e.target.value as Phase)}>
          <option value="eligibility">eligibility (referral creation)</option>
          <option value="reward">reward ({form.trigger})</option>
        </select>
      </label>
      <div className="field">
        <DateTimeInput label="At" value={at} onChange={setAt} />
      </div>
      <div className="grid">
        {facts.map((f) => (
          <label key={f.path} className="field">
            <span>
              {f.path} <small>({f.datatype}{f.optional ? ', optional' : ''})</small>
            </span>
            {f.datatype === 'bool' ? (
              <select aria-label={f.path} value={values[f.path] ?? ''} onChange={(e) => setValues({ ...values, [f.path]: e.target.value })}>
                <option value="">(not set)</option>
                <option>true</option>
                <option>false</option>
              </select>
            ) : (
              <input
                aria-label={f.path}
                title={f.description}
                type={f.datatype === 'int' ? 'number' : 'text'}
                placeholder={f.datatype.startsWith('list') ? 'comma-separated' : f.datatype === 'money' ? '12.50 USD' : f.datatype === 'datetime' ? 'YYYY-MM-DD HH:MM' : ''}
                value={values[f.path] ?? ''}
                onChange={(e) => setValues({ ...values, [f.path]: e.target.value })}
              />
            )}
          </label>
        ))}
      </div>
      <button type="button" onClick={() => void run()}>
        Run simulation
      </button>
      {error && <p className="problem">{error}</p>}
      {answer && (
        <div className="decision" data-decision={answer.code}>
          <p>
            <strong>Decision: {answer.code}</strong>
            {answer.rule ? ` — rule ${answer.rule.index + 1}: ${answer.rule.description}` : ''}
          </p>
          {answer.grants.map((g, i) => (
            <p key={i} data-grant={g.beneficiary}>
              Grant to the {g.beneficiary}: <strong>{rewardWords(g.reward)}</strong>, {g.initialStatus}
            </p>
          ))}
          <ol className="explanation" data-explanation>
            {answer.lines.map((l, i) => (
              <li key={i} className={/not matched|missing|wrong type|unknown/.test(l) ? 'failed' : ''}>
                {explanationWords(l)}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
