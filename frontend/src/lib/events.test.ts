// @vitest-environment node
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  EVENT_TYPES,
  PROTOCOL_TYPES,
  isEventType,
  parseServerMessage,
  type EventData,
  type EventType,
  type ServerMessageType,
} from './events';

// The backend is the source of truth; these tests read its Go files as text.
const backend = new URL('../../../backend/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, backend), 'utf8');

/** goConstants returns the string constants whose names match prefix, e.g. `EventClientMoved = "client.moved"`. */
function goConstants(source: string, prefix: RegExp): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^\s*(\w+)\s*=\s*"([^"]*)"/gm)) {
    if (prefix.test(m[1] as string)) out.push(m[2] as string);
  }
  return out;
}

/**
 * The events whose data the stores write as a map rather than a domain
 * struct, with the keys of that map. `satisfies` keeps this list honest
 * against EventData (every key, no extra one); the test below keeps it
 * honest against the Go code.
 */
const MAP_EVENT_KEYS = {
  'client.deleted': { id: true },
  'client.moved': { client: true, from_stage_id: true, to_stage_id: true, reason: true },
  'clients.imported': { import_id: true, created: true, demo: true },
  'stages.reordered': { ids: true },
  'stage.deleted': { id: true, moved_to: true, clients_moved: true },
  // Integrations and plans.
  'webhook.changed': { id: true, deleted: true },
  'email_settings.changed': { configured: true },
  'plan.changed': { id: true, agent_id: true, deleted: true },
  // Phone (issue 3).
  'trunk.changed': { id: true },
} as const satisfies { [K in EventType]?: Record<keyof EventData[K], true> };

describe('events.ts mirrors the Go event types', () => {
  const goTypes = goConstants(read('warmline/event.go'), /^Event[A-Z]/);

  it('finds the Go constants at all', () => {
    expect(goTypes.length).toBeGreaterThanOrEqual(12);
    expect(goTypes).toContain('client.moved');
  });

  it('has every Go event type and no other', () => {
    expect({ missingInTypeScript: goTypes.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t)) }).toEqual({
      missingInTypeScript: [],
    });
    expect({ notInGo: EVENT_TYPES.filter((t) => !goTypes.includes(t)) }).toEqual({ notInGo: [] });
    expect([...EVENT_TYPES]).toEqual(goTypes);
  });

  it('has the protocol messages of backend/realtime/message.go', () => {
    const goProtocol = goConstants(read('realtime/message.go'), /^Type[A-Z]/);
    expect([...goProtocol].sort()).toEqual([...PROTOCOL_TYPES].sort());
  });

  it('gives each event type its data shape, and the server messages are the events plus hello, resync, pong and skip', () => {
    expectTypeOf<keyof EventData>().toEqualTypeOf<EventType>();
    expectTypeOf<ServerMessageType>().toEqualTypeOf<EventType | 'hello' | 'resync' | 'pong' | 'skip'>();
  });

  it('names the same keys as the maps the Go stores write for each event', () => {
    const dir = new URL('postgres/', backend);
    const goKeys = new Map<string, Set<string>>();
    const names = new Map(goConstantsWithNames(read('warmline/event.go')));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      for (const m of source.matchAll(/appendEvent\([^;]*?warmline\.(Event\w+),\s*map\[string\]any\{([^}]*)\}/gs)) {
        const type = names.get(m[1] as string) ?? `unknown constant ${m[1]}`;
        const keys = goKeys.get(type) ?? new Set<string>();
        for (const k of (m[2] as string).matchAll(/"(\w+)"\s*:/g)) keys.add(k[1] as string);
        goKeys.set(type, keys);
      }
    }
    const fromGo = Object.fromEntries([...goKeys].map(([t, keys]) => [t, [...keys].sort()]).sort());
    const fromTs = Object.fromEntries(
      Object.entries(MAP_EVENT_KEYS)
        .map(([t, keys]) => [t, Object.keys(keys).sort()])
        .sort(),
    );
    expect(fromTs).toEqual(fromGo);
  });
});

function goConstantsWithNames(source: string): [string, string][] {
  return [...source.matchAll(/^\s*(Event\w+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1] as string, m[2] as string]);
}

describe('isEventType', () => {
  it('knows the event types and nothing else', () => {
    expect(isEventType('client.moved')).toBe(true);
    expect(isEventType('hello')).toBe(false);
    expect(isEventType('client.exploded')).toBe(false);
    expect(isEventType(undefined)).toBe(false);
  });
});

describe('parseServerMessage', () => {
  it('reads an event frame', () => {
    expect(parseServerMessage('{"type":"client.deleted","seq":12,"data":{"id":7}}')).toEqual({
      type: 'client.deleted',
      seq: 12,
      data: { id: 7 },
    });
  });

  it('reads a hello whose seq the server left out', () => {
    expect(parseServerMessage('{"type":"hello","data":{"org_id":1,"user_id":3}}')).toEqual({
      type: 'hello',
      data: { org_id: 1, user_id: 3 },
    });
  });

  it.each([
    ['not JSON', '{{'],
    ['an array', '[1]'],
    ['no type', '{"seq":1}'],
    ['a string seq', '{"type":"client.deleted","seq":"12"}'],
    ['a negative seq', '{"type":"client.deleted","seq":-1}'],
    ['a fractional seq', '{"type":"client.deleted","seq":1.5}'],
    ['null', 'null'],
  ])('refuses %s', (_name, text) => {
    expect(parseServerMessage(text)).toBeNull();
  });
});
