import { vi } from 'vitest';

/** FakeCall is one request the page made: its method, URL (with query) and JSON body. */
export interface FakeCall {
  method: string;
  url: string;
  body: Record<string, unknown> | undefined;
}

export type FakeRoutes = Record<string, (body: Record<string, unknown> | undefined) => Response>;

/**
 * fakeApi stubs fetch with routes keyed "METHOD /api/v1/path?query" and
 * records every call; a request no route answers fails the test's fetch.
 * Undo it with vi.unstubAllGlobals().
 */
export function fakeApi(routes: FakeRoutes): FakeCall[] {
  const calls: FakeCall[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
      calls.push({ method, url, body });
      const route = routes[`${method} ${url}`];
      if (!route) throw new Error(`unexpected ${method} ${url}`);
      return route(body);
    }),
  );
  return calls;
}
