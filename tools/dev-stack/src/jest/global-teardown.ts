import type {} from './stack-setup';

/** Stops the stack global-setup started (nothing when the stack came from the environment). */
export default async function globalTeardown(): Promise<void> {
  await globalThis.referralsTestStack?.stop();
  globalThis.referralsTestStack = undefined;
}
