import i18n from 'i18next';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { isApiError, onUnauthorized, request } from '../lib/api-client';
import { isLocale, rememberLocale } from '../lib/locale';
import type { Locale, Organisation, Session, User } from '../lib/types';

export type SessionStatus = 'loading' | 'anonymous' | 'authenticated' | 'error';

export interface SessionContextValue {
  status: SessionStatus;
  user: User | null;
  organisation: Organisation | null;
  /** signIn stores the session answered by signup or login. */
  signIn: (session: Session) => void;
  /** signOut forgets the session locally (the caller ends it on the server). */
  signOut: () => void;
  setUser: (user: User) => void;
  setOrganisation: (org: Organisation) => void;
  /** changeLocale switches the UI language, remembers it here and saves it to the user when logged in. */
  changeLocale: (locale: Locale) => Promise<void>;
  /** reload asks the server who is logged in. */
  reload: () => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

interface State {
  status: SessionStatus;
  user: User | null;
  organisation: Organisation | null;
}

/**
 * SessionProvider asks GET /auth/me on load and holds the logged-in user and
 * organisation; any 401 answer afterwards means the session ended.
 */
export function SessionProvider({ children, initial }: { children: ReactNode; initial?: Session | null }) {
  const [state, setState] = useState<State>(() =>
    initial === undefined
      ? { status: 'loading', user: null, organisation: null }
      : initial === null
        ? { status: 'anonymous', user: null, organisation: null }
        : { status: 'authenticated', user: initial.user, organisation: initial.organisation },
  );
  // A language picked before logging in is newer than the one saved on the user.
  const localeChosenWhileAnonymous = useRef(false);
  const [reloadKey, setReloadKey] = useState(0);

  const adoptUserLocale = useCallback((user: User) => {
    const current = i18n.language;
    if (localeChosenWhileAnonymous.current) {
      localeChosenWhileAnonymous.current = false;
      if (isLocale(current) && current !== user.locale) {
        request<User>('/auth/me', { method: 'PATCH', body: { locale: current } }).catch(() => undefined);
      }
      return;
    }
    if (isLocale(user.locale) && user.locale !== current) {
      rememberLocale(user.locale);
      void i18n.changeLanguage(user.locale);
    }
  }, []);

  useEffect(() => {
    if (initial !== undefined && reloadKey === 0) return;
    const ctrl = new AbortController();
    request<Session>('/auth/me', { signal: ctrl.signal })
      .then((s) => {
        setState({ status: 'authenticated', user: s.user, organisation: s.organisation });
        adoptUserLocale(s.user);
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        if (isApiError(err) && err.status === 401) {
          setState({ status: 'anonymous', user: null, organisation: null });
        } else {
          setState({ status: 'error', user: null, organisation: null });
        }
      });
    return () => ctrl.abort();
  }, [initial, reloadKey, adoptUserLocale]);

  useEffect(
    () =>
      onUnauthorized(() => {
        setState((s) => (s.status === 'authenticated' ? { status: 'anonymous', user: null, organisation: null } : s));
      }),
    [],
  );

  const signIn = useCallback(
    (s: Session) => {
      setState({ status: 'authenticated', user: s.user, organisation: s.organisation });
      adoptUserLocale(s.user);
    },
    [adoptUserLocale],
  );
  const signOut = useCallback(() => setState({ status: 'anonymous', user: null, organisation: null }), []);
  const setUser = useCallback((user: User) => setState((s) => ({ ...s, user })), []);
  const setOrganisation = useCallback((organisation: Organisation) => setState((s) => ({ ...s, organisation })), []);
  const reload = useCallback(() => {
    setState((s) => ({ ...s, status: 'loading' }));
    setReloadKey((k) => k + 1);
  }, []);

  const user = state.user;
  const changeLocale = useCallback(
    async (locale: Locale) => {
      rememberLocale(locale);
      await i18n.changeLanguage(locale);
      if (!user) {
        localeChosenWhileAnonymous.current = true;
        return;
      }
      try {
        const updated = await request<User>('/auth/me', { method: 'PATCH', body: { locale } });
        setState((s) => ({ ...s, user: updated }));
      } catch {
        // The language is switched here anyway; it is saved again at the next change.
      }
    },
    [user],
  );

  const value = useMemo<SessionContextValue>(
    () => ({ ...state, signIn, signOut, setUser, setOrganisation, changeLocale, reload }),
    [state, signIn, signOut, setUser, setOrganisation, changeLocale, reload],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession must be used inside <SessionProvider>');
  return ctx;
}

/** useCurrentUser returns the logged-in user; only for pages behind the login guard. */
export function useCurrentUser(): User {
  const { user } = useSession();
  if (!user) throw new Error('useCurrentUser needs a logged-in user');
  return user;
}
