import { type AdvocateAuthStyle, type ConversionEvent, type ImpactConfigInput } from '../impact-config.schema';

export interface FakeAdvocateProgramSeed {
  programId: string;
  /** The engine product this program serves; used by `clientConfig()`. */
  product?: string;
  rewardUnit: string;
  rewardUnitDecimals?: number;
  /**
   * Credit created for the referrer and the referee when a referral SALE converts: a fixed amount
   * in the reward unit, or a percentage of the SALE's `ItemSubTotal1`.
   */
  referralReward?: { fixedAmount: number } | { percentOfSale: number };
}

export interface FakeAdvocateTenantSeed {
  tenantAlias: string;
  accountSid: string;
  authToken: string;
  programs: FakeAdvocateProgramSeed[];
  /** The open endpoint answers 403, as for a tenant that disabled it. */
  openEndpointDisabled?: boolean;
}

export interface FakeCampaignSeed {
  campaignId: string;
  product?: string;
  actionTrackerIds: Partial<Record<ConversionEvent, string>>;
  /** Referral SALEs in this campaign convert referrals of this Advocate program. */
  advocate?: { tenantAlias: string; programId: string };
}

export interface FakePerformanceAccountSeed {
  accountSid: string;
  authToken: string;
  campaigns: FakeCampaignSeed[];
}

export interface FakeImpactSeed {
  advocateTenants: FakeAdvocateTenantSeed[];
  performanceAccounts: FakePerformanceAccountSeed[];
}

/**
 * The programs seen in the wild (impact-api.md §4). KiloClaw's ids are the real ones; Kilo Pass's
 * program 51700 and campaign 50755 (with its trackers) are invented for the fake. Secrets are fake.
 */
export const defaultFakeImpactSeed: FakeImpactSeed = {
  advocateTenants: [
    {
      tenantAlias: 'referrals_demo',
      accountSid: 'IRAdvocateDemo7138521',
      authToken: 'fake-advocate-token-do-not-use',
      programs: [
        { programId: '51699', product: 'kiloclaw', rewardUnit: 'MONTH', rewardUnitDecimals: 0, referralReward: { fixedAmount: 1 } },
        { programId: '51700', product: 'kilo_pass', rewardUnit: 'USD', rewardUnitDecimals: 2, referralReward: { percentOfSale: 50 } },
      ],
    },
  ],
  performanceAccounts: [
    {
      accountSid: 'IRPerformanceDemo7138521',
      authToken: 'fake-performance-token-do-not-use',
      campaigns: [
        {
          campaignId: '50754',
          product: 'kiloclaw',
          actionTrackerIds: { VISIT: '71668', SIGNUP: '71655', TRIAL_START: '71656', TRIAL_END: '71658', SALE: '71659' },
          advocate: { tenantAlias: 'referrals_demo', programId: '51699' },
        },
        {
          campaignId: '50755',
          product: 'kilo_pass',
          actionTrackerIds: { SIGNUP: '71755', SALE: '71759' },
          advocate: { tenantAlias: 'referrals_demo', programId: '51700' },
        },
      ],
    },
  ],
};

/**
 * Client configuration for every product named in a seed, pointing at a running fake. Feed it to
 * `parseImpactConfig`. `only` limits it to some products (to test a product left unconfigured).
 */
export function fakeImpactClientConfig(
  seed: FakeImpactSeed,
  baseUrl: string,
  options: { authStyle?: AdvocateAuthStyle; timeoutMs?: number; only?: readonly string[] } = {},
): ImpactConfigInput {
  const products: NonNullable<ImpactConfigInput['products']> = {};
  const wanted = (product: string | undefined): product is string =>
    product !== undefined && (options.only === undefined || options.only.includes(product));
  for (const tenant of seed.advocateTenants) {
    for (const program of tenant.programs) {
      if (!wanted(program.product)) continue;
      products[program.product] = {
        ...products[program.product],
        advocate: {
          tenantAlias: tenant.tenantAlias,
          accountSid: tenant.accountSid,
          authToken: tenant.authToken,
          authStyle: options.authStyle ?? 'account_sid_auth_token',
          programId: program.programId,
          rewardUnit: program.rewardUnit,
          rewardUnitDecimals: program.rewardUnitDecimals ?? 0,
          baseUrl,
        },
      };
    }
  }
  for (const account of seed.performanceAccounts) {
    for (const campaign of account.campaigns) {
      if (!wanted(campaign.product)) continue;
      products[campaign.product] = {
        ...products[campaign.product],
        performance: {
          accountSid: account.accountSid,
          authToken: account.authToken,
          campaignId: campaign.campaignId,
          actionTrackerIds: campaign.actionTrackerIds,
          baseUrl,
        },
      };
    }
  }
  return { products, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) };
}
