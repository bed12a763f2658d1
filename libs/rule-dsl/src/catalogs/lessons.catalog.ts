import { defineFactCatalog } from '../fact-catalog';

/**
 * Facts of a tutoring marketplace (the Challenge Based Rewards example). Advocate, invitee and
 * referral facts exist from referral creation on; lesson and event facts only when a completed
 * lesson is evaluated, so `lesson.usd_amount` in eligibility is a save-time error.
 */
export const lessonsFactCatalog = defineFactCatalog({
  product: 'lessons',
  description: 'A tutoring marketplace: advocates invite students, students book and complete lessons.',
  events: ['lesson.completed'],
  facts: {
    now: {
      datatype: 'datetime',
      phases: ['eligibility', 'reward'],
      clock: true,
      description: 'The evaluation instant (the `at` option): referral creation, or the lesson completion time.',
    },
    'referral.created_at': {
      datatype: 'datetime',
      phases: ['eligibility', 'reward'],
      description: 'When the referral link was used to create the referral.',
    },
    'advocate.user_id': { datatype: 'int', phases: ['eligibility', 'reward'], description: 'The advocate\'s (referrer\'s) user id.' },
    'advocate.toggles': {
      datatype: 'list[string]',
      phases: ['eligibility', 'reward'],
      description: 'Names of the feature toggles the advocate has opted into.',
    },
    'advocate.country': {
      datatype: 'string',
      phases: ['eligibility', 'reward'],
      optional: true,
      description: 'The advocate\'s ISO 3166-1 alpha-2 country, when known.',
    },
    'invitee.user_id': { datatype: 'int', phases: ['eligibility', 'reward'], description: 'The invited student\'s user id.' },
    'invitee.country': {
      datatype: 'string',
      phases: ['eligibility', 'reward'],
      description: 'The invited student\'s ISO 3166-1 alpha-2 country.',
    },
    'invitee.signed_up_at': { datatype: 'datetime', phases: ['eligibility', 'reward'], description: 'When the student signed up.' },
    'lesson.id': { datatype: 'string', phases: ['reward'], description: 'The completed lesson\'s id.' },
    'lesson.usd_amount': {
      datatype: 'decimal',
      phases: ['reward'],
      description: 'What the student paid for the lesson, in US dollars (decimal, e.g. "45.30").',
    },
    'lesson.duration_minutes': { datatype: 'int', phases: ['reward'], description: 'Scheduled lesson length in minutes.' },
    'lesson.sequence': {
      datatype: 'int',
      phases: ['reward'],
      description: '1 for the student\'s first completed lesson, 2 for the second, ...',
    },
    'lesson.is_trial': { datatype: 'bool', phases: ['reward'], description: 'True for a discounted trial lesson.' },
    'lesson.subject': {
      datatype: 'string',
      phases: ['reward'],
      optional: true,
      description: 'The lesson\'s subject (math, english, ...), when the tutor set one.',
    },
    'lesson.completed_at': { datatype: 'datetime', phases: ['reward'], description: 'When the lesson was completed.' },
    'event.sequence': {
      datatype: 'int',
      phases: ['reward'],
      description: '1 for the first lesson.completed event of this referral, 2 for the next, ...',
    },
  },
});
