// The browser side of docs/phone-protocol.md: the softphone's one WebSocket
// to /ws/phone and its one RTCPeerConnection to the gateway (the persistent
// agent leg), the calls on it and the commands the agent gives. No React
// here; the socket, the peer connection, the microphone and the clock are
// injected so that tests can drive it with fakes.
import type { ClientID, UserID } from './types';
import type { SocketConstructor, SocketLike } from './realtime-client';

/**
 * PhoneState is the softphone's state as the panel shows it: 'off';
 * 'connecting' until the leg is up; 'ready' while it is; 'reconnecting'
 * after losing it (it comes back by itself); 'error' when it cannot work
 * without the user (no microphone, session ended).
 */
export type PhoneState = 'off' | 'connecting' | 'ready' | 'reconnecting' | 'error';

/** PhoneProblem says why the softphone is in 'error' or 'reconnecting'. */
export type PhoneProblem =
  | 'mic_denied'
  | 'mic_missing'
  | 'mic_busy'
  | 'unsupported'
  | 'session_ended'
  | 'connection_lost'
  | 'leg_failed';

export type PhoneCallState = 'ringing' | 'dialing' | 'early' | 'active' | 'ended';
export const PHONE_CALL_STATES: readonly PhoneCallState[] = ['ringing', 'dialing', 'early', 'active', 'ended'];

/** PhoneCall is a call as the softphone sees it (the protocol's `call`). */
export interface PhoneCall {
  id: number;
  direction: 'inbound' | 'outbound';
  state: PhoneCallState;
  from: string;
  to: string;
  client_id: ClientID | null;
  client_name: string;
  created_at: string;
  answered_at: string | null;
  held: boolean;
  end_reason: string;
  hangup_side: 'agent' | 'client' | 'system' | null;
}

export interface PhoneIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** PhoneConfig is the server's first message. */
export interface PhoneConfig {
  ice_servers: PhoneIceServer[];
  auto_answer_seconds: number;
  demo: boolean;
}

/** PhoneSnapshot is everything the UI shows; a new object at every change. */
export interface PhoneSnapshot {
  state: PhoneState;
  problem: PhoneProblem | null;
  /** Calls on this softphone, oldest first; an ended call stays a few seconds. */
  calls: PhoneCall[];
  config: PhoneConfig | null;
  muted: boolean;
  localStream: MediaStream | null;
  remoteStream: MediaStream | null;
}

/** PhoneCommandError is a command the server refused (or could not get). */
export class PhoneCommandError extends Error {
  readonly code: string;
  readonly field: string;
  constructor(code: string, message: string, field = '') {
    super(message);
    this.name = 'PhoneCommandError';
    this.code = code;
    this.field = field;
  }
}

/** The parts of RTCPeerConnection the client uses. */
export interface PeerLike {
  readonly localDescription: { sdp: string } | null;
  readonly iceGatheringState: string;
  readonly connectionState: string;
  addTransceiver(
    track: MediaStreamTrack,
    init: { direction: 'sendrecv'; streams: MediaStream[] },
  ): {
    sender: { replaceTrack(track: MediaStreamTrack | null): Promise<void> };
    setCodecPreferences?: (codecs: RTCRtpCodec[]) => void;
  };
  createOffer(): Promise<RTCSessionDescriptionInit>;
  setLocalDescription(desc: RTCSessionDescriptionInit): Promise<void>;
  setRemoteDescription(desc: { type: 'answer'; sdp: string }): Promise<void>;
  addEventListener(type: 'track', listener: (e: { track: MediaStreamTrack; streams: readonly MediaStream[] }) => void): void;
  addEventListener(type: 'icegatheringstatechange' | 'connectionstatechange', listener: () => void): void;
  close(): void;
}

export interface PhoneClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface PhoneClientOptions {
  /** The socket's address, e.g. wss://crm.example/ws/phone (see phoneUrl). */
  url: string;
  WebSocket: SocketConstructor;
  /** Makes the leg's peer connection (new RTCPeerConnection in the browser). */
  createPeer: (config: { iceServers: PhoneIceServer[]; bundlePolicy: 'max-bundle' }) => PeerLike;
  /** navigator.mediaDevices.getUserMedia in the browser. */
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** The browser's audio codecs (RTCRtpReceiver.getCapabilities('audio')?.codecs); absent: no preference set. */
  audioCodecs?: () => RTCRtpCodec[] | undefined;
  /** Makes a MediaStream of a remote track that came without one. */
  wrapTrack?: (track: MediaStreamTrack) => MediaStream;
  clock?: PhoneClock;
  random?: () => number;
  /** First retry after about this long (half to all of it). Default 500 ms. */
  initialDelayMs?: number;
  /** Retries wait at most this long: a call survives a reconnect of 10 s. Default 8 s. */
  maxDelayMs?: number;
  /** A leg up this long resets the backoff. Default 10 s. */
  stableAfterMs?: number;
  /** Keep-alive ping interval. Default 20 s. */
  pingEveryMs?: number;
  /** A ping unanswered this long means the socket is dead. Default 10 s. */
  pongTimeoutMs?: number;
  /** Offer what was gathered after this long even if ICE gathering did not complete. Default 5 s. */
  gatherTimeoutMs?: number;
  /** A command unanswered this long fails. Default 10 s. */
  commandTimeoutMs?: number;
  /** How long an ended call stays in the snapshot. Default 5 s. */
  endedLingerMs?: number;
  /** The device to capture from; "" or absent: the default one. */
  inputDeviceId?: string;
  log?: (message: string, detail?: unknown) => void;
}

/** CLOSE_SESSION_ENDED: the server closed because the session ended; reconnecting is pointless. */
const CLOSE_SESSION_ENDED = 4401;
const CLOSE_NO_ANSWER = 4000;
/** Codecs the gateway passes through (G.711) and DTMF (RFC 4733). */
const WANTED_CODECS = ['audio/pcmu', 'audio/pcma', 'audio/telephone-event'];
const DTMF_DIGITS = /^[0-9*#A-D]{1,32}$/;

/** phoneUrl is the /ws/phone address of the page's own origin. */
export function phoneUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/phone`;
}

const realClock: PhoneClock = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof globalThis.setTimeout>),
};

type Pending = { resolve: (callId: number | null) => void; reject: (err: PhoneCommandError) => void; timer: unknown };

/**
 * PhoneClient keeps the agent's leg while the softphone is on.
 *
 * - start() takes the microphone, opens the socket and, on the server's
 *   config, makes one peer connection with one sendrecv audio
 *   transceiver restricted to G.711 and telephone-event, gathers every
 *   candidate and sends the offer.
 * - A lost socket (or a failed leg) is retried with capped exponential
 *   backoff and jitter, and a new offer is made; the microphone is kept.
 * - Commands return a promise settled by the server's ack or error.
 * - Malformed or unknown frames are ignored.
 */
export class PhoneClient {
  private readonly o: Required<Omit<PhoneClientOptions, 'audioCodecs' | 'wrapTrack' | 'log' | 'inputDeviceId'>> &
    Pick<PhoneClientOptions, 'audioCodecs' | 'wrapTrack' | 'log' | 'inputDeviceId'>;
  private snap: PhoneSnapshot = {
    state: 'off',
    problem: null,
    calls: [],
    config: null,
    muted: false,
    localStream: null,
    remoteStream: null,
  };
  private readonly listeners = new Set<() => void>();
  private readonly readyWaiters = new Set<{ resolve: () => void; reject: (err: PhoneCommandError) => void }>();

  private on = false;
  /** Bumped at every new socket: async work of an older one is dropped. */
  private generation = 0;
  private socket: SocketLike | null = null;
  private socketOpen = false;
  private peer: PeerLike | null = null;
  private sender: { replaceTrack(track: MediaStreamTrack | null): Promise<void> } | null = null;
  private attempt = 0;
  private nextRef = 1;
  private readonly pending = new Map<string, Pending>();
  private autoAnswerSeconds: number | null = null;
  private readonly autoAnswerTimers = new Map<number, unknown>();
  private readonly lingerTimers = new Map<number, unknown>();

  private retryTimer: unknown = null;
  private stableTimer: unknown = null;
  private pingTimer: unknown = null;
  private pongTimer: unknown = null;

  constructor(options: PhoneClientOptions) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as PhoneClientOptions;
    this.o = {
      clock: realClock,
      random: Math.random,
      initialDelayMs: 500,
      maxDelayMs: 8_000,
      stableAfterMs: 10_000,
      pingEveryMs: 20_000,
      pongTimeoutMs: 10_000,
      gatherTimeoutMs: 5_000,
      commandTimeoutMs: 10_000,
      endedLingerMs: 5_000,
      ...given,
    };
  }

  // --- the store the UI reads (useSyncExternalStore) ---

  getSnapshot = (): PhoneSnapshot => this.snap;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  private update(patch: Partial<PhoneSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of [...this.listeners]) l();
    if (this.snap.state === 'ready') for (const w of [...this.readyWaiters]) w.resolve();
    if (this.snap.state === 'off' || this.snap.state === 'error') {
      const err = new PhoneCommandError('conflict', 'The softphone is off.');
      for (const w of [...this.readyWaiters]) w.reject(err);
    }
  }

  // --- on and off ---

  /** start turns the softphone on; it does nothing when it is on already. */
  async start(): Promise<void> {
    if (this.on) return;
    this.on = true;
    this.attempt = 0;
    this.update({ state: 'connecting', problem: null });
    if (!this.snap.localStream) {
      let stream: MediaStream;
      try {
        stream = await this.capture();
      } catch (err) {
        if (!this.on) return;
        this.log('no microphone', err);
        this.on = false;
        this.update({ state: 'error', problem: micProblem(err) });
        return;
      }
      if (!this.on) {
        stopStream(stream);
        return;
      }
      this.applyMute(stream, this.snap.muted);
      this.update({ localStream: stream });
    }
    this.connect();
  }

  /** stop turns the softphone off: the leg and any call on it end. */
  stop(): void {
    if (!this.on && this.snap.state !== 'error') return;
    this.on = false;
    this.generation++;
    this.clearTimers();
    const ws = this.socket;
    this.socket = null;
    this.socketOpen = false;
    ws?.close(1000, 'off');
    this.closePeer();
    this.failPending('conflict', 'The softphone is off.');
    for (const t of [...this.autoAnswerTimers.values(), ...this.lingerTimers.values()]) this.o.clock.clearTimeout(t);
    this.autoAnswerTimers.clear();
    this.lingerTimers.clear();
    if (this.snap.localStream) stopStream(this.snap.localStream);
    this.update({ state: 'off', problem: null, calls: [], localStream: null, remoteStream: null, muted: false });
  }

  /** ready resolves once the leg is up, and fails when the softphone goes off or into error. */
  ready(): Promise<void> {
    if (this.snap.state === 'ready') return Promise.resolve();
    if (!this.on) return Promise.reject(new PhoneCommandError('conflict', 'The softphone is off.'));
    return new Promise((resolve, reject) => {
      const w = {
        resolve: () => {
          this.readyWaiters.delete(w);
          resolve();
        },
        reject: (err: PhoneCommandError) => {
          this.readyWaiters.delete(w);
          reject(err);
        },
      };
      this.readyWaiters.add(w);
    });
  }

  // --- the connection ---

  private connect(): void {
    if (!this.on) return;
    this.retryTimer = null;
    const gen = ++this.generation;
    let ws: SocketLike;
    try {
      ws = new this.o.WebSocket(this.o.url);
    } catch (err) {
      this.log('cannot open the socket', err);
      this.lost('connection_lost');
      return;
    }
    this.socket = ws;
    this.socketOpen = false;
    ws.addEventListener('open', () => {
      if (gen !== this.generation) return;
      this.socketOpen = true;
      this.schedulePing();
    });
    ws.addEventListener('message', (event) => {
      if (gen === this.generation) this.receive(event.data, gen);
    });
    ws.addEventListener('close', (event) => {
      if (gen !== this.generation || !this.on) return;
      this.socket = null;
      this.socketOpen = false;
      if (event.code === CLOSE_SESSION_ENDED) {
        this.log('the session ended');
        this.shutDown('session_ended');
        return;
      }
      this.lost('connection_lost');
    });
  }

  /** lost ends the current socket and leg and plans the next attempt. */
  private lost(problem: PhoneProblem): void {
    if (!this.on) return;
    this.generation++;
    this.clearTimers();
    const ws = this.socket;
    this.socket = null;
    this.socketOpen = false;
    ws?.close(CLOSE_NO_ANSWER, problem);
    this.closePeer();
    this.failPending('network', 'The connection to the phone server was lost.');
    this.update({ state: 'reconnecting', problem, remoteStream: null });
    const { initialDelayMs, maxDelayMs } = this.o;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const delay = Math.round(base / 2 + (this.o.random() * base) / 2);
    this.log(`reconnecting in ${delay} ms`);
    this.retryTimer = this.o.clock.setTimeout(() => this.connect(), delay);
  }

  /** shutDown stops for a reason the user must act on. */
  private shutDown(problem: PhoneProblem): void {
    this.stop();
    this.update({ state: 'error', problem });
  }

  private closePeer(): void {
    const pc = this.peer;
    this.peer = null;
    this.sender = null;
    try {
      pc?.close();
    } catch {
      // already closed
    }
  }

  private schedulePing(): void {
    if (this.pingTimer !== null) this.o.clock.clearTimeout(this.pingTimer);
    this.pingTimer = this.o.clock.setTimeout(() => {
      this.pingTimer = null;
      if (!this.socketOpen) return;
      this.sendFrame({ type: 'ping' });
      if (this.pongTimer === null) {
        this.pongTimer = this.o.clock.setTimeout(() => {
          this.pongTimer = null;
          this.log('no answer to ping');
          this.lost('connection_lost');
        }, this.o.pongTimeoutMs);
      }
      this.schedulePing();
    }, this.o.pingEveryMs);
  }

  private receive(data: unknown, gen: number): void {
    if (this.pongTimer !== null) {
      this.o.clock.clearTimeout(this.pongTimer);
      this.pongTimer = null;
    }
    const msg = typeof data === 'string' ? parseObject(data) : null;
    if (!msg || typeof msg.type !== 'string') {
      this.log('ignoring a frame that is not a message', data);
      return;
    }
    switch (msg.type) {
      case 'config': {
        const config = parseConfig(msg);
        if (!config) return this.log('ignoring a malformed config', msg);
        this.update({ config });
        void this.offer(config, gen);
        return;
      }
      case 'answer':
        if (typeof msg.sdp !== 'string' || !this.peer) return this.log('ignoring an answer', msg);
        void this.applyAnswer(msg.sdp, gen);
        return;
      case 'leg':
        if (msg.state === 'connected') this.legUp();
        else if (msg.state === 'failed') this.lost('leg_failed');
        return;
      case 'call': {
        const call = parseCall(msg.call);
        if (!call) return this.log('ignoring a malformed call', msg);
        this.upsertCall(call);
        return;
      }
      case 'ack':
        if (typeof msg.ref === 'string') this.settle(msg.ref, null, typeof msg.call_id === 'number' ? msg.call_id : null);
        return;
      case 'error': {
        const err = new PhoneCommandError(
          typeof msg.code === 'string' ? msg.code : 'invalid',
          typeof msg.error === 'string' ? msg.error : 'The phone server refused the command.',
          typeof msg.field === 'string' ? msg.field : '',
        );
        if (typeof msg.ref === 'string' && this.pending.has(msg.ref)) this.settle(msg.ref, err, null);
        else this.log('the phone server says', err);
        return;
      }
      case 'pong':
        return;
      default:
        this.log(`ignoring a message of unknown type ${msg.type}`);
    }
  }

  /** offer makes the leg's peer connection and sends its offer once ICE gathering completes. */
  private async offer(config: PhoneConfig, gen: number): Promise<void> {
    const stream = this.snap.localStream;
    const track = stream?.getAudioTracks()[0];
    if (!stream || !track) return;
    this.closePeer();
    let pc: PeerLike;
    try {
      pc = this.o.createPeer({ iceServers: config.ice_servers, bundlePolicy: 'max-bundle' });
    } catch (err) {
      this.log('cannot create a peer connection', err);
      this.shutDown('unsupported');
      return;
    }
    this.peer = pc;
    const tr = pc.addTransceiver(track, { direction: 'sendrecv', streams: [stream] });
    this.sender = tr.sender;
    const codecs = this.o.audioCodecs?.()?.filter((c) => WANTED_CODECS.includes(c.mimeType.toLowerCase()));
    if (codecs && codecs.length > 0 && tr.setCodecPreferences) {
      try {
        tr.setCodecPreferences(codecs);
      } catch (err) {
        this.log('cannot restrict the codecs', err);
      }
    }
    pc.addEventListener('track', (e) => {
      if (pc !== this.peer) return;
      const remote = e.streams[0] ?? this.o.wrapTrack?.(e.track) ?? null;
      this.update({ remoteStream: remote });
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc !== this.peer) return;
      if (pc.connectionState === 'connected') this.legUp();
      else if (pc.connectionState === 'failed') this.lost('leg_failed');
    });
    try {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      await this.gathered(pc);
    } catch (err) {
      if (gen !== this.generation) return;
      this.log('cannot make an offer', err);
      this.lost('leg_failed');
      return;
    }
    if (gen !== this.generation || pc !== this.peer) return;
    const sdp = pc.localDescription?.sdp;
    if (!sdp) return this.lost('leg_failed');
    this.sendFrame({ type: 'offer', sdp });
  }

  private gathered(pc: PeerLike): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.o.clock.setTimeout(() => {
        this.log('ICE gathering is slow; offering what was gathered');
        resolve();
      }, this.o.gatherTimeoutMs);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState !== 'complete') return;
        this.o.clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  private async applyAnswer(sdp: string, gen: number): Promise<void> {
    const pc = this.peer;
    if (!pc) return;
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (err) {
      if (gen !== this.generation) return;
      this.log('the gateway answer does not apply', err);
      this.lost('leg_failed');
      return;
    }
    if (gen === this.generation && pc.connectionState === 'connected') this.legUp();
  }

  private legUp(): void {
    if (!this.on || this.snap.state === 'ready') return;
    if (this.stableTimer !== null) this.o.clock.clearTimeout(this.stableTimer);
    this.stableTimer = this.o.clock.setTimeout(() => {
      this.stableTimer = null;
      this.attempt = 0;
    }, this.o.stableAfterMs);
    this.update({ state: 'ready', problem: null });
  }

  // --- calls ---

  private upsertCall(call: PhoneCall): void {
    const calls = this.snap.calls.filter((c) => c.id !== call.id);
    const i = this.snap.calls.findIndex((c) => c.id === call.id);
    if (i >= 0) calls.splice(i, 0, call);
    else calls.push(call);
    const timers = this.autoAnswerTimers;
    const aa = timers.get(call.id);
    if (aa !== undefined && call.state !== 'ringing') {
      this.o.clock.clearTimeout(aa);
      timers.delete(call.id);
    }
    if (call.state === 'ringing' && call.direction === 'outbound' && !timers.has(call.id)) {
      const seconds = this.autoAnswerSeconds ?? this.snap.config?.auto_answer_seconds ?? 0;
      if (seconds > 0) {
        timers.set(
          call.id,
          this.o.clock.setTimeout(() => {
            timers.delete(call.id);
            const now = this.snap.calls.find((c) => c.id === call.id);
            if (now?.state === 'ringing') this.answer(call.id).catch((err: unknown) => this.log('auto-answer failed', err));
          }, seconds * 1000),
        );
      }
    }
    const patch: Partial<PhoneSnapshot> = { calls };
    if (call.state === 'ended' && !this.lingerTimers.has(call.id)) {
      this.lingerTimers.set(
        call.id,
        this.o.clock.setTimeout(() => {
          this.lingerTimers.delete(call.id);
          this.update({ calls: this.snap.calls.filter((c) => c.id !== call.id || c.state !== 'ended') });
        }, this.o.endedLingerMs),
      );
      // Unmuted for the next call: a forgotten mute must not silence it.
      if (!calls.some((c) => c.state !== 'ended') && this.snap.muted) {
        if (this.snap.localStream) this.applyMute(this.snap.localStream, false);
        patch.muted = false;
      }
    }
    this.update(patch);
  }

  /** setAutoAnswerSeconds overrides the config's value (the organisation setting changed). */
  setAutoAnswerSeconds(seconds: number): void {
    this.autoAnswerSeconds = seconds;
  }

  // --- commands ---

  /** dial is click-to-call: ring this softphone, then call to. Waits for the leg when it is coming up. */
  async dial(to: string, clientId?: ClientID | null): Promise<number | null> {
    if (this.snap.state !== 'ready') await this.ready();
    return this.command('dial', clientId ? { to, client_id: clientId } : { to });
  }

  answer(callId: number): Promise<number | null> {
    return this.command('answer', { call_id: callId });
  }

  decline(callId: number): Promise<number | null> {
    return this.command('decline', { call_id: callId });
  }

  hangup(callId: number): Promise<number | null> {
    return this.command('hangup', { call_id: callId });
  }

  hold(callId: number, held: boolean): Promise<number | null> {
    return this.command(held ? 'hold' : 'resume', { call_id: callId });
  }

  dtmf(callId: number, digits: string): Promise<number | null> {
    if (!DTMF_DIGITS.test(digits)) {
      return Promise.reject(new PhoneCommandError('invalid', 'DTMF digits are 0-9, *, # and A-D, at most 32.', 'digits'));
    }
    return this.command('dtmf', { call_id: callId, digits });
  }

  transfer(callId: number, target: { to: string } | { agent_id: UserID }): Promise<number | null> {
    return this.command('transfer', { call_id: callId, ...target });
  }

  private command(type: string, fields: Record<string, unknown>): Promise<number | null> {
    if (!this.socket || !this.socketOpen) {
      return Promise.reject(
        new PhoneCommandError(this.on ? 'network' : 'conflict', this.on ? 'The phone server is not connected.' : 'The softphone is off.'),
      );
    }
    const ref = `c${this.nextRef++}`;
    return new Promise((resolve, reject) => {
      const timer = this.o.clock.setTimeout(() => {
        this.settle(ref, new PhoneCommandError('network', 'The phone server did not answer.'), null);
      }, this.o.commandTimeoutMs);
      this.pending.set(ref, { resolve, reject, timer });
      this.sendFrame({ type, ref, ...fields });
    });
  }

  private settle(ref: string, err: PhoneCommandError | null, callId: number | null): void {
    const p = this.pending.get(ref);
    if (!p) return;
    this.pending.delete(ref);
    this.o.clock.clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(callId);
  }

  private failPending(code: string, message: string): void {
    for (const ref of [...this.pending.keys()]) this.settle(ref, new PhoneCommandError(code, message), null);
  }

  private sendFrame(frame: Record<string, unknown>): void {
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch (err) {
      this.log('cannot send', err);
    }
  }

  // --- the microphone ---

  /** setMuted silences the microphone on the leg (the track is disabled, nothing is renegotiated). */
  setMuted(muted: boolean): void {
    if (this.snap.localStream) this.applyMute(this.snap.localStream, muted);
    this.update({ muted });
  }

  /** setInputDevice captures from another microphone and swaps it onto the leg without renegotiating. */
  async setInputDevice(deviceId: string): Promise<void> {
    this.o.inputDeviceId = deviceId;
    if (!this.on || !this.snap.localStream) return;
    const stream = await this.o.getUserMedia(this.audioConstraints(deviceId));
    if (!this.on) {
      stopStream(stream);
      return;
    }
    const track = stream.getAudioTracks()[0] ?? null;
    this.applyMute(stream, this.snap.muted);
    await this.sender?.replaceTrack(track);
    const old = this.snap.localStream;
    this.update({ localStream: stream });
    if (old) stopStream(old);
  }

  /** capture takes the chosen microphone, or the default one when the chosen one is gone. */
  private async capture(): Promise<MediaStream> {
    const id = this.o.inputDeviceId;
    try {
      return await this.o.getUserMedia(this.audioConstraints(id));
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      if (!id || (name !== 'OverconstrainedError' && name !== 'NotFoundError')) throw err;
      this.log(`microphone ${id} is gone; taking the default one`);
      return this.o.getUserMedia(this.audioConstraints(undefined));
    }
  }

  private audioConstraints(deviceId: string | undefined): MediaStreamConstraints {
    const audio: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    if (deviceId) audio.deviceId = { exact: deviceId };
    return { audio, video: false };
  }

  private applyMute(stream: MediaStream, muted: boolean): void {
    for (const t of stream.getAudioTracks()) t.enabled = !muted;
  }

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.stableTimer, this.pingTimer, this.pongTimer]) if (t !== null) this.o.clock.clearTimeout(t);
    this.retryTimer = this.stableTimer = this.pingTimer = this.pongTimer = null;
  }

  private log(message: string, detail?: unknown): void {
    this.o.log?.(`phone: ${message}`, detail);
  }
}

function stopStream(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}

/** micProblem names why getUserMedia failed, in the words of the panel. */
export function micProblem(err: unknown): PhoneProblem {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'mic_denied';
    case 'NotReadableError':
    case 'AbortError':
      return 'mic_busy';
    case 'TypeError':
      return 'unsupported';
    default:
      return 'mic_missing';
  }
}

function parseObject(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function parseConfig(m: Record<string, unknown>): PhoneConfig | null {
  const servers = m.ice_servers ?? [];
  if (!Array.isArray(servers)) return null;
  const ice: PhoneIceServer[] = [];
  for (const s of servers) {
    if (typeof s !== 'object' || s === null) return null;
    const { urls, username, credential } = s as Record<string, unknown>;
    const ok = typeof urls === 'string' || (Array.isArray(urls) && urls.every((u) => typeof u === 'string'));
    if (!ok) return null;
    const server: PhoneIceServer = { urls: urls as string | string[] };
    if (typeof username === 'string') server.username = username;
    if (typeof credential === 'string') server.credential = credential;
    ice.push(server);
  }
  const aa = m.auto_answer_seconds;
  return {
    ice_servers: ice,
    auto_answer_seconds: typeof aa === 'number' && aa >= 0 && aa <= 60 ? aa : 0,
    demo: m.demo === true,
  };
}

/** parseCall checks a call from the server; null when it is not one. */
export function parseCall(value: unknown): PhoneCall | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  if (typeof c.id !== 'number' || !Number.isSafeInteger(c.id) || c.id <= 0) return null;
  if (!PHONE_CALL_STATES.includes(c.state as PhoneCallState)) return null;
  if (c.direction !== 'inbound' && c.direction !== 'outbound') return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const side = c.hangup_side;
  return {
    id: c.id,
    direction: c.direction,
    state: c.state as PhoneCallState,
    from: str(c.from),
    to: str(c.to),
    client_id: typeof c.client_id === 'number' && c.client_id > 0 ? c.client_id : null,
    client_name: str(c.client_name),
    created_at: str(c.created_at),
    answered_at: typeof c.answered_at === 'string' ? c.answered_at : null,
    held: c.held === true,
    end_reason: str(c.end_reason),
    hangup_side: side === 'agent' || side === 'client' || side === 'system' ? side : null,
  };
}
