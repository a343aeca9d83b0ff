/**
 * The iCalendar UID of a booking's event: the same for the life of the booking in every
 * calendar it is written to (invitations, CalDAV, feeds), so clients update it in place and
 * an import recognises the events this service wrote.
 */
const SUFFIX = '@artisanconnect';

export const bookingUid = (bookingId: string): string => `${bookingId}${SUFFIX}`;

/** The booking id of one of our UIDs, else undefined (a foreign event). */
export function bookingIdOfUid(uid: string): string | undefined {
  if (!uid.endsWith(SUFFIX)) return undefined;
  const id = uid.slice(0, -SUFFIX.length);
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id : undefined;
}
