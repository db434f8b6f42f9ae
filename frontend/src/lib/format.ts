import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/** formatPhone shows an E.164 number the way people of its country write it, in international form. */
export function formatPhone(e164: string): string {
  if (!e164) return '';
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  if (parsed.countryCallingCode === '7') {
    // Russia and Kazakhstan: +7 999 123-45-67
    const n = parsed.nationalNumber;
    if (n.length === 10) return `+7 ${n.slice(0, 3)} ${n.slice(3, 6)}-${n.slice(6, 8)}-${n.slice(8)}`;
  }
  return parsed.formatInternational();
}

/** telHref is the tel: link for a number. */
export function telHref(e164: string): string {
  return `tel:${e164.replace(/[^+\d]/g, '')}`;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** formatDateTime shows an RFC 3339 time as a short local date and time; "" for null. */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  let f = dateTimeFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    dateTimeFormats.set(locale, f);
  }
  return f.format(d);
}

const shortFormats = new Map<string, Intl.DateTimeFormat>();

/** formatDateTimeShort is formatDateTime for tables: 27.11.2026, 14:05. */
export function formatDateTimeShort(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  let f = shortFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' });
    shortFormats.set(locale, f);
  }
  return f.format(d);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
    dateFormats.set(locale, f);
  }
  return f.format(d);
}

export function formatNumber(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n);
}
