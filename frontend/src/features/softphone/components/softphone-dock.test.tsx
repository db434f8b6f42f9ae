import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PhoneClient, type PhoneClientOptions } from '../../../lib/phone-client';
import type { Client } from '../../../lib/types';
import { FakePeer, fakeStream } from '../../../test/fake-peer';
import { testSession, testUser } from '../../../test/fixtures';
import { FakeSocket } from '../../../test/fake-websocket';
import { jsonResponse, renderWithApp } from '../../../test/render';
import { SoftphoneProvider } from '../softphone-provider';
import { TonePlayer, type ToneName } from '../tones';
import { ClientCallButton } from './client-call-button';
import { SoftphoneDock } from './softphone-dock';

const user = testUser({ locale: 'en' });
const session = testSession(user);

const romashka: Client = {
  id: 7,
  name: 'ООО Ромашка',
  company: 'Ромашка',
  phones: ['+79161234567'],
  email: '',
  channel: '',
  owner_id: 3,
  stage_id: 2,
  stage_entered_at: '2026-01-01T00:00:00Z',
  first_contact_at: null,
  last_contact_at: '2026-01-10T09:00:00Z',
  contacts: 2,
  stage_contacts: 1,
  attempts: 0,
  notes: 'Wants a demo on Tuesday.',
  cooling_soon_at: null,
  cools_at: null,
  cooling_state: 'ok',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

/** RecordingTones remembers what the softphone asked to play instead of making sound. */
class RecordingTones extends TonePlayer {
  played: (ToneName | null)[] = [];
  constructor() {
    super(undefined);
  }
  override play(name: ToneName | null) {
    this.played.push(name);
  }
  last() {
    return this.played[this.played.length - 1] ?? null;
  }
}

let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  FakeSocket.all = [];
  FakePeer.all = [];
  window.localStorage.clear();
  fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    if (url === '/api/v1/auth/me/state') {
      const body = JSON.parse(String(init?.body)) as { state: string };
      return jsonResponse(200, { user_id: 3, name: 'Мария', role: 'agent', state: body.state, reason: '', since: '' });
    }
    if (url === '/api/v1/clients/7') return jsonResponse(200, romashka);
    if (url === '/api/v1/stages') return jsonResponse(200, { items: [{ id: 2, name: 'Warm', kind: 'open' }] });
    if (url === '/api/v1/users') return jsonResponse(200, { items: [user] });
    if (url === '/api/v1/clients' && method === 'POST') return jsonResponse(201, { ...romashka, id: 99, name: 'Новый' });
    return jsonResponse(404, { code: 'not_found', error: `no ${url}` });
  });
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

function setup(options: Partial<PhoneClientOptions> = {}, extra?: React.ReactNode) {
  const tones = new RecordingTones();
  const createClient = () =>
    new PhoneClient({
      url: 'ws://crm.test/ws/phone',
      WebSocket: FakeSocket,
      createPeer: (c) => new FakePeer(c),
      getUserMedia: async () => fakeStream(),
      random: () => 0.5,
      endedLingerMs: 60_000,
      ...options,
    });
  const view = renderWithApp(
    <SoftphoneProvider createClient={createClient} tones={tones}>
      {extra}
      <SoftphoneDock />
    </SoftphoneProvider>,
    { session, lng: 'en' },
  );
  const ws = () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;
  const sent = () => ws().sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  const server = (m: unknown) => act(() => ws().receive(m));
  /** ready plays the gateway until the leg is up. */
  const ready = async (config: Record<string, unknown> = {}) => {
    await waitFor(() => expect(FakeSocket.all.length).toBeGreaterThan(0));
    act(() => ws().open());
    server({ type: 'config', ice_servers: [], auto_answer_seconds: 0, demo: false, ...config });
    await waitFor(() => expect(FakePeer.all.length).toBeGreaterThan(0));
    const peer = FakePeer.all[FakePeer.all.length - 1] as FakePeer;
    await waitFor(() => expect(peer.iceGatheringState).toBe('gathering'));
    act(() => peer.gatheringComplete());
    await waitFor(() => expect(sent().some((m) => m.type === 'offer')).toBe(true));
    server({ type: 'answer', sdp: 'v=0' });
    server({ type: 'leg', state: 'connected' });
    await waitFor(() => expect(screen.getByTestId('softphone')).toHaveAttribute('data-state', 'ready'));
  };
  const call = (id: number, state: string, extra: Record<string, unknown> = {}) =>
    server({
      type: 'call',
      call: {
        id,
        direction: 'inbound',
        state,
        from: '+79161234567',
        to: '+74950000000',
        client_id: 7,
        client_name: 'ООО Ромашка',
        created_at: '2026-01-01T10:00:00Z',
        answered_at: null,
        held: false,
        end_reason: '',
        hangup_side: null,
        ...extra,
      },
    });
  const frames = (type: string) => sent().filter((m) => m.type === type);
  return { view, tones, ws, sent, server, ready, call, frames };
}

describe('SoftphoneDock', () => {
  it('goes on (available), rings for an inbound call, answers, sends DTMF, holds and hangs up', async () => {
    const u = userEvent.setup();
    const { tones, ready, call, frames, server } = setup();
    const panel = screen.getByTestId('softphone');
    expect(panel).toHaveAttribute('data-state', 'off');

    await u.click(screen.getByTestId('softphone-toggle'));
    expect(panel).toHaveAttribute('data-state', 'connecting');
    await ready();
    await waitFor(() =>
      expect(fetchMock).toHaveBeenCalledWith('/api/v1/auth/me/state', expect.objectContaining({ method: 'PUT', body: '{"state":"available"}' })),
    );

    call(42, 'ringing');
    const popup = screen.getByTestId('incoming-call');
    expect(popup).toHaveAttribute('data-call-id', '42');
    expect(within(popup).getByTestId('incoming-client-name')).toHaveTextContent('ООО Ромашка');
    expect(screen.getByTestId('active-call')).toHaveAttribute('data-call-state', 'ringing');
    expect(tones.last()).toBe('ring');
    // The card's details arrive from the API: stage, owner, notes.
    await waitFor(() => expect(within(popup).getByText('Warm')).toBeInTheDocument());
    expect(within(popup).getByText('Мария')).toBeInTheDocument();
    expect(within(popup).getByText('Wants a demo on Tuesday.')).toBeInTheDocument();
    expect(within(popup).getByRole('link', { name: 'Open the client card' })).toHaveAttribute('href', '/clients/7');

    await u.click(within(popup).getByTestId('incoming-answer'));
    expect(frames('answer')).toMatchObject([{ call_id: 42 }]);
    server({ type: 'ack', ref: frames('answer')[0]?.ref, call_id: 42 });
    call(42, 'active', { answered_at: '2026-01-01T10:00:03Z' });
    expect(screen.queryByTestId('incoming-call')).not.toBeInTheDocument();
    const active = screen.getByTestId('active-call');
    expect(active).toHaveAttribute('data-call-state', 'active');
    expect(active).toHaveAttribute('data-call-id', '42');
    expect(tones.last()).toBeNull();
    expect(screen.getByTestId('call-timer')).toHaveTextContent(/^0:0\d$/);

    // Dial pad keys and keyboard digits send DTMF during the call.
    await u.click(screen.getByTestId('dialpad-key-5'));
    await u.click(screen.getByTestId('dialpad-key-hash'));
    fireEvent.keyDown(document.body, { key: '9' });
    expect(frames('dtmf').map((m) => [m.call_id, m.digits])).toEqual([
      [42, '5'],
      [42, '#'],
      [42, '9'],
    ]);

    await u.click(screen.getByTestId('call-hold'));
    expect(frames('hold')).toMatchObject([{ call_id: 42 }]);
    call(42, 'active', { held: true });
    expect(screen.getByTestId('active-call')).toHaveAttribute('data-held', 'true');
    await u.click(screen.getByTestId('call-hold'));
    expect(frames('resume')).toMatchObject([{ call_id: 42 }]);

    await u.click(screen.getByTestId('call-mute'));
    expect(screen.getByTestId('call-mute')).toHaveAttribute('aria-pressed', 'true');

    await u.click(screen.getByTestId('call-hangup'));
    expect(frames('hangup')).toMatchObject([{ call_id: 42 }]);
    call(42, 'ended', { end_reason: 'hangup', hangup_side: 'agent' });
    expect(screen.getByTestId('active-call')).toHaveAttribute('data-call-state', 'ended');
    expect(screen.getByTestId('active-call')).toHaveTextContent('hung up by the agent');

    await u.click(screen.getByTestId('softphone-toggle'));
    expect(panel).toHaveAttribute('data-state', 'off');
    await waitFor(() =>
      expect(fetchMock).toHaveBeenCalledWith('/api/v1/auth/me/state', expect.objectContaining({ body: '{"state":"offline"}' })),
    );
  });

  it('answers a click-to-call by itself after the auto-answer seconds, and plays ringback while the client rings', async () => {
    const u = userEvent.setup();
    const { tones, ready, call, frames } = setup();
    await u.click(screen.getByTestId('softphone-toggle'));
    await ready({ auto_answer_seconds: 1 });
    call(50, 'ringing', { direction: 'outbound', from: '', to: '+79161234567' });
    expect(screen.getByTestId('incoming-call')).toHaveTextContent('Pick up to call the client');
    expect(frames('answer')).toEqual([]);
    await waitFor(() => expect(frames('answer')).toMatchObject([{ call_id: 50 }]), { timeout: 2500 });
    call(50, 'dialing', { direction: 'outbound', from: '', to: '+79161234567' });
    expect(screen.getByTestId('active-call')).toHaveAttribute('data-call-state', 'dialing');
    expect(tones.last()).toBe('ringback');
    call(50, 'early', { direction: 'outbound', from: '', to: '+79161234567' });
    expect(tones.last()).toBeNull();
  });

  it('dials a typed number from the dial pad', async () => {
    const u = userEvent.setup();
    const { ready, frames } = setup();
    await u.click(screen.getByTestId('softphone-toggle'));
    await ready();
    await u.type(screen.getByTestId('dialpad-input'), '+7 916 ');
    await u.click(screen.getByTestId('dialpad-key-1'));
    await u.click(screen.getByTestId('dialpad-call'));
    expect(frames('dial')).toMatchObject([{ to: '+7 916 1' }]);
    expect(frames('dial')[0]).not.toHaveProperty('client_id');
  });

  it('pops up one card per call, however often the call is repeated, and counts the others ringing', async () => {
    const u = userEvent.setup();
    const { ready, call } = setup();
    await u.click(screen.getByTestId('softphone-toggle'));
    await ready();
    call(60, 'ringing');
    call(60, 'ringing');
    call(61, 'ringing', { client_id: null, client_name: '', from: '+79990001122' });
    const popups = screen.getAllByTestId('incoming-call');
    expect(popups).toHaveLength(1);
    expect(popups[0]).toHaveAttribute('data-call-id', '60');
    expect(popups[0]).toHaveTextContent('1 more call ringing');
    call(60, 'ended', { end_reason: 'cancelled' });
    expect(screen.getAllByTestId('incoming-call')).toHaveLength(1);
    expect(screen.getByTestId('incoming-call')).toHaveAttribute('data-call-id', '61');
  });

  it('shows an unknown caller with a way to create the client with the number', async () => {
    const u = userEvent.setup();
    const { ready, call } = setup();
    await u.click(screen.getByTestId('softphone-toggle'));
    await ready();
    call(70, 'ringing', { client_id: null, client_name: '', from: '+79990001122' });
    const popup = screen.getByTestId('incoming-call');
    expect(within(popup).getByTestId('incoming-client-name')).toHaveTextContent('Unknown caller');
    expect(fetchMock.mock.calls.some(([url]) => String(url).startsWith('/api/v1/clients/'))).toBe(false);
    await u.click(within(popup).getByRole('button', { name: 'Create a client' }));
    await u.type(within(popup).getByLabelText('Client name'), 'Новый');
    await u.click(within(popup).getByRole('button', { name: 'Create' }));
    await waitFor(() => {
      const post = fetchMock.mock.calls.find(([url, init]) => url === '/api/v1/clients' && init?.method === 'POST');
      expect(JSON.parse(String(post?.[1]?.body))).toEqual({ name: 'Новый', phones: ['+79990001122'] });
    });
    await u.click(within(popup).getByTestId('incoming-decline'));
  });

  it('says the microphone is blocked and stays in error', async () => {
    const u = userEvent.setup();
    setup({ getUserMedia: () => Promise.reject(Object.assign(new Error('no'), { name: 'NotAllowedError' })) });
    await u.click(screen.getByTestId('softphone-toggle'));
    await waitFor(() => expect(screen.getByTestId('softphone')).toHaveAttribute('data-state', 'error'));
    expect(screen.getByRole('alert')).toHaveTextContent('The browser blocks the microphone');
    expect(FakeSocket.all).toHaveLength(0);
    expect(fetchMock.mock.calls.some(([url]) => url === '/api/v1/auth/me/state')).toBe(false);
  });

  it('says it is reconnecting when the connection drops and is ready again after a new offer', async () => {
    const u = userEvent.setup();
    const { ready, ws } = setup({ initialDelayMs: 10, maxDelayMs: 20 });
    await u.click(screen.getByTestId('softphone-toggle'));
    await ready();
    act(() => ws().serverClose(1006));
    expect(screen.getByTestId('softphone')).toHaveAttribute('data-state', 'reconnecting');
    expect(screen.getByRole('alert')).toHaveTextContent('Reconnecting');
    await waitFor(() => expect(FakeSocket.all).toHaveLength(2));
    await ready();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('SoftphoneDock after a reload', () => {
  it('comes back on by itself when it was on, and stays off once turned off', async () => {
    const u = userEvent.setup();
    window.localStorage.setItem('warmline.softphone.on', '1');
    const { ready, view } = setup();
    await ready();
    await u.click(screen.getByTestId('softphone-toggle'));
    expect(screen.getByTestId('softphone')).toHaveAttribute('data-state', 'off');
    view.unmount();
    FakeSocket.all = [];
    setup();
    await act(() => new Promise((r) => setTimeout(r, 50))); // what it would do on mount, it has done
    expect(FakeSocket.all).toHaveLength(0);
    expect(screen.getByTestId('softphone')).toHaveAttribute('data-state', 'off');
  });
});

describe('ClientCallButton', () => {
  it('turns the softphone on and dials the client with its id once the leg is up', async () => {
    const u = userEvent.setup();
    const { ready, frames } = setup({}, <ClientCallButton client={romashka} />);
    await u.click(screen.getByTestId('client-call-button'));
    await ready();
    await waitFor(() => expect(frames('dial')).toMatchObject([{ to: '+79161234567', client_id: 7 }]));
  });

  it('is disabled when the client has no phone', () => {
    setup({}, <ClientCallButton client={{ ...romashka, phones: [] }} />);
    expect(screen.getByTestId('client-call-button')).toBeDisabled();
  });

  it('without a softphone, asks the API to ring the agent first', async () => {
    const u = userEvent.setup();
    fetchMock.mockImplementation(async () => jsonResponse(201, { call_id: 5 }));
    renderWithApp(<ClientCallButton client={romashka} />, { session, lng: 'en' });
    await u.click(screen.getByTestId('client-call-button'));
    await waitFor(() =>
      expect(fetchMock).toHaveBeenCalledWith('/api/v1/calls', expect.objectContaining({ method: 'POST', body: '{"client_id":7}' })),
    );
  });
});
