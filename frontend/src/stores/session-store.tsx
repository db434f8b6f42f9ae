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
  /**
   * eventSeq is the organisation's last event when the session was read,
   * before any page loaded its data: the live stream starts after it, so
   * no change made while the pages load is missed. Null while unknown.
   */
  eventSeq: number | null;
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
  eventSeq: number | null;
}

const ANONYMOUS: State = { status: 'anonymous', user: null, organisation: null, eventSeq: null };

function authenticated(s: Session): State {
  return { status: 'authenticated', user: s.user, organisation: s.organisation, eventSeq: s.event_seq ?? null };
}

/**
 * SessionProvider asks GET /auth/me on load and holds the logged-in user and
 * organisation; any 401 answer afterwards means the session ended.
 */
export function SessionProvider({ children, initial }: { children: ReactNode; initial?: Session | null }) {
  const [state, setState] = useState<State>(() =>
    initial === undefined
      ? { status: 'loading', user: null, organisation: null, eventSeq: null }
      : initial === null
        ? ANONYMOUS
        : authenticated(initial),
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
        setState(authenticated(s));
        adoptUserLocale(s.user);
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        if (isApiError(err) && err.status === 401) {
          setState(ANONYMOUS);
        } else {
          setState({ ...ANONYMOUS, status: 'error' });
        }
      });
    return () => ctrl.abort();
  }, [initial, reloadKey, adoptUserLocale]);

  useEffect(
    () =>
      onUnauthorized(() => {
        setState((s) => (s.status === 'authenticated' ? ANONYMOUS : s));
      }),
    [],
  );

  const signIn = useCallback(
    (s: Session) => {
      setState(authenticated(s));
      adoptUserLocale(s.user);
    },
    [adoptUserLocale],
  );
  const signOut = useCallback(() => setState(ANONYMOUS), []);
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
