import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { CLIENT_SORTS, COOLING_STATES, type ClientListQuery, type ClientSort, type CoolingState, type SortOrder } from '../../../lib/types';

export const CLIENTS_PER_PAGE = 50;
export const DEFAULT_SORT: ClientSort = 'created_at';
export const DEFAULT_ORDER: SortOrder = 'desc';

/** ClientListParams are the list's filters as kept in the URL query string. */
export interface ClientListParams {
  q: string;
  stage: string;
  owner: string;
  channel: string;
  cooling: string;
  sort: ClientSort;
  order: SortOrder;
  page: number;
}

export type ClientListPatch = Partial<ClientListParams>;

const KEYS = ['q', 'stage', 'owner', 'channel', 'cooling', 'sort', 'order', 'page'] as const;

export function parseClientListParams(sp: URLSearchParams): ClientListParams {
  const rawSort = sp.get('sort') ?? '';
  const sortKnown = (CLIENT_SORTS as readonly string[]).includes(rawSort);
  const order = sp.get('order');
  const page = Number(sp.get('page'));
  return {
    q: sp.get('q') ?? '',
    stage: sp.get('stage') ?? '',
    owner: sp.get('owner') ?? '',
    channel: sp.get('channel') ?? '',
    cooling: sp.get('cooling') ?? '',
    sort: sortKnown ? (rawSort as ClientSort) : DEFAULT_SORT,
    order: order === 'asc' || order === 'desc' ? order : sortKnown ? 'asc' : DEFAULT_ORDER,
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

/** toClientQuery turns the URL filters into the API's query parameters. */
export function toClientQuery(p: ClientListParams): ClientListQuery {
  const q: ClientListQuery = { sort: p.sort, order: p.order, page: p.page, per_page: CLIENTS_PER_PAGE };
  if (p.q.trim()) q.q = p.q.trim();
  const stage = Number(p.stage);
  if (p.stage && Number.isInteger(stage) && stage > 0) q.stage_id = stage;
  if (p.owner) q.owner_id = p.owner;
  if (p.channel) q.channel = p.channel;
  if ((COOLING_STATES as readonly string[]).includes(p.cooling)) q.cooling = p.cooling as CoolingState;
  return q;
}

/**
 * useClientListParams reads and writes the client list filters in the URL.
 * Changing any filter goes back to page 1.
 */
export function useClientListParams() {
  const [searchParams, setSearchParams] = useSearchParams();
  const params = useMemo(() => parseClientListParams(searchParams), [searchParams]);

  const update = useCallback(
    (patch: ClientListPatch, options?: { replace?: boolean }) => {
      setSearchParams(
        (prev) => {
          const current = parseClientListParams(prev);
          const next: ClientListParams = { ...current, ...patch };
          if (!('page' in patch)) next.page = 1;
          const sp = new URLSearchParams();
          for (const key of KEYS) {
            const value = next[key];
            if (key === 'page' && value === 1) continue;
            if (key === 'sort' && value === DEFAULT_SORT && next.order === DEFAULT_ORDER) continue;
            if (key === 'order' && next.sort === DEFAULT_SORT && value === DEFAULT_ORDER) continue;
            if (value !== '' && value !== undefined) sp.set(key, String(value));
          }
          return sp;
        },
        { replace: options?.replace ?? false },
      );
    },
    [setSearchParams],
  );

  const hasFilters = Boolean(params.q || params.stage || params.owner || params.channel || params.cooling);
  return { params, update, hasFilters };
}
