import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithApp } from '../../../test/render';
import { ClientSearchBox, SEARCH_DEBOUNCE_MS } from './client-search-box';

afterEach(() => {
  vi.useRealTimers();
});

describe('ClientSearchBox', () => {
  it('searches once typing pauses, with the last text', () => {
    vi.useFakeTimers();
    const onSearch = vi.fn();
    renderWithApp(<ClientSearchBox value="" onSearch={onSearch} />);
    const box = screen.getByRole('searchbox', { name: 'Поиск' });

    fireEvent.change(box, { target: { value: '8 916' } });
    act(() => vi.advanceTimersByTime(100));
    fireEvent.change(box, { target: { value: '8 916 123' } });
    act(() => vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS - 1));
    expect(onSearch).not.toHaveBeenCalled();

    act(() => vi.advanceTimersByTime(1));
    expect(onSearch).toHaveBeenCalledTimes(1);
    expect(onSearch).toHaveBeenCalledWith('8 916 123');
  });

  it('shows a query that comes from the URL without searching again', () => {
    vi.useFakeTimers();
    const onSearch = vi.fn();
    const { rerender } = renderWithApp(<ClientSearchBox value="" onSearch={onSearch} />);
    rerender(<ClientSearchBox value="Петров" onSearch={onSearch} />);
    act(() => vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS * 2));
    expect(screen.getByRole('searchbox', { name: 'Поиск' })).toHaveValue('Петров');
    expect(onSearch).not.toHaveBeenCalled();
  });
});
