import { describe, expect, it } from 'vitest';
import { parseClientListParams, toClientQuery } from './use-client-list-params';

describe('client list URL parameters', () => {
  it('turn into the API query, leaving out empty filters', () => {
    const p = parseClientListParams(new URLSearchParams('q=%2B7+916&stage=3&owner=me&cooling=soon&sort=name&order=asc&page=2'));
    expect(toClientQuery(p)).toEqual({
      q: '+7 916',
      stage_id: 3,
      owner_id: 'me',
      cooling: 'soon',
      sort: 'name',
      order: 'asc',
      page: 2,
      per_page: 50,
    });
  });

  it('fall back to newest first, page 1, and ignore values the API does not know', () => {
    const p = parseClientListParams(new URLSearchParams('sort=password&cooling=hot&page=-4&stage=abc'));
    expect(toClientQuery(p)).toEqual({ sort: 'created_at', order: 'desc', page: 1, per_page: 50 });
  });
});
