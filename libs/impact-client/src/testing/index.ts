/**
 * @referrals/impact-client/testing: the fake Impact server and its helpers. Test and dev-stack
 * code only; never re-exported from the main entry point.
 */
export { type FakeImpactOptions, type FakeImpactServer, type RecordedRequest, startFakeImpact } from './fake-impact.server';
export { FaultInjector, type FaultSpec, type FakeOperation, faultSpecSchema } from './fake-impact.faults';
export {
  defaultFakeImpactSeed,
  type FakeAdvocateProgramSeed,
  type FakeAdvocateTenantSeed,
  type FakeCampaignSeed,
  type FakeImpactSeed,
  fakeImpactClientConfig,
  type FakePerformanceAccountSeed,
} from './fake-impact.seed';
export {
  type FakeAction,
  type FakeBehaviour,
  type FakeContract,
  type FakeParticipant,
  type FakeReward,
  type RecordedRedemption,
  type SubmissionMode,
  type SubmissionResult,
} from './fake-impact.state';
export { fakeSaasquatchCookie, referralCodesInCookie } from './saasquatch-cookie';
export { type ImpactTestHarness, startImpactTestHarness } from './impact-test-harness';
