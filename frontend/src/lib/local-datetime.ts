// datetime-local inputs hold a wall-clock time in the browser's zone, without one.

/** toLocalInput writes an RFC 3339 time as a datetime-local value in the browser's zone; "" for none. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** fromLocalInput reads a datetime-local value (browser's zone) as RFC 3339; null when empty or wrong. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
