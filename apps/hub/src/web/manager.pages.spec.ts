import { onTimeChart } from './charts.js';
import { TimelinessPeriodForm, dateFromParts, readForm } from './forms.js';
import { durationWords } from './manager.pages.js';

describe('the timeliness charts', () => {
  it('draws each group on one scale: on time, then late, in proportion, with marks at round numbers', () => {
    const chart = onTimeChart([
      { label: 'Red', onTime: 6, late: 2 },
      { label: 'Amber', onTime: 3, late: 0 },
      { label: 'Green', onTime: 0, late: 0 },
    ]);
    const [red, amber, green] = chart.rows;
    // Eight is the largest total: the scale runs to it in steps of 2, and the longest bar fills it.
    expect(chart.ticks.map((tick) => tick.text)).toEqual(['0', '2', '4', '6', '8']);
    expect(red.onTimeWidth + red.lateWidth).toBeCloseTo(chart.ticks[4].x - chart.barX);
    const unit = chart.ticks[1].x - chart.ticks[0].x;
    expect(red.onTimeWidth).toBeCloseTo(3 * unit);
    expect(red.lateWidth).toBeCloseTo(unit);
    expect(red.lateX).toBeCloseTo(chart.barX + red.onTimeWidth);
    expect(amber.onTimeWidth / red.onTimeWidth).toBeCloseTo(0.5);
    expect([red.value, amber.value, green.value]).toEqual(['6 on time, 2 late', '3 on time, 0 late', 'none decided']);
    expect(green.onTimeWidth + green.lateWidth).toBe(0);
    // Every bar leaves room for its figures (up to "1000 on time, 1000 late") inside the drawing.
    for (const row of chart.rows) expect(row.valueX).toBeLessThanOrEqual(chart.width - 180);
    expect(chart.height).toBeGreaterThan(chart.axisY);
  });

  it('cuts a long label short in the drawing', () => {
    const [row] = onTimeChart([{ label: 'Multi-agency front door team (east)', onTime: 1, late: 0 }]).rows;
    expect(row.label).toBe('Multi-agency front do…');
  });

  it('says a time to decision as a person would', () => {
    expect([null, 0, 45, 60, 125, 47 * 60, 48 * 60, 3 * 24 * 60 + 90].map(durationWords)).toEqual([
      'None decided',
      '0 minutes',
      '45 minutes',
      '1 hour',
      '2 hours 5 minutes',
      '47 hours',
      '2 days',
      '3 days 1 hour',
    ]);
  });
});

describe('the timeliness period', () => {
  it('makes a date from the GOV.UK date input’s parts, or says it cannot', () => {
    expect(dateFromParts('2', '3', '2026')).toBe('2026-03-02');
    expect(dateFromParts(' 02 ', '03', '2026')).toBe('2026-03-02');
    expect(dateFromParts('', '', '')).toBe('');
    expect(dateFromParts(undefined, undefined, undefined)).toBe('');
    expect(dateFromParts('2', 'March', '2026')).toBe('not a date');
    expect(dateFromParts('2', '3', '26')).toBe('not a date');
  });

  it.each([
    [{ from: '', to: '2026-03-08' }, { from: 'Enter the start date' }],
    [{ from: '2026-02-31', to: '2026-03-08' }, { from: 'The start date must be a real date' }],
    [{ from: '2026-03-02', to: 'not a date' }, { to: 'The end date must be a real date' }],
    [{ from: '2026-03-09', to: '2026-03-08' }, { to: 'The end date must be the same as or after the start date' }],
  ])('refuses %p', async (period, expected) => {
    const { errors } = await readForm(TimelinessPeriodForm, period, { from: 'from-day', to: 'to-day' });
    expect(errors?.byField).toEqual(expected);
    expect(errors?.list[0].href).toBe(`#${Object.keys(expected)[0]}-day`);
  });

  it('takes a period of one day', async () => {
    expect((await readForm(TimelinessPeriodForm, { from: '2026-03-08', to: '2026-03-08' })).errors).toBeNull();
  });
});
