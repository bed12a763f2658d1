import { useTestDatabase } from './testing';
import { fastTimestamptzTypes, forEachRow, queryRows, timestamptzFromText } from '@referrals/sql';
import pg from 'pg';

/*
 * timestamptzFromText reads PostgreSQL's own text of timestamptz values: every instant here is
 * written by the server (random instants with microseconds, in time zones with half-hour and
 * seconds offsets, and the forms it hands to postgres-date), and compared with the server's exact
 * millisecond and with node-postgres's own parser.
 */
describe('timestamptzFromText: PostgreSQL timestamptz text to Date without regular expressions', () => {
  const db = useTestDatabase([]);
  const slow = pg.types.getTypeParser(1184, 'text') as (text: string) => Date | number;

  const serverInstants = (zone: string, sql: string) =>
    db.sequelize.transaction(async (t) => {
      await db.sequelize.query(`SET LOCAL TIME ZONE '${zone}'`, { transaction: t });
      return queryRows<{ text: string; ms: string }>(db.sequelize, t, `SELECT v::text AS text, floor(extract(epoch FROM v) * 1000)::int8::text AS ms FROM (${sql}) AS s(v)`, [], { direct: true });
    });

  // Spread over three centuries, then (in time order, as preview reads them) over three days around a change of year.
  const randomInstants = `SELECT timestamptz '1901-12-14 00:00:00+00' + random() * (timestamptz '2199-12-31 00:00:00+00' - timestamptz '1901-12-14 00:00:00+00') FROM generate_series(1, 2000)
    UNION ALL (SELECT timestamptz '2025-12-30 12:00:00+00' + random() * interval '3 days' AS v FROM generate_series(1, 2000) ORDER BY v)`;

  it.each(['UTC', '+00:00', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Chatham', 'America/Los_Angeles'])(
    'gives the server\'s own millisecond (fraction truncated) for random instants with microseconds, written in %s',
    async (zone) => {
      const rows = await serverInstants(zone, randomInstants);
      expect(rows.length).toBe(4000);
      const wrong = rows.filter((r) => (timestamptzFromText(r.text) as Date).getTime() !== Number(r.ms));
      expect(wrong).toEqual([]);
    },
  );

  it('reads offsets with minutes and seconds (local mean time before standard zones)', async () => {
    const rows = await serverInstants('Europe/Amsterdam', "SELECT timestamptz '1890-06-01 12:00:00.123456+00' UNION ALL SELECT timestamptz '1920-06-01 12:00:00.5+00'");
    // The offsets depend on the server's tz database (Amsterdam's own, or Brussels' since 2022): only their form is fixed.
    expect(rows[0]?.text).toMatch(/^1890-06-01 12:\d\d:\d\d\.123456\+00:\d\d:\d\d$/);
    expect(rows[1]?.text).toMatch(/^1920-06-01 13:\d\d:\d\d\.5\+01(:\d\d){0,2}$/);
    for (const row of rows) expect((timestamptzFromText(row.text) as Date).getTime()).toBe(Number(row.ms));
  });

  it('hands the forms it does not read (BC, years before 1000, infinity) to node-postgres\'s parser, with the same result', () => {
    for (const text of ['0044-03-15 12:00:00+00 BC', '0999-01-01 00:00:00+00', '0050-01-01 00:00:00+00', 'infinity', '-infinity']) {
      expect(timestamptzFromText(text)).toEqual(slow(text));
    }
  });

  it('agrees with node-postgres\'s parser on whole and 1-6 digit fractions', () => {
    for (const text of ['2025-09-02 00:00:00+00', '2025-09-02 00:01:43.68+00', '2025-09-02 00:01:43.6+05:30', '2025-09-02 00:01:43.123456-03:30', '2025-09-02 23:59:59.999999+00']) {
      expect((timestamptzFromText(text) as Date).getTime()).toBe((slow(text) as Date).getTime());
    }
  });

  it('is the parser fastTimestamptzTypes gives node-postgres for timestamptz, and node-postgres\'s own for every other type', async () => {
    expect(fastTimestamptzTypes.getTypeParser(1184, 'text')).toBe(timestamptzFromText);
    expect(fastTimestamptzTypes.getTypeParser(3802, 'text')).toBe(pg.types.getTypeParser(3802, 'text'));
    const rows: unknown[][] = [];
    await db.sequelize.transaction((t) =>
      forEachRow(t, `SELECT timestamptz '2026-01-02 03:04:05.678+00', '{"a":1}'::jsonb, 7::int8`, [], (row) => rows.push(row), { types: fastTimestamptzTypes }),
    );
    expect(rows).toEqual([[new Date('2026-01-02T03:04:05.678Z'), { a: 1 }, '7']]);
  });
});
