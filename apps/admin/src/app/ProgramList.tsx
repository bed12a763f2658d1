import { useEffect, useMemo, useState } from 'react';
import { type ProgramDocument } from '@referrals/rule-dsl';
import { type ApiErrorBody, call } from './api';
import { go, hrefFor } from './navigation';
import { windowMarker } from './program-window';

export interface ProgramVersion {
  key: string;
  version: number;
  name: string;
  product: string;
  status: string;
  priority: number;
  document: ProgramDocument;
}

const day = (iso: string) => iso.slice(0, 10);

/** The program list: a table with status, product, priority, windows and a marker; search by key, name or product. */
export function ProgramList({ serverNow }: { serverNow?: () => Date }) {
  const [programs, setPrograms] = useState<ProgramVersion[]>([]);
  const [error, setError] = useState('');
  const [search, setSearch] = useState('');
  const [offsetMs, setOffsetMs] = useState(0);
  useEffect(() => {
    call<{ programs?: ProgramVersion[] } & ApiErrorBody>('GET', '/v1/admin/programs')
      .then((res) => {
        if (res.serverDate) setOffsetMs(res.serverDate.getTime() - Date.now());
        if (res.status === 200) setPrograms(res.body.programs ?? []);
        else setError(res.body.error?.message ?? `HTTP ${res.status}`);
      })
      .catch((e: unknown) => setError(String(e)));
  }, []);
  const now = serverNow?.() ?? new Date(Date.now() + offsetMs);
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return q === '' ? programs : programs.filter((p) => [p.key, p.name, p.product, p.status].some((s) => s.toLowerCase().includes(q)));
  }, [programs, search]);
  return (
    <main>
      <h1>Referral programs</h1>
      {error && <p className="problem">{error}</p>}
      <div className="toolbar">
        <label className="field">
          <span>Search</span>
          <input type="search" aria-label="Search programs" placeholder="key, name, product or status" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <button
          type="button"
          onClick={() => {
            sessionStorage.removeItem('referrals.duplicate');
            go('new');
          }}
        >
          New program
        </button>
      </div>
      <div className="table-card">
        <table className="program-list stack">
          <thead>
            <tr>
              <th>Program</th>
              <th>Status</th>
              <th>Product</th>
              <th>Priority</th>
              <th>Inviting (start → frozen)</th>
              <th>Rewards (start → end)</th>
              <th>Version</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((p) => {
              const marker = windowMarker(p.document, now);
              return (
                <tr key={p.key} data-program={p.key}>
                  <td data-label="Program">
                    <a
                      href={hrefFor(p.key)}
                      onClick={(e) => {
                        e.preventDefault();
                        go(p.key);
                      }}
                    >
                      {p.name}
                    </a>
                    <br />
                    <small>{p.key}</small>
                  </td>
                  <td data-label="Status">
                    <span className={`status status-${p.status}`}>{p.status}</span>
                    {marker && (
                      <span className={`marker marker-${marker.replace(' ', '-')}`} data-marker={marker}>
                        {' '}
                        {marker}
                      </span>
                    )}
                  </td>
                  <td data-label="Product">{p.product}</td>
                  <td data-label="Priority">{p.priority}</td>
                  <td data-label="Inviting">
                    {day(p.document.schedule.startAt)} → {day(p.document.schedule.frozenAt)}
                  </td>
                  <td data-label="Rewards">
                    {day(p.document.schedule.startAt)} → {day(p.document.schedule.endAt)}
                  </td>
                  <td data-label="Version">v{p.version}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {shown.length === 0 && programs.length > 0 && <p>No program matches “{search}”.</p>}
      </div>
    </main>
  );
}
