import { linkMailHtml } from './account-link.ts';
import type { AccountMail } from './password-reset.ts';
import type { DisabledNotice } from './webhooks.ts';

/** The French e-mail telling a business that the service turned one of its webhook endpoints off. */
export function webhookDisabledMail(notice: DisabledNotice, pageUrl: string): AccountMail {
  const name = notice.description ? `« ${notice.description} » (${notice.url})` : notice.url;
  const lines = [
    'Bonjour,',
    '',
    `L’adresse ${name}, qui recevait les événements de vos réservations, a été désactivée.`,
    notice.reason,
    '',
    'Vos autres outils ne sont donc plus prévenus des nouvelles réservations, annulations ou modifications.',
    'Une fois l’adresse réparée, réactivez-la depuis la page « Intégrations » de votre espace artisan ; les événements manqués restent consultables par l’API (GET /api/admin/events).',
    '',
    pageUrl,
  ];
  return {
    to: notice.to.address,
    subject: 'Une adresse de vos intégrations a été désactivée — ArtisanConnect',
    text: lines.join('\n'),
    html: linkMailHtml(lines, pageUrl, 'Ouvrir la page Intégrations'),
    kind: 'webhook_disabled',
  };
}
