import { z } from 'zod';
import { externalIdSchema, programKeySchema } from '../openapi/common.schemas';

export const widgetTokenRequestSchema = z
  .strictObject({
    programKey: programKeySchema,
    /**
     * The signed-in user as the host's SERVER knows it from its session. Only servers hold a
     * storefront key, so these values come from the session, never from a browser form.
     */
    user: z.strictObject({
      id: externalIdSchema.meta({ description: 'Our user id' }),
      email: z.string().max(320, 'must be at most 320 characters').regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address'),
      firstName: z.string().max(200).optional(),
      lastName: z.string().max(200).optional(),
      locale: z.string().regex(/^[a-z]{2}([-_][A-Za-z]{2})?$/, 'must be a locale like en-US').optional(),
      countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code').optional(),
    }),
    /** The raw `_saasquatch` cookie the user arrived with, passed to the registration (opaque). */
    saasquatchCookie: z.string().max(4096, 'must be at most 4096 characters').optional(),
  })
  .meta({ id: 'WidgetTokenRequest' });

export const widgetTokenResponseSchema = z
  .object({
    token: z.string().meta({ description: 'Verified Access JWT (HS256), valid for an hour' }),
    expiresAt: z.string(),
    tenantAlias: z.string(),
    programId: z.string(),
    widgetId: z.string().meta({ description: 'p/{programId}/w/referrerWidget' }),
    registration: z.object({ workflowId: z.string().meta({ description: 'The participant registration workflow (registers the user in Impact Advocate)' }) }),
  })
  .meta({ id: 'WidgetTokenResponse' });
