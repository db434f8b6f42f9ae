// The browser side of docs/realtime.md: one WebSocket to /ws per tab that
// reconnects with capped backoff, resumes from the last sequence applied and
// tells its subscribers about every event and every need to resync. No
// React here, and the WebSocket, the clock and the browser's events are
// injected, so that tests can drive it with fakes.
import { isEventType, parseServerMessage, type ServerMessage, type ServerMessageType } from './events';

/**
 * RealtimeStatus: 'connecting' while a socket is being opened (until the
 * server's hello), 'live' after it, 'offline' while waiting to try again or
 * once stopped.
 */
export type RealtimeStatus = 'connecting' | 'live' | 'offline';

/** SocketLike is the part of the browser's WebSocket the client uses. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

export type SocketConstructor = new (url: string) => SocketLike;

/** Clock is the client's time: real timers in the browser, fake ones in tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

interface EventSource {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** BrowserSignals are the page events after which a connection is retried at once. */
export interface BrowserSignals {
  /** Fires `online` and `offline` when the network comes and goes. */
  window?: EventSource;
  /** Fires `visibilitychange`; a tab hidden for a long time may have slept with a dead socket. */
  document?: EventSource & { readonly visibilityState: string };
}

export interface RealtimeOptions {
  /** The socket's address without query, e.g. wss://crm.example/ws (see realtimeUrl). */
  url: string;
  WebSocket: SocketConstructor;
  clock?: Clock;
  /** A number in [0, 1); Math.random by default. Spreads reconnects of many tabs after a restart. */
  random?: () => number;
  /** The first retry waits about this long (half to all of it). Default 500 ms. */
  initialDelayMs?: number;
  /** Retries wait at most this long. Default 15 s. */
  maxDelayMs?: number;
  /** A connection live this long resets the backoff. Default 10 s. */
  stableAfterMs?: number;
  /**
   * checkSession says whether the user is still logged in (false: stop). It
   * is asked after failuresBeforeCheck attempts in a row failed (the
   * browser cannot see the 401 the server answers to the upgrade) and when
   * the server closes with 4401 (session ended).
   */
  checkSession?: () => Promise<boolean>;
  /** Default 3. */
  failuresBeforeCheck?: number;
  /**
   * gapsExpected says whether the server legitimately holds back events
   * from this user (an agent limited to their own clients), in which case a
   * jump in seq is not a loss and asks for no resync.
   */
  gapsExpected?: () => boolean;
  /**
   * startAfter is the sequence the page's data is known to include (the
   * session's event_seq, read before any page loaded): the first
   * connection resumes after it, so events committed while the pages were
   * loading are delivered too. Without it the stream starts at the hello.
   */
  startAfter?: number;
  /** After a wake-up, a live socket must answer a ping within this long or it is replaced. Default 5 s. */
  pongTimeoutMs?: number;
  /** A tab hidden at least this long checks its connection when shown again. Default 60 s. */
  longSleepMs?: number;
  browser?: BrowserSignals;
  /** Where to say what the client ignores or does (console.debug in development). */
  log?: (message: string, detail?: unknown) => void;
}

/** Close codes of the server (backend/realtime/conn.go). */
export const CLOSE_SESSION_ENDED = 4401;
/** The code the client closes with when a socket stops answering. */
export const CLOSE_NO_ANSWER = 4000;

type Handler = (message: ServerMessage) => void;

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof globalThis.setTimeout>),
};

/** realtimeUrl is the /ws address of the page's own origin: wss: for https pages, ws: otherwise. */
export function realtimeUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

/**
 * RealtimeClient keeps one connection to the server's event stream.
 *
 * - It sends `after=<last seq applied>` once it has one (from the start
 *   when given startAfter), so a reconnect gets exactly what it missed.
 * - It retries with capped exponential backoff and jitter, reset once a
 *   connection has stayed up; at once when the browser comes back online
 *   or a long-hidden tab is shown. Going offline, it checks that the
 *   socket still answers.
 * - Subscribers of 'resync' are told whenever their data may be stale: the
 *   server said so, seq jumped (unless gaps are expected), or the first
 *   connection came late, after failed attempts, with nothing to resume from.
 * - close() stops it for good, as does a failed session check.
 */
export class RealtimeClient {
  private readonly opts: Required<Omit<RealtimeOptions, 'checkSession' | 'gapsExpected' | 'browser' | 'log' | 'startAfter'>> &
    Pick<RealtimeOptions, 'checkSession' | 'gapsExpected' | 'browser' | 'log'>;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly statusListeners = new Set<(status: RealtimeStatus) => void>();

  private status: RealtimeStatus = 'offline';
  private started = false;
  private stopped = false;
  private socket: SocketLike | null = null;
  /** Whether the current socket got its hello. */
  private socketLive = false;
  private lastSeq: number | null = null;
  /** The backoff exponent: retries since the last stable connection. */
  private attempt = 0;
  /** Connections in a row that ended before their hello. */
  private failuresInARow = 0;
  /** An attempt failed before the first hello: events may have been missed. */
  private missedStart = false;
  private checkingSession = false;
  private hiddenSince: number | null = null;

  private retryTimer: unknown = null;
  private stableTimer: unknown = null;
  private pongTimer: unknown = null;

  constructor(options: RealtimeOptions) {
    // Options given as undefined take the default too.
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RealtimeOptions;
    this.opts = {
      clock: realClock,
      random: Math.random,
      initialDelayMs: 500,
      maxDelayMs: 15_000,
      stableAfterMs: 10_000,
      failuresBeforeCheck: 3,
      pongTimeoutMs: 5_000,
      longSleepMs: 60_000,
      ...given,
    };
    this.lastSeq = options.startAfter ?? null;
  }

  /** start opens the connection; later calls do nothing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const { window: win, document: doc } = this.opts.browser ?? {};
    win?.addEventListener('online', this.onNetworkChange);
    win?.addEventListener('offline', this.onNetworkChange);
    doc?.addEventListener('visibilitychange', this.onVisibility);
    if (doc?.visibilityState === 'hidden') this.hiddenSince = this.opts.clock.now();
    this.connect();
  }

  /** close ends the connection for good (logout, leaving the app). */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    const { window: win, document: doc } = this.opts.browser ?? {};
    win?.removeEventListener('online', this.onNetworkChange);
    win?.removeEventListener('offline', this.onNetworkChange);
    doc?.removeEventListener('visibilitychange', this.onVisibility);
    this.clearTimers();
    const ws = this.socket;
    this.socket = null;
    ws?.close(1000, 'bye');
    this.setStatus('offline');
  }

  get closed(): boolean {
    return this.stopped;
  }

  getStatus(): RealtimeStatus {
    return this.status;
  }

  /** lastSequence is the seq of the last message applied (or startAfter), null before the first hello without it. */
  lastSequence(): number | null {
    return this.lastSeq;
  }

  /**
   * subscribe calls handler with every message of that type ('*': every
   * message, unknown types included) and returns the unsubscribe function.
   * 'resync' subscribers must refetch what they show over REST.
   */
  subscribe<K extends ServerMessageType | '*'>(
    type: K,
    handler: (message: K extends ServerMessageType ? Extract<ServerMessage, { type: K }> : ServerMessage) => void,
  ): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    const h = handler as Handler;
    set.add(h);
    return () => {
      set.delete(h);
    };
  }

  /** onStatus calls listener at each change of status and returns the unsubscribe function. */
  onStatus(listener: (status: RealtimeStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => {
      this.statusListeners.delete(listener);
    };
  }

  /**
   * wake checks the connection after the page may have been away (network
   * changed, tab shown after a long sleep): a pending retry happens now,
   * and a live socket must answer a ping soon or it is replaced.
   */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.socket && this.socketLive) {
      if (this.pongTimer !== null) return;
      this.log('checking the connection');
      try {
        this.socket.send(JSON.stringify({ type: 'ping' }));
      } catch {
        // a socket that cannot send is dead: the timer below replaces it
      }
      this.pongTimer = this.opts.clock.setTimeout(() => {
        this.pongTimer = null;
        const ws = this.socket;
        if (!ws) return;
        this.log('no answer to ping; reconnecting');
        this.socket = null;
        ws.close(CLOSE_NO_ANSWER, 'no answer');
        this.dropped(CLOSE_NO_ANSWER, true);
      }, this.opts.pongTimeoutMs);
      return;
    }
    if (this.socket) return; // already connecting
    if (this.retryTimer !== null) {
      this.opts.clock.clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.connect();
    }
  }

  /**
   * A change of network may leave a socket that looks open but is dead:
   * going offline, it gets no pong and the status says so within seconds;
   * back online, a pending retry happens at once.
   */
  private readonly onNetworkChange = () => this.wake();

  private readonly onVisibility = () => {
    const doc = this.opts.browser?.document;
    if (!doc) return;
    const now = this.opts.clock.now();
    if (doc.visibilityState === 'hidden') {
      this.hiddenSince = now;
      return;
    }
    const since = this.hiddenSince;
    this.hiddenSince = null;
    if (since !== null && now - since >= this.opts.longSleepMs) this.wake();
  };

  private connect(): void {
    if (this.stopped) return;
    this.retryTimer = null;
    this.socketLive = false;
    this.setStatus('connecting');
    const url = this.lastSeq === null ? this.opts.url : `${this.opts.url}?after=${this.lastSeq}`;
    let ws: SocketLike;
    try {
      ws = new this.opts.WebSocket(url);
    } catch (err) {
      this.log('cannot open the socket', err);
      this.dropped(0, false);
      return;
    }
    this.socket = ws;
    ws.addEventListener('message', (event) => {
      if (ws === this.socket) this.receive(event.data);
    });
    ws.addEventListener('close', (event) => {
      if (ws !== this.socket) return;
      this.socket = null;
      this.dropped(event.code, false);
    });
  }

  /** dropped handles the end of the current socket and plans the next one. */
  private dropped(code: number, now: boolean): void {
    const wasLive = this.socketLive;
    this.socketLive = false;
    this.clearTimers();
    if (this.stopped) return;
    this.setStatus('offline');
    if (wasLive) {
      this.failuresInARow = 0;
    } else {
      this.failuresInARow++;
      if (this.lastSeq === null) this.missedStart = true;
    }
    if (code === CLOSE_SESSION_ENDED) {
      this.log('the server ended the session; checking it');
      this.checkSession(() => this.schedule(now));
      return;
    }
    if (!wasLive && this.failuresInARow % this.opts.failuresBeforeCheck === 0) this.checkSession();
    this.schedule(now);
  }

  private schedule(now: boolean): void {
    if (this.stopped || this.socket || this.retryTimer !== null) return;
    if (now) {
      this.connect();
      return;
    }
    const { initialDelayMs, maxDelayMs } = this.opts;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const delay = Math.round(base / 2 + (this.opts.random() * base) / 2);
    this.log(`reconnecting in ${delay} ms`);
    this.retryTimer = this.opts.clock.setTimeout(() => this.connect(), delay);
  }

  /** checkSession stops the client when the user turns out to be logged out; then runs after, if still going. */
  private checkSession(after?: () => void): void {
    const check = this.opts.checkSession;
    if (!check) {
      after?.();
      return;
    }
    if (this.checkingSession) {
      after?.();
      return;
    }
    this.checkingSession = true;
    check().then(
      (loggedIn) => {
        this.checkingSession = false;
        if (!loggedIn) {
          this.log('logged out; live updates stop');
          this.close();
          return;
        }
        after?.();
      },
      (err: unknown) => {
        this.checkingSession = false;
        this.log('session check failed; trying again later', err);
        after?.();
      },
    );
  }

  private receive(data: unknown): void {
    if (this.pongTimer !== null) {
      this.opts.clock.clearTimeout(this.pongTimer);
      this.pongTimer = null;
    }
    const msg = typeof data === 'string' ? parseServerMessage(data) : null;
    if (!msg) {
      this.log('ignoring a frame that is not a message', data);
      return;
    }
    switch (msg.type) {
      case 'hello':
        this.hello(msg.seq ?? 0, msg as ServerMessage);
        return;
      case 'resync':
        this.lastSeq = msg.seq ?? this.lastSeq;
        this.emit(msg as ServerMessage);
        return;
      case 'pong':
        this.emit(msg as ServerMessage);
        return;
    }
    if (msg.seq === undefined) {
      this.log(`ignoring a ${msg.type} without seq`, msg);
      return;
    }
    const last = this.lastSeq;
    if (last !== null && msg.seq <= last) {
      this.log(`ignoring ${msg.type} #${msg.seq}: already at #${last}`);
      return;
    }
    this.lastSeq = msg.seq;
    if (isEventType(msg.type)) this.emit(msg as ServerMessage);
    else if (msg.type !== 'skip') {
      this.log(`unknown event type ${msg.type} #${msg.seq}`);
      this.emitTo('*', msg as unknown as ServerMessage);
    }
    if (last !== null && msg.seq > last + 1 && !this.opts.gapsExpected?.()) {
      this.log(`events #${last + 1}..#${msg.seq - 1} were not received; resync`);
      this.emit({ type: 'resync', seq: msg.seq });
    }
  }

  private hello(seq: number, msg: ServerMessage): void {
    const late = this.lastSeq === null && this.missedStart;
    this.lastSeq = seq;
    this.missedStart = false;
    this.socketLive = true;
    this.failuresInARow = 0;
    this.setStatus('live');
    this.stableTimer = this.opts.clock.setTimeout(() => {
      this.stableTimer = null;
      this.attempt = 0;
    }, this.opts.stableAfterMs);
    this.emit(msg);
    // The page loaded its data before the attempts that failed: what
    // changed meanwhile was never sent.
    if (late) this.emit({ type: 'resync', seq });
  }

  private emit(msg: ServerMessage): void {
    this.emitTo(msg.type, msg);
    this.emitTo('*', msg);
  }

  private emitTo(type: string, msg: ServerMessage): void {
    const set = this.handlers.get(type);
    if (!set) return;
    for (const h of [...set]) {
      try {
        h(msg);
      } catch (err) {
        // One broken subscriber must not keep the others from their events.
        console.error(`realtime: a ${msg.type} subscriber failed`, err);
      }
    }
  }

  private setStatus(status: RealtimeStatus): void {
    if (this.status === status) return;
    this.status = status;
    for (const l of [...this.statusListeners]) l(status);
  }

  private clearTimers(): void {
    const { clock } = this.opts;
    for (const t of [this.retryTimer, this.stableTimer, this.pongTimer]) if (t !== null) clock.clearTimeout(t);
    this.retryTimer = this.stableTimer = this.pongTimer = null;
  }

  private log(message: string, detail?: unknown): void {
    this.opts.log?.(`realtime: ${message}`, detail);
  }
}
