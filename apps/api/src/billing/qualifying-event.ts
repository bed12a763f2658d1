import { type QualifyingEvent, recordQualifyingEvent } from '@referrals/rewarding';
import { type ApiServices } from '../services';
import { type QualifyingEventResponse } from './qualifying-event.schemas';

/**
 * The billing routes' one call: rewarding decides and books the event in one transaction; this
 * maps its answer (a stored answer on replays) to the response and counts it.
 */
export async function answerQualifyingEvent(services: ApiServices, event: QualifyingEvent): Promise<{ body: QualifyingEventResponse; replayed: boolean }> {
  const { answer, replayed, booked } = await recordQualifyingEvent(services.rewarding, event);
  if (replayed) {
    services.metrics.replays.inc({ scope: event.type });
  } else {
    services.metrics.conversions.inc({ event: event.type, winner: answer.conversion.winner, decision: answer.decision.code });
    for (const r of booked) services.metrics.rewards.inc({ role: r.role, status: r.status });
  }
  return { body: { ...answer, rewards: answer.rewards.map((r) => ({ ...r, sourceTier: r.sourceTier ?? null, redemption: null })) }, replayed };
}
