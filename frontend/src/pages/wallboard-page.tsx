import { useCallback, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/ui/error-alert';
import { ForbiddenPage } from '../components/ui/forbidden-notice';
import { LiveStatus } from '../components/ui/live-status';
import { Loading } from '../components/ui/loading';
import { AgentBoard } from '../features/wallboard/components/agent-board';
import { CallsPanel } from '../features/wallboard/components/calls-panel';
import { FunnelTable, WINDOW_DAYS } from '../features/wallboard/components/funnel-table';
import { useCallsReport } from '../features/wallboard/hooks/use-calls-report';
import { useFunnelReport } from '../features/wallboard/hooks/use-funnel-report';
import { useNow } from '../features/wallboard/hooks/use-now';
import { usePresenceList } from '../features/wallboard/hooks/use-presence-list';
import { canAct } from '../lib/types';
import { useDocumentTitle } from '../lib/use-document-title';
import { useSearchParam } from '../lib/use-search-param';
import { useSession } from '../stores/session-store';

const DEFAULT_DAYS = 30;

/** WallboardPage is the supervisors' live overview: agents by state, the funnel, calls and plans. */
export function WallboardPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  useDocumentTitle(t('wallboard.title'));
  if (!canAct(user?.role, 'supervisor')) return <ForbiddenPage title={t('wallboard.title')} needed="supervisor" />;
  return <Wallboard />;
}

function Wallboard() {
  const { t, i18n } = useTranslation();
  const { organisation } = useSession();
  const [params, setParam] = useSearchParam();
  const tv = params.get('tv') === '1';
  const daysParam = Number(params.get('days'));
  const days = (WINDOW_DAYS as readonly number[]).includes(daysParam) ? daysParam : DEFAULT_DAYS;
  const now = useNow(1000);
  const presence = usePresenceList();
  const funnel = useFunnelReport(days);
  const calls = useCallsReport();
  const enteredFullscreen = useRef(false);

  const enterTv = () => {
    setParam('tv', '1');
    const el = document.documentElement;
    if (el.requestFullscreen && !document.fullscreenElement) {
      el.requestFullscreen().then(
        () => {
          enteredFullscreen.current = true;
        },
        () => undefined, // not allowed here: TV mode works in the window
      );
    }
  };

  const exitTv = useCallback(() => {
    setParam('tv', null);
    if (document.fullscreenElement && document.exitFullscreen) void document.exitFullscreen().catch(() => undefined);
    enteredFullscreen.current = false;
  }, [setParam]);

  // Leaving full screen (Esc) leaves the TV mode it was entered with.
  useEffect(() => {
    const onChange = () => {
      if (!document.fullscreenElement && enteredFullscreen.current) {
        enteredFullscreen.current = false;
        setParam('tv', null);
      }
    };
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, [setParam]);

  // A TV must not fall asleep.
  useEffect(() => {
    if (!tv) return;
    let lock: { release(): Promise<void> } | null = null;
    let gone = false;
    const wakeLock = (navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<{ release(): Promise<void> }> } }).wakeLock;
    const take = () => {
      if (!wakeLock || document.visibilityState !== 'visible') return;
      wakeLock.request('screen').then(
        (l) => {
          if (gone) void l.release().catch(() => undefined);
          else lock = l;
        },
        () => undefined,
      );
    };
    take();
    document.addEventListener('visibilitychange', take);
    return () => {
      gone = true;
      document.removeEventListener('visibilitychange', take);
      void lock?.release().catch(() => undefined);
    };
  }, [tv]);

  const clock = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' }).format(now);

  return (
    <div className={tv ? 'wallboard wallboard--tv' : 'page page--wide wallboard'}>
      <div className="wallboard__top">
        <div className="wallboard__title">
          <h1 className="page__title">{t('wallboard.title')}</h1>
          {tv && organisation && <span className="wallboard__org">{organisation.name}</span>}
          {!tv && <p className="page__subtitle muted">{t('wallboard.help')}</p>}
        </div>
        <div className="wallboard__actions">
          {tv && <LiveStatus />}
          {tv && (
            <time className="wallboard__clock" dateTime={new Date(now).toISOString()}>
              {clock}
            </time>
          )}
          {tv ? (
            <button type="button" className="btn btn--ghost btn--small wallboard__exit" onClick={exitTv}>
              {t('wallboard.exitTv')}
            </button>
          ) : (
            <button type="button" className="btn btn--secondary" onClick={enterTv}>
              {t('wallboard.tvMode')}
            </button>
          )}
        </div>
      </div>
      {/* Errors of a quiet refetch keep the last figures on screen. */}
      {!presence.data && <ErrorAlert error={presence.error} />}
      {presence.loading && !presence.data ? <Loading /> : <AgentBoard items={presence.data ?? []} now={now} />}
      <div className="wallboard__grid">
        <div>
          {!funnel.data && <ErrorAlert error={funnel.error} />}
          {funnel.loading && !funnel.data ? (
            <Loading />
          ) : (
            <FunnelTable report={funnel.data} days={days} onDaysChange={tv ? undefined : (d) => setParam('days', d === DEFAULT_DAYS ? null : String(d))} />
          )}
        </div>
        <CallsPanel report={calls.data ?? null} error={calls.error} now={now} />
      </div>
    </div>
  );
}
