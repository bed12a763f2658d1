import { useEffect, useState } from 'react';
import { type ApiErrorBody, callStreamed } from './api';
import { type ProgramForm, formToDocument, inputToIso } from './form';

interface Counts {
  now: number;
  draft: number;
}

interface Side {
  code: string;
  rule: number | null;
  rewards: { role: string; status: string; amountMinor: number | null; unit: string | null }[];
  lines: string[];
}

interface PreviewAnswer {
  events: number;
  reDecided: number;
  rewarded: Counts;
  amountMinorByCurrency: Record<string, Counts>;
  byRule: { now: { index: number; description: string; events: number }[]; draft: { index: number; description: string; events: number }[] };
  capLimited: Counts;
  changed: number;
  changes: { conversionId: string; occurredAt: string; now: Side; draft: Side }[];
}

const DAY_MS = 86_400_000;
const toInput = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;
const rewardsText = (side: Side) =>
  side.rewards.length === 0 ? 'nothing' : side.rewards.map((r) => `${r.role} ${r.amountMinor ?? ''} ${r.unit ?? ''} (${r.status})`).join(', ');

/** One line of the streamed preview (Accept: application/x-ndjson). */
type PreviewLine =
  | { type: 'progress'; events: number; total: number }
  | { type: 'result'; preview: PreviewAnswer }
  | ({ type: 'error' } & ApiErrorBody);

const count = (n: number) => n.toLocaleString('en-US');
const errorText = (body: ApiErrorBody, status?: number) =>
  `${body.error?.message ?? `HTTP ${status ?? ''}`} ${(body.error?.details ?? []).map((d) => `${d.path}: ${d.message}`).join('; ')}`;

/**
 * Preview next to Save: what the draft on screen would have decided for the program's recorded
 * qualifying events in a range (default the last 90 days), against what was decided. Read-only
 * (POST /v1/admin/programs/{key}/preview, streamed): long ranges show how many of the range's
 * events are re-decided so far, and the time spent.
 */
export function Preview({ programKey, form }: { programKey: string; form: ProgramForm }) {
  const [from, setFrom] = useState(() => toInput(Date.now() - 90 * DAY_MS));
  const [to, setTo] = useState(() => toInput(Date.now()));
  const [answer, setAnswer] = useState<PreviewAnswer | null>(null);
  const [error, setError] = useState('');
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [progress, setProgress] = useState<{ events: number; total: number } | null>(null);
  const [took, setTook] = useState<number | null>(null);

  useEffect(() => {
    if (startedAt === null) return;
    const timer = setInterval(() => setElapsed(Math.floor((Date.now() - startedAt) / 1000)), 500);
    return () => clearInterval(timer);
  }, [startedAt]);

  async function run() {
    setError('');
    setAnswer(null);
    setProgress(null);
    setTook(null);
    setElapsed(0);
    const started = Date.now();
    setStartedAt(started);
    try {
      const refused = await callStreamed(
        'POST',
        `/v1/admin/programs/${encodeURIComponent(programKey)}/preview`,
        { document: formToDocument(form), from: inputToIso(from), to: inputToIso(to) },
        (line) => {
          const l = line as PreviewLine;
          if (l.type === 'progress') setProgress({ events: l.events, total: l.total });
          else if (l.type === 'result') {
            setAnswer(l.preview);
            setTook((Date.now() - started) / 1000);
          } else setError(errorText(l));
        },
      );
      if (refused) setError(errorText(refused.body, refused.status));
    } catch (e) {
      setError(`the preview stopped: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setStartedAt(null);
    }
  }

  return (
    <section aria-labelledby="sec-preview" data-preview>
      <h2 id="sec-preview">Preview this draft on past events</h2>
      <label className="field">
        <span>From (UTC)</span>
        <input aria-label="Preview from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label className="field">
        <span>To (UTC)</span>
        <input aria-label="Preview to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="button" onClick={() => void run()} disabled={startedAt !== null}>
        Preview
      </button>
      {startedAt !== null && (
        <p role="status" data-preview-progress>
          {progress === null ? 'Counting recorded events…' : `Re-deciding recorded events: ${count(progress.events)} of ${count(progress.total)}`} ({elapsed} s)
          {progress !== null && progress.total > 0 && <progress aria-label="Preview progress" max={progress.total} value={progress.events} />}
        </p>
      )}
      {startedAt === null && took !== null && progress !== null && (
        <p data-preview-done>
          {count(progress.events)} of {count(progress.total)} recorded events re-decided in {took.toFixed(1)} s
        </p>
      )}
      {error && <p className="problem">{error}</p>}
      {answer && (
        <div data-preview-result>
          <table>
            <thead>
              <tr>
                <th />
                <th>now</th>
                <th>draft</th>
              </tr>
            </thead>
            <tbody>
              <tr data-row="events">
                <th>events</th>
                <td colSpan={2}>{answer.events}</td>
              </tr>
              <tr data-row="rewarded">
                <th>rewarded</th>
                <td>{answer.rewarded.now}</td>
                <td>{answer.rewarded.draft}</td>
              </tr>
              {Object.entries(answer.amountMinorByCurrency).map(([currency, c]) => (
                <tr key={currency} data-row={`amount-${currency}`}>
                  <th>granted {currency}</th>
                  <td>{money(c.now, currency)}</td>
                  <td>{money(c.draft, currency)}</td>
                </tr>
              ))}
              <tr data-row="cap-limited">
                <th>cap-limited</th>
                <td>{answer.capLimited.now}</td>
                <td>{answer.capLimited.draft}</td>
              </tr>
              {answer.byRule.draft.map((r) => (
                <tr key={r.index} data-row={`rule-${r.index + 1}`}>
                  <th>
                    rule {r.index + 1}: {r.description}
                  </th>
                  <td>{answer.byRule.now.find((n) => n.index === r.index)?.events ?? 0}</td>
                  <td>{r.events}</td>
                </tr>
              ))}
              <tr data-row="changed">
                <th>changed</th>
                <td colSpan={2}>{answer.changed}</td>
              </tr>
            </tbody>
          </table>
          <ol data-preview-changes>
            {answer.changes.map((c) => (
              <li key={c.conversionId}>
                <strong>{c.conversionId}</strong> ({c.occurredAt}): {c.now.code}, {rewardsText(c.now)} → {c.draft.code}, {rewardsText(c.draft)}
                <details>
                  <summary>both explanations</summary>
                  <p>now</p>
                  <ul>{c.now.lines.map((l, i) => <li key={i}>{l}</li>)}</ul>
                  <p>draft</p>
                  <ul>{c.draft.lines.map((l, i) => <li key={i}>{l}</li>)}</ul>
                </details>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
