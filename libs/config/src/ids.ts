/**
 * The one length limit of an id the host owns (users, payments, lessons, issuances, anonymous
 * visitors, events). The HTTP schemas, the libs' input schemas and the tables' CHECK constraints
 * all hold ids up to this length, and everything derived from an id (workflow ids, delivery keys,
 * Impact request ids) is built to stay within its own limit whatever the id's length.
 */
export const EXTERNAL_ID_MAX_LENGTH = 200;
