import { useTranslation } from 'react-i18next';
import { isApiError } from '../../lib/api-client';

/** errorTitle is the translated one-line summary of an error. */
export function useErrorTitle() {
  const { t } = useTranslation();
  return (err: unknown): string => {
    if (isApiError(err)) {
      return t(`errors.${err.code}`, { defaultValue: t('errors.unknown') });
    }
    return t('errors.unknown');
  };
}

/** errorDetail is the server's own message when it says more than the summary. */
export function errorDetail(err: unknown): string {
  if (!isApiError(err)) return err instanceof Error ? err.message : '';
  if (err.code === 'network' || err.code === 'internal') return '';
  return err.message;
}

interface ErrorAlertProps {
  error: unknown;
  /** A title to use instead of the one derived from the error code. */
  title?: string;
  className?: string;
}

/** ErrorAlert announces an error: a translated summary and the API's message. */
export function ErrorAlert({ error, title, className }: ErrorAlertProps) {
  const errorTitle = useErrorTitle();
  if (!error) return null;
  const detail = errorDetail(error);
  const heading = title ?? errorTitle(error);
  return (
    <div className={['alert alert--error', className ?? ''].join(' ')} role="alert">
      <strong className="alert__title">{heading}</strong>
      {detail && detail !== heading && <span className="alert__detail">{detail}</span>}
    </div>
  );
}
