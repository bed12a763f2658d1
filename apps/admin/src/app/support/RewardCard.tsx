import { useState } from 'react';
import { type ApiErrorBody, call } from '../api';
import { formatAmount, formatTime, words } from './format';

export interface RewardView {
  id: string;
  programKey: string;
  programVersion: number;
  product: string;
  sourceConversionId: string;
  role: 'referrer' | 'referee';
  status: string;
  kind: string | null;
  amountMinor: number | null;
  percent: string | null;
  unit: string | null;
  earnedAt: string;
  expiresAt: string | null;
  decisionReason: string;
  consumedByIssuanceId: string | null;
  redemption: {
    status: string;
    attempts: number;
    lastError: { code: string; message: string } | null;
    nextAttemptAt: string | null;
    redeemedAt: string | null;
  } | null;
}

interface AuditEvent {
  fromStatus: string | null;
  toStatus: string;
  operation: string;
  actor: string;
  reason: string | null;
  occurredAt: string;
}

function AuditTrail({ events }: { events: AuditEvent[] }) {
  return (
    <ol className="trail" aria-label="Audit trail">
      {events.map((e, i) => (
        <li key={i} data-event={e.toStatus}>
          {formatTime(e.occurredAt)}: {e.fromStatus ? `${words(e.fromStatus)} → ` : ''}
          <strong>{words(e.toStatus)}</strong> by {e.actor} ({words(e.operation)}){e.reason ? ` — ${e.reason}` : ''}
        </li>
      ))}
    </ol>
  );
}

/** Keep or reverse a reward whose payment turned adverse after it was applied; recorded with who and why. */
function ResolveReview({ rewardId, onResolved }: { rewardId: string; onResolved(): void }) {
  const [operator, setOperator] = useState(() => (sessionStorage.getItem('referrals.author') ?? '').replace(/^operator:/, ''));
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);

  async function resolve(decision: 'keep' | 'reverse') {
    if (!operator.trim() || !reason.trim()) {
      setProblem('Say who decides and why before keeping or reversing.');
      return;
    }
    const question =
      decision === 'keep' ? `Keep reward ${rewardId} applied? The customer keeps it.` : `Reverse reward ${rewardId}? It is taken back from the customer's balance.`;
    if (!window.confirm(question)) return;
    setBusy(true);
    setProblem('');
    try {
      const res = await call<ApiErrorBody>('POST', `/v1/admin/rewards/${encodeURIComponent(rewardId)}/resolve`, { decision, operator: operator.trim(), reason: reason.trim() });
      if (res.status === 200) {
        sessionStorage.setItem('referrals.author', `operator:${operator.trim()}`);
        onResolved();
      } else {
        setProblem(res.body.error?.code === 'reward_transition_illegal' ? 'Someone resolved it already: reload to see how.' : (res.body.error?.message ?? `HTTP ${res.status}`));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="resolve" aria-label={`Resolve review of reward ${rewardId}`} onSubmit={(e) => e.preventDefault()}>
      <strong>Needs review: its payment turned adverse after it was applied.</strong>
      <label className="field">
        <span>Operator</span>
        <input aria-label="Operator" value={operator} onChange={(e) => setOperator(e.target.value)} placeholder="alice@example.com" />
      </label>
      <label className="field">
        <span>Reason</span>
        <input aria-label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="ticket 1234: chargeback confirmed" />
      </label>
      {problem && (
        <span className="problem" role="alert">
          {problem}
        </span>
      )}
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void resolve('keep')}>
          Keep reward
        </button>
        <button type="button" disabled={busy} onClick={() => void resolve('reverse')}>
          Reverse reward
        </button>
      </div>
    </form>
  );
}

export function RewardCard({ reward: r, onChanged }: { reward: RewardView; onChanged(): void }) {
  const [trail, setTrail] = useState<AuditEvent[] | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState('');

  async function loadTrail() {
    const res = await call<{ events?: AuditEvent[] } & ApiErrorBody>('GET', `/v1/admin/rewards/${encodeURIComponent(r.id)}`);
    if (res.status === 200) setTrail(res.body.events ?? []);
    else setError(res.body.error?.message ?? `HTTP ${res.status}`);
  }

  return (
    <li className="card" data-reward={r.id}>
      <h3>
        Reward {r.id}: {formatAmount(r.amountMinor, r.unit, r.percent)} <span className={`status status-${r.status}`}>{words(r.status)}</span>
      </h3>
      <dl className="facts">
        <dt>Program</dt>
        <dd>
          {r.programKey} v{r.programVersion} ({r.product})
        </dd>
        <dt>As</dt>
        <dd>{r.role}</dd>
        <dt>Why</dt>
        <dd>{r.decisionReason}</dd>
        <dt>Source</dt>
        <dd>conversion {r.sourceConversionId}</dd>
        <dt>Earned</dt>
        <dd>{formatTime(r.earnedAt)}</dd>
        {r.consumedByIssuanceId && (
          <>
            <dt>Applied to</dt>
            <dd>issuance {r.consumedByIssuanceId}</dd>
          </>
        )}
        <dt>Impact</dt>
        <dd data-redemption>
          {r.redemption ? (
            <>
              redemption <span className={`status status-${r.redemption.status}`}>{words(r.redemption.status)}</span>, {r.redemption.attempts} attempt
              {r.redemption.attempts === 1 ? '' : 's'}
              {r.redemption.redeemedAt ? `, redeemed ${formatTime(r.redemption.redeemedAt)}` : ''}
              {r.redemption.nextAttemptAt ? `, next attempt ${formatTime(r.redemption.nextAttemptAt)}` : ''}
              {r.redemption.lastError ? ` — last error: ${r.redemption.lastError.message}` : ''}
            </>
          ) : (
            'no redemption (not applied yet)'
          )}
        </dd>
      </dl>
      <button
        type="button"
        aria-expanded={open}
        onClick={() => {
          setOpen(!open);
          if (!open) void loadTrail();
        }}
      >
        {open ? 'Hide audit trail' : 'Show audit trail'}
      </button>
      {open && error && <span className="problem">{error}</span>}
      {open && trail && <AuditTrail events={trail} />}
      {r.status === 'review_required' && (
        <ResolveReview
          rewardId={r.id}
          onResolved={() => {
            onChanged();
            if (open) void loadTrail();
          }}
        />
      )}
    </li>
  );
}
