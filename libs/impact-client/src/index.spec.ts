import * as publicApi from './index';
import * as testingApi from './testing';

describe('@referrals/impact-client entry points', () => {
  it('keep the fake server out of the main entry point', () => {
    const names = Object.keys(publicApi);
    expect(names).toEqual(expect.arrayContaining(['createImpactClient', 'parseImpactConfig', 'impactConfigFromEnv', 'selectReward']));
    for (const name of Object.keys(testingApi)) expect(names).not.toContain(name);
  });

  it('export the fake, its seed and the test harness from ./testing', () => {
    expect(Object.keys(testingApi)).toEqual(
      expect.arrayContaining(['startFakeImpact', 'defaultFakeImpactSeed', 'fakeImpactClientConfig', 'startImpactTestHarness', 'fakeSaasquatchCookie']),
    );
  });
});
