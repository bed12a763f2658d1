import { useEffect, useState } from 'react';
import { type ApiErrorBody, call } from './api';
import { go } from './navigation';

interface VersionRow {
  version: number;
  author: string;
  changeNote: string;
  createdAt: string;
  current: boolean;
}

/** History: every version with author, time and note; a readable diff between any two. */
export function History({ programKey }: { programKey: string }) {
  const [versions, setVersions] = useState<VersionRow[]>([]);
  const [from, setFrom] = useState(0);
  const [to, setTo] = useState(0);
  const [lines, setLines] = useState<string[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    call<{ versions?: VersionRow[] } & ApiErrorBody>('GET', `/v1/admin/programs/${encodeURIComponent(programKey)}/versions`)
      .then((res) => {
        const list = res.body.versions ?? [];
        setVersions(list);
        if (list.length > 1) {
          setTo(list[0]?.version ?? 0);
          setFrom(list[1]?.version ?? 0);
        }
        if (res.status !== 200) setError(res.body.error?.message ?? `HTTP ${res.status}`);
      })
      .catch((e: unknown) => setError(String(e)));
  }, [programKey]);

  async function diff() {
    const res = await call<{ lines?: string[] } & ApiErrorBody>('GET', `/v1/admin/programs/${encodeURIComponent(programKey)}/diff?from=${from}&to=${to}`);
    if (res.status === 200) setLines(res.body.lines ?? []);
    else setError(res.body.error?.message ?? `HTTP ${res.status}`);
  }

  const choice = (label: string, value: number, set: (v: number) => void) => (
    <label>
      {label}{' '}
      <select aria-label={label} value={value} onChange={(e) => set(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <section aria-labelledby="sec-history">
      <h2 id="sec-history">History</h2>
      {error && <p className="problem">{error}</p>}
      <table className="history">
        <thead>
          <tr>
            <th>Version</th>
            <th>Author</th>
            <th>Time</th>
            <th>Change note</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>
                v{v.version}
                {v.current ? ' (current)' : ''}
              </td>
              <td>{v.author}</td>
              <td>
                <time dateTime={v.createdAt}>{new Date(v.createdAt).toISOString().replace('T', ' ').slice(0, 19)} UTC</time>
              </td>
              <td>{v.changeNote}</td>
              <td>
                {!v.current && (
                  <button type="button" aria-label={`Open version ${v.version} in the editor`} onClick={() => go(programKey, 'edit', { extra: { restore: String(v.version) } })}>
                    Open to restore…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {versions.length > 1 && (
        <div className="diff">
          {choice('From version', from, setFrom)} {choice('To version', to, setTo)}{' '}
          <button type="button" onClick={() => void diff()}>
            Show diff
          </button>
          {lines && (
            <ul data-diff>
              {lines.length === 0 && <li>No changes.</li>}
              {lines.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
