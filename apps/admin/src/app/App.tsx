import { useCallback, useEffect, useState } from 'react';
import { type ProgramDocument } from '@referrals/rule-dsl';
import { type ApiErrorBody, call, storeKey, storedKey } from './api';
import { Editor } from './Editor';
import { type ProductView, type ProgramForm, documentPath, documentToForm, emptyProgram, formToDocument, setProducts } from './form';
import { History } from './History';
import { OtherScreen, ScreenNav, screenOf } from './screens';
import { Preview } from './Preview';
import { Simulate } from './Simulate';

interface ProgramVersion {
  key: string;
  version: number;
  name: string;
  product: string;
  status: string;
  document: ProgramDocument;
}

type View = 'edit' | 'history' | 'simulate';

const params = () => new URLSearchParams(window.location.search);

function go(key: string | null, view: View = 'edit') {
  const q = new URLSearchParams();
  if (key) q.set('program', key);
  if (view !== 'edit') q.set('view', view);
  window.history.pushState(null, '', `${window.location.pathname}${q.size ? `?${q.toString()}` : ''}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

function SignIn({ onSignedIn }: { onSignedIn(): void }) {
  const [key, setKey] = useState('');
  return (
    <form
      className="signin"
      onSubmit={(e) => {
        e.preventDefault();
        storeKey(key.trim());
        onSignedIn();
      }}
    >
      <h1>Referrals admin</h1>
      <label>
        Admin API key <input aria-label="Admin API key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
      </label>
      <button type="submit">Sign in</button>
      <p className="hint">The key stays in this browser tab (sessionStorage) and is sent to the api as a Bearer token.</p>
    </form>
  );
}

function ProgramList() {
  const [programs, setPrograms] = useState<ProgramVersion[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    call<{ programs?: ProgramVersion[] } & ApiErrorBody>('GET', '/v1/admin/programs')
      .then((res) => (res.status === 200 ? setPrograms(res.body.programs ?? []) : setError(res.body.error?.message ?? `HTTP ${res.status}`)))
      .catch((e: unknown) => setError(String(e)));
  }, []);
  return (
    <main>
      <h1>Referral programs</h1>
      {error && <p className="problem">{error}</p>}
      <button
        type="button"
        onClick={() => {
          sessionStorage.removeItem('referrals.duplicate');
          go('new');
        }}
      >
        New program
      </button>
      <ul>
        {programs.map((p) => (
          <li key={p.key}>
            <a
              href={`?program=${p.key}`}
              onClick={(e) => {
                e.preventDefault();
                go(p.key);
              }}
            >
              {p.name} ({p.product} - {p.status})
            </a>{' '}
            v{p.version}
          </li>
        ))}
      </ul>
    </main>
  );
}

/** "Change referral program": one screen, one Save. */
function ProgramScreen({ programKey, view }: { programKey: string; view: View }) {
  const isNew = programKey === 'new';
  const [form, setForm] = useState<ProgramForm>(emptyProgram());
  const [version, setVersion] = useState(0);
  const [problems, setProblems] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState('');
  const [changeNote, setChangeNote] = useState('');
  const [author, setAuthor] = useState(() => sessionStorage.getItem('referrals.author') ?? 'operator:admin');
  const [offset, setOffset] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    if (isNew) {
      // Kept until the next New program (a reload keeps the draft; effects may run twice in development).
      const draft = sessionStorage.getItem('referrals.duplicate');
      setForm(draft ? (JSON.parse(draft) as ProgramForm) : emptyProgram());
      setVersion(0);
      const res = await call('GET', '/v1/admin/programs?status=active');
      if (res.serverDate) setOffset(Date.now() - res.serverDate.getTime());
      return;
    }
    const res = await call<ProgramVersion & ApiErrorBody>('GET', `/v1/admin/programs/${encodeURIComponent(programKey)}`);
    if (res.serverDate) setOffset(Date.now() - res.serverDate.getTime());
    if (res.status !== 200) {
      setMessage(res.body.error?.message ?? `HTTP ${res.status}`);
      return;
    }
    setForm(documentToForm(res.body.document));
    setVersion(res.body.version);
  }, [isNew, programKey]);

  useEffect(() => {
    setProblems({});
    setMessage('');
    load().catch((e: unknown) => setMessage(String(e)));
  }, [load]);

  async function save() {
    setSaving(true);
    setMessage('');
    sessionStorage.setItem('referrals.author', author);
    const document = formToDocument(form);
    const body = isNew ? { document, author, changeNote } : { document, author, changeNote, expectedVersion: version };
    try {
      const res = await call<{ program?: ProgramVersion } & ApiErrorBody>(isNew ? 'POST' : 'PUT', isNew ? '/v1/admin/programs' : `/v1/admin/programs/${encodeURIComponent(programKey)}`, body);
      if (res.status === 200 || res.status === 201) {
        setProblems({});
        setChangeNote('');
        const saved = res.body.program;
        setMessage(`Saved version ${saved?.version ?? '?'}`);
        if (saved) {
          setVersion(saved.version);
          if (isNew) go(saved.key);
        }
        return;
      }
      const next: Record<string, string[]> = {};
      for (const d of res.body.error?.details ?? []) {
        const path = d.path.startsWith('body.document') ? documentPath(d.path) : d.path.replace(/^body\./, '');
        (next[path] ??= []).push(d.message);
      }
      setProblems(next);
      setMessage(`Not saved: ${res.body.error?.message ?? `HTTP ${res.status}`}`);
    } finally {
      setSaving(false);
    }
  }

  /** The same checks as Save, nothing stored. */
  async function check() {
    const res = await call<{ ok?: boolean; problems?: { code: string; path: string; message: string }[] } & ApiErrorBody>('POST', '/v1/admin/programs/check', {
      document: formToDocument(form),
    });
    const next: Record<string, string[]> = {};
    for (const p of res.body.problems ?? []) (next[p.path] ??= []).push(p.message);
    for (const d of res.body.error?.details ?? []) (next[d.path.startsWith('body.document') ? documentPath(d.path) : d.path] ??= []).push(d.message);
    setProblems(next);
    setMessage(res.status === 200 && res.body.ok ? 'Check: no problems' : `Check: ${res.body.error?.message ?? 'problems found'}`);
  }

  const problemCount = Object.values(problems).reduce((n, l) => n + l.length, 0);
  return (
    <main>
      <nav>
        <a
          href="?"
          onClick={(e) => {
            e.preventDefault();
            go(null);
          }}
        >
          All programs
        </a>{' '}
        {!isNew && (
          <>
            <a
              href={`?program=${programKey}&view=history`}
              onClick={(e) => {
                e.preventDefault();
                go(programKey, 'history');
              }}
            >
              History
            </a>{' '}
            <a
              href={`?program=${programKey}&view=simulate`}
              onClick={(e) => {
                e.preventDefault();
                go(programKey, 'simulate');
              }}
            >
              Simulate
            </a>{' '}
            <button
              type="button"
              onClick={() => {
                sessionStorage.setItem('referrals.duplicate', JSON.stringify({ ...form, key: `${form.key}-copy`, name: `${form.name} (copy)`, status: 'draft' }));
                go('new');
              }}
            >
              Duplicate
            </button>
          </>
        )}
      </nav>
      <h1>Change referral program</h1>
      <p className="subtitle" data-program-title>
        {form.name || '(new program)'} ({form.product} - {form.status}){version > 0 ? ` · version ${version}` : ''}
      </p>
      {view === 'history' && !isNew && <History programKey={programKey} />}
      {view === 'simulate' && !isNew && <Simulate programKey={programKey} form={form} />}
      {view === 'edit' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <p className="hint help">
            One screen, one Save. Every input is a dropdown, text, number or date/time field — no JSON anywhere. <span className="pill">predicate</span> pills mark predicate-kind
            terms; value-kind terms have none. The subject&apos;s datatype drives the operator dropdown: only valid operators appear. Two date windows: start → frozen (inviting
            allowed) and start → end (rewards apply).
          </p>
          {problemCount > 0 && (
            <section className="problems" aria-label="Problems" data-problems>
              <h2>Not saved: {problemCount} problem{problemCount === 1 ? '' : 's'}</h2>
              <ul>
                {Object.entries(problems).map(([path, list]) => (
                  <li key={path}>
                    <a
                      href={`#${path}`}
                      onClick={(e) => {
                        e.preventDefault();
                        document.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`)?.focus();
                      }}
                    >
                      {path || '(program)'}
                    </a>
                    : {list.join('; ')}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <Editor form={form} setForm={setForm} problems={problems} serverOffsetMs={offset} />
          <section className="savebar" aria-label="Save">
            <label className="field">
              <span>Author</span>
              <input aria-label="Author" data-path="author" value={author} onChange={(e) => setAuthor(e.target.value)} />
            </label>
            <label className="field">
              <span>Change note</span>
              <input aria-label="Change note" data-path="changeNote" value={changeNote} onChange={(e) => setChangeNote(e.target.value)} />
              {problems['changeNote'] && <span className="problem" data-problem-for="changeNote">{problems['changeNote'].join('; ')}</span>}
            </label>
            <button type="button" onClick={() => void check()}>
              Check
            </button>
            <button type="submit" disabled={saving}>
              Save
            </button>
            <output role="status" data-save-message>
              {message}
              {problemCount > 0 ? ` (${problemCount} problem${problemCount === 1 ? '' : 's'}, shown next to their fields)` : ''}
            </output>
          </section>
          {!isNew && <Preview programKey={programKey} form={form} />}
        </form>
      )}
    </main>
  );
}

/** The products the api serves (its products file), with their catalogs: loaded once after sign-in. */
function useProducts(signedIn: boolean): { loaded: boolean; error: string } {
  const [state, setState] = useState({ loaded: false, error: '' });
  useEffect(() => {
    if (!signedIn) return;
    call<{ products?: ProductView[] } & ApiErrorBody>('GET', '/v1/admin/products')
      .then((res) => {
        if (res.status !== 200) return setState({ loaded: false, error: res.body.error?.message ?? `HTTP ${res.status}` });
        setProducts(res.body.products ?? []);
        setState({ loaded: true, error: '' });
      })
      .catch((e: unknown) => setState({ loaded: false, error: String(e) }));
  }, [signedIn]);
  return state;
}

export function App() {
  const [signedIn, setSignedIn] = useState(() => storedKey() !== '');
  const [location, setLocation] = useState(() => params());
  const products = useProducts(signedIn);
  useEffect(() => {
    const onPop = () => setLocation(params());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const program = location.get('program');
  const view = (location.get('view') ?? 'edit') as View;
  return (
    <>
      <header>
        Referrals admin{' '}
        <button
          type="button"
          onClick={() => {
            storeKey('');
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
        <ScreenNav current={screenOf(location)} />
      </header>
      {screenOf(location) !== 'programs' ? (
        <OtherScreen location={location} />
      ) : products.error ? (
        <p className="problem">Products could not be loaded: {products.error}</p>
      ) : !products.loaded ? (
        <p>Loading products…</p>
      ) : program ? (
        <ProgramScreen key={`${program}`} programKey={program} view={view} />
      ) : (
        <ProgramList />
      )}
    </>
  );
}
