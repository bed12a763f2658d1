import { z } from 'zod';
import { examplePrograms } from './fixtures';
import { programDocumentSchema } from './program.schema';

describe('programDocumentSchema', () => {
  it('round-trips the example programs through JSON losslessly', () => {
    for (const program of Object.values(examplePrograms)) {
      const json = JSON.parse(JSON.stringify(program)) as unknown;
      const parsed = programDocumentSchema.parse(json);
      expect(parsed).toEqual(program);
      expect(JSON.stringify(parsed)).toBe(JSON.stringify(program));
    }
  });

  it('rejects unknown fields instead of silently dropping them', () => {
    const result = programDocumentSchema.safeParse({ ...examplePrograms.kiloPass, owner: 'me' });
    expect(result.success).toBe(false);
  });

  it('converts to JSON Schema, for the API documentation and the admin form', () => {
    const schema = z.toJSONSchema(programDocumentSchema) as { type?: string; required?: string[] };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['key', 'schedule', 'terms', 'eligibility', 'trigger', 'rewardRules']));
  });
});
