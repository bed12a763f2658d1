import { createProgramStore } from '@referrals/programs';
import { type Sequelize } from 'sequelize';
import { createAttribution } from './attribution-service';
import { hashEmail, normalizeEmail } from './email-tombstones';
import { productCatalogs } from './testing/attribution-fixtures';

describe('normalizeEmail', () => {
  it.each([
    ['  Jane.Doe@Example.COM ', 'jane.doe@example.com'],
    ['jane+newsletter@example.com', 'jane@example.com'],
    ['Jane.Doe+old@GoogleMail.com', 'janedoe@gmail.com'],
    ['j.a.n.e@gmail.com', 'jane@gmail.com'],
    ['ｊａｎｅ@example.com', 'jane@example.com'],
  ])('%s -> %s (one mailbox, one spelling)', (email, normalized) => {
    expect(normalizeEmail(email)).toBe(normalized);
  });

  it('keeps dots outside Gmail, where they may name another mailbox', () => {
    expect(normalizeEmail('jane.doe@example.com')).not.toBe(normalizeEmail('janedoe@example.com'));
  });
});

describe('hashEmail', () => {
  it('is a keyed, deterministic SHA-256 digest that does not contain the email', () => {
    const digest = hashEmail('secret-one-0123456789', 'jane@example.com');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEmail('secret-one-0123456789', 'jane@example.com')).toBe(digest);
    expect(hashEmail('secret-two-0123456789', 'jane@example.com')).not.toBe(digest);
  });
});

describe('createAttribution', () => {
  const sequelize = {} as Sequelize; // never queried: construction only checks its dependencies
  const programs = createProgramStore({ sequelize, catalogs: productCatalogs() });

  it('refuses a missing or short email hash secret at startup', () => {
    expect(() => createAttribution({ sequelize, programs, eligibilityFacts: () => ({}), emailHashSecret: 'short' })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });

  it('refuses a default window that is not a whole number of days in range', () => {
    expect(() =>
      createAttribution({ sequelize, programs, eligibilityFacts: () => ({}), emailHashSecret: 'long-enough-secret-123', defaultWindowDays: 0 }),
    ).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});
