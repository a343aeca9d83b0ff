/** E-mail addresses and phone numbers never reach the logs (STYLE §3): masked in any text. */
export function maskContacts(text: string): string {
  return text
    .replace(/[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+\.[^\s<>"'(),;:@]+/g, '[e-mail masqué]')
    .replace(/\+?\d[\d .-]{7,}\d/g, '[téléphone masqué]');
}
