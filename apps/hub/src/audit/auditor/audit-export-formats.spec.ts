import { EXPORT_ENCODINGS, csvField, exportFileName, unguardCsvField } from './audit-export-formats.js';
import type { AuditEventView } from './auditor.dto.js';

describe('audit export formats', () => {
  it('quotes CSV fields with a comma, quote, CR or LF, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });

  it('keeps null and the empty string apart', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
  });

  it('guards fields a spreadsheet would run as a formula, reversibly', () => {
    for (const value of ['=1+1', '+44', '-sam', '@mal.screener', '\tx', "'quoted"]) {
      expect(csvField(value)).toMatch(/^"?'/);
      expect(unguardCsvField(csvField(value).replace(/^"|"$/g, ''))).toBe(value);
    }
    expect(csvField('=A1,B1')).toBe(`"'=A1,B1"`);
    expect(csvField('sam-screener')).toBe('sam-screener');
  });

  it('writes one CSV row per event with details as JSON in one field', () => {
    const event: AuditEventView = {
      sequence: '7',
      occurredAt: '2026-03-02T08:15:00.000Z',
      actorType: 'hub',
      actorId: 'mash-hub',
      onBehalfOf: 'police',
      action: 'information.shared',
      subjectType: 'outbox_message',
      subjectId: '00000000-0000-4000-8000-000000000001',
      childId: null,
      purpose: 'feedback to the referrer',
      lawfulBasis: 'article6:public_task; children_act_2004_s11',
      correlationId: null,
      details: { recipient: 'police', contactIds: ['a', 'b'] },
      previousHash: '0'.repeat(64),
      hash: 'f'.repeat(64),
    };
    expect(EXPORT_ENCODINGS.csv.line(event)).toBe(
      `7,2026-03-02T08:15:00.000Z,hub,mash-hub,police,information.shared,outbox_message,00000000-0000-4000-8000-000000000001,,feedback to the referrer,article6:public_task; children_act_2004_s11,,"{""recipient"":""police"",""contactIds"":[""a"",""b""]}",${'0'.repeat(64)},${'f'.repeat(64)}\r\n`,
    );
    expect(JSON.parse(EXPORT_ENCODINGS.ndjson.line(event))).toEqual(event);
  });

  it('names the file by format and time, without characters file systems refuse', () => {
    expect(exportFileName('csv', new Date('2026-03-02T08:15:00.123Z'))).toBe('audit-events-20260302T081500Z.csv');
    expect(exportFileName('ndjson', new Date('2026-03-02T08:15:00Z'))).toBe('audit-events-20260302T081500Z.ndjson');
  });
});
