/**
 * The one exception type of the library, for programmer errors only (a malformed catalog, compiling
 * a program that does not validate). Anything about a program or a fact set is returned as data.
 */
export class RuleDslError extends Error {
  constructor(
    readonly code: 'catalog_invalid' | 'program_invalid',
    message: string,
    readonly problems: readonly { readonly code: string; readonly path: string; readonly message: string }[] = [],
  ) {
    super(message);
    this.name = 'RuleDslError';
  }
}
