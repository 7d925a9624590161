export * from './bank-holidays.js';
export * from './london-time.js';
export * from './school-calendar.js';
export * from './working-clock.js';
