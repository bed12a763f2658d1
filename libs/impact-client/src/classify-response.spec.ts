import { classifyFailure } from './classify-response';
import { type HttpResponse } from './impact-http';

const response = (status: number, body: unknown = null, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  body,
  headers: new Headers(headers),
  durationMs: 1,
});

describe('classifyFailure', () => {
  it.each([
    [400, 'bad_request'],
    [401, 'unauthorized'],
    [402, 'request_failed'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [405, 'method_not_allowed'],
    [409, 'client_error'],
    [422, 'client_error'],
  ])('treats %p as permanent %p', (status, code) => {
    expect(classifyFailure(response(status), 'req', 0)).toMatchObject({ kind: 'permanent', code, httpStatus: status });
  });

  it('keeps the field errors of the documented lower-case Conversions 400 body and of the capitalised one', () => {
    const documented = response(400, { Status: 'ERROR', errors: [{ field: 'OrderId', level: 'ERROR', message: 'OID_MISSING' }] });
    expect(classifyFailure(documented, 'req', 0)).toMatchObject({
      kind: 'permanent',
      code: 'bad_request',
      message: 'Validation failed: OrderId OID_MISSING',
      fieldErrors: [{ field: 'OrderId', message: 'OID_MISSING' }],
    });
    const capitalised = response(400, { Status: 'ERROR', Message: 'Validation Failed', Errors: [{ Field: 'CampaignId', Message: 'CAMPAIGN_NOT_FOUND' }] });
    expect(classifyFailure(capitalised, 'req', 0)).toMatchObject({ message: 'Validation Failed', fieldErrors: [{ field: 'CampaignId', message: 'CAMPAIGN_NOT_FOUND' }] });
  });

  it.each([500, 502, 503, 504])('treats %p as transient server_error', (status) => {
    expect(classifyFailure(response(status), 'req', 0)).toMatchObject({ kind: 'transient', code: 'server_error' });
  });

  it('treats a redirect as a transient unexpected answer (redirects are never followed)', () => {
    expect(classifyFailure(response(302), 'req', 0)).toMatchObject({ kind: 'transient', code: 'unexpected_response' });
  });

  it('reads Performance field errors and Advocate codes', () => {
    expect(
      classifyFailure(response(400, { Status: 'ERROR', Message: 'Validation Failed', Errors: [{ Field: 'OrderId', Message: 'OID_MISSING' }] }), 'req', 0),
    ).toMatchObject({ message: 'Validation Failed', fieldErrors: [{ field: 'OrderId', message: 'OID_MISSING' }] });
    expect(classifyFailure(response(404, { statusCode: 404, message: 'Not here', apiErrorCode: 'USER_NOT_FOUND' }), 'req', 0)).toMatchObject({
      message: 'Not here',
      apiErrorCode: 'USER_NOT_FOUND',
      fieldErrors: [],
    });
  });

  it('scrubs emails and long values out of the message it keeps', () => {
    const outcome = classifyFailure(response(400, 'Unknown user someone@example.com with token abcdefghijklmnopqrstuvwxyz012345'), 'req', 0);
    expect(outcome.message).toBe('Unknown user so***@e***.com with token abcdef…[32 chars]');
  });

  it('is JSON-safe: an outcome survives serialisation unchanged (Temporal activity results)', () => {
    const outcome = classifyFailure(response(503, null, { 'retry-after': '2' }), 'req', 0);
    expect(JSON.parse(JSON.stringify(outcome))).toEqual(outcome);
  });
});
