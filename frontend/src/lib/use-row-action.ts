import { useCallback, useState } from 'react';

/**
 * useRowAction runs a list's row actions (delete, turn off, resend): busy
 * names the row whose action is running, and a failure is kept in error
 * for the list to show.
 */
export function useRowAction<K>() {
  const [busy, setBusy] = useState<K | null>(null);
  const [error, setError] = useState<unknown>(null);

  const act = useCallback(async (key: K, action: () => Promise<void>) => {
    setError(null);
    setBusy(key);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }, []);

  return { busy, error, act };
}
