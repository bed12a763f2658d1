import { z } from 'zod';
import { instantSchema, programKeySchema, versionSchema } from '../openapi/common.schemas';

export const simulateRequestSchema = z
  .strictObject({
    programKey: programKeySchema.optional().meta({ description: 'A stored program (with `version`, default the current one)' }),
    version: versionSchema.optional(),
    document: z.unknown().optional().meta({ description: 'Or an unsaved program document (a draft in the editor)' }),
    phase: z.enum(['eligibility', 'reward']).meta({ description: 'eligibility: at referral creation; reward: at a trigger event' }),
    event: z.string().min(1).max(100).optional().meta({ description: 'Reward phase: the event type; default the program\'s trigger' }),
    facts: z.record(z.string(), z.unknown()).meta({ description: 'The fact set, nested by catalog path' }),
    at: instantSchema.meta({ description: 'The evaluation instant (referral creation, or the event time)' }),
  })
  .superRefine((body, ctx) => {
    if ((body.programKey === undefined) === (body.document === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['programKey'], message: 'give either programKey (a stored program) or document (a draft)' });
    }
    if (body.version !== undefined && body.programKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: 'a version needs a programKey' });
    }
  })
  .meta({ id: 'SimulateRequest' });

export const simulateResponseSchema = z
  .object({
    program: z.object({ key: z.string(), version: z.int().nullable().meta({ description: 'null for a draft' }), product: z.string() }),
    phase: z.enum(['eligibility', 'reward']),
    code: z.string().meta({ description: 'eligible, conditions_not_met, ... / rewarded, no_rule_matched, facts_invalid, ...' }),
    decided: z.boolean().meta({ description: 'Eligible (eligibility) or rewarded (reward)' }),
    rule: z.object({ index: z.int(), description: z.string() }).nullable(),
    grants: z.array(z.object({ beneficiary: z.enum(['referrer', 'referee']), initialStatus: z.string(), reward: z.record(z.string(), z.unknown()) })),
    explanation: z.unknown().meta({ description: 'Structured: the window, each condition with subject, operator, expected and actual value' }),
    lines: z.array(z.string()).meta({ description: 'The explanation, one readable line per fact of the matter' }),
  })
  .meta({ id: 'SimulateResponse' });
