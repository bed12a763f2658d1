import { type ProgramDocument } from '@referrals/rule-dsl';

/** "ended" / "not started" next to the stored status: a program active after its end date still shows active. */
export function windowMarker(p: Pick<ProgramDocument, 'schedule'>, now: Date): 'ended' | 'not started' | 'inviting closed' | null {
  const { startAt, frozenAt, endAt } = p.schedule;
  if (now.getTime() >= new Date(endAt).getTime()) return 'ended';
  if (now.getTime() < new Date(startAt).getTime()) return 'not started';
  if (now.getTime() >= new Date(frozenAt).getTime()) return 'inviting closed';
  return null;
}
