import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, buildUrl, onUnauthorized, request } from './api-client';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('request', () => {
  it('returns the JSON answer and sends cookies and JSON bodies', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(201, { id: 7, name: 'Иван' }));
    vi.stubGlobal('fetch', fetchMock);

    const out = await request<{ id: number; name: string }>('/clients', {
      method: 'POST',
      body: { name: 'Иван' },
    });

    expect(out).toEqual({ id: 7, name: 'Иван' });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/v1/clients');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(init.body).toBe('{"name":"Иван"}');
  });

  it('puts query parameters in the URL and leaves out empty ones', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, { items: [], total: 0 }));
    vi.stubGlobal('fetch', fetchMock);

    await request('/clients', { query: { q: '+7 999', stage_id: 3, owner_id: undefined, channel: '' } });

    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/v1/clients?q=%2B7+999&stage_id=3');
  });

  it('sends FormData as it is, without a JSON content type', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, { headers: [] }));
    vi.stubGlobal('fetch', fetchMock);
    const form = new FormData();
    form.append('mode', 'skip_bad_rows');

    await request('/imports/preview', { method: 'POST', body: form });

    const init = fetchMock.mock.calls[0]?.[1] as RequestInit;
    expect(init.body).toBe(form);
    expect((init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });

  it('returns undefined for 204 No Content', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(null, { status: 204 })));

    await expect(request('/auth/logout', { method: 'POST' })).resolves.toBeUndefined();
  });

  it('turns an error body into an ApiError with code, message, field and status', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        jsonResponse(400, { code: 'invalid', error: 'Password must be at least 10 characters.', field: 'password' }),
      ),
    );

    const err = await request('/auth/signup', { method: 'POST', body: {} }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    const apiErr = err as ApiError;
    expect(apiErr.status).toBe(400);
    expect(apiErr.code).toBe('invalid');
    expect(apiErr.field).toBe('password');
    expect(apiErr.message).toBe('Password must be at least 10 characters.');
  });

  it('keeps the too_many code of a throttled login', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(jsonResponse(429, { code: 'too_many', error: 'Too many attempts.', field: '' })),
    );

    const err = (await request('/auth/login', { method: 'POST', body: {} }).catch((e: unknown) => e)) as ApiError;

    expect(err.code).toBe('too_many');
    expect(err.status).toBe(429);
    expect(err.field).toBe('');
  });

  it('derives a code from the status when the body is not JSON', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })),
    );

    const err = (await request('/clients').catch((e: unknown) => e)) as ApiError;

    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('internal');
    expect(err.status).toBe(502);
  });

  it('turns a network failure into an ApiError with code "network" and status 0', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));

    const err = (await request('/auth/me').catch((e: unknown) => e)) as ApiError;

    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('network');
    expect(err.status).toBe(0);
  });

  it('rethrows an abort as it is', async () => {
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(abort));

    await expect(request('/clients')).rejects.toBe(abort);
  });

  it('tells the unauthorized listener about a 401', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(jsonResponse(401, { code: 'unauthorized', error: 'Please log in.' })),
    );
    const listener = vi.fn();
    const off = onUnauthorized(listener);

    await request('/clients').catch(() => undefined);
    off();
    await request('/clients').catch(() => undefined);

    expect(listener).toHaveBeenCalledTimes(1);
    expect((listener.mock.calls[0]?.[0] as ApiError).code).toBe('unauthorized');
  });
});

describe('buildUrl', () => {
  it('keeps paths that already start with /api/', () => {
    expect(buildUrl('/api/v1/stages')).toBe('/api/v1/stages');
  });
});
