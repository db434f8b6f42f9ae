import { useCallback, useState } from 'react';
import { isApiError } from './api-client';

/**
 * useFormErrors keeps per-field messages and one form-level error. An API
 * error that names one of the form's fields goes next to that field.
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

  return { fieldErrors, setFieldErrors, formError, clear, fromError };
}
