import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type ApiErrorBody, call } from './api';
import { draftDiff } from './draft-diff';
import { Editor } from './Editor';
import { type ProgramForm, documentPath, documentToForm, emptyProgram, formToDocument } from './form';
import { History } from './History';
import { type View, go, guardUnsavedEdits, hrefFor } from './navigation';
import { Preview } from './Preview';
import { type ProgramVersion } from './ProgramList';
import { Simulate } from './Simulate';
import { pathWords, plainMessage } from './words';

type Problems = Record<string, string[]>;
type StatusAction = 'activate' | 'pause' | 'retire';
type Confirming = { kind: 'save'; lines: string[]; active: boolean } | { kind: StatusAction };

interface Conflict {
  theirVersion: number;
  lines: string[];
  rebased: boolean;
}

const CHECK_DELAY_MS = 600;
const ACTION_WORDS: Record<StatusAction, { title: string; status: string; explain: string }> = {
  activate: { title: 'Activate', status: 'active', explain: 'New referrals and reward events start using this program.' },
  pause: { title: 'Pause', status: 'paused', explain: 'The program takes no new referrals or rewards until it is activated again.' },
  retire: { title: 'Retire', status: 'retired', explain: 'Final: the program takes nothing new, and its pending and earned rewards are canceled (applied ones stand).' },
};

const normalized = (form: ProgramForm) => JSON.stringify(formToDocument(form));

/** The api's problems, keyed by the inputs' data-path. */
function problemsOf(list: readonly { path: string; message: string }[]): Problems {
  const out: Problems = {};
  for (const d of list) {
    const path = d.path.startsWith('body.document') ? documentPath(d.path) : d.path.replace(/^body\./, '');
    (out[path] ??= []).push(d.message);
  }
  return out;
}

/** "Change referral program": one screen, safe saving (diff and confirmation first), Check while typing. */
export function ProgramScreen({ programKey, view, restoreVersion }: { programKey: string; view: View; restoreVersion: number | null }) {
  const isNew = programKey === 'new';
  const [form, setForm] = useState<ProgramForm>(emptyProgram());
  const [stored, setStored] = useState<ProgramVersion | null>(null);
  const [baseline, setBaseline] = useState(() => normalized(emptyProgram()));
  const [version, setVersion] = useState(0);
  const [problems, setProblems] = useState<Problems>({});
  const [checked, setChecked] = useState<'idle' | 'checking' | 'ok' | 'problems'>('idle');
  const [message, setMessage] = useState('');
  const [changeNote, setChangeNote] = useState('');
  const [author, setAuthor] = useState(() => sessionStorage.getItem('referrals.author') ?? 'operator:admin');
  const [offset, setOffset] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [reason, setReason] = useState('');
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [reveal, setReveal] = useState<{ path: string; n: number } | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  const current = useMemo(() => normalized(form), [form]);
  const dirty = current !== baseline;
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  const load = useCallback(async () => {
    setConflict(null);
    if (isNew) {
      // Kept until the next New program (a reload keeps the draft; effects may run twice in development).
      const draft = sessionStorage.getItem('referrals.duplicate');
      const start = draft ? (JSON.parse(draft) as ProgramForm) : emptyProgram();
      setForm(start);
      setBaseline(normalized(emptyProgram()));
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
    const loaded = documentToForm(res.body.document);
    setStored(res.body);
    setBaseline(normalized(loaded));
    setVersion(res.body.version);
    if (restoreVersion !== null && restoreVersion !== res.body.version) {
      const old = await call<ProgramVersion & ApiErrorBody>('GET', `/v1/admin/programs/${encodeURIComponent(programKey)}/versions/${restoreVersion}`);
      if (old.status === 200) {
        // The old content, the current status: status changes are their own confirmed actions.
        setForm({ ...documentToForm(old.body.document), status: res.body.status as ProgramForm['status'] });
        setChangeNote(`restore version ${restoreVersion}`);
        setMessage(`Version ${restoreVersion} is open in the editor: Save stores it as version ${res.body.version + 1}.`);
        return;
      }
    }
    setForm(loaded);
  }, [isNew, programKey, restoreVersion]);

  useEffect(() => {
    setProblems({});
    setMessage('');
    load().catch((e: unknown) => setMessage(String(e)));
  }, [load]);

  // Unsaved edits are guarded: in-page links ask (navigation.ts), reload and tab close ask through the browser.
  useEffect(() => guardUnsavedEdits(() => dirtyRef.current), []);
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);

  // Check while typing: the same checks as Save (priority conflicts included), debounced, nothing stored.
  const checkSeq = useRef(0);
  const check = useCallback(async (f: ProgramForm) => {
    const seq = ++checkSeq.current;
    setChecked('checking');
    const res = await call<{ ok?: boolean; problems?: { code: string; path: string; message: string }[] } & ApiErrorBody>('POST', '/v1/admin/programs/check', {
      document: formToDocument(f),
    });
    if (seq !== checkSeq.current) return;
    const next = { ...problemsOf(res.body.problems ?? []), ...problemsOf(res.body.error?.details ?? []) };
    setProblems(next);
    setChecked(res.status === 200 && res.body.ok ? 'ok' : 'problems');
  }, []);
  useEffect(() => {
    if (!dirty || view !== 'edit') return;
    const timer = setTimeout(() => void check(form).catch(() => setChecked('idle')), CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [form, dirty, view, check]);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (confirming && !d.open) d.showModal();
    if (!confirming && d.open) d.close();
  }, [confirming]);

  function askToSave() {
    setMessage('');
    if (!isNew && !dirty) {
      setMessage(`Nothing to save: no change since version ${version}.`);
      return;
    }
    const before = isNew ? {} : (JSON.parse(baseline) as unknown);
    const active = form.status === 'active' || stored?.status === 'active';
    setConfirming({ kind: 'save', lines: draftDiff(before, formToDocument(form), form), active });
  }

  async function save() {
    setConfirming(null);
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
        setConflict(null);
        const saved = res.body.program;
        setMessage(`Saved version ${saved?.version ?? '?'}`);
        if (saved) {
          setStored(saved);
          setVersion(saved.version);
          setBaseline(normalized(form));
          dirtyRef.current = false;
          if (isNew) go(saved.key, 'edit', { force: true });
          else if (restoreVersion !== null) go(saved.key, 'edit', { force: true });
        }
        return;
      }
      if (res.body.error?.code === 'version_conflict') {
        await showConflict();
        return;
      }
      setProblems(problemsOf(res.body.error?.details ?? []));
      setMessage(`Not saved: ${res.body.error?.code === 'program_unchanged' ? `no change since version ${version}` : (res.body.error?.message ?? `HTTP ${res.status}`)}`);
    } finally {
      setSaving(false);
    }
  }

  /** Someone saved meanwhile: the edits stay, and what they changed is shown to merge by hand. */
  async function showConflict() {
    const theirs = await call<ProgramVersion & ApiErrorBody>('GET', `/v1/admin/programs/${encodeURIComponent(programKey)}`);
    const theirVersion = theirs.body.version;
    const diff = await call<{ lines?: string[] } & ApiErrorBody>('GET', `/v1/admin/programs/${encodeURIComponent(programKey)}/diff?from=${version}&to=${theirVersion}`);
    setConflict({ theirVersion, lines: diff.body.lines ?? [], rebased: false });
    setStored(theirs.body);
    setMessage(`Not saved: version ${theirVersion} was saved meanwhile. Your edits are kept; merge the changes below by hand, then save on top of version ${theirVersion}.`);
  }

  async function changeStatus(action: StatusAction) {
    setConfirming(null);
    if (!stored) return;
    setSaving(true);
    try {
      const note = `${ACTION_WORDS[action].title}: ${reason.trim()}`;
      const res =
        action === 'retire'
          ? await call<ApiErrorBody>('POST', `/v1/admin/programs/${encodeURIComponent(programKey)}/retire`, { author, reason: reason.trim() })
          : await call<ApiErrorBody>('PUT', `/v1/admin/programs/${encodeURIComponent(programKey)}`, {
              document: { ...stored.document, status: ACTION_WORDS[action].status },
              author,
              changeNote: note,
              expectedVersion: stored.version,
            });
      if (res.status !== 200) {
        setProblems(problemsOf(res.body.error?.details ?? []));
        setMessage(`${ACTION_WORDS[action].title} refused: ${res.body.error?.message ?? `HTTP ${res.status}`}`);
        return;
      }
      setReason('');
      await load();
      setMessage(`${ACTION_WORDS[action].title}d: the program is ${ACTION_WORDS[action].status}.`);
    } finally {
      setSaving(false);
    }
  }

  function showProblem(path: string) {
    setReveal((r) => ({ path, n: (r?.n ?? 0) + 1 }));
  }

  const problemCount = Object.values(problems).reduce((n, l) => n + l.length, 0);
  const storedStatus = stored?.status ?? form.status;
  const actions: StatusAction[] = isNew || storedStatus === 'retired' ? [] : [...(storedStatus === 'active' ? ['pause' as const] : ['activate' as const]), 'retire' as const];
  const navLink = (label: string, target: View) => (
    <a
      href={hrefFor(programKey, target)}
      aria-current={view === target ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        // Same program, same form: the edits stay (Simulate can even use them), so nothing to guard.
        go(programKey, target, { force: true });
      }}
    >
      {label}
    </a>
  );

  return (
    <main>
      <nav className="subnav" aria-label="Program">
        <a
          href={hrefFor(null)}
          onClick={(e) => {
            e.preventDefault();
            go(null);
          }}
        >
          All programs
        </a>
        {!isNew && (
          <>
            {navLink('Edit', 'edit')}
            {navLink('History', 'history')}
            {navLink('Simulate', 'simulate')}
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
        {form.name || '(new program)'} ({form.product} - {storedStatus}){version > 0 ? ` · version ${version}` : ''}
        {dirty && <span className="unsaved"> · unsaved changes</span>}
      </p>
      {actions.length > 0 && (
        <div className="status-actions" aria-label="Status">
          <span>
            Status: <strong data-status>{storedStatus}</strong>
          </span>
          {actions.map((a) => (
            <button key={a} type="button" disabled={saving} onClick={() => (dirty ? setMessage(`Save or discard your edits before you ${a} the program.`) : setConfirming({ kind: a }))}>
              {ACTION_WORDS[a].title}…
            </button>
          ))}
        </div>
      )}
      {view === 'history' && !isNew && <History programKey={programKey} />}
      {view === 'simulate' && !isNew && <Simulate programKey={programKey} form={form} />}
      {conflict && (
        <section className="conflict" aria-label="Saved meanwhile" data-conflict>
          <h2>Version {conflict.theirVersion} was saved while you were editing</h2>
          <p>Your edits are kept below. What changed from version {version} to version {conflict.theirVersion}:</p>
          <ul data-conflict-diff>
            {conflict.lines.length === 0 && <li>No changes.</li>}
            {conflict.lines.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ul>
          {!conflict.rebased && (
            <button
              type="button"
              onClick={() => {
                if (stored) setBaseline(normalized(documentToForm(stored.document)));
                setVersion(conflict.theirVersion);
                setConflict({ ...conflict, rebased: true });
                setMessage(`Your edits now apply on top of version ${conflict.theirVersion}: check them against the changes above, then Save.`);
              }}
            >
              I have merged by hand: save on top of version {conflict.theirVersion}
            </button>
          )}
        </section>
      )}
      {view === 'edit' && (
        // No <form>: Enter in a field never saves (saving is the Save button's, after the diff).
        <div
          className="editor"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && e.target instanceof HTMLInputElement) e.preventDefault();
          }}
        >
          {problemCount > 0 && (
            <section className="problems" aria-label="Problems" data-problems>
              <h2>
                {problemCount} problem{problemCount === 1 ? '' : 's'} to fix before saving
              </h2>
              <ul>
                {Object.entries(problems).map(([path, list]) => (
                  <li key={path} data-problem-path={path}>
                    <a
                      href={`#${path}`}
                      onClick={(e) => {
                        e.preventDefault();
                        showProblem(path);
                      }}
                    >
                      {pathWords(path, form)}
                    </a>
                    : {list.map(plainMessage).join('; ')}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <Editor form={form} setForm={setForm} problems={problems} serverOffsetMs={offset} isNew={isNew} reveal={reveal} />
          <section className="savebar" aria-label="Save">
            <label className="field">
              <span>Author</span>
              <input aria-label="Author" data-path="author" value={author} onChange={(e) => setAuthor(e.target.value)} />
            </label>
            <label className="field">
              <span>Change note</span>
              <input aria-label="Change note" data-path="changeNote" value={changeNote} onChange={(e) => setChangeNote(e.target.value)} />
              {problems['changeNote'] && (
                <span className="problem" data-problem-for="changeNote">
                  {problems['changeNote'].map(plainMessage).join('; ')}
                </span>
              )}
            </label>
            <button type="button" onClick={() => void check(form)}>
              Check
            </button>
            {dirty && !isNew && (
              <button
                type="button"
                onClick={() => {
                  if (window.confirm('Discard your edits and show the saved version again?')) void load();
                }}
              >
                Discard edits
              </button>
            )}
            <button type="button" className="primary" disabled={saving} onClick={askToSave}>
              Save…
            </button>
            <output role="status" data-save-message>
              {message ||
                (checked === 'checking' ? 'Checking…' : checked === 'ok' ? 'Check: no problems' : checked === 'problems' ? `Check: ${problemCount} problem${problemCount === 1 ? '' : 's'}` : '')}
            </output>
          </section>
          {!isNew && <Preview programKey={programKey} form={form} />}
        </div>
      )}
      <dialog ref={dialog} aria-labelledby="confirm-title" onClose={() => setConfirming(null)} data-confirm={confirming?.kind}>
        {confirming?.kind === 'save' && (
          <>
            <h2 id="confirm-title">{isNew ? 'Create this program?' : `Save version ${version + 1}?`}</h2>
            {confirming.active && <p className="warning">This program is active: the change applies to live referrals and rewards as soon as it is saved.</p>}
            <p>What will change{isNew ? '' : ` from version ${version}`}:</p>
            <ul data-save-diff className="diff-lines">
              {confirming.lines.slice(0, 200).map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
            <p>
              Change note: <em>{changeNote || '(none: Save will ask for one)'}</em>
            </p>
            <div className="dialog-buttons">
              <button type="button" onClick={() => setConfirming(null)}>
                Keep editing
              </button>
              <button type="button" className="primary" onClick={() => void save()}>
                {confirming.active ? 'Save the active program' : 'Save'}
              </button>
            </div>
          </>
        )}
        {confirming && confirming.kind !== 'save' && (
          <>
            <h2 id="confirm-title">{ACTION_WORDS[confirming.kind].title} this program?</h2>
            <p>{ACTION_WORDS[confirming.kind].explain}</p>
            <label className="field">
              <span>Why (kept in History)</span>
              <input aria-label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            <div className="dialog-buttons">
              <button type="button" onClick={() => setConfirming(null)}>
                Cancel
              </button>
              <button type="button" className="primary" disabled={reason.trim() === ''} onClick={() => void changeStatus(confirming.kind as StatusAction)}>
                {ACTION_WORDS[confirming.kind].title}
              </button>
            </div>
          </>
        )}
      </dialog>
    </main>
  );
}
