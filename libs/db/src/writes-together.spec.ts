import { useTestDatabase } from './testing';
import { runWritesTogether } from '@referrals/sql';
import { QueryTypes } from 'sequelize';

describe('runWritesTogether: writes of several libs as one statement', () => {
  const db = useTestDatabase([]);

  beforeAll(async () => {
    await db.sequelize.query('CREATE TABLE writes_a (id text PRIMARY KEY, n int NOT NULL)');
    await db.sequelize.query('CREATE TABLE writes_b (id text PRIMARY KEY, note text, payload jsonb)');
  });

  const rows = async (table: string) => db.sequelize.query(`SELECT * FROM ${table} ORDER BY id`, { type: QueryTypes.SELECT });

  it('writes each one once, with its own parameters renumbered ($1 of the second is its own $1)', async () => {
    await db.sequelize.transaction(async (t) => {
      await runWritesTogether(db.sequelize, t, [
        { text: 'INSERT INTO writes_a (id, n) VALUES ($1, $2)', values: ['a1', 1] },
        null,
        { text: 'INSERT INTO writes_b (id, note, payload) VALUES ($1, $2, $3::jsonb) ON CONFLICT (id) DO NOTHING', values: ['b1', 'x', JSON.stringify({ k: [1, 2] })] },
        { text: 'INSERT INTO writes_a (id, n) VALUES ($1, $2), ($3, $4)', values: ['a2', 2, 'a3', 3] },
      ]);
    });
    expect(await rows('writes_a')).toEqual([
      { id: 'a1', n: 1 },
      { id: 'a2', n: 2 },
      { id: 'a3', n: 3 },
    ]);
    expect(await rows('writes_b')).toEqual([{ id: 'b1', note: 'x', payload: { k: [1, 2] } }]);
  });

  it('a constraint violation in any of them fails the statement with its own constraint, and nothing of it stays', async () => {
    const failed = db.sequelize.transaction(async (t) => {
      await runWritesTogether(db.sequelize, t, [
        { text: 'INSERT INTO writes_b (id, note) VALUES ($1, $2)', values: ['b2', 'y'] },
        { text: 'INSERT INTO writes_a (id, n) VALUES ($1, $2)', values: ['a1', 9] },
      ]);
    });
    await expect(failed).rejects.toMatchObject({ code: '23505', constraint: 'writes_a_pkey' });
    expect(await rows('writes_b')).toEqual([expect.objectContaining({ id: 'b1' })]);
  });
});
