import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorDetail } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import type { PhoneCall } from '../../../lib/phone-client';
import { useSession } from '../../../stores/session-store';
import { useSoftphone } from '../softphone-provider';
// Rules engine (issue 5): the after-call outcome form of the objective funnel.
import { AfterCallPrompt } from '../../rules/components/after-call-prompt';
import '../softphone.css';
import { ActiveCall } from './active-call';
import { AudioSettings, canChooseOutput } from './audio-settings';
import { DemoCallIn } from './demo-line';
import { DialPad } from './dial-pad';
import { IncomingCall } from './incoming-call';

const EXPANDED_KEY = 'warmline.softphone.expanded';
const INPUT_KEY = 'warmline.softphone.input';
const OUTPUT_KEY = 'warmline.softphone.output';

/**
 * currentCall is the call the panel shows: one being talked on or dialled
 * first, then one ringing, then the last one that ended.
 */
export function currentCall(calls: readonly PhoneCall[]): PhoneCall | null {
  return (
    calls.find((c) => c.state === 'active' || c.state === 'early' || c.state === 'dialing') ??
    calls.find((c) => c.state === 'ringing') ??
    [...calls].reverse().find((c) => c.state === 'ended') ??
    null
  );
}

function stored(key: string, fallback: string): string {
  try {
    return window.localStorage.getItem(key) ?? fallback;
  } catch {
    return fallback;
  }
}

function store(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // private mode: not remembered
  }
}

/**
 * SoftphoneDock is the softphone every logged-in user has, docked in the
 * corner of every page: on/off, status, the dial pad, the current call,
 * the devices, the pop-up of a ringing call and the audio of the leg.
 */
export function SoftphoneDock() {
  const { t } = useTranslation();
  const toast = useToast();
  const softphone = useSoftphone();
  const { user, organisation } = useSession();
  const [expanded, setExpanded] = useState(() => stored(EXPANDED_KEY, '1') === '1');
  const [number, setNumber] = useState('');
  const [tones, setTones] = useState<{ callId: number; digits: string }>({ callId: 0, digits: '' });
  const [inputId, setInputId] = useState(() => stored(INPUT_KEY, ''));
  const [outputId, setOutputId] = useState(() => stored(OUTPUT_KEY, ''));
  const audioRef = useRef<HTMLAudioElement>(null);

  const snapshot = softphone?.snapshot;
  const remote = snapshot?.remoteStream ?? null;
  useEffect(() => {
    const el = audioRef.current;
    if (!el || el.srcObject === remote) return;
    el.srcObject = remote;
    if (remote) void el.play?.()?.catch(() => undefined);
  }, [remote]);
  useEffect(() => {
    const el = audioRef.current as (HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    if (!el || !canChooseOutput() || !el.setSinkId) return;
    el.setSinkId(outputId).catch(() => {
      // The speaker went away: back to the default one.
      setOutputId('');
    });
  }, [outputId]);

  // A new call opens the panel.
  const calls = snapshot?.calls ?? [];
  const liveIds = calls.filter((c) => c.state !== 'ended').map((c) => c.id).join(',');
  useEffect(() => {
    if (liveIds) setExpanded(true);
  }, [liveIds]);

  if (!softphone || !snapshot || !user) return null;
  const { phone, turnOn, turnOff, call } = softphone;
  const on = snapshot.state !== 'off' && snapshot.state !== 'error';
  const current = currentCall(calls);
  const ringing = calls.filter((c) => c.state === 'ringing');
  const popup = ringing[0] ?? null;
  const inCall = current !== null && (current.state === 'active' || current.state === 'early');
  const demo = (organisation as { demo_line?: boolean } | null)?.demo_line === true || snapshot.config?.demo === true;
  const sentTones = current && tones.callId === current.id ? tones.digits : '';

  const toggle = () => {
    if (on) {
      turnOff();
      return;
    }
    void phone.setInputDevice(inputId);
    void turnOn();
  };
  const dial = () => {
    const to = number.trim();
    call(to).then(
      () => setNumber(''),
      (err: unknown) => toast.show(`${t('phone.commandFailed')} ${errorDetail(err)}`.trim(), 'error'),
    );
  };
  const tone = (digit: string) => {
    if (!current) return;
    setTones((old) => ({ callId: current.id, digits: (old.callId === current.id ? old.digits : '') + digit }));
    phone.dtmf(current.id, digit).catch((err: unknown) => toast.show(`${t('phone.commandFailed')} ${errorDetail(err)}`.trim(), 'error'));
  };

  const stateLabel = t(`phone.state.${snapshot.state}`);
  const problem = snapshot.problem ? t(`phone.problem.${snapshot.problem}`) : '';
  return (
    <aside
      className={`softphone softphone--${snapshot.state}${expanded ? ' softphone--expanded' : ''}`}
      data-testid="softphone"
      data-state={snapshot.state}
      aria-label={t('phone.title')}
    >
      {popup && <IncomingCall key={popup.id} call={popup} others={ringing.length - 1} />}
      <div className="softphone__bar">
        <span className="softphone__status" role="status" title={on ? undefined : t('phone.offHint')}>
          <span className="softphone__dot" aria-hidden="true" />
          <span className="softphone__title">{t('phone.title')}</span>
          <span className="softphone__state">{stateLabel}</span>
        </span>
        {demo && (
          <span className="softphone__demo" title={t('phone.demo.hint')}>
            {t('phone.demo.badge')}
          </span>
        )}
        <button
          type="button"
          role="switch"
          aria-checked={on}
          className={`softphone__toggle${on ? ' softphone__toggle--on' : ''}`}
          data-testid="softphone-toggle"
          onClick={toggle}
          aria-label={on ? t('phone.turnOff') : t('phone.turnOn')}
        >
          <span className="softphone__knob" aria-hidden="true" />
        </button>
        {(on || current) && (
          <button
            type="button"
            className="btn btn--ghost btn--icon softphone__expand"
            aria-expanded={expanded}
            aria-label={expanded ? t('phone.collapse') : t('phone.expand')}
            onClick={() => {
              setExpanded(!expanded);
              store(EXPANDED_KEY, expanded ? '0' : '1');
            }}
          >
            {expanded ? '▾' : '▴'}
          </button>
        )}
      </div>
      {problem && (
        <p className={`softphone__problem softphone__problem--${snapshot.state}`} role="alert">
          {problem}
        </p>
      )}
      {/* Rules engine (issue 5): after a call with a new client, its outcome in one keystroke. */}
      <AfterCallPrompt calls={calls} />
      {expanded && (on || current) && (
        <div className="softphone__body">
          {current && <ActiveCall call={current} myId={user.id} />}
          {on && (
            <DialPad
              value={number}
              onChange={setNumber}
              inCall={inCall}
              onTone={tone}
              onCall={dial}
              sentTones={sentTones}
              disabled={snapshot.state !== 'ready' && !inCall}
              keyboard={on}
            />
          )}
          {on && (
            <details className="softphone__devices">
              <summary>{t('phone.devices.title')}</summary>
              <AudioSettings
                stream={snapshot.localStream}
                inputId={inputId}
                outputId={outputId}
                onInput={(id) => {
                  setInputId(id);
                  store(INPUT_KEY, id);
                  phone.setInputDevice(id).catch((err: unknown) => toast.show(`${t('phone.devices.failed')} ${errorDetail(err)}`.trim(), 'error'));
                }}
                onOutput={(id) => {
                  setOutputId(id);
                  store(OUTPUT_KEY, id);
                }}
              />
            </details>
          )}
          {demo && on && <DemoCallIn disabled={snapshot.state !== 'ready'} />}
        </div>
      )}
      <audio ref={audioRef} autoPlay data-testid="softphone-remote-audio" />
    </aside>
  );
}
