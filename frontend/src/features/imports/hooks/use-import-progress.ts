import { useEffect, useState } from 'react';
import { isAbortError } from '../../../lib/api-client';
import type { Import } from '../../../lib/types';
import { fetchImport } from '../api/imports-api';

export const IMPORT_POLL_MS = 500;

/** useImportProgress polls a running import every half second until it is done or failed. */
export function useImportProgress(started: Import | null) {
  const [current, setCurrent] = useState<Import | null>(started);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    setCurrent(started);
    setError(null);
    if (!started || started.status !== 'running') return;
    const ctrl = new AbortController();
    let timer = 0;
    const poll = () => {
      timer = window.setTimeout(async () => {
        try {
          const next = await fetchImport(started.id, ctrl.signal);
          if (ctrl.signal.aborted) return;
          setCurrent(next);
          if (next.status === 'running') poll();
        } catch (err) {
          if (ctrl.signal.aborted || isAbortError(err)) return;
          setError(err);
          poll(); // keep trying: the import goes on on the server
        }
      }, IMPORT_POLL_MS);
    };
    poll();
    return () => {
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [started]);

  return { current, error };
}
