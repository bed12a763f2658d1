import { useCallback, useEffect, useState } from 'react';
import { type ApiErrorBody, call } from '../api';
import { formatTime, words } from './format';
import { RewardCard, type RewardView } from './RewardCard';
import './support-ops.css';

interface TrackingPreview {
  preview: string;
  length: number;
}

interface TouchView {
  id: string;
  kind: 'referral' | 'affiliate';
  product: string;
  programKey: string | null;
  status: string;
  accepted: boolean;
  saasquatchCookie: TrackingPreview | null;
  referralCode: TrackingPreview | null;
  clickId: TrackingPreview | null;
  landingPath: string | null;
  touchedAt: string;
  associatedAt: string | null;
}

interface ReferralView {
  id: string;
  product: string;
  refereeUserId: string;
  referrerUserId: string | null;
  status: string;
  reasons: string[];
  programKey: string | null;
  programVersion: number | null;
  signedUpAt: string;
  conversionState: string;
  conversionReasons: string[];
}

interface ConversionView {
  id: string;
  product: string;
  conversionTime: string;
  winner: string;
  reasonText: string;
  winningTouch: { id: string; kind: string } | null;
  verdicts: { touchId: string; kind: string; verdict: string }[];
  outcome: { decisionCode: string; rewarded: boolean; reasons: string[] } | null;
  /** The decision as recorded when it was made (program version, facts, each condition): read, not re-run. */
  decision: { programKey: string | null; programVersion: number | null; lines: string[] } | null;
}

interface UserActivity {
  userId: string;
  touches: TouchView[];
  referred: ReferralView[];
  referrals: ReferralView[];
  conversions: ConversionView[];
  rewards: RewardView[];
}

const Opaque = ({ label, value }: { label: string; value: TrackingPreview | null }) =>
  value ? (
    <>
      <dt>{label}</dt>
      <dd>
        <code className="opaque" title={`${value.length} characters; shortened`}>
          {value.preview}
        </code>{' '}
        <small>({value.length} characters)</small>
      </dd>
    </>
  ) : null;

function TouchCard({ t }: { t: TouchView }) {
  return (
    <li className="card" data-touch={t.id}>
      <h3>
        Touch {t.id}: {t.kind} <span className={`status status-${t.accepted ? 'accepted' : 'failed'}`}>{t.accepted ? 'accepted' : words(t.status)}</span>
      </h3>
      <dl className="facts">
        <dt>When</dt>
        <dd>{formatTime(t.touchedAt)}</dd>
        <dt>Product</dt>
        <dd>
          {t.product}
          {t.programKey ? ` · ${t.programKey}` : ''}
        </dd>
        <Opaque label="Referral code" value={t.referralCode} />
        <Opaque label="SaaSquatch cookie" value={t.saasquatchCookie} />
        <Opaque label="Click id" value={t.clickId} />
        {t.landingPath && (
          <>
            <dt>Landing page</dt>
            <dd>{t.landingPath}</dd>
          </>
        )}
      </dl>
    </li>
  );
}

/** Another user's id, opening that user's support view. */
function UserLink({ userId, onOpen }: { userId: string; onOpen(userId: string): void }) {
  return (
    <a
      href={`?screen=support&user=${encodeURIComponent(userId)}`}
      onClick={(e) => {
        e.preventDefault();
        onOpen(userId);
      }}
    >
      {userId}
    </a>
  );
}

function ReferralCard({ r, as, onOpen }: { r: ReferralView; as: 'referee' | 'referrer'; onOpen(userId: string): void }) {
  return (
    <li className="card" data-referral={r.id}>
      <h3>
        Referral {r.id} <span className={`status status-${r.status}`}>{words(r.status)}</span>
      </h3>
      <dl className="facts">
        <dt>{as === 'referee' ? 'Referred by' : 'Referred'}</dt>
        <dd>
          {as === 'referrer' ? <UserLink userId={r.refereeUserId} onOpen={onOpen} /> : r.referrerUserId ? <UserLink userId={r.referrerUserId} onOpen={onOpen} /> : 'unknown referrer'}
        </dd>
        <dt>Program</dt>
        <dd>{r.programKey ? `${r.programKey} v${r.programVersion ?? '?'}` : `none (${r.product})`}</dd>
        <dt>Signed up</dt>
        <dd>{formatTime(r.signedUpAt)}</dd>
        {r.reasons.length > 0 && (
          <>
            <dt>Reasons</dt>
            <dd data-reasons>{r.reasons.map(words).join(', ')}</dd>
          </>
        )}
        <dt>Conversions</dt>
        <dd>
          {words(r.conversionState)}
          {r.conversionReasons.length > 0 ? ` (${r.conversionReasons.map(words).join(', ')})` : ''}
        </dd>
      </dl>
    </li>
  );
}

function ConversionCard({ c }: { c: ConversionView }) {
  return (
    <li className="card" data-conversion={c.id}>
      <h3>
        Conversion {c.id}{' '}
        {c.outcome && <span className={`status status-${c.outcome.rewarded ? 'applied' : 'failed'}`}>{words(c.outcome.decisionCode)}</span>}
      </h3>
      <dl className="facts">
        <dt>When</dt>
        <dd>{formatTime(c.conversionTime)}</dd>
        <dt>Winner</dt>
        <dd data-winner>{c.winningTouch ? `${c.winningTouch.kind} touch ${c.winningTouch.id}` : 'nobody'}</dd>
        <dt>Why</dt>
        <dd>{c.reasonText}</dd>
        {c.verdicts.length > 0 && (
          <>
            <dt>Touches</dt>
            <dd>{c.verdicts.map((v) => `${v.touchId} ${v.kind}: ${words(v.verdict)}`).join('; ')}</dd>
          </>
        )}
        {c.outcome && c.outcome.reasons.length > 0 && (
          <>
            <dt>Reasons</dt>
            <dd>{c.outcome.reasons.map(words).join(', ')}</dd>
          </>
        )}
        {c.decision && (
          <>
            <dt>Decision</dt>
            <dd data-decision>
              {c.decision.programKey ? `${c.decision.programKey} v${c.decision.programVersion ?? '?'}` : 'before any program'}
              <ul className="decision-lines">
                {c.decision.lines.map((line, i) => (
                  <li key={i}>{line}</li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
    </li>
  );
}

function List<T>({ title, items, empty, render }: { title: string; items: T[]; empty: string; render(item: T): React.ReactNode }) {
  const id = `sec-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {title} ({items.length})
      </h2>
      {items.length === 0 ? <p className="hint">{empty}</p> : <ul className="cards">{items.map(render)}</ul>}
    </section>
  );
}

/** Support: one user's touches, referrals, conversions and rewards; a reward's audit trail; a review resolved. */
export function SupportView({ userId, onSearch }: { userId: string; onSearch(userId: string): void }) {
  const [input, setInput] = useState(userId);
  const [activity, setActivity] = useState<UserActivity | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    if (!userId) return setActivity(null);
    setLoading(true);
    setError('');
    try {
      const res = await call<UserActivity & ApiErrorBody>('GET', `/v1/admin/users/${encodeURIComponent(userId)}`);
      if (res.status === 200) setActivity(res.body);
      else {
        setActivity(null);
        setError(res.body.error?.details?.[0]?.message ? `User id ${res.body.error.details[0].message}` : (res.body.error?.message ?? `HTTP ${res.status}`));
      }
    } catch (e) {
      setError(String(e));
    } finally {
      setLoading(false);
    }
  }, [userId]);

  useEffect(() => {
    setInput(userId);
    void load();
  }, [userId, load]);

  const nothing = activity && activity.touches.length + activity.referred.length + activity.referrals.length + activity.conversions.length + activity.rewards.length === 0;
  return (
    <main>
      <h1>Support</h1>
      <form
        className="lookup"
        role="search"
        onSubmit={(e) => {
          // Search is the one form here where Enter should submit: it stores nothing.
          e.preventDefault();
          onSearch(input.trim());
        }}
      >
        <label className="field">
          <span>User id</span>
          <input aria-label="User id" value={input} onChange={(e) => setInput(e.target.value)} autoComplete="off" spellCheck={false} />
        </label>
        <button type="submit">Find user</button>
      </form>
      {error && (
        <p className="problem" role="alert">
          {error}
        </p>
      )}
      {loading && <p>Loading…</p>}
      {nothing && (
        <p role="status" data-nothing>
          Nothing is recorded for user {activity.userId}: no touch, referral, conversion or reward.
        </p>
      )}
      {activity && !nothing && (
        <div data-user={activity.userId}>
          <p className="subtitle">
            User <strong>{activity.userId}</strong>. Tracking values are shortened; the full values stay in the database.
          </p>
          <List title="Rewards" items={activity.rewards} empty="No rewards." render={(r) => <RewardCard key={r.id} reward={r} onChanged={() => void load()} />} />
          <List title="Referred by" items={activity.referred} empty="Not referred." render={(r) => <ReferralCard key={r.id} r={r} as="referee" onOpen={onSearch} />} />
          <List title="Referrals made" items={activity.referrals} empty="Referred nobody." render={(r) => <ReferralCard key={r.id} r={r} as="referrer" onOpen={onSearch} />} />
          <List title="Conversions" items={activity.conversions} empty="No payments or lessons." render={(c) => <ConversionCard key={c.id} c={c} />} />
          <List title="Touches" items={activity.touches} empty="No touches." render={(t) => <TouchCard key={t.id} t={t} />} />
        </div>
      )}
    </main>
  );
}
