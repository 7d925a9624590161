import { InitialSchema1763884800000 } from './1763884800000-initial-schema.js';

/** Every migration, oldest first. */
export const MIGRATIONS = [InitialSchema1763884800000];
