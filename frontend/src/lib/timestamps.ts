// Times in the API are RFC 3339 strings written by Go, to the nanosecond
// and without trailing zeros ("…:05.12Z"), so they cannot be compared as
// text, and Date keeps only milliseconds.

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;

/** instant turns an RFC 3339 time into [whole seconds since the epoch, nanoseconds], or null. */
function instant(s: string): [number, number] | null {
  const m = RFC3339.exec(s);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return null;
  return [ms / 1000, Number((m[2] ?? '').padEnd(9, '0'))];
}

/**
 * compareTimestamps orders two RFC 3339 times whatever their offsets and
 * precision: negative when a is earlier, 0 when equal, positive when later.
 * A time that cannot be read counts as equal to anything.
 */
export function compareTimestamps(a: string, b: string): number {
  const x = instant(a);
  const y = instant(b);
  if (!x || !y) return 0;
  return x[0] !== y[0] ? x[0] - y[0] : x[1] - y[1];
}
