import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useRealtimeStatus } from '../../stores/realtime-store';

/** A connection that comes back within this long is not worth mentioning. */
export const RECONNECTING_NOTICE_MS = 1500;

/**
 * LiveStatus says whether the page gets live updates: a small green dot
 * while it does, "Reconnecting…" when the connection has been down for a
 * moment. It is a status region, so screen readers hear the changes.
 */
export function LiveStatus() {
  const { t } = useTranslation();
  const status = useRealtimeStatus();
  const down = status !== null && status !== 'live';
  const [longDown, setLongDown] = useState(false);

  useEffect(() => {
    setLongDown(false);
    if (!down) return;
    const id = window.setTimeout(() => setLongDown(true), RECONNECTING_NOTICE_MS);
    return () => window.clearTimeout(id);
  }, [down]);

  if (status === null) return null;
  return (
    <span role="status" className={down && longDown ? 'live-status live-status--down' : 'live-status'}>
      {status === 'live' && (
        <span className="live-status__dot" title={t('live.on')}>
          <span className="visually-hidden">{t('live.on')}</span>
        </span>
      )}
      {down && longDown && (
        <>
          <span className="live-status__spinner" aria-hidden="true" />
          {t('live.reconnecting')}
        </>
      )}
    </span>
  );
}
