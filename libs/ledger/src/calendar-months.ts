/**
 * A renewal moved by whole calendar months, as KiloClaw's free months move it (Kilo's definition
 * of "calendar month"): the day of month and the time of day are kept, clamped to the target
 * month's last day when it is shorter (Jan 31 + 1 month = Feb 28, or 29 in a leap year). UTC.
 */
export function addCalendarMonths(at: Date, months: number): Date {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(at.getUTCDate(), lastDay);
  return new Date(Date.UTC(year, month, day, at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), at.getUTCMilliseconds()));
}
