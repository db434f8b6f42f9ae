import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PhoneClient, phoneUrl, type PhoneCall, type PhoneSnapshot } from '../../lib/phone-client';
import type { ClientID } from '../../lib/types';
import { useLiveEvents } from '../../stores/realtime-store';
import { useSession } from '../../stores/session-store';
import { setMyState } from '../presence/api/presence-api';
import { TonePlayer, type ToneName } from './tones';

export interface SoftphoneContextValue {
  phone: PhoneClient;
  snapshot: PhoneSnapshot;
  /** turnOn takes the microphone, connects the leg and makes the agent available. */
  turnOn: () => Promise<void>;
  /** turnOff ends the leg (and any call on it) and makes the agent offline. */
  turnOff: () => void;
  /** call is click-to-call: this softphone rings first, then to. Turns the softphone on when it is off. */
  call: (to: string, clientId?: ClientID | null) => Promise<void>;
  /** startedAt is when this tab saw the call start talking (Date.now()), for its timer. */
  startedAt: (callId: number) => number | null;
}

const SoftphoneContext = createContext<SoftphoneContextValue | null>(null);

/** useSoftphone is the tab's softphone, null outside a SoftphoneProvider. */
export function useSoftphone(): SoftphoneContextValue | null {
  return useContext(SoftphoneContext);
}

/** browserPhoneClient wires a PhoneClient to the browser's WebSocket, WebRTC and microphone. */
export function browserPhoneClient(): PhoneClient {
  return new PhoneClient({
    url: phoneUrl(window.location),
    WebSocket: window.WebSocket,
    createPeer: (config) => new RTCPeerConnection(config),
    getUserMedia: (constraints) =>
      navigator.mediaDevices?.getUserMedia
        ? navigator.mediaDevices.getUserMedia(constraints)
        : Promise.reject(new TypeError('getUserMedia is not available (an insecure page or an old browser)')),
    audioCodecs: () => (typeof RTCRtpReceiver !== 'undefined' ? RTCRtpReceiver.getCapabilities?.('audio')?.codecs : undefined),
    wrapTrack: (track) => new MediaStream([track]),
    log: import.meta.env.DEV ? (m, d) => console.debug(m, d ?? '') : undefined,
  });
}

/** toneFor says what the agent should hear from the softphone itself. */
export function toneFor(calls: readonly PhoneCall[]): ToneName | null {
  if (calls.some((c) => c.state === 'ringing')) return 'ring';
  if (calls.some((c) => c.state === 'dialing')) return 'ringback';
  return null;
}

const ON_KEY = 'warmline.softphone.on';

function wasOn(): boolean {
  try {
    return window.localStorage.getItem(ON_KEY) === '1';
  } catch {
    return false;
  }
}

function remember(on: boolean): void {
  try {
    if (on) window.localStorage.setItem(ON_KEY, '1');
    else window.localStorage.removeItem(ON_KEY);
  } catch {
    // private mode: not remembered
  }
}

/** askToNotify asks, once, to show ringing calls while the tab is in the background. */
function askToNotify(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  void Notification.requestPermission().catch(() => undefined);
}

/** useRingingNotification shows a notification for each call that starts ringing while the tab is hidden, closed when it stops. */
function useRingingNotification(calls: readonly PhoneCall[]): void {
  const { t } = useTranslation();
  const shown = useRef(new Map<number, Notification>());
  const ringing = calls.filter((c) => c.state === 'ringing');
  const key = ringing.map((c) => c.id).join(',');
  useEffect(() => {
    const ids = new Set(ringing.map((c) => c.id));
    for (const [id, n] of shown.current) {
      if (!ids.has(id)) {
        n.close();
        shown.current.delete(id);
      }
    }
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || document.visibilityState !== 'hidden') return;
    for (const c of ringing) {
      if (shown.current.has(c.id)) continue;
      const who = c.client_name || (c.direction === 'inbound' ? c.from : c.to) || t('phone.unknownCaller');
      const n = new Notification(c.direction === 'inbound' ? t('phone.incoming.title') : t('phone.incoming.clickToCall'), {
        body: who,
        tag: `warmline-call-${c.id}`,
        requireInteraction: true,
      });
      n.onclick = () => {
        window.focus();
        n.close();
      };
      shown.current.set(c.id, n);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, t]);
}

interface SoftphoneProviderProps {
  children: ReactNode;
  /** Makes the phone client; the browser's by default. */
  createClient?: () => PhoneClient;
  tones?: TonePlayer;
}

/**
 * SoftphoneProvider owns the tab's one PhoneClient while a user is logged
 * in: the leg, the ring and ringback tones, the agent's availability as the
 * softphone goes on and off, and the organisation's auto-answer setting
 * kept current.
 */
export function SoftphoneProvider({ children, createClient = browserPhoneClient, tones }: SoftphoneProviderProps) {
  const { user } = useSession();
  const userId = user?.id ?? null;
  const [phone, setPhone] = useState<PhoneClient>(() => createClient());
  const createRef = useRef(createClient);
  createRef.current = createClient;
  const tonesRef = useRef<TonePlayer | null>(tones ?? null);
  if (!tonesRef.current) tonesRef.current = new TonePlayer();
  const player = tonesRef.current;

  // A new login gets a fresh phone; logging out turns the old one off.
  const firstUser = useRef(userId);
  useEffect(() => {
    if (firstUser.current === userId) return;
    firstUser.current = userId;
    setPhone(createRef.current());
  }, [userId]);
  useEffect(() => () => phone.stop(), [phone]);
  useEffect(() => () => player.close(), [player]);

  const snapshot = useSyncExternalStore(phone.subscribe, phone.getSnapshot);

  const tone = toneFor(snapshot.calls);
  useEffect(() => {
    player.play(tone);
  }, [player, tone]);

  // Talking since: seen here, so a skewed server clock cannot make a timer jump.
  const started = useRef(new Map<number, number>());
  for (const c of snapshot.calls) {
    if ((c.state === 'active' || c.state === 'early') && !started.current.has(c.id)) started.current.set(c.id, Date.now());
  }
  useEffect(() => {
    const live = new Set(snapshot.calls.map((c) => c.id));
    for (const id of [...started.current.keys()]) if (!live.has(id)) started.current.delete(id);
  }, [snapshot.calls]);
  const startedAt = useCallback((id: number) => started.current.get(id) ?? null, []);

  useLiveEvents(['organisation.updated'], (m) => {
    const seconds = (m.data as { auto_answer_seconds?: unknown }).auto_answer_seconds;
    if (typeof seconds === 'number') phone.setAutoAnswerSeconds(seconds);
  });

  const turnOn = useCallback(async () => {
    player.unlock();
    askToNotify();
    await phone.start();
    if (phone.getSnapshot().state === 'error') return;
    remember(true);
    setMyState('available').catch((err: unknown) => console.warn('softphone: cannot set available', err));
  }, [phone, player]);

  const turnOff = useCallback(() => {
    phone.stop();
    remember(false);
    setMyState('offline').catch((err: unknown) => console.warn('softphone: cannot set offline', err));
  }, [phone]);

  // A reload must not leave an agent who was taking calls with a dead phone:
  // a softphone that was on comes back on (the microphone permission is
  // kept by the browser), and the first click anywhere unlocks the ring.
  useEffect(() => {
    if (userId === null || !wasOn()) return;
    void phone.start();
    const unlock = () => player.unlock();
    document.addEventListener('pointerdown', unlock, { once: true });
    document.addEventListener('keydown', unlock, { once: true });
    return () => {
      document.removeEventListener('pointerdown', unlock);
      document.removeEventListener('keydown', unlock);
    };
  }, [phone, player, userId]);

  // A call ringing while the tab is in the background also shows a system notification.
  useRingingNotification(snapshot.calls);

  const call = useCallback(
    async (to: string, clientId?: ClientID | null) => {
      if (phone.getSnapshot().state === 'off' || phone.getSnapshot().state === 'error') await turnOn();
      if (phone.getSnapshot().state === 'error') return;
      await phone.dial(to, clientId);
    },
    [phone, turnOn],
  );

  const value = useMemo(
    () => ({ phone, snapshot, turnOn, turnOff, call, startedAt }),
    [phone, snapshot, turnOn, turnOff, call, startedAt],
  );
  return <SoftphoneContext.Provider value={value}>{children}</SoftphoneContext.Provider>;
}
