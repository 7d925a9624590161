import { navigationFor } from './navigation.js';
import { HubConfig } from '../config.js';
import { readWhen } from './forms.js';
import { safeReturnPath } from './page-policy.js';
import { Views } from './views.js';

describe('where sign-in may send someone back to', () => {
  it.each([
    '/',
    '/contacts',
    '/contacts?status=open&rag=amber',
    '/contacts/3f6c1d2e-8a4b-4c1f-9e2d-7b5a6c4d3e21',
    '/contacts/3f6c1d2e-8a4b-4c1f-9e2d-7b5a6c4d3e21/rag',
    '/contacts/3f6c1d2e-8a4b-4c1f-9e2d-7b5a6c4d3e21/decision',
    '/possible-matches',
    '/possible-matches/3f6c1d2e-8a4b-4c1f-9e2d-7b5a6c4d3e21',
    '/audit',
    '/audit?childId=3f6c1d2e-8a4b-4c1f-9e2d-7b5a6c4d3e21&from-day=1',
    '/audit/shares',
    '/audit/verification',
    '/audit/children/3f6c1d2e-8a4b-4c1f-9e2d-7b5a6c4d3e21',
    '/admin',
    '/admin/partners',
    '/admin/dead-letters',
    '/admin/dead-letters/hub-intake-police',
    '/sign-off',
    '/sign-off/3f6c1d2e-8a4b-4c1f-9e2d-7b5a6c4d3e21',
    '/alerts',
    '/timeliness?from-day=2&from-month=3&from-year=2026&to-day=8&to-month=3&to-year=2026',
    '/contacts/3f6c1d2e-8a4b-4c1f-9e2d-7b5a6c4d3e21/consent/override',
  ])('takes the staff page %s', (path) => expect(safeReturnPath(path)).toBe(path));

  it.each([
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '/contacts/../admin',
    '/contacts/3f6c1d2e-8a4b-4c1f-9e2d-7b5a6c4d3e21/../../admin',
    '/contacts?next=https://evil.example',
    '/contacts?a=1?b=2',
    '/api/contacts',
    '/audit/children/not-a-child',
    '/admin/dead-letters/../../api',
    'javascript:alert(1)',
    '',
    undefined,
    ['/contacts'],
  ])('refuses %p', (candidate) => expect(safeReturnPath(candidate)).toBeNull());
});

describe('the time left to a decision', () => {
  const views = new Views(new HubConfig());
  // Tuesday 3 March 2026, 16:00 in England (GMT).
  const now = new Date('2026-03-03T16:00:00Z');

  it('counts working time for amber and green: overnight does not count', () => {
    expect(views.timeLeft('2026-03-04T11:00:00Z', 'amber', now)).toEqual({ text: '3 hours of working time left', overdue: false });
    expect(views.timeLeft('2026-03-03T16:30:00Z', 'green', now)).toEqual({ text: '30 minutes of working time left', overdue: false });
  });

  it('counts clock time for red, and says how late an overdue one is', () => {
    expect(views.timeLeft('2026-03-03T19:15:00Z', 'red', now)).toEqual({ text: '3 hours 15 minutes left', overdue: false });
    expect(views.timeLeft('2026-03-03T15:00:00Z', 'amber', now)).toEqual({ text: 'Overdue by 1 hour', overdue: true });
    expect(views.timeLeft(null, 'amber', now)).toBeNull();
  });
});

describe('the staff page navigation', () => {
  const texts = (roles: Parameters<typeof navigationFor>[0]) => navigationFor(roles, '/').map((item) => item.text);

  it('offers each role only the pages of its work', () => {
    expect(texts(['screener'])).toEqual(['Contacts', 'Possible matches', 'Late and escalated']);
    expect(texts(['manager'])).toEqual(['Contacts', 'Possible matches', 'Late and escalated', 'Sign-off', 'Timeliness']);
    expect(texts(['auditor'])).toEqual(['Audit log', 'Verification']);
    expect(texts(['admin'])).toEqual(['Partners', 'Operations']);
  });

  it('marks the section of the page shown, and only that one', () => {
    const active = (path: string) => navigationFor(['auditor', 'admin', 'manager'], path).filter((item) => item.active).map((item) => item.href);
    expect(active('/contacts/3f0c')).toEqual(['/contacts']);
    expect(active('/audit/verification')).toEqual(['/audit/verification']);
    expect(active('/audit/children/3f0c')).toEqual(['/audit']);
    expect(active('/admin/dead-letters/intake')).toEqual(['/admin']);
    expect(active('/admin/partners/new')).toEqual(['/admin/partners']);
  });
});

describe('a date (and time) typed into a page', () => {
  const when = (fields: Record<string, string>, withTime = false) => readWhen(Object.fromEntries(Object.entries(fields).map(([k, v]) => [`at-${k}`, v])), 'at', 'The date', withTime);

  it('reads a day on a clock in England, in summer and in winter', () => {
    expect(when({ day: '1', month: '7', year: '2026' })).toMatchObject({ date: '2026-07-01', instant: '2026-06-30T23:00:00.000Z', problem: null });
    expect(when({ day: '01', month: '12', year: '2026', time: '14:30' }, true)).toMatchObject({ instant: '2026-12-01T14:30:00.000Z', problem: null });
  });

  it('takes nothing as no date, and refuses a part, an impossible date, a bad time and the hour the clocks skip', () => {
    expect(when({})).toMatchObject({ instant: null, problem: null });
    expect(when({ day: '1', year: '2026' }).problem).toBe('The date must include a day, month and year');
    expect(when({ day: '29', month: '2', year: '2026' }).problem).toBe('The date must be a real date, for example 27 3 2026');
    expect(when({ day: '1', month: '3', year: '2026', time: '25:00' }, true).problem).toMatch(/24-hour clock/);
    expect(when({ day: '29', month: '3', year: '2026', time: '01:30' }, true).problem).toMatch(/clocks went forward/);
  });
});
