import { z } from 'zod';
import { instantSchema, versionSchema } from '../openapi/common.schemas';

const DAY_MS = 86_400_000;
/** The longest range one preview reads: a little over a year of events. */
export const PREVIEW_MAX_RANGE_DAYS = 400;

export const previewRequestSchema = z
  .strictObject({
    document: z.unknown().optional().meta({ description: 'The draft: an unsaved document of this program (the editor\'s)' }),
    version: versionSchema.optional().meta({ description: 'Or a stored version of this program' }),
    from: instantSchema.meta({ description: 'Events at or after this instant' }),
    to: instantSchema.meta({ description: 'Events before this instant' }),
    sampleSize: z.int().min(0).max(100).optional().meta({ description: 'How many changed and cap-limited events to show (default 20)' }),
  })
  .superRefine((body, ctx) => {
    if ((body.document === undefined) === (body.version === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['document'], message: 'give either document (a draft) or version (a stored version)' });
    }
    const span = Date.parse(body.to) - Date.parse(body.from);
    if (!(span > 0)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (span > PREVIEW_MAX_RANGE_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: `the range may span at most ${PREVIEW_MAX_RANGE_DAYS} days` });
  })
  .meta({ id: 'ProgramPreviewRequest' });

const counts = z.object({ now: z.int(), draft: z.int() });
const reward = z.object({
  role: z.enum(['referrer', 'referee']),
  status: z.string(),
  kind: z.string().nullable(),
  amountMinor: z.int().nullable(),
  unit: z.string().nullable(),
});
const side = z.object({
  code: z.string().meta({ description: 'The decision code (rewarded, no_rule_matched, not_first_qualifying_event, ...)' }),
  rule: z.int().nullable().meta({ description: 'The index of the rule that decided' }),
  rewards: z.array(reward).meta({ description: 'As recorded (now), or as the ledger would record them (draft: cap applied)' }),
  explanation: z.unknown().meta({ description: 'Structured explanation (window, rules, conditions with expected and actual values)' }),
  lines: z.array(z.string()).meta({ description: 'The explanation, one readable line each' }),
});
const ruleCount = z.object({ index: z.int(), description: z.string(), events: z.int() });

export const previewResponseSchema = z
  .object({
    program: z.object({ key: z.string(), product: z.string(), draftVersion: z.int().nullable().meta({ description: 'null for a draft document' }) }),
    range: z.object({ from: z.string(), to: z.string() }),
    events: z.int().meta({ description: 'Recorded qualifying events of the program in the range' }),
    reDecided: z.int().meta({ description: 'Of those, the events decided by the rules (the ones a draft can change)' }),
    rewarded: counts.meta({ description: 'Events rewarded now, and under the draft' }),
    amountMinorByCurrency: z.record(z.string(), counts).meta({ description: 'Granted money (both roles), minor units per currency, now and under the draft' }),
    byRule: z.object({ now: z.array(ruleCount), draft: z.array(ruleCount) }).meta({ description: 'Events per deciding rule' }),
    capLimited: counts.meta({ description: 'Events whose referrer reward is cap_limited' }),
    capLimitedEvents: z
      .array(z.object({ conversionId: z.string(), occurredAt: z.string(), referralId: z.string().nullable() }))
      .meta({ description: 'The draft\'s first cap-limited events, in time order' }),
    changed: z.int().meta({ description: 'Events whose code, rule or rewards change' }),
    changes: z
      .array(z.object({ conversionId: z.string(), occurredAt: z.string(), now: side, draft: side }))
      .meta({ description: 'The first changed events in time order, with both explanations' }),
  })
  .meta({ id: 'ProgramPreview' });
