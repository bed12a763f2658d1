import { programRetired } from '@referrals/programs';
import { queueParticipantRegistration } from '@referrals/rewarding';
import { ApiError } from '../http/api-error';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { widgetTokenRequestSchema, widgetTokenResponseSchema } from './widget-tokens.schemas';

/**
 * Verified Access token for the in-app referral widget of one program, for the signed-in user.
 *
 * Identity: taken from the request BODY sent by the host's server with its storefront key (the
 * host's backend reads its own session). We chose that over a gateway-set header because every
 * other storefront call already comes from the host's server with that key, and a header trusted
 * from "the gateway" is only as safe as the network path that strips it from outside requests.
 *
 * Issuing a token registers the participant (idempotent per program and user) by starting the
 * registration workflow through the outbox; the token is answered without waiting for Temporal or Impact. A product without
 * Advocate configuration answers 503 with the client's `disabled` code; there is no fallback to
 * another product's or program's configuration.
 */
export function widgetTokenRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/widget-tokens',
    operationId: 'issueWidgetToken',
    summary: 'Issue a Verified Access token for a signed-in user and program (registers the participant)',
    tags: ['storefront'],
    roles: ['storefront'],
    body: widgetTokenRequestSchema,
    errors: [404, 409, 503],
    response: { status: 200, description: 'The token and the widget to open with it', schema: widgetTokenResponseSchema },
    async handler({ body, req, res }) {
      const program = await services.programs.get(body.programKey);
      // A retired program's Advocate configuration is never resolved again: no token (Kilo 69b).
      if (program.status === 'retired') throw programRetired(program.key, 'programKey');
      const product = services.products.get(program.product);
      if (!product) throw new ApiError(503, 'impact_product_not_configured', `product "${program.product}" is not configured in this api`);
      const advocate = services.impact.forProduct(product.product).advocate;
      const outcome = advocate.createVerifiedAccessToken({ email: body.user.email }, { requestId: String(req.id) });
      if (outcome.kind === 'disabled') {
        services.metrics.widgetTokens.inc({ outcome: 'disabled' });
        throw new ApiError(503, outcome.code, `Impact Advocate is not configured for ${program.product} (program ${program.key}): no widget token`);
      }
      if (outcome.kind !== 'ok') {
        services.metrics.widgetTokens.inc({ outcome: 'failed' });
        throw new ApiError(400, outcome.code, outcome.message);
      }
      const registration = await queueParticipantRegistration(services.rewarding, {
            programKey: program.key,
            product: product.product,
            userId: body.user.id,
            participant: {
              // Advocate ids: the production integration uses the email for both.
              id: body.user.email,
              accountId: body.user.email,
              email: body.user.email,
              ...(body.user.firstName ? { firstName: body.user.firstName } : {}),
              ...(body.user.lastName ? { lastName: body.user.lastName } : {}),
              ...(body.user.locale ? { locale: body.user.locale } : {}),
              ...(body.user.countryCode ? { countryCode: body.user.countryCode } : {}),
              cookies: body.saasquatchCookie ?? '',
            },
      });
      services.metrics.widgetTokens.inc({ outcome: 'issued' });
      // A bearer credential: never cached by anything between us and the user.
      res.setHeader('cache-control', 'no-store');
      const token = outcome.value;
      return {
        body: {
          token: token.token,
          expiresAt: token.expiresAt,
          tenantAlias: token.tenantAlias,
          programId: token.programId,
          widgetId: token.widgetId,
          registration: { workflowId: registration.workflowId },
        },
      };
    },
  });
}
