import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Call } from '../../../lib/types';
import { createLiveBus } from '../../../test/live';
import { jsonResponse, renderWithApp } from '../../../test/render';
import { ClientCalls } from './client-calls';

afterEach(() => {
  vi.unstubAllGlobals();
});

function call(id: number, extra: Partial<Call> = {}): Call {
  return {
    id,
    direction: 'outbound',
    from: '+74950000000',
    to: '+79161234567',
    trunk_id: 1,
    line_id: null,
    agent_id: 3,
    agent_name: 'Мария',
    client_id: 7,
    client_name: 'ООО Ромашка',
    client_owner_id: 3,
    status: 'ended',
    held: false,
    created_at: '2026-01-01T10:00:00Z',
    ringing_at: '2026-01-01T10:00:00Z',
    answered_at: '2026-01-01T10:00:05Z',
    ended_at: '2026-01-01T10:01:10Z',
    outcome: 'answered',
    missed_reason: null,
    sip_cause: null,
    end_reason: 'hangup',
    hangup_side: 'client',
    ...extra,
  };
}

describe('ClientCalls', () => {
  it("lists the client's calls and refetches when one of its calls changes, not another client's", async () => {
    let items: Call[] = [call(1)];
    const fetchMock = vi.fn(async (url: string) => {
      expect(url).toBe('/api/v1/calls?client_id=7&limit=50');
      return jsonResponse(200, { items });
    });
    vi.stubGlobal('fetch', fetchMock);
    const bus = createLiveBus();
    renderWithApp(
      <bus.Provider>
        <ClientCalls clientId={7} />
      </bus.Provider>,
      { lng: 'en' },
    );
    await waitFor(() => expect(screen.getAllByTestId('client-call-row')).toHaveLength(1));
    const row = screen.getByTestId('client-call-row');
    expect(row).toHaveTextContent('1:05');
    expect(row).toHaveTextContent('Answered');
    expect(row).toHaveTextContent('hung up by the client');

    bus.emit({ type: 'call.ringing', data: call(2, { client_id: 8 }) });
    await new Promise((r) => setTimeout(r, 400));
    expect(fetchMock).toHaveBeenCalledTimes(1);

    items = [call(3, { status: 'answered', ended_at: null, outcome: null, hangup_side: null, end_reason: '' }), call(1)];
    bus.emit({ type: 'call.answered', data: items[0] as Call });
    await waitFor(() => expect(screen.getAllByTestId('client-call-row')).toHaveLength(2));
    expect(screen.getAllByTestId('client-call-row')[0]).toHaveTextContent('Talking now');
  });

  it('says when there are no calls yet', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { items: [] })));
    renderWithApp(<ClientCalls clientId={7} />, { lng: 'en' });
    expect(await screen.findByText('No calls with this client yet.')).toBeInTheDocument();
  });
});
