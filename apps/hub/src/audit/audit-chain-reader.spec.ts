import { unescapeCopyField } from './audit-chain-reader.js';

describe("COPY's text format", () => {
  it('reads \\N as NULL and leaves plain fields alone', () => {
    expect(unescapeCopyField('\\N')).toBeNull();
    expect(unescapeCopyField('plain text')).toBe('plain text');
    expect(unescapeCopyField('')).toBe('');
  });

  it('unescapes what COPY escapes', () => {
    expect(unescapeCopyField('a\\tb\\nc\\rd\\\\e\\bf\\fg\\vh')).toBe('a\tb\nc\rd\\e\bf\fg\vh');
    // A JSON string holding an escaped quote and backslash arrives with its backslashes doubled.
    expect(JSON.parse(unescapeCopyField('{"a":"x \\\\" y \\\\\\\\ z"}')!)).toEqual({ a: 'x " y \\ z' });
  });
});
