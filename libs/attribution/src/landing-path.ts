/**
 * The landing page of a touch, reduced to its path. Query strings and fragments carry secrets as
 * often as campaign names (password-reset tokens, OAuth codes, emails in `?email=`), and `;`
 * path parameters carry session ids (`;jsessionid=`), so all of them are dropped, as are the
 * scheme, credentials and host of a full URL. What remains is enough to tell landing pages apart.
 */
export function sanitizeLandingPath(input: string): string {
  let path = input.trim();
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(path) || path.startsWith('//');
  if (absolute) {
    // Everything up to the first `/` after the authority is scheme, credentials and host.
    const afterScheme = path.replace(/^[a-z][a-z0-9+.-]*:/i, '').replace(/^\/\//, '');
    const slash = afterScheme.search(/[/?#]/);
    path = slash < 0 ? '/' : afterScheme.slice(slash);
  }
  path = path.split(/[?#]/, 1)[0] ?? '';
  path = path
    .split('/')
    .map((segment) => segment.split(';', 1)[0] ?? '')
    .join('/');
  if (!path.startsWith('/')) path = `/${path}`;
  return path;
}
