import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/**
 * useSearchParam reads the URL's query and gives a setter for one key that
 * keeps the others: null removes the key. It replaces the history entry, so
 * Back leaves the page rather than stepping through its filters.
 */
export function useSearchParam() {
  const [params, setParams] = useSearchParams();
  const setParam = useCallback(
    (key: string, value: string | null) =>
      setParams(
        (old) => {
          const next = new URLSearchParams(old);
          if (value === null) next.delete(key);
          else next.set(key, value);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [params, setParam] as const;
}
