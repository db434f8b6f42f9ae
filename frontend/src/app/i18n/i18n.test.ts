import { describe, expect, it } from 'vitest';
import en from './en.json';
import ru from './ru.json';
import { initI18n } from './index';

type Tree = { [key: string]: string | Tree };

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

/** pluralBases are the keys written in plural forms: every one has an "_other" form. */
const pluralCache = new WeakMap<Map<string, string>, Set<string>>();
function pluralBases(flat: Map<string, string>): Set<string> {
  let bases = pluralCache.get(flat);
  if (!bases) {
    bases = new Set([...flat.keys()].filter((k) => k.endsWith('_other')).map((k) => k.slice(0, -'_other'.length)));
    pluralCache.set(flat, bases);
  }
  return bases;
}

/** base strips a plural suffix from a key of a plural base: "clients.count_few" → "clients.count". */
function base(flat: Map<string, string>, key: string): string {
  const stripped = key.replace(PLURAL_SUFFIX, '');
  return stripped !== key && pluralBases(flat).has(stripped) ? stripped : key;
}

function baseKeys(flat: Map<string, string>): Set<string> {
  return new Set([...flat.keys()].map((k) => base(flat, k)));
}

function pluralForms(flat: Map<string, string>, b: string): string[] {
  return [...flat.keys()]
    .filter((k) => k !== b && base(flat, k) === b)
    .map((k) => (PLURAL_SUFFIX.exec(k) as RegExpExecArray)[1] as string)
    .sort();
}

function variables(s: string): string[] {
  return [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] as string).sort();
}

const ruFlat = flatten(ru as Tree);
const enFlat = flatten(en as Tree);

describe('translations', () => {
  it('ru and en have exactly the same keys (plural forms aside)', () => {
    const ruKeys = [...baseKeys(ruFlat)].sort();
    const enKeys = [...baseKeys(enFlat)].sort();
    expect(ruKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
    expect(enKeys.filter((k) => !ruKeys.includes(k))).toEqual([]);
    expect(ruKeys).toEqual(enKeys);
  });

  it('every plural key has each form the language needs, in both languages', () => {
    for (const [lng, flat] of [
      ['ru', ruFlat],
      ['en', enFlat],
    ] as const) {
      const needed = [...new Intl.PluralRules(lng).resolvedOptions().pluralCategories].sort();
      for (const b of pluralBases(flat)) {
        expect({ key: b, lng, forms: pluralForms(flat, b) }).toEqual({ key: b, lng, forms: needed });
      }
    }
  });

  it('a key is plural in Russian exactly when it is plural in English', () => {
    expect([...pluralBases(ruFlat)].sort()).toEqual([...pluralBases(enFlat)].sort());
    expect(pluralBases(ruFlat).has('clients.count')).toBe(true);
  });

  it('the same key uses the same {{variables}} in both languages', () => {
    for (const b of baseKeys(ruFlat)) {
      const ruVars = new Set<string>();
      const enVars = new Set<string>();
      for (const [k, v] of ruFlat) if (base(ruFlat, k) === b) variables(v).forEach((x) => ruVars.add(x));
      for (const [k, v] of enFlat) if (base(enFlat, k) === b) variables(v).forEach((x) => enVars.add(x));
      expect({ key: b, vars: [...ruVars].sort() }).toEqual({ key: b, vars: [...enVars].sort() });
    }
  });

  it('no value is empty', () => {
    for (const [k, v] of [...ruFlat, ...enFlat]) expect({ k, empty: v.trim() === '' }).toEqual({ k, empty: false });
  });

  it('every key the code asks for with a literal exists', () => {
    const sources = import.meta.glob(['../../**/*.tsx', '../../**/*.ts', '!../../**/*.test.ts', '!../../**/*.test.tsx'], {
      query: '?raw',
      import: 'default',
      eager: true,
    }) as Record<string, string>;
    const used = new Set<string>();
    for (const text of Object.values(sources)) {
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(100);
    const ruBase = baseKeys(ruFlat);
    expect([...used].filter((k) => !ruBase.has(k))).toEqual([]);
  });
});

describe('Russian plurals', () => {
  const i18n = initI18n('ru');

  it.each([
    [1, '1 клиент'],
    [2, '2 клиента'],
    [4, '4 клиента'],
    [5, '5 клиентов'],
    [11, '11 клиентов'],
    [12, '12 клиентов'],
    [21, '21 клиент'],
    [22, '22 клиента'],
    [25, '25 клиентов'],
    [0, '0 клиентов'],
    [101, '101 клиент'],
  ])('%i → %s', (count, expected) => {
    expect(i18n.t('clients.count', { count, lng: 'ru' })).toBe(expected);
  });

  it('counts working days in Russian', () => {
    expect(i18n.t('period.working_days', { count: 1, lng: 'ru' })).toBe('1 рабочий день');
    expect(i18n.t('period.working_days', { count: 3, lng: 'ru' })).toBe('3 рабочих дня');
    expect(i18n.t('period.working_days', { count: 5, lng: 'ru' })).toBe('5 рабочих дней');
  });

  it('uses one/other in English', () => {
    expect(i18n.t('clients.count', { count: 1, lng: 'en' })).toBe('1 client');
    expect(i18n.t('clients.count', { count: 312, lng: 'en' })).toBe('312 clients');
  });
});
