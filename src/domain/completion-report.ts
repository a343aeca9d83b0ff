import { ValidationError, type ErrorDetail } from './errors.ts';

/**
 * The completion report's form (issue 22 item 2): the fields every report has, and those a
 * service's preset adds. A boiler service's are what the yearly attestation states (French
 * decree of 15 September 2009 on boiler servicing): the energy, the carbon monoxide measured,
 * the efficiency, the flue, and the advice given.
 */
export interface ReportField {
  key: string;
  label: string;
  multiline?: boolean;
  required?: boolean;
}

export const REPORT_PRESETS = ['standard', 'boiler'] as const;
export type ReportPreset = (typeof REPORT_PRESETS)[number];

const BASE_FIELDS: readonly ReportField[] = [
  { key: 'workDone', label: 'Travaux réalisés', multiline: true, required: true },
  { key: 'observations', label: 'Observations', multiline: true },
  { key: 'applianceBrand', label: 'Marque de l’appareil' },
  { key: 'applianceModel', label: 'Modèle' },
  { key: 'applianceSerial', label: 'Numéro de série' },
];

const PRESET_FIELDS: Readonly<Record<ReportPreset, readonly ReportField[]>> = {
  standard: [],
  boiler: [
    { key: 'energy', label: 'Énergie (gaz, fioul, bois…)' },
    { key: 'coPpm', label: 'Monoxyde de carbone mesuré (ppm)' },
    { key: 'efficiency', label: 'Rendement mesuré (%)' },
    { key: 'flue', label: 'Conduit et évacuation des fumées', multiline: true },
    { key: 'partsReplaced', label: 'Pièces remplacées', multiline: true },
    { key: 'advice', label: 'Conseils d’utilisation et d’amélioration', multiline: true },
  ],
};

export const reportFields = (preset: ReportPreset): ReportField[] => [...BASE_FIELDS, ...PRESET_FIELDS[preset]];

export const REPORT_VALUE_MAX = 2000;

export interface ReportEntry {
  key: string;
  label: string;
  value: string;
}

/**
 * The entries of a filled form, in the form's order, the empty ones left out; every problem
 * at once (a required field empty, a value too long, a field the form does not have).
 */
export function checkReportEntries(preset: ReportPreset, input: Record<string, string>): ReportEntry[] {
  const fields = reportFields(preset);
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(input)) {
    if (!fields.some((f) => f.key === key)) details.push({ field: `report.${key}`, message: 'Ce champ ne fait pas partie du compte rendu de cette prestation.' });
  }
  const entries: ReportEntry[] = [];
  for (const f of fields) {
    const value = (input[f.key] ?? '').trim();
    if (!value) {
      if (f.required) details.push({ field: `report.${f.key}`, message: 'Ce champ est obligatoire.' });
      continue;
    }
    if (value.length > REPORT_VALUE_MAX) {
      details.push({ field: `report.${f.key}`, message: `${REPORT_VALUE_MAX} caractères au plus.` });
      continue;
    }
    entries.push({ key: f.key, label: f.label, value });
  }
  if (details.length > 0) throw new ValidationError(details, 'Le compte rendu est incomplet ou invalide. Merci de vérifier le formulaire.');
  return entries;
}
