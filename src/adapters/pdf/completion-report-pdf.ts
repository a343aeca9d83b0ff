import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { CompletionReportDocument, ReportRenderer } from '../../app/completion-reports.ts';
import { phoneForReading } from '../../domain/phone-format.ts';
import { formatAddress, formatLongDateTime } from '../notify/french-format.ts';

// The fonts come from an npm package and are embedded in every PDF (the 14 standard PDF fonts
// lack œ and some accents, and a reader's substitute would change the layout): nothing is
// downloaded, ever.
const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = join(FONT_DIR, 'DejaVuSans.ttf');
const BOLD = join(FONT_DIR, 'DejaVuSans-Bold.ttf');

const INK = '#1f2933';
const MUTED = '#52606d';

/**
 * The French completion report as a PDF (pdfkit): the business, the intervention (date,
 * technician, service, address), then the entries, each label over its value. A4, text only,
 * so a customer's reader and `pdftotext` read it alike.
 */
export const renderCompletionReportPdf: ReportRenderer = (doc: CompletionReportDocument): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const pdf = new PDFDocument({
      size: 'A4',
      margin: 56,
      lang: 'fr-FR',
      // A fixed creation date: the same report renders to the same bytes.
      info: { Title: `Compte rendu d’intervention - ${doc.business.displayName}`, Author: doc.business.displayName, Creator: 'ArtisanConnect', CreationDate: new Date(doc.writtenMs) },
    });
    const chunks: Buffer[] = [];
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    pdf.registerFont('regular', REGULAR);
    pdf.registerFont('bold', BOLD);

    const { business, booking } = doc;
    pdf.font('bold').fontSize(16).fillColor(INK).text(business.displayName);
    pdf.font('regular').fontSize(10).fillColor(MUTED);
    if (business.trade) pdf.text(business.trade);
    pdf.text([business.phone ? phoneForReading(business.phone) : undefined, business.email].filter(Boolean).join(' - '));
    pdf.moveDown(1.5);

    pdf.font('bold').fontSize(18).fillColor(INK).text('Compte rendu d’intervention');
    pdf.moveDown(0.8);
    const line = (label: string, value: string) => {
      pdf.font('bold').fontSize(10).fillColor(MUTED).text(label, { continued: true }).font('regular').fillColor(INK).text(` : ${value}`);
    };
    line('Date de l’intervention', formatLongDateTime(booking.startMs, booking.timezone));
    line('Technicien', doc.technicianName);
    line('Prestation', booking.serviceName);
    line('Client', booking.customer.name);
    if (booking.customer.address) line('Adresse d’intervention', formatAddress(booking.customer.address));
    line('Réservation', booking.publicCode);
    pdf.moveDown(1);

    for (const entry of doc.entries) {
      pdf.font('bold').fontSize(11).fillColor(INK).text(entry.label);
      pdf.font('regular').fontSize(11).fillColor(INK).text(entry.value);
      pdf.moveDown(0.6);
    }

    pdf.moveDown(1);
    pdf.font('regular').fontSize(9).fillColor(MUTED).text(`Compte rendu établi le ${formatLongDateTime(doc.writtenMs, booking.timezone)} par ${business.displayName}.`);
    pdf.end();
  });
