import { DEFAULT_EVENT_TIME_MAX_FUTURE_SKEW_MS, eventTimeIssues } from './event-times';

describe('eventTimeIssues', () => {
  const now = new Date('2026-12-03T10:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();

  it('accepts instants up to the skew after now (5 minutes by default), and refuses one a millisecond later', () => {
    expect(DEFAULT_EVENT_TIME_MAX_FUTURE_SKEW_MS).toBe(300_000);
    expect(eventTimeIssues([{ path: 'paidAt', value: at(300_000) }], { now })).toEqual([]);
    expect(eventTimeIssues([{ path: 'paidAt', value: at(300_001) }], { now })).toEqual([
      expect.objectContaining({ code: 'time_in_future', path: 'paidAt' }),
    ]);
  });

  it('takes the skew from the policy', () => {
    expect(eventTimeIssues([{ path: 'paidAt', value: at(60_001) }], { now, maxFutureSkewMs: 60_000 })).toHaveLength(1);
    expect(eventTimeIssues([{ path: 'paidAt', value: at(60_000) }], { now, maxFutureSkewMs: 60_000 })).toEqual([]);
  });

  it('refuses instants before 2000-01-01, even those allowed in the future', () => {
    expect(eventTimeIssues([{ path: 'a', value: '1999-12-31T23:59:59.999Z' }, { path: 'b', value: new Date(0), past: false }], { now })).toEqual([
      expect.objectContaining({ code: 'time_too_old', path: 'a' }),
      expect.objectContaining({ code: 'time_too_old', path: 'b' }),
    ]);
    expect(eventTimeIssues([{ path: 'a', value: '2000-01-01T00:00:00Z' }], { now })).toEqual([]);
  });

  it('lets an instant that may lie ahead (a period end) be in the future', () => {
    expect(eventTimeIssues([{ path: 'periodEndsAt', value: at(30 * 86_400_000), past: false }], { now })).toEqual([]);
  });

  it('reports every refused instant in order and leaves absent or unparseable values to the schema', () => {
    const issues = eventTimeIssues(
      [
        { path: 'x', value: undefined },
        { path: 'y', value: null },
        { path: 'z', value: 'not a date' },
        { path: 'subscription.startedAt', value: at(86_400_000) },
        { path: 'paidAt', value: '1970-01-01T00:00:00Z' },
      ],
      { now },
    );
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['subscription.startedAt', 'time_in_future'],
      ['paidAt', 'time_too_old'],
    ]);
  });
});
