/**
 * RFC 6868 encoding of an iCalendar parameter value (CN of ORGANIZER and ATTENDEE): a quote
 * becomes ^', a line break ^n, a caret ^^. Without it a `"` in a name ends the quoted value
 * and what follows is read as other parameters or another address. Control characters other
 * than line breaks have no encoding and are dropped.
 */
export function encodeParamValue(value: string): string {
  return value
    .replace(/\^/g, '^^')
    .replace(/"/g, "^'")
    .replace(/\r\n|\r|\n/g, '^n')
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}
