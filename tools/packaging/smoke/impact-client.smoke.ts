/*
 * Runs outside the workspace against the installed tarball: the fake Impact server from
 * `@referrals/impact-client/testing` and a real client registering a participant over HTTP.
 */
import { isSuccess } from '@referrals/impact-client';
import { startImpactTestHarness } from '@referrals/impact-client/testing';

async function main(): Promise<void> {
  // A generous timeout: CI runs the smoke programs at once on a busy machine.
  const harness = await startImpactTestHarness({ client: { timeoutMs: 20_000 } });
  try {
    const email = 'ada@example.com';
    const outcome = await harness.client.forProduct('kiloclaw').advocate.upsertParticipant({ id: email, accountId: email, email });
    const requests = harness.fake.requests({ operation: 'upsertParticipant' });
    if (!isSuccess(outcome) || requests.length !== 1) throw new Error(`unexpected outcome: ${JSON.stringify({ outcome, requests })}`);
    console.log(`impact-client: participant registered with the fake Impact over HTTP (${requests[0]?.method} ${requests.length} call)`);
  } finally {
    await harness.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
