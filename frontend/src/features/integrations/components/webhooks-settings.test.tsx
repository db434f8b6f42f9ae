import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLiveBus } from '../../../test/live';
import { fakeApi } from '../../../test/fake-api';
import { jsonResponse, renderWithApp } from '../../../test/render';
import type { Webhook, WebhookDelivery } from '../api/webhooks-api';
import { WebhooksSettings } from './webhooks-settings';

afterEach(() => {
  vi.unstubAllGlobals();
});

const SECRET = 'whsec_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

function hook(id: number, extra: Partial<Webhook> = {}): Webhook {
  return {
    id,
    url: `https://crm.example.com/hook/${id}`,
    description: '',
    event_types: [],
    enabled: true,
    created_at: '2026-11-20T10:00:00Z',
    updated_at: '2026-11-20T10:00:00Z',
    ...extra,
  };
}

function delivery(id: number, extra: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id,
    webhook_id: 1,
    event_seq: 1017,
    event_type: 'client.moved',
    status: 'failed',
    attempts: 11,
    next_attempt_at: null,
    last_attempt_at: '2026-11-21T10:00:00Z',
    last_status: 500,
    last_error: '',
    last_response: 'oops',
    last_latency_ms: 87,
    delivered_at: null,
    created_at: '2026-11-20T10:00:00Z',
    ...extra,
  };
}

describe('WebhooksSettings', () => {
  it('says when there are no endpoints', async () => {
    fakeApi({ 'GET /api/v1/webhooks': () => jsonResponse(200, { items: [] }) });
    renderWithApp(<WebhooksSettings />, { lng: 'en' });
    expect(await screen.findByText(/No endpoints yet/)).toBeInTheDocument();
  });

  it('shows the secret of a new endpoint once, with a copy button, and never again', async () => {
    const u = userEvent.setup();
    let items: Webhook[] = [];
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const calls = fakeApi({
      'GET /api/v1/webhooks': () => jsonResponse(200, { items }),
      'POST /api/v1/webhooks': (body) => {
        const created = hook(1, body as Partial<Webhook>);
        items = [created];
        return jsonResponse(201, { ...created, secret: SECRET });
      },
    });
    const bus = createLiveBus();
    renderWithApp(
      <bus.Provider>
        <WebhooksSettings />
      </bus.Provider>,
      { lng: 'en' },
    );
    await screen.findByText(/No endpoints yet/);
    await u.click(screen.getByRole('button', { name: 'Add an endpoint' }));
    const form = screen.getByRole('form', { name: 'New endpoint' });
    await u.type(within(form).getByLabelText('URL'), 'https://crm.example.com/hook/1');
    await u.click(within(form).getByRole('checkbox', { name: 'client.moved' }));
    await u.click(within(form).getByRole('checkbox', { name: 'client.created' }));
    await u.click(within(form).getByRole('button', { name: 'Save' }));

    const dialog = await screen.findByRole('dialog', { name: "The endpoint's signing secret" });
    expect(within(dialog).getByLabelText('Secret')).toHaveValue(SECRET);
    expect(within(dialog).getByRole('alert')).toHaveTextContent('it is shown only this once');
    // In the event list's order, whatever the order of the clicks.
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      url: 'https://crm.example.com/hook/1',
      description: '',
      event_types: ['client.created', 'client.moved'],
      enabled: true,
    });
    await u.click(within(dialog).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(within(dialog).getByText('Copied.')).toBeInTheDocument();

    await u.click(within(dialog).getByRole('button', { name: 'I have saved it' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const row = screen.getByRole('row', { name: /crm\.example\.com\/hook\/1/ });
    expect(row).toHaveTextContent('client.created, client.moved');
    // Gone for good: not in the page, not in an edit form, not after a live refetch.
    const secretShown = () =>
      document.body.innerHTML.includes(SECRET) || [...document.querySelectorAll('input')].some((i) => i.value === SECRET);
    expect(secretShown()).toBe(false);
    await u.click(within(row).getByRole('button', { name: 'Edit' }));
    expect(secretShown()).toBe(false);
    await u.click(screen.getByRole('button', { name: 'Cancel' }));
    bus.emit({ type: 'webhook.changed', data: { id: 1, deleted: false } });
    await waitFor(() => expect(calls.filter((c) => c.method === 'GET')).toHaveLength(2));
    expect(secretShown()).toBe(false);
  });

  it("puts the server's refusal under the field it names", async () => {
    const u = userEvent.setup();
    fakeApi({
      'GET /api/v1/webhooks': () => jsonResponse(200, { items: [] }),
      'POST /api/v1/webhooks': () =>
        jsonResponse(400, { code: 'invalid', error: 'The URL must use https (or allow plain http).', field: 'url' }),
    });
    renderWithApp(<WebhooksSettings />, { lng: 'en' });
    await u.click(await screen.findByRole('button', { name: 'Add an endpoint' }));
    await u.type(screen.getByLabelText('URL'), 'http://crm.example.com/');
    await u.click(screen.getByRole('button', { name: 'Save' }));
    const url = screen.getByLabelText('URL');
    await waitFor(() => expect(url).toHaveAttribute('aria-invalid', 'true'));
    expect(document.getElementById(url.getAttribute('aria-describedby')!.split(' ').pop()!)).toHaveTextContent(
      'The URL must use https (or allow plain http).',
    );
    expect(screen.getByRole('form', { name: 'New endpoint' })).toBeInTheDocument();
  });

  it('turns an endpoint off, sends a test event and shows the delivery log with resend', async () => {
    const u = userEvent.setup();
    let deliveries = [
      delivery(11, { event_type: 'webhook.test', event_seq: null, status: 'delivered', attempts: 1, last_status: 204, last_latency_ms: 12 }),
      delivery(10, { last_error: 'connection refused', last_status: null, last_latency_ms: null }),
    ];
    const calls = fakeApi({
      'GET /api/v1/webhooks': () => jsonResponse(200, { items: [hook(1)] }),
      'PATCH /api/v1/webhooks/1': (body) => jsonResponse(200, hook(1, body as Partial<Webhook>)),
      'POST /api/v1/webhooks/1/test': () => jsonResponse(202, delivery(11, { status: 'pending' })),
      'GET /api/v1/webhooks/1/deliveries?limit=50': () => jsonResponse(200, { items: deliveries }),
      'POST /api/v1/webhooks/1/deliveries/10/resend': () => {
        deliveries = [deliveries[0]!, delivery(10, { status: 'pending', attempts: 0, next_attempt_at: '2026-11-21T10:05:00Z' })];
        return jsonResponse(202, deliveries[1]);
      },
    });
    renderWithApp(<WebhooksSettings />, { lng: 'en' });
    const row = await screen.findByRole('row', { name: /crm\.example\.com\/hook\/1/ });
    expect(row).toHaveTextContent('All events');
    await u.click(within(row).getByRole('button', { name: 'Turn off' }));
    await waitFor(() => expect(row).toHaveTextContent('Off'));
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ enabled: false });

    await u.click(within(row).getByRole('button', { name: 'Send a test event' }));
    const log = await screen.findByRole('table', { name: /Delivery log/ });
    await waitFor(() => expect(within(log).getAllByRole('row')).toHaveLength(3));
    expect(within(row).getByRole('button', { name: 'Hide the log' })).toHaveAttribute('aria-expanded', 'true');
    const [, tested, failed] = within(log).getAllByRole('row');
    expect(tested).toHaveTextContent('webhook.test');
    expect(tested).toHaveTextContent('Delivered');
    expect(tested).toHaveTextContent('HTTP 204');
    expect(tested).toHaveTextContent('12 ms');
    expect(failed).toHaveTextContent('client.moved');
    expect(failed).toHaveTextContent('1017');
    expect(failed).toHaveTextContent('Failed');
    expect(failed).toHaveTextContent('11');
    expect(failed).toHaveTextContent('connection refused');

    await u.click(within(failed!).getByRole('button', { name: 'Resend: client.moved #1017' }));
    expect(calls.some((c) => c.method === 'POST' && c.url === '/api/v1/webhooks/1/deliveries/10/resend')).toBe(true);
    await waitFor(() => expect(within(log).getAllByRole('row')[2]).toHaveTextContent('Pending'));
  });

  it('tells when the list cannot be loaded', async () => {
    fakeApi({ 'GET /api/v1/webhooks': () => jsonResponse(403, { code: 'forbidden', error: 'Admins only.', field: '' }) });
    renderWithApp(<WebhooksSettings />, { lng: 'en' });
    expect(await screen.findByRole('alert')).toHaveTextContent('Admins only.');
  });
});
