import { useCallback, useEffect, useState } from 'react';
import { type ApiErrorBody, call } from '../api';
import { goScreen } from '../screen-location';
import { deliveryKindText, formatTime, words } from '../support/format';
import '../support/support-ops.css';

interface DeliveryView {
  id: string;
  kind: string;
  businessId: string;
  product: string;
  userId: string | null;
  workflowId: string | null;
  status: 'pending' | 'retrying' | 'failed' | string;
  attempts: number;
  lastError: { code: string; message: string; httpStatus: number | null } | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  updatedAt: string;
}

interface OpsState {
  needsAttention: Record<'registrations' | 'conversionReports' | 'redemptions', DeliveryView[]>;
  outbox: { rows: number; oldestAgeSeconds: number; retrying: number; lastError: string | null };
  ledgerVerification: { checkedAt: string; violationCount: number; violations: { code: string; message: string }[] } | null;
  temporalUi: { url: string; namespace: string } | null;
}

/** The work an operator must see: every category, newest first (the api lists each category newest first). */
const newestFirst = (s: OpsState): DeliveryView[] =>
  [...s.needsAttention.registrations, ...s.needsAttention.conversionReports, ...s.needsAttention.redemptions].sort(
    (a, b) => b.updatedAt.localeCompare(a.updatedAt) || Number(b.id) - Number(a.id),
  );

const workflowUrl = (ui: OpsState['temporalUi'], workflowId: string) =>
  ui ? `${ui.url}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}` : null;

function age(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

const STATUSES = ['all', 'failed', 'retrying', 'pending'] as const;

function DeliveryCard({ d, ui, onRequeued }: { d: DeliveryView; ui: OpsState['temporalUi']; onRequeued(message: string): void }) {
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const link = d.workflowId ? workflowUrl(ui, d.workflowId) : null;

  async function requeue() {
    if (!window.confirm(`Send the ${deliveryKindText[d.kind] ?? words(d.kind)} of ${d.businessId} to Impact again? Fix what made it fail first.`)) return;
    setBusy(true);
    setProblem('');
    try {
      const res = await call<{ workflowId?: string } & ApiErrorBody>('POST', `/v1/admin/ops/deliveries/${encodeURIComponent(d.kind)}/${encodeURIComponent(d.businessId)}/requeue`);
      if (res.status === 202) onRequeued(`Requeued ${deliveryKindText[d.kind] ?? d.kind} of ${d.businessId}: workflow ${res.body.workflowId ?? ''} runs again shortly.`);
      else setProblem(res.body.error?.code === 'delivery_not_requeueable' ? 'It is no longer failed (already requeued?): refresh.' : (res.body.error?.message ?? `HTTP ${res.status}`));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="card" data-delivery={`${d.kind}/${d.businessId}`}>
      <h3>
        {deliveryKindText[d.kind] ?? words(d.kind)} <span className={`status status-${d.status}`}>{d.status}</span>
      </h3>
      <dl className="facts">
        <dt>Of</dt>
        <dd>{d.businessId}</dd>
        {d.userId && (
          <>
            <dt>User</dt>
            <dd>
              <a
                href={`?screen=support&user=${encodeURIComponent(d.userId)}`}
                onClick={(e) => {
                  e.preventDefault();
                  goScreen('support', d.userId ?? undefined);
                }}
              >
                {d.userId}
              </a>
            </dd>
          </>
        )}
        <dt>Attempts</dt>
        <dd data-attempts>{d.attempts}</dd>
        <dt>Last error</dt>
        <dd data-last-error>{d.lastError ? `${d.lastError.message}${d.lastError.httpStatus ? ` (HTTP ${d.lastError.httpStatus})` : ''}` : '—'}</dd>
        {d.nextAttemptAt && (
          <>
            <dt>Next attempt</dt>
            <dd>{formatTime(d.nextAttemptAt)}</dd>
          </>
        )}
        <dt>Updated</dt>
        <dd>{formatTime(d.updatedAt)}</dd>
        <dt>Workflow</dt>
        <dd>
          {!d.workflowId ? (
            '—'
          ) : link ? (
            <a href={link} target="_blank" rel="noreferrer" data-workflow-link>
              {d.workflowId}
            </a>
          ) : (
            <code>{d.workflowId}</code>
          )}
        </dd>
      </dl>
      {d.status === 'failed' && (
        <button type="button" disabled={busy} onClick={() => void requeue()}>
          Requeue
        </button>
      )}
      {problem && (
        <span className="problem" role="alert">
          {problem}
        </span>
      )}
    </li>
  );
}

/** Operations: Impact work that needs attention, the outbox backlog, the last ledger verification. */
export function OpsView() {
  const [state, setState] = useState<OpsState | null>(null);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [filter, setFilter] = useState<(typeof STATUSES)[number]>('all');

  const load = useCallback(async () => {
    const res = await call<OpsState & ApiErrorBody>('GET', '/v1/admin/ops?limit=100');
    if (res.status === 200) {
      setState(res.body);
      setError('');
    } else setError(res.body.error?.message ?? `HTTP ${res.status}`);
  }, []);

  useEffect(() => {
    load().catch((e: unknown) => setError(String(e)));
  }, [load]);

  const work = state ? newestFirst(state).filter((d) => filter === 'all' || d.status === filter) : [];
  const v = state?.ledgerVerification;
  return (
    <main>
      <h1>Operations</h1>
      <div className="lookup">
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
        <output role="status" data-ops-message>
          {message}
        </output>
      </div>
      {error && (
        <p className="problem" role="alert">
          {error}
        </p>
      )}
      {state && (
        <>
          <div className="summary">
            <section aria-labelledby="sec-outbox" data-outbox>
              <h2 id="sec-outbox">Outbox backlog</h2>
              <dl className="facts">
                <dt>Waiting</dt>
                <dd data-outbox-rows>{state.outbox.rows} rows</dd>
                <dt>Oldest</dt>
                <dd>{state.outbox.rows ? age(state.outbox.oldestAgeSeconds) : '—'}</dd>
                <dt>Retrying</dt>
                <dd>{state.outbox.retrying}</dd>
                <dt>Last error</dt>
                <dd>{state.outbox.lastError ?? '—'}</dd>
              </dl>
              <p className="hint">Temporal work written with its business event, not yet handed to Temporal by the worker.</p>
            </section>
            <section aria-labelledby="sec-ledger" data-ledger>
              <h2 id="sec-ledger">Ledger verification</h2>
              {v ? (
                <>
                  <p className={v.violationCount === 0 ? 'ok' : 'problem'}>
                    {v.violationCount === 0 ? 'The books balance' : `${v.violationCount} violation${v.violationCount === 1 ? '' : 's'}`} — checked {formatTime(v.checkedAt)}
                  </p>
                  {v.violations.length > 0 && (
                    <ul>
                      {v.violations.map((x, i) => (
                        <li key={i}>{x.message}</li>
                      ))}
                    </ul>
                  )}
                </>
              ) : (
                <p>Not verified yet (the verify-ledger schedule has not run).</p>
              )}
            </section>
          </div>
          <section aria-labelledby="sec-impact">
            <h2 id="sec-impact">Impact work needing attention ({work.length})</h2>
            <label className="field">
              <span>Show</span>
              <select aria-label="Show" value={filter} onChange={(e) => setFilter(e.target.value as (typeof STATUSES)[number])}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s === 'all' ? 'pending, retrying and failed' : s}
                  </option>
                ))}
              </select>
            </label>
            {!state.temporalUi && <p className="hint">Set TEMPORAL_UI_URL on the api to link each workflow to the Temporal UI.</p>}
            {work.length === 0 ? (
              <p className="hint">Nothing pending, retrying or failed.</p>
            ) : (
              <ul className="cards">
                {work.map((d) => (
                  <DeliveryCard
                    key={d.id}
                    d={d}
                    ui={state.temporalUi}
                    onRequeued={(m) => {
                      setMessage(m);
                      void load();
                    }}
                  />
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </main>
  );
}
