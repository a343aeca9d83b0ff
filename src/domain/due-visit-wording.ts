/** What the office reads for each state of a due visit (the list, its CSV export). */
export const DUE_VISIT_STATE_LABELS = {
  due: 'À prévoir',
  invited: 'Invité',
  booked: 'Réservé',
  overdue: 'En retard',
  declined: 'Refusé par le client',
  closed: 'Clôturé',
} as const satisfies Record<string, string>;
