import { describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from './events';
import { FakeSocket } from '../test/fake-websocket';
import { RealtimeClient, realtimeUrl, type Clock, type RealtimeOptions, type RealtimeStatus } from './realtime-client';

/** FakeClock runs timers when the test moves time forward. */
class FakeClock implements Clock {
  time = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    this.timers.set(++this.seq, { at: this.time + ms, fn });
    return this.seq;
  };
  clearTimeout = (id: unknown) => {
    this.timers.delete(id as number);
  };
  /** advance moves time forward by ms, running each timer that falls due, in order. */
  advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      const next = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
}

function moved(seq: number) {
  return { type: 'client.moved', seq, data: { client: { id: 7 }, from_stage_id: 1, to_stage_id: 2, reason: '' } };
}

function setup(options: Partial<RealtimeOptions> = {}) {
  FakeSocket.all = [];
  const clock = new FakeClock();
  const statuses: RealtimeStatus[] = [];
  const received: ServerMessage[] = [];
  const client = new RealtimeClient({
    url: 'ws://crm.test/ws',
    WebSocket: FakeSocket,
    clock,
    random: () => 0.5,
    ...options,
  });
  client.onStatus((s) => statuses.push(s));
  client.subscribe('*', (m) => received.push(m));
  const socket = () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;
  return { client, clock, statuses, received, socket, sockets: () => FakeSocket.all };
}

const types = (ms: ServerMessage[]) => ms.map((m) => `${m.type}${'seq' in m && m.seq !== undefined ? '#' + m.seq : ''}`);

describe('realtimeUrl', () => {
  it('uses wss for https pages and ws otherwise, on the same host', () => {
    expect(realtimeUrl({ protocol: 'https:', host: 'crm.example:8443' })).toBe('wss://crm.example:8443/ws');
    expect(realtimeUrl({ protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/ws');
  });
});

describe('RealtimeClient', () => {
  it('connects without after, goes live on hello and hands each event to the subscribers of its type', () => {
    const { client, socket, statuses } = setup();
    const moves: number[] = [];
    const deletes: number[] = [];
    client.subscribe('client.moved', (m) => moves.push(m.data.client.id));
    client.subscribe('client.deleted', (m) => deletes.push(m.data.id));

    client.start();
    expect(socket().url).toBe('ws://crm.test/ws');
    expect(client.getStatus()).toBe('connecting');
    socket().hello(120);
    expect(client.getStatus()).toBe('live');
    socket().receive(moved(121));
    socket().receive({ type: 'client.deleted', seq: 122, data: { id: 9 } });

    expect(moves).toEqual([7]);
    expect(deletes).toEqual([9]);
    expect(client.lastSequence()).toBe(122);
    expect(statuses).toEqual(['connecting', 'live']);
  });

  it('reconnects with doubling, jittered delays capped at the maximum, resuming after the last seq', () => {
    const { client, clock, socket, sockets, statuses } = setup({ random: () => 0.5 });
    client.start();
    socket().hello(120);
    socket().receive(moved(121));
    socket().serverClose(1006);
    expect(client.getStatus()).toBe('offline');

    // base 500 ms → wait between 250 and 500; random 0.5 → 375 ms
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const count = sockets().length;
      delays.push(clock.pending()[0] as number);
      clock.advance((clock.pending()[0] as number) - 1);
      expect(sockets().length).toBe(count);
      clock.advance(1);
      expect(sockets().length).toBe(count + 1);
      expect(socket().url).toBe('ws://crm.test/ws?after=121');
      socket().serverClose(1006); // refused before any hello
    }
    expect(delays).toEqual([375, 750, 1500, 3000, 6000, 11250, 11250, 11250]);
    expect(statuses.slice(0, 5)).toEqual(['connecting', 'live', 'offline', 'connecting', 'offline']);
  });

  it('keeps the jitter between half and all of the delay', () => {
    for (const [random, want] of [
      [0, 250],
      [0.999, 500],
    ] as const) {
      const { client, clock, socket } = setup({ random: () => random });
      client.start();
      socket().serverClose(1006);
      expect(clock.pending()).toEqual([want]);
    }
  });

  it('starts the backoff over after a connection that stayed up, not after a short one', () => {
    const { client, clock, socket } = setup();
    client.start();
    for (let i = 0; i < 3; i++) {
      socket().serverClose(1006);
      clock.advance(clock.pending()[0] as number);
    }
    // fourth try succeeds but drops after 2 s: the backoff keeps growing
    socket().hello(5);
    clock.advance(2_000);
    socket().serverClose(1006);
    expect(clock.pending()).toEqual([3000]);
    clock.advance(3000);
    // this one stays up 10 s: the next drop retries quickly again
    socket().hello(5);
    clock.advance(10_000);
    socket().serverClose(1006);
    expect(clock.pending()).toEqual([375]);
  });

  it('passes on the server resync and resumes after its seq', () => {
    const { client, clock, socket, received } = setup();
    client.start();
    socket().hello(10);
    socket().receive({ type: 'resync', seq: 5120 });
    socket().receive(moved(5121));
    socket().serverClose(1006);
    clock.advance(375);

    expect(types(received)).toEqual(['hello#10', 'resync#5120', 'client.moved#5121']);
    expect(socket().url).toBe('ws://crm.test/ws?after=5121');
  });

  it('asks for a resync after a jump in seq, delivering the event too, and ignores repeats', () => {
    const resyncs: number[] = [];
    const { client, socket, received } = setup({ log: () => undefined });
    client.subscribe('resync', (m) => resyncs.push(m.seq ?? -1));
    client.start();
    socket().hello(10);
    socket().receive(moved(11));
    socket().receive(moved(11)); // repeat
    socket().receive(moved(9)); // older
    socket().receive(moved(14)); // 12 and 13 missing

    expect(types(received)).toEqual(['hello#10', 'client.moved#11', 'client.moved#14', 'resync#14']);
    expect(resyncs).toEqual([14]);
    expect(client.lastSequence()).toBe(14);
  });

  it('takes a jump in seq as normal when the server filters events for this user', () => {
    const { client, socket, received } = setup({ gapsExpected: () => true });
    client.start();
    socket().hello(10);
    socket().receive(moved(14));
    expect(types(received)).toEqual(['hello#10', 'client.moved#14']);
  });

  it('moves past a skip (an event this user may not see) without delivering it or asking for a resync', () => {
    const resyncs: number[] = [];
    const { client, socket, received } = setup({ log: () => undefined });
    client.subscribe('resync', (m) => resyncs.push(m.seq ?? -1));
    client.start();
    socket().hello(10);
    socket().receive({ type: 'skip', seq: 11 });
    socket().receive(moved(12));
    expect(types(received)).toEqual(['hello#10', 'client.moved#12']);
    expect(resyncs).toEqual([]);
    expect(client.lastSequence()).toBe(12);
  });

  it('asks for a resync when the first connection came only after failed attempts', () => {
    const { client, clock, socket, received } = setup();
    client.start();
    socket().serverClose(1006);
    clock.advance(375);
    expect(socket().url).toBe('ws://crm.test/ws');
    socket().hello(40);
    expect(types(received)).toEqual(['hello#40', 'resync#40']);
  });

  it('starts after the session\'s sequence: what changed while the page loaded is delivered, even after failed attempts', () => {
    const { client, clock, socket, received } = setup({ startAfter: 37 });
    client.start();
    expect(socket().url).toBe('ws://crm.test/ws?after=37');
    socket().serverClose(1006); // the first attempt fails
    clock.advance(375);
    expect(socket().url).toBe('ws://crm.test/ws?after=37');
    socket().hello(37);
    socket().receive(moved(38));
    socket().receive(moved(39));
    // The events are replayed, so no resync (a full refetch) is needed.
    expect(types(received)).toEqual(['hello#37', 'client.moved#38', 'client.moved#39']);
    expect(client.lastSequence()).toBe(39);
  });

  it('does not ask for a resync when the first connection works', () => {
    const { client, socket, received } = setup();
    client.start();
    socket().hello(40);
    expect(types(received)).toEqual(['hello#40']);
  });

  it('takes a hello without seq (an organisation without events) as seq 0 and resumes after it', () => {
    const { client, clock, socket } = setup();
    client.start();
    socket().open();
    socket().receive({ type: 'hello', data: { org_id: 1, user_id: 3 } });
    socket().serverClose(1006);
    clock.advance(375);
    expect(socket().url).toBe('ws://crm.test/ws?after=0');
  });

  it('ignores frames that are not messages without losing its place', () => {
    const { client, socket, received } = setup({ log: () => undefined });
    client.start();
    socket().hello(1);
    socket().receive('not json');
    socket().receive({ seq: 2 });
    socket().receive({ type: 'client.deleted', data: { id: 1 } }); // no seq
    socket().receive({ type: 'pong' });
    socket().receive({ type: 'client.deleted', seq: 2, data: { id: 1 } });
    expect(types(received)).toEqual(['hello#1', 'pong', 'client.deleted#2']);
  });

  it('hands an unknown event type to "*" subscribers only, and counts its seq', () => {
    const { client, socket, received } = setup({ log: () => undefined });
    const resync = vi.fn();
    client.subscribe('resync', resync);
    client.start();
    socket().hello(1);
    socket().receive({ type: 'call.started', seq: 2, data: {} });
    socket().receive({ type: 'client.deleted', seq: 3, data: { id: 1 } });
    expect(types(received)).toEqual(['hello#1', 'call.started#2', 'client.deleted#3']);
    expect(resync).not.toHaveBeenCalled();
  });

  it('never reconnects after close()', () => {
    const { client, clock, socket, sockets, statuses } = setup();
    client.start();
    socket().hello(3);
    const ws = socket();
    client.close();

    expect(ws.closedWith).toEqual({ code: 1000, reason: 'bye' });
    expect(client.getStatus()).toBe('offline');
    ws.serverClose(1000); // the close arriving afterwards
    clock.advance(60_000);
    expect(sockets()).toHaveLength(1);
    expect(clock.pending()).toEqual([]);
    client.start();
    expect(sockets()).toHaveLength(1);
    expect(statuses).toEqual(['connecting', 'live', 'offline']);
  });

  it('close() during the wait for a retry cancels it', () => {
    const { client, clock, socket, sockets } = setup();
    client.start();
    socket().serverClose(1006);
    client.close();
    clock.advance(60_000);
    expect(sockets()).toHaveLength(1);
  });

  it('checks the session after three failed attempts in a row and stops when logged out', async () => {
    const checkSession = vi.fn().mockResolvedValue(false);
    const { client, clock, socket, sockets } = setup({ checkSession });
    client.start();
    socket().serverClose(1006);
    clock.advance(375);
    socket().serverClose(1006);
    expect(checkSession).not.toHaveBeenCalled();
    clock.advance(750);
    socket().serverClose(1006);
    expect(checkSession).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(client.closed).toBe(true));

    clock.advance(60_000);
    expect(sockets()).toHaveLength(3);
    expect(client.getStatus()).toBe('offline');
  });

  it('keeps trying when the session check says logged in or cannot reach the server', async () => {
    const checkSession = vi.fn().mockResolvedValueOnce(true).mockRejectedValueOnce(new Error('network'));
    const { client, clock, socket, sockets } = setup({ checkSession, log: () => undefined });
    client.start();
    for (let i = 0; i < 6; i++) {
      socket().serverClose(1006);
      await Promise.resolve();
      clock.advance(clock.pending()[0] as number);
    }
    await vi.waitFor(() => expect(checkSession).toHaveBeenCalledTimes(2));
    expect(client.closed).toBe(false);
    expect(sockets()).toHaveLength(7);
  });

  it('checks the session at once when the server closes with 4401, and reconnects only if still logged in', async () => {
    let answer: (loggedIn: boolean) => void = () => undefined;
    const checkSession = vi.fn(() => new Promise<boolean>((resolve) => (answer = resolve)));
    const { client, clock, socket, sockets } = setup({ checkSession });
    client.start();
    socket().hello(8);
    socket().serverClose(4401, 'session ended');
    expect(checkSession).toHaveBeenCalledTimes(1);
    clock.advance(60_000);
    expect(sockets()).toHaveLength(1); // waits for the answer
    answer(true);
    await vi.waitFor(() => expect(clock.pending()).toEqual([375]));
    clock.advance(375);
    expect(sockets()).toHaveLength(2);
    expect(socket().url).toBe('ws://crm.test/ws?after=8');

    socket().hello(8);
    socket().serverClose(4401);
    answer(false);
    await vi.waitFor(() => expect(client.closed).toBe(true));
    clock.advance(60_000);
    expect(sockets()).toHaveLength(2);
  });

  it('retries at once when the browser comes back online', () => {
    const win = new EventTarget();
    const { client, clock, socket, sockets } = setup({ browser: { window: win } });
    client.start();
    socket().serverClose(1006);
    clock.advance(375);
    socket().serverClose(1006);
    expect(clock.pending()).toEqual([750]);
    win.dispatchEvent(new Event('online'));
    expect(sockets()).toHaveLength(3);
    expect(clock.pending()).toEqual([]);
  });

  it('pings a live socket on wake-up and replaces it when no answer comes', () => {
    const win = new EventTarget();
    const { client, clock, socket, sockets } = setup({ browser: { window: win }, log: () => undefined });
    client.start();
    socket().hello(50);
    socket().receive(moved(51));

    win.dispatchEvent(new Event('online'));
    expect(socket().sent).toEqual(['{"type":"ping"}']);
    socket().receive({ type: 'pong' });
    clock.advance(10_000);
    expect(sockets()).toHaveLength(1);

    win.dispatchEvent(new Event('online'));
    const stale = socket();
    clock.advance(4_999);
    expect(sockets()).toHaveLength(1);
    clock.advance(1);
    expect(stale.closedWith?.code).toBe(4000);
    expect(sockets()).toHaveLength(2);
    expect(socket().url).toBe('ws://crm.test/ws?after=51');
    stale.serverClose(4000); // the old socket's late close changes nothing
    expect(client.getStatus()).toBe('connecting');
  });

  it('checks a live socket when the browser goes offline, and shows it down when no answer comes', () => {
    const win = new EventTarget();
    const { client, clock, socket, statuses } = setup({ browser: { window: win }, log: () => undefined });
    client.start();
    socket().hello(5);
    const ws = socket();
    win.dispatchEvent(new Event('offline'));
    expect(ws.sent).toEqual(['{"type":"ping"}']);
    clock.advance(5_000);
    expect(ws.closedWith?.code).toBe(4000);
    socket().serverClose(1006); // no network: the new socket fails at once
    expect(statuses).toEqual(['connecting', 'live', 'offline', 'connecting', 'offline']);
    win.dispatchEvent(new Event('online'));
    expect(client.getStatus()).toBe('connecting');
  });

  it('checks the connection when a tab hidden for a long time is shown again', () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const { client, clock, socket } = setup({ browser: { document: doc } });
    client.start();
    socket().hello(1);
    const show = () => {
      doc.visibilityState = 'visible';
      doc.dispatchEvent(new Event('visibilitychange'));
    };
    const hide = () => {
      doc.visibilityState = 'hidden';
      doc.dispatchEvent(new Event('visibilitychange'));
    };

    hide();
    clock.advance(59_000);
    show();
    expect(socket().sent).toEqual([]);

    hide();
    clock.advance(60_000);
    show();
    expect(socket().sent).toEqual(['{"type":"ping"}']);
  });

  it('stops listening to the browser after close()', () => {
    const win = new EventTarget();
    const { client, socket, sockets } = setup({ browser: { window: win } });
    client.start();
    socket().serverClose(1006);
    client.close();
    win.dispatchEvent(new Event('online'));
    expect(sockets()).toHaveLength(1);
  });

  it('keeps delivering to the other subscribers when one throws, and stops after unsubscribe', () => {
    const { client, socket } = setup();
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const got: number[] = [];
    client.subscribe('client.moved', () => {
      throw new Error('boom');
    });
    const off = client.subscribe('client.moved', (m) => got.push(m.seq));
    client.start();
    socket().hello(1);
    socket().receive(moved(2));
    off();
    socket().receive(moved(3));
    expect(got).toEqual([2]);
    expect(error).toHaveBeenCalledTimes(2);
  });

  it('treats a socket that cannot even be created as a failed attempt', () => {
    let fail = true;
    class Flaky extends FakeSocket {
      constructor(url: string) {
        if (fail) throw new SyntaxError('bad url');
        super(url);
      }
    }
    const { client, clock, sockets } = setup({ WebSocket: Flaky, log: () => undefined });
    client.start();
    expect(client.getStatus()).toBe('offline');
    expect(clock.pending()).toEqual([375]);
    fail = false;
    clock.advance(375);
    expect(sockets()).toHaveLength(1);
  });
});
