import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { isAbortError } from './api-client';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** reload fetches again; the old data stays shown meanwhile. */
  reload: () => void;
  /**
   * refresh fetches again without showing it (loading stays false): for
   * live updates, which must not make a page flicker.
   */
  refresh: () => void;
  /** setData changes the data in place, e.g. after a successful write. */
  setData: (update: T | ((old: T | undefined) => T)) => void;
}

export interface ResourceOptions<T> {
  /**
   * merge combines an answer with what is shown when it arrives. Data that
   * live events change in place needs it: an answer read before an event
   * was applied (a refetch racing a change) must not put the older state
   * back. Without it, the answer replaces what is shown.
   */
  merge?: (answer: T, shown: T | undefined) => T;
}

/**
 * useResource runs load whenever deps change, cancels the previous run and
 * keeps only the newest answer.
 */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  options: ResourceOptions<T> = {},
): Resource<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const mergeRef = useRef(options.merge);
  mergeRef.current = options.merge;
  const silentNext = useRef(false);

  useEffect(() => {
    const ctrl = new AbortController();
    const silent = silentNext.current;
    silentNext.current = false;
    if (!silent) setLoading(true);
    loadRef
      .current(ctrl.signal)
      .then((value) => {
        if (ctrl.signal.aborted) return;
        const merge = mergeRef.current;
        setDataState((shown) => (merge ? merge(value, shown) : value));
        setError(null);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted || isAbortError(err)) return;
        setError(err);
        setLoading(false);
      });
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => {
    silentNext.current = false;
    setTick((n) => n + 1);
  }, []);
  const refresh = useCallback(() => {
    silentNext.current = true;
    setTick((n) => n + 1);
  }, []);
  const setData = useCallback((update: T | ((old: T | undefined) => T)) => {
    setDataState((old) => (typeof update === 'function' ? (update as (o: T | undefined) => T)(old) : update));
  }, []);

  return { data, error, loading, reload, refresh, setData };
}
