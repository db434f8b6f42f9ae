// The REST calls the phone specs make as the demo organisation's admin:
// point a trunk at the spec's baresip, give the organisation a line on it,
// create the customer as a client, and read call records.
import { request, type APIRequestContext } from '@playwright/test';

export const DEMO_PASSWORD = 'warmline-demo';
export const DEMO_ADMIN = 'admin@demo.example';

export interface Trunk {
  id: number;
  name: string;
  port: number;
}

export interface Line {
  id: number;
  number: string;
}

export interface Client {
  id: number;
  name: string;
  phones: string[];
}

export interface User {
  id: number;
  email: string;
  name: string;
}

export interface CallRecord {
  id: number;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  agent_id: number | null;
  client_id: number | null;
  status: 'ringing' | 'answered' | 'ended';
  created_at: string;
  ringing_at: string | null;
  answered_at: string | null;
  ended_at: string | null;
  outcome: string | null;
  end_reason: string;
  hangup_side: 'agent' | 'client' | 'system' | null;
}

export class WarmlineApi {
  private constructor(private readonly ctx: APIRequestContext) {}

  /** login opens a session (cookie kept in the context) as email. */
  static async login(baseURL: string, email: string, password = DEMO_PASSWORD): Promise<WarmlineApi> {
    const origin = new URL(baseURL).origin;
    // State-changing requests must carry the same Origin a browser would.
    const ctx = await request.newContext({ baseURL: origin, extraHTTPHeaders: { Origin: origin } });
    const api = new WarmlineApi(ctx);
    await api.send('POST', '/api/v1/auth/login', { email, password });
    return api;
  }

  async dispose(): Promise<void> {
    await this.ctx.dispose();
  }

  /** send makes a request and returns its JSON, failing with the API's error body. */
  async send<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, data?: unknown): Promise<T> {
    const res = await this.ctx.fetch(url, { method, data });
    const text = await res.text();
    if (!res.ok()) throw new Error(`${method} ${url} → ${res.status()}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async userByEmail(email: string): Promise<User> {
    const { items } = await this.send<{ items: User[] }>('GET', '/api/v1/users');
    const u = items.find((x) => x.email === email);
    if (!u) throw new Error(`no user ${email} in the demo organisation`);
    return u;
  }

  /**
   * useTrunk makes the organisation's calls go to 127.0.0.1:port over UDP
   * (an IP-authenticated trunk): trunks left by earlier runs are deleted
   * first, so the gateway has exactly one trunk to choose.
   */
  async useTrunk(name: string, port: number, callerId: string): Promise<Trunk> {
    await this.deleteTestTrunks();
    return this.send<Trunk>('POST', '/api/v1/trunks', {
      name,
      host: '127.0.0.1',
      port,
      transport: 'udp',
      auth_mode: 'ip',
      caller_id: callerId,
      codecs: ['PCMU', 'PCMA'],
    });
  }

  /** deleteTestTrunks deletes the trunks (and their lines) the phone specs made. */
  async deleteTestTrunks(): Promise<void> {
    const lines = await this.send<{ items: (Line & { trunk_id: number | null })[] }>('GET', '/api/v1/lines');
    const trunks = await this.send<{ items: Trunk[] }>('GET', '/api/v1/trunks');
    for (const t of trunks.items.filter((x) => x.name.startsWith(E2E_TRUNK_PREFIX))) {
      for (const l of lines.items.filter((x) => x.trunk_id === t.id)) {
        await this.send('DELETE', `/api/v1/lines/${l.id}`);
      }
      await this.send('DELETE', `/api/v1/trunks/${t.id}`);
    }
  }

  async createLine(number: string, name: string, trunkId: number): Promise<Line> {
    return this.send<Line>('POST', '/api/v1/lines', { number, name, trunk_id: trunkId });
  }

  async createClient(name: string, phone: string, ownerId: number): Promise<Client> {
    return this.send<Client>('POST', '/api/v1/clients', { name, phones: [phone], owner_id: ownerId });
  }

  async callsOf(clientId: number): Promise<CallRecord[]> {
    const { items } = await this.send<{ items: CallRecord[] }>('GET', `/api/v1/calls?client_id=${clientId}`);
    return items;
  }

  /** waitCall polls the client's calls until one satisfies done (or times out with the last seen). */
  async waitCall(clientId: number, done: (c: CallRecord) => boolean, timeoutMs = 10_000): Promise<CallRecord> {
    const deadline = Date.now() + timeoutMs;
    let last: CallRecord[] = [];
    for (;;) {
      last = await this.callsOf(clientId);
      const c = last.find(done);
      if (c) return c;
      if (Date.now() > deadline) {
        throw new Error(`no call record of client ${clientId} as expected within ${timeoutMs} ms; records: ${JSON.stringify(last)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Trunks whose name starts with this belong to the phone specs. */
export const E2E_TRUNK_PREFIX = 'e2e baresip';

/** randomDigits returns n random decimal digits (numbers unique per test). */
export function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 10);
  return s;
}
