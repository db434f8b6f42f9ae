import { describe, expect, it, vi } from 'vitest';
import type { ChosenState, Presence } from '../../lib/types';
import { PresenceKeeper } from './presence-keeper';

const presence = (state: Presence['state'], reason = ''): Presence => ({
  user_id: 7,
  name: 'Анна',
  role: 'agent',
  state,
  reason,
  since: new Date().toISOString(),
});

function setup() {
  let now = 1_000_000;
  const put = vi.fn(async (state: ChosenState, reason: string) => presence(state, reason));
  const onPresence = vi.fn();
  const keeper = new PresenceKeeper({ put, onPresence, now: () => now });
  return { keeper, put, onPresence, advance: (ms: number) => (now += ms) };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('PresenceKeeper', () => {
  it('puts the chosen state back once when the connection comes back', async () => {
    const { keeper, put, onPresence } = setup();
    keeper.status('connecting');
    keeper.status('live');
    await keeper.choose('available');
    expect(put).toHaveBeenCalledTimes(1);

    keeper.status('offline');
    keeper.status('connecting');
    keeper.status('offline');
    keeper.status('connecting');
    // The server set the agent offline during the blip; the event is replayed.
    keeper.status('live');
    keeper.observe(presence('offline'));
    await flush();
    expect(put).toHaveBeenCalledTimes(2);
    expect(put).toHaveBeenLastCalledWith('available', '');
    expect(onPresence).toHaveBeenLastCalledWith(expect.objectContaining({ state: 'available' }));

    // Staying connected sends nothing more.
    keeper.status('live');
    await flush();
    expect(put).toHaveBeenCalledTimes(2);
  });

  it('keeps the reason of away', async () => {
    const { keeper, put } = setup();
    keeper.status('live');
    await keeper.choose('away', 'Обед');
    keeper.status('offline');
    keeper.status('live');
    await flush();
    expect(put).toHaveBeenLastCalledWith('away', 'Обед');
  });

  it('puts nothing back after a blip when the user had chosen offline or nothing', async () => {
    const { keeper, put } = setup();
    keeper.status('live');
    keeper.status('offline');
    keeper.status('live');
    await flush();
    expect(put).not.toHaveBeenCalled();

    await keeper.choose('offline');
    keeper.status('offline');
    keeper.status('live');
    await flush();
    expect(put).toHaveBeenCalledTimes(1);
  });

  it('does not put anything on the first connection, even late', async () => {
    const { keeper, put } = setup();
    keeper.observe(presence('available'));
    keeper.status('connecting');
    keeper.status('offline');
    keeper.status('live');
    await flush();
    expect(put).not.toHaveBeenCalled();
  });

  it('adopts a choice made in another tab', async () => {
    const { keeper, put } = setup();
    keeper.status('live');
    keeper.observe(presence('away', 'Совещание'));
    expect(keeper.choice()).toEqual({ state: 'away', reason: 'Совещание' });
    keeper.status('offline');
    keeper.status('live');
    await flush();
    expect(put).toHaveBeenCalledWith('away', 'Совещание');
  });

  it('takes an offline seen while connected as the user’s choice, but not one around a reconnect', async () => {
    const { keeper, put, advance } = setup();
    keeper.status('live');
    await keeper.choose('available');
    keeper.status('offline');
    keeper.observe(presence('offline'));
    expect(keeper.choice()?.state).toBe('available');
    keeper.status('live');
    keeper.observe(presence('offline'));
    await flush();
    expect(keeper.choice()?.state).toBe('available');
    expect(put).toHaveBeenCalledTimes(2);

    advance(15_000);
    keeper.observe(presence('offline')); // set offline in another tab
    expect(keeper.choice()?.state).toBe('offline');
    keeper.status('offline');
    keeper.status('live');
    await flush();
    expect(put).toHaveBeenCalledTimes(2);
  });

  it('states set by calls do not change the choice', async () => {
    const { keeper } = setup();
    await keeper.choose('available');
    keeper.observe(presence('on_call'));
    expect(keeper.choice()).toEqual({ state: 'available', reason: '' });
  });

  it('reports a failed put back and tries again at the next reconnect', async () => {
    let now = 0;
    const put = vi.fn(async (state: ChosenState, reason: string) => presence(state, reason));
    const onReapplyFailed = vi.fn();
    const keeper = new PresenceKeeper({ put, onReapplyFailed, now: () => now });
    keeper.status('live');
    await keeper.choose('available');
    put.mockRejectedValueOnce(new Error('network'));
    keeper.status('offline');
    keeper.status('live');
    await flush();
    expect(onReapplyFailed).toHaveBeenCalledTimes(1);
    now += 60_000;
    keeper.status('offline');
    keeper.status('live');
    await flush();
    expect(put).toHaveBeenCalledTimes(3);
    expect(put).toHaveBeenLastCalledWith('available', '');
  });
});
