import type { AuditEventView, ExportFormat } from './auditor.dto.js';

/** The CSV columns: the table's own names, in chain order, so an export can be verified offline. */
export const CSV_COLUMNS = [
  ['sequence', (e: AuditEventView) => e.sequence],
  ['occurred_at', (e: AuditEventView) => e.occurredAt],
  ['actor_type', (e: AuditEventView) => e.actorType],
  ['actor_id', (e: AuditEventView) => e.actorId],
  ['on_behalf_of', (e: AuditEventView) => e.onBehalfOf],
  ['action', (e: AuditEventView) => e.action],
  ['subject_type', (e: AuditEventView) => e.subjectType],
  ['subject_id', (e: AuditEventView) => e.subjectId],
  ['child_id', (e: AuditEventView) => e.childId],
  ['purpose', (e: AuditEventView) => e.purpose],
  ['lawful_basis', (e: AuditEventView) => e.lawfulBasis],
  ['correlation_id', (e: AuditEventView) => e.correlationId],
  ['details', (e: AuditEventView) => JSON.stringify(e.details)],
  ['previous_hash', (e: AuditEventView) => e.previousHash],
  ['hash', (e: AuditEventView) => e.hash],
] as const;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a
 * formula. Actor ids come from request headers and may start with - or @, so
 * such a field gets a leading apostrophe. A field that already starts with an
 * apostrophe gets one too: the rule is then reversible without guessing
 * (a field starting with ' lost exactly one on the way in), which is what an
 * offline hash check needs. NDJSON carries every value exactly as stored.
 */
const FORMULA_START = /^[=+\-@\t\r']/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One RFC 4180 field. Null is an empty field; an empty string is `""`, so the
 * two stay distinguishable (they hash differently).
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return guarded === '' || NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/** Undoes the formula guard: what a verifier applies to every parsed CSV field. */
export function unguardCsvField(field: string): string {
  return field.startsWith("'") ? field.slice(1) : field;
}

export interface ExportEncoding {
  contentType: string;
  extension: string;
  /** Written once, before the first event. */
  header: string;
  line(event: AuditEventView): string;
}

export const EXPORT_ENCODINGS: Record<ExportFormat, ExportEncoding> = {
  csv: {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    header: `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`,
    line: (event) => `${CSV_COLUMNS.map(([, value]) => csvField(value(event))).join(',')}\r\n`,
  },
  ndjson: {
    contentType: 'application/x-ndjson',
    extension: 'ndjson',
    header: '',
    line: (event) => `${JSON.stringify(event)}\n`,
  },
};

/** audit-events-20260302T081500Z.csv: sortable, and safe in a file name on any system. */
export function exportFileName(format: ExportFormat, at = new Date()): string {
  const stamp = at.toISOString().replace(/\.\d{3}/, '').replace(/[-:]/g, '');
  return `audit-events-${stamp}.${EXPORT_ENCODINGS[format].extension}`;
}
