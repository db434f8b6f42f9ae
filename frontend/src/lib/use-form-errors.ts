import { useCallback, useState } from 'react';
import { isApiError } from './api-client';

/**
 * useFormErrors keeps per-field messages and one form-level error. An API
 * error that names one of the form's fields goes next to that field. It
 * also keeps whether the form is being sent (run).
 */
export function useFormErrors<F extends string>(fields: readonly F[]) {
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<F, string>>>({});
  const [formError, setFormError] = useState<unknown>(null);

  const clear = useCallback(() => {
    setFieldErrors({});
    setFormError(null);
  }, []);

  const fromError = useCallback(
    (err: unknown) => {
      if (isApiError(err) && err.field && (fields as readonly string[]).includes(err.field)) {
        setFieldErrors({ [err.field]: err.message } as Partial<Record<F, string>>);
        setFormError(null);
      } else {
        setFieldErrors({});
        setFormError(err);
      }
    },
    [fields],
  );

  const [pending, setPending] = useState(false);

  /**
   * run sends the form: pending is true until action settles, and its error
   * goes to the field it names or to the form. mapError may first reword
   * the error (say, a server field name onto the form's).
   */
  const run = useCallback(
    async (action: () => Promise<void>, mapError: (err: unknown) => unknown = (err) => err) => {
      setPending(true);
      try {
        await action();
      } catch (err) {
        fromError(mapError(err));
      } finally {
        setPending(false);
      }
    },
    [fromError],
  );

  return { fieldErrors, setFieldErrors, formError, clear, fromError, pending, run };
}
