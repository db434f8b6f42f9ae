import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useResource, type ResourceOptions } from './use-resource';

interface Item {
  value: string;
  version: number;
}

/** deferredLoads hands out loads the test answers one by one. */
function deferredLoads() {
  const pending: ((item: Item) => void)[] = [];
  const load = () => new Promise<Item>((resolve) => pending.push(resolve));
  // An async act: the load's answer is applied in a later microtask.
  return { load, answer: (i: number, item: Item) => act(async () => pending[i]!(item)) };
}

const newer: ResourceOptions<Item>['merge'] = (answer, shown) => (shown && shown.version > answer.version ? shown : answer);

describe('useResource', () => {
  it('lets a merge keep a live change applied while a refresh was on its way', async () => {
    const { load, answer } = deferredLoads();
    const { result } = renderHook(() => useResource(load, [], { merge: newer }));
    await answer(0, { value: 'first', version: 1 });
    expect(result.current.data).toEqual({ value: 'first', version: 1 });

    act(() => result.current.refresh()); // e.g. a user was renamed
    act(() => result.current.setData({ value: 'live', version: 3 })); // a live event meanwhile
    await answer(1, { value: 'read before the event', version: 2 });
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.data).toEqual({ value: 'live', version: 3 });
  });

  it('without a merge, an answer replaces what is shown', async () => {
    const { load, answer } = deferredLoads();
    const { result } = renderHook(() => useResource(load, []));
    await answer(0, { value: 'first', version: 1 });
    act(() => result.current.refresh());
    act(() => result.current.setData({ value: 'local', version: 3 }));
    await answer(1, { value: 'answer', version: 2 });
    expect(result.current.data).toEqual({ value: 'answer', version: 2 });
  });
});
