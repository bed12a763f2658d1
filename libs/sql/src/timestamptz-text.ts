import pg from 'pg';

/*
 * node-postgres parses every timestamptz with postgres-date: three regular expressions and a
 * parseFloat per value, 5% of a program-change preview's CPU (one timestamptz per recorded event).
 * In its default ISO DateStyle PostgreSQL writes a timestamptz as
 * 'YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]'; this reads that form with integer arithmetic and
 * hands anything else (years before 1000, BC, infinity, another DateStyle) to postgres-date.
 */

const TIMESTAMPTZ_OID = 1184;
const defaultTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;

/** The number the digits text[start, end) spell, or -1 when one of them is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

// Rows read in time order share their day: its start is computed once per day, not with a Date.UTC per row.
let cachedDay = '(none yet)';
let cachedDayMs = 0;

function dayStartMs(text: string, year: number, month: number, day: number): number {
  if (!text.startsWith(cachedDay)) {
    cachedDayMs = Date.UTC(year, month - 1, day);
    cachedDay = text.slice(0, 10);
  }
  return cachedDayMs;
}

/**
 * A timestamptz as PostgreSQL writes it, as a Date, exactly as node-postgres would parse it (the
 * fraction truncated to the millisecond, as a Date holds it).
 */
export function timestamptzFromText(text: string): Date | number | null {
  const n = text.length;
  if (n < 22 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return defaultTimestamptz(text);
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 7);
  const day = digitsAt(text, 8, 10);
  const hour = digitsAt(text, 11, 13);
  const minute = digitsAt(text, 14, 16);
  const second = digitsAt(text, 17, 19);
  // Date.UTC reads years 0-99 as 1900-1999: those (and any part that is not digits) go the slow way.
  if (year < 1000 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return defaultTimestamptz(text);
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i === start) return defaultTimestamptz(text);
    // Milliseconds: the first three digits (padded), the rest truncated.
    for (let k = start; k < start + 3; k++) ms = ms * 10 + (k < i ? text.charCodeAt(k) - 48 : 0);
  }
  const sign = text.charCodeAt(i);
  if ((sign !== 43 && sign !== 45) || i + 3 > n) return defaultTimestamptz(text);
  let offsetSeconds = digitsAt(text, i + 1, i + 3) * 3600;
  i += 3;
  for (const unit of [60, 1]) {
    if (i === n) break;
    const part = text.charCodeAt(i) === 58 && i + 3 <= n ? digitsAt(text, i + 1, i + 3) : -1;
    if (part < 0) return defaultTimestamptz(text);
    offsetSeconds += part * unit;
    i += 3;
  }
  if (i !== n || offsetSeconds < 0) return defaultTimestamptz(text);
  const utc = dayStartMs(text, year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  return new Date(sign === 43 ? utc - offsetSeconds * 1000 : utc + offsetSeconds * 1000);
}

/** node-postgres's per-query type parsers (forEachRow's `types`). */
export interface PgTypeParsers {
  getTypeParser(oid: number, format?: string): (value: string) => unknown;
}

/** node-postgres's own type parsers, with timestamptz read by timestamptzFromText. */
export const fastTimestamptzTypes: PgTypeParsers = {
  getTypeParser: (oid, format) => (oid === TIMESTAMPTZ_OID && format !== 'binary' ? timestamptzFromText : (pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown)),
};
