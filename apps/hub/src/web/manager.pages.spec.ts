import { onTimeChart } from './charts.js';
import { durationWords, readPeriod } from './manager.pages.js';

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
  const period = (from: [string, string, string], to: [string, string, string]) => ({
    'from-day': from[0], 'from-month': from[1], 'from-year': from[2], 'to-day': to[0], 'to-month': to[1], 'to-year': to[2],
  });

  it('is the last four weeks, today included, when none is chosen', () => {
    const chosen = readPeriod({}, '2026-03-08');
    expect(chosen).toMatchObject({ from: '2026-02-09', to: '2026-03-08', errors: null });
    expect(chosen.values.from).toMatchObject({ day: '9', month: '2', year: '2026' });
  });

  it('is the days chosen, both included; one day will do', () => {
    expect(readPeriod(period(['2', '3', '2026'], ['8', '3', '2026']), '2026-11-24')).toMatchObject({ from: '2026-03-02', to: '2026-03-08', errors: null });
    expect(readPeriod(period(['8', '3', '2026'], ['8', '3', '2026']), '2026-11-24')).toMatchObject({ from: '2026-03-08', to: '2026-03-08', errors: null });
  });

  it.each([
    [period(['', '', ''], ['8', '3', '2026']), { from: 'Enter the start date' }],
    [period(['31', '2', '2026'], ['8', '3', '2026']), { from: 'The start date must be a real date, for example 27 3 2026' }],
    [period(['2', '3', '2026'], ['8', 'March', '2026']), { to: 'The end date must be a real date, for example 27 3 2026' }],
    [period(['2', '3', '2026'], ['8', '3', '']), { to: 'The end date must include a day, month and year' }],
    [period(['9', '3', '2026'], ['8', '3', '2026']), { to: 'The end date must be the same as or after the start date' }],
  ])('refuses %p', (raw, expected) => {
    const { errors } = readPeriod(raw, '2026-11-24');
    expect(errors?.byField).toEqual(expected);
    expect(errors?.list).toEqual(Object.entries(expected).map(([field, text]) => ({ text, href: `#${field}-day` })));
  });
});
