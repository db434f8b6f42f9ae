import { act, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RealtimeStatus } from '../../lib/realtime-client';
import { RealtimeContext } from '../../stores/realtime-store';
import { renderWithApp } from '../../test/render';
import { LiveStatus, RECONNECTING_NOTICE_MS } from './live-status';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function renderStatus(status: RealtimeStatus, lng: 'ru' | 'en' = 'ru') {
  const subscribe = () => () => undefined;
  const ui = (s: RealtimeStatus) => (
    <RealtimeContext.Provider value={{ status: s, subscribe }}>
      <LiveStatus />
    </RealtimeContext.Provider>
  );
  const view = renderWithApp(ui(status), { lng });
  return { set: (s: RealtimeStatus) => view.rerender(ui(s)) };
}

describe('LiveStatus', () => {
  it('shows a green dot named "live updates" while live, in a status region', () => {
    renderStatus('live');
    const region = screen.getByRole('status');
    expect(region).toHaveTextContent('Обновления в реальном времени');
    expect(region).not.toHaveTextContent('Переподключение');
    expect(region.querySelector('.live-status__dot')).not.toBeNull();
  });

  it('says "Reconnecting…" only once the connection has been down for a moment, and stops when it is back', () => {
    const { set } = renderStatus('live');
    set('offline');
    const region = screen.getByRole('status');
    expect(region).toHaveTextContent(/^$/);
    act(() => vi.advanceTimersByTime(RECONNECTING_NOTICE_MS - 1));
    set('connecting'); // a retry does not start the wait over
    expect(region).toHaveTextContent(/^$/);
    act(() => vi.advanceTimersByTime(1));
    expect(region).toHaveTextContent('Переподключение…');

    set('live');
    expect(screen.getByRole('status')).toBe(region);
    expect(region).toHaveTextContent('Обновления в реальном времени');
    expect(region).not.toHaveTextContent('Переподключение');
  });

  it('does not flash for a connection that comes back at once', () => {
    const { set } = renderStatus('live');
    set('offline');
    act(() => vi.advanceTimersByTime(400));
    set('live');
    act(() => vi.advanceTimersByTime(5_000));
    expect(screen.getByRole('status')).not.toHaveTextContent('Переподключение');
  });

  it('speaks English too', () => {
    renderStatus('connecting', 'en');
    act(() => vi.advanceTimersByTime(RECONNECTING_NOTICE_MS));
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting…');
  });

  it('shows nothing without a live connection at all', () => {
    renderWithApp(<LiveStatus />);
    expect(screen.queryByRole('status')).toBeNull();
  });
});
