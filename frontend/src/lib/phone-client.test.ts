import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fake-websocket';
import { FakePeer, fakeStream, fakeTrack } from '../test/fake-peer';
import { PhoneClient, PhoneCommandError, micProblem, phoneUrl, type PhoneClientOptions, type PhoneState } from './phone-client';

const CODECS = [
  { mimeType: 'audio/opus', clockRate: 48000 },
  { mimeType: 'audio/PCMU', clockRate: 8000 },
  { mimeType: 'audio/PCMA', clockRate: 8000 },
  { mimeType: 'audio/G722', clockRate: 8000 },
  { mimeType: 'audio/telephone-event', clockRate: 8000 },
] as RTCRtpCodec[];

const config = { type: 'config', ice_servers: [{ urls: ['stun:stun.example:3478'] }], auto_answer_seconds: 0, demo: false };

function call(id: number, state: string, extra: Record<string, unknown> = {}) {
  return { type: 'call', call: { id, direction: 'inbound', state, from: '+79161234567', to: '+74950000000', client_id: 7, client_name: 'Ромашка', created_at: '2026-01-01T10:00:00Z', answered_at: null, held: false, end_reason: '', hangup_side: null, ...extra } };
}

function setup(options: Partial<PhoneClientOptions> = {}) {
  FakeSocket.all = [];
  FakePeer.all = [];
  const gum = vi.fn(async () => fakeStream());
  const log = vi.fn();
  const client = new PhoneClient({
    url: 'ws://crm.test/ws/phone',
    WebSocket: FakeSocket,
    createPeer: (c) => new FakePeer(c),
    getUserMedia: gum,
    audioCodecs: () => CODECS,
    random: () => 0.5,
    log,
    ...options,
  });
  const states: PhoneState[] = [];
  client.subscribe(() => {
    const s = client.getSnapshot().state;
    if (states[states.length - 1] !== s) states.push(s);
  });
  const socket = () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;
  const peer = () => FakePeer.all[FakePeer.all.length - 1] as FakePeer;
  const sent = (ws = socket()) => ws.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  /** upLeg plays the server through config → offer → answer → leg connected. */
  const upLeg = async (ws = socket(), cfg: Record<string, unknown> = config) => {
    ws.open();
    ws.receive(cfg);
    await vi.advanceTimersByTimeAsync(0);
    peer().gatheringComplete();
    await vi.advanceTimersByTimeAsync(0);
    ws.receive({ type: 'answer', sdp: 'v=0 answer' });
    await vi.advanceTimersByTimeAsync(0);
    ws.receive({ type: 'leg', state: 'connected' });
  };
  return { client, gum, log, states, socket, peer, sent, upLeg };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('phoneUrl', () => {
  it('is /ws/phone on the page origin, wss for https', () => {
    expect(phoneUrl({ protocol: 'https:', host: 'crm.example' })).toBe('wss://crm.example/ws/phone');
    expect(phoneUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws/phone');
  });
});

describe('PhoneClient leg', () => {
  it('takes the microphone, offers one G.711 sendrecv leg after ICE gathering, applies the answer and is ready', async () => {
    const { client, gum, socket, peer, sent, states } = setup();
    await client.start();
    expect(gum).toHaveBeenCalledTimes(1);
    expect(socket().url).toBe('ws://crm.test/ws/phone');
    expect(client.getSnapshot().state).toBe('connecting');

    socket().open();
    socket().receive(config);
    await vi.advanceTimersByTimeAsync(0);
    expect(peer().config.iceServers).toEqual([{ urls: ['stun:stun.example:3478'] }]);
    expect(peer().transceivers).toHaveLength(1);
    expect(peer().transceivers[0]?.direction).toBe('sendrecv');
    expect(peer().transceivers[0]?.codecs?.map((c) => c.mimeType)).toEqual(['audio/PCMU', 'audio/PCMA', 'audio/telephone-event']);
    // No trickle: nothing is sent before gathering completes.
    expect(sent().filter((m) => m.type === 'offer')).toEqual([]);
    peer().gatheringComplete();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent().filter((m) => m.type === 'offer')).toEqual([{ type: 'offer', sdp: 'v=0 offer +candidates' }]);

    socket().receive({ type: 'answer', sdp: 'v=0 answer' });
    await vi.advanceTimersByTimeAsync(0);
    expect(peer().remote).toBe('v=0 answer');
    expect(client.getSnapshot().state).toBe('connecting');
    socket().receive({ type: 'leg', state: 'connected' });
    expect(client.getSnapshot().state).toBe('ready');
    expect(states).toEqual(['connecting', 'ready']);
  });

  it('offers what it has when ICE gathering does not complete in time', async () => {
    const { client, socket, sent } = setup({ gatherTimeoutMs: 3000 });
    await client.start();
    socket().open();
    socket().receive(config);
    await vi.advanceTimersByTimeAsync(2999);
    expect(sent().some((m) => m.type === 'offer')).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent().some((m) => m.type === 'offer')).toBe(true);
  });

  it('is in error with mic_denied when the microphone is refused, and opens no socket', async () => {
    const { client } = setup({
      getUserMedia: () => Promise.reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' })),
    });
    await client.start();
    expect(client.getSnapshot()).toMatchObject({ state: 'error', problem: 'mic_denied' });
    expect(FakeSocket.all).toHaveLength(0);
  });

  it('names each microphone failure', () => {
    expect(micProblem({ name: 'NotAllowedError' })).toBe('mic_denied');
    expect(micProblem({ name: 'NotFoundError' })).toBe('mic_missing');
    expect(micProblem({ name: 'OverconstrainedError' })).toBe('mic_missing');
    expect(micProblem({ name: 'NotReadableError' })).toBe('mic_busy');
  });

  it('reconnects with capped, growing backoff after the socket drops, says so and offers again on a new peer connection', async () => {
    const { client, socket, peer, sent, upLeg } = setup({ initialDelayMs: 500, maxDelayMs: 2000 });
    await client.start();
    await upLeg();
    const firstPeer = peer();
    socket().serverClose(1006);
    expect(client.getSnapshot()).toMatchObject({ state: 'reconnecting', problem: 'connection_lost' });
    expect(firstPeer.closed).toBe(true);

    // random 0.5 → 3/4 of the base: 375, 750, 1500, then capped at 1500.
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = FakeSocket.all.length;
      let waited = 0;
      while (FakeSocket.all.length === before) {
        await vi.advanceTimersByTimeAsync(5);
        waited += 5;
      }
      delays.push(waited);
      socket().serverClose(1006);
    }
    expect(delays).toEqual([375, 750, 1500, 1500]);

    await vi.advanceTimersByTimeAsync(1500);
    await upLeg();
    expect(client.getSnapshot()).toMatchObject({ state: 'ready', problem: null });
    expect(peer()).not.toBe(firstPeer);
    expect(sent().filter((m) => m.type === 'offer')).toHaveLength(1);
  });

  it('treats a failed leg as a lost connection', async () => {
    const { client, socket, upLeg } = setup();
    await client.start();
    await upLeg();
    const ws = socket();
    ws.receive({ type: 'leg', state: 'failed' });
    expect(client.getSnapshot()).toMatchObject({ state: 'reconnecting', problem: 'leg_failed' });
    expect(ws.closedWith?.code).toBe(4000);
  });

  it('reconnects when an answer cannot be applied', async () => {
    const { client, socket, peer } = setup();
    await client.start();
    socket().open();
    socket().receive(config);
    await vi.advanceTimersByTimeAsync(0);
    peer().rejectAnswer = true;
    peer().gatheringComplete();
    await vi.advanceTimersByTimeAsync(0);
    socket().receive({ type: 'answer', sdp: 'garbage' });
    await vi.advanceTimersByTimeAsync(0);
    expect(client.getSnapshot().state).toBe('reconnecting');
  });

  it('stops for good when the server says the session ended', async () => {
    const { client, socket, upLeg } = setup();
    await client.start();
    await upLeg();
    socket().serverClose(4401);
    expect(client.getSnapshot()).toMatchObject({ state: 'error', problem: 'session_ended' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('pings and reconnects when the pong does not come', async () => {
    const { client, socket, sent, upLeg } = setup({ pingEveryMs: 1000, pongTimeoutMs: 500 });
    await client.start();
    await upLeg();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent().filter((m) => m.type === 'ping')).toHaveLength(1);
    socket().receive({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.getSnapshot().state).toBe('ready');
    await vi.advanceTimersByTimeAsync(500);
    expect(client.getSnapshot().state).toBe('reconnecting');
  });

  it('off closes the socket and the peer, stops the microphone and forgets the calls', async () => {
    const track = fakeTrack();
    const { client, socket, peer, upLeg } = setup({ getUserMedia: async () => fakeStream(track) });
    await client.start();
    await upLeg();
    socket().receive(call(1, 'ringing'));
    client.stop();
    expect(socket().closedWith?.code).toBe(1000);
    expect(peer().closed).toBe(true);
    expect((track as unknown as { stopped: boolean }).stopped).toBe(true);
    expect(client.getSnapshot()).toMatchObject({ state: 'off', calls: [], localStream: null });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('ignores malformed frames and unknown types and keeps working', async () => {
    const { client, socket, upLeg, log } = setup();
    await client.start();
    await upLeg();
    for (const junk of ['not json', '[]', '42', '{"no":"type"}', '{"type":"surprise"}', '{"type":"call","call":{"id":"x"}}', '{"type":"call","call":{"id":3,"state":"weird","direction":"inbound"}}', '{"type":"answer"}']) {
      socket().receive(junk);
    }
    expect(client.getSnapshot()).toMatchObject({ state: 'ready', calls: [] });
    expect(log).toHaveBeenCalled();
    socket().receive(call(5, 'ringing'));
    expect(client.getSnapshot().calls.map((c) => c.id)).toEqual([5]);
  });
});

describe('PhoneClient calls and commands', () => {
  it('tracks a call through its states and lets an ended call linger a moment', async () => {
    const { client, socket, upLeg } = setup({ endedLingerMs: 5000 });
    await client.start();
    await upLeg();
    socket().receive(call(9, 'ringing'));
    socket().receive(call(9, 'active', { answered_at: '2026-01-01T10:00:05Z' }));
    expect(client.getSnapshot().calls).toMatchObject([{ id: 9, state: 'active', client_id: 7 }]);
    socket().receive(call(9, 'ended', { end_reason: 'hangup', hangup_side: 'client' }));
    expect(client.getSnapshot().calls).toMatchObject([{ id: 9, state: 'ended', hangup_side: 'client' }]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.getSnapshot().calls).toEqual([]);
  });

  it('settles commands by the ack or error with the same ref', async () => {
    const { client, socket, sent, upLeg } = setup();
    await client.start();
    await upLeg();
    const answered = client.answer(9);
    const held = client.hold(9, true);
    const [a, h] = sent().filter((m) => m.type === 'answer' || m.type === 'hold');
    expect(a).toMatchObject({ type: 'answer', call_id: 9 });
    expect(h).toMatchObject({ type: 'hold', call_id: 9 });
    socket().receive({ type: 'ack', ref: a?.ref, call_id: 9 });
    socket().receive({ type: 'error', ref: h?.ref, code: 'not_found', error: 'No such call.', field: 'call_id' });
    await expect(answered).resolves.toBe(9);
    await expect(held).rejects.toMatchObject({ code: 'not_found', field: 'call_id', message: 'No such call.' });
  });

  it('sends DTMF digits and refuses bad ones before sending', async () => {
    const { client, socket, sent, upLeg } = setup();
    await client.start();
    await upLeg();
    const p = client.dtmf(9, '12#');
    const frame = sent().find((m) => m.type === 'dtmf');
    expect(frame).toMatchObject({ call_id: 9, digits: '12#' });
    socket().receive({ type: 'ack', ref: frame?.ref });
    await expect(p).resolves.toBeNull();
    await expect(client.dtmf(9, '12x')).rejects.toBeInstanceOf(PhoneCommandError);
  });

  it('dial while the leg comes up waits for it, then sends the client id', async () => {
    const { client, sent, upLeg } = setup();
    void client.start();
    await vi.advanceTimersByTimeAsync(0);
    const dialed = client.dial('+79161234567', 7);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent().some((m) => m.type === 'dial')).toBe(false);
    await upLeg();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent().find((m) => m.type === 'dial')).toMatchObject({ to: '+79161234567', client_id: 7 });
    void dialed;
  });

  it('fails pending commands when the connection drops, and commands when off', async () => {
    const { client, socket, upLeg } = setup();
    await expect(client.hangup(1)).rejects.toMatchObject({ code: 'conflict' });
    await client.start();
    await upLeg();
    const p = client.hangup(1);
    socket().serverClose(1006);
    await expect(p).rejects.toMatchObject({ code: 'network' });
  });

  it('answers an outbound ringing call by itself after auto_answer_seconds', async () => {
    const { client, socket, sent, upLeg } = setup();
    await client.start();
    await upLeg(socket(), { ...config, auto_answer_seconds: 3 });
    socket().receive(call(11, 'ringing', { direction: 'outbound' }));
    socket().receive(call(12, 'ringing')); // inbound: never by itself
    await vi.advanceTimersByTimeAsync(2999);
    expect(sent().filter((m) => m.type === 'answer')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent().filter((m) => m.type === 'answer').map((m) => m.call_id)).toEqual([11]);
  });

  it('does not auto-answer a call that stopped ringing', async () => {
    const { client, socket, sent, upLeg } = setup();
    client.setAutoAnswerSeconds(2);
    await client.start();
    await upLeg();
    socket().receive(call(11, 'ringing', { direction: 'outbound' }));
    socket().receive(call(11, 'ended', { direction: 'outbound', end_reason: 'cancelled' }));
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent().filter((m) => m.type === 'answer')).toEqual([]);
  });

  it('mutes by disabling the local track, and swaps the input device onto the leg', async () => {
    const first = fakeTrack();
    const second = fakeTrack();
    const streams = [fakeStream(first), fakeStream(second)];
    const gum = vi.fn(async () => streams.shift() as MediaStream);
    const { client, peer, upLeg } = setup({ getUserMedia: gum });
    await client.start();
    await upLeg();
    client.setMuted(true);
    expect(first.enabled).toBe(false);
    await client.setInputDevice('usb-headset');
    expect(gum).toHaveBeenLastCalledWith(expect.objectContaining({ audio: expect.objectContaining({ deviceId: { exact: 'usb-headset' } }) }));
    expect(peer().transceivers[0]?.replaced).toEqual([second]);
    expect(second.enabled).toBe(false);
    expect((first as unknown as { stopped: boolean }).stopped).toBe(true);
  });
});
