import { TRACKING_PREVIEW_LENGTH, trackingPreview } from './user-activity';

describe('trackingPreview: what support sees of an opaque tracking value', () => {
  it('shows the first characters and the length of a longer value, never the rest', () => {
    const cookie = 'eyJhbGciOiJIUzI1NiJ9.secret-part';
    expect(trackingPreview(cookie)).toEqual({ preview: `${cookie.slice(0, TRACKING_PREVIEW_LENGTH)}…`, length: cookie.length });
    expect(trackingPreview(cookie)?.preview).not.toContain('secret');
  });

  it('keeps a value no longer than the preview, and has nothing for a missing value', () => {
    expect(trackingPreview('AB12')).toEqual({ preview: 'AB12', length: 4 });
    expect(trackingPreview('x'.repeat(TRACKING_PREVIEW_LENGTH))).toEqual({ preview: 'x'.repeat(TRACKING_PREVIEW_LENGTH), length: TRACKING_PREVIEW_LENGTH });
    expect(trackingPreview(null)).toBeNull();
  });
});
