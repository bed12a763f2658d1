import { useEffect, useState } from 'react';
import { type ApiErrorBody, call, storeKey, storedKey } from './api';
import { type ProductView, setProducts } from './form';
import { NAVIGATED, type View, mayLeave } from './navigation';
import { ProgramList } from './ProgramList';
import { ProgramScreen } from './ProgramScreen';
import { OtherScreen, ScreenNav, screenOf } from './screens';

const params = () => new URLSearchParams(window.location.search);

/** Signs in only with a key the api accepts as an admin key (a wrong key is refused here, not on the next call). */
function SignIn({ onSignedIn }: { onSignedIn(): void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  return (
    <form
      className="signin"
      onSubmit={(e) => {
        e.preventDefault();
        setError('');
        const typed = key.trim();
        fetch('/v1/admin/products', { headers: { authorization: `Bearer ${typed}` } })
          .then((res) => {
            if (res.status === 200) {
              storeKey(typed);
              onSignedIn();
            } else setError(res.status === 401 || res.status === 403 ? 'This key is not an admin key of this api: check it and try again.' : `The api answered HTTP ${res.status}.`);
          })
          .catch((err: unknown) => setError(`The api cannot be reached: ${String(err)}`));
      }}
    >
      <h1>Referrals admin</h1>
      <label>
        Admin API key <input aria-label="Admin API key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
      </label>
      <button type="submit">Sign in</button>
      {error && (
        <p className="problem" role="alert" data-signin-error>
          {error}
        </p>
      )}
      <p className="hint">The key stays in this browser tab for its life (sessionStorage) and is sent to the api as a Bearer token.</p>
    </form>
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
    let shown = window.location.href;
    const onNavigated = () => {
      shown = window.location.href;
      setLocation(params());
    };
    // Back/Forward: the unsaved-edits guard asks first; staying puts the address back.
    const onPop = () => {
      const sameProgram = new URL(shown).searchParams.get('program') === params().get('program');
      if (!sameProgram && !mayLeave()) return window.history.pushState(null, '', shown);
      onNavigated();
    };
    window.addEventListener(NAVIGATED, onNavigated);
    window.addEventListener('popstate', onPop);
    return () => {
      window.removeEventListener(NAVIGATED, onNavigated);
      window.removeEventListener('popstate', onPop);
    };
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
            if (!mayLeave()) return;
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
        <ProgramScreen key={`${program}:${location.get('restore') ?? ''}`} programKey={program} view={view} restoreVersion={location.get('restore') ? Number(location.get('restore')) : null} />
      ) : (
        <ProgramList />
      )}
    </>
  );
}
