import { z } from 'zod';
import { externalIdSchema, instantSchema, productSchema } from '../openapi/common.schemas';

export const lessonCompletedRequestSchema = z
  .strictObject({
    eventId: externalIdSchema.meta({ description: 'The marketplace\'s id of this event: its identity (a replay is the same eventId)' }),
    product: productSchema,
    userId: externalIdSchema.meta({ description: 'The student who completed the lesson (the invitee when referred)' }),
    completedAt: instantSchema,
    lesson: z.strictObject({
      id: externalIdSchema,
      usdAmount: z.string().regex(/^\d{1,9}(\.\d{1,4})?$/, 'must be a decimal amount of US dollars like "45.30"'),
      durationMinutes: z.int().min(1).max(1440),
      sequence: z.int().min(1).meta({ description: '1 for the student\'s first completed lesson, 2 for the second, ...' }),
      isTrial: z.boolean(),
      subject: z.string().min(1).max(100).optional(),
    }),
    eventSequence: z.int().min(1).optional().meta({ description: '1 for the first lesson.completed of this referral; default lesson.sequence' }),
    facts: z.record(z.string(), z.unknown()).optional().meta({ description: 'More reward facts only the host knows, nested by catalog path' }),
  })
  .meta({ id: 'LessonCompleted' });
