import { PROGRAM_STATUSES, programDocumentSchema } from '@referrals/rule-dsl';
import { z } from 'zod';
import { productSchema, programKeySchema, versionParamSchema, versionSchema } from '../openapi/common.schemas';

/** The program document of rule-dsl: its shape is validated here (400), its meaning by the save (422). */
export const programDocumentBodySchema = programDocumentSchema.meta({ id: 'ProgramDocument' });

const authorSchema = z.string().trim().min(1, 'must name who saves').max(200).meta({ description: 'Shown in History: operator:alice@example.com' });
const changeNoteSchema = z.string().trim().min(1, 'must say what changed and why').max(2000);

export const createProgramRequestSchema = z
  .strictObject({ document: programDocumentBodySchema, author: authorSchema, changeNote: changeNoteSchema })
  .meta({ id: 'CreateProgramRequest' });

export const updateProgramRequestSchema = z
  .strictObject({
    document: programDocumentBodySchema,
    author: authorSchema,
    changeNote: changeNoteSchema,
    expectedVersion: versionSchema.meta({ description: 'The current version the author edited; stale -> 409 version_conflict' }),
  })
  .meta({ id: 'UpdateProgramRequest' });

export const checkProgramRequestSchema = z.strictObject({ document: z.unknown().meta({ description: 'A program document to check; nothing is stored' }) });

export const programKeyParamsSchema = z.strictObject({ key: programKeySchema });
export const programVersionParamsSchema = z.strictObject({ key: programKeySchema, version: versionParamSchema });
export const listProgramsQuerySchema = z.strictObject({ product: productSchema.optional(), status: z.enum(PROGRAM_STATUSES).optional() });
export const diffQuerySchema = z.strictObject({ from: versionParamSchema, to: versionParamSchema });

const versionFields = {
  key: z.string(),
  version: z.int(),
  product: z.string(),
  status: z.enum(PROGRAM_STATUSES),
  priority: z.int(),
  name: z.string(),
  author: z.string(),
  changeNote: z.string(),
  createdAt: z.string(),
};

export const programVersionSchema = z.object({ ...versionFields, document: programDocumentBodySchema }).meta({ id: 'ProgramVersion' });
export const saveProgramResponseSchema = z
  .object({ program: programVersionSchema, replayed: z.boolean().meta({ description: 'The same save was stored before: nothing was written' }) })
  .meta({ id: 'SaveProgramResponse' });
export const listProgramsResponseSchema = z.object({ programs: z.array(programVersionSchema) }).meta({ id: 'ProgramList' });
export const historyResponseSchema = z
  .object({ versions: z.array(z.object({ ...versionFields, current: z.boolean() })) })
  .meta({ id: 'ProgramHistory' });
export const diffResponseSchema = z
  .object({
    programKey: z.string(),
    fromVersion: z.int(),
    toVersion: z.int(),
    changes: z.array(
      z.object({
        section: z.string(),
        change: z.enum(['added', 'removed', 'changed', 'moved']),
        path: z.string(),
        summary: z.string(),
        before: z.unknown().optional(),
        after: z.unknown().optional(),
      }),
    ),
    lines: z.array(z.string()),
  })
  .meta({ id: 'ProgramDiff' });
export const checkProgramResponseSchema = z
  .object({
    ok: z.boolean(),
    code: z.enum(['product_unknown', 'program_invalid', 'priority_conflict']).nullable(),
    problems: z.array(z.object({ code: z.string(), path: z.string(), message: z.string() })),
  })
  .meta({ id: 'ProgramCheck' });

export const retireProgramRequestSchema = z
  .strictObject({
    author: z.string().trim().min(1).max(200).meta({ description: 'Who retires it (`operator:jane`): the retiring version\'s author' }),
    reason: z.string().trim().min(1).max(2000).meta({ description: 'Why: the retiring version\'s change note and every canceled reward\'s audit reason' }),
  })
  .meta({ id: 'RetireProgramRequest' });
export const retireProgramResponseSchema = z
  .object({
    program: programVersionSchema,
    canceledRewards: z
      .array(z.object({ id: z.string(), role: z.enum(['referrer', 'referee']), beneficiaryId: z.string(), status: z.string(), kind: z.string().nullable(), amountMinor: z.int().nullable(), unit: z.string().nullable() }))
      .meta({ description: 'The pending and earned rewards this retirement canceled (applied ones stand)' }),
    replayed: z.boolean().meta({ description: 'The program was retired already: nothing was written' }),
  })
  .meta({ id: 'ProgramRetirement' });
