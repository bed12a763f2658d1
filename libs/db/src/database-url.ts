import { z } from 'zod';

/** A zod schema for `DATABASE_URL`: a postgres:// or postgresql:// URL with a host and a database. */
export const databaseUrlSchema = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '' && url.pathname.length > 1;
    } catch {
      return false;
    }
  },
  { message: 'must be a URL like postgres://user@host:5432/database' },
);

/** The same server, another database: the test harness and the dev stack create databases this way. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
