import { AGENCIES, type Agency } from './agencies.js';
import type { Article6Basis, Article9Condition, ReferralSource, StatutoryGateway } from './codes.js';
import { ORGANISATION_CODE_RULES, type OrganisationCodeRule } from './organisations.js';
import { agencyQueue, hubIntakeQueue, inboxPushQueue } from './queues.js';

/** The lawful basis an agency's notices rely on unless the notice says otherwise. */
export interface DefaultLawfulBasis {
  article6: Article6Basis;
  /** For agencies whose notices carry special-category data. */
  article9?: Article9Condition;
  statutoryGateways: StatutoryGateway[];
}

/** Everything the hub and the adapters need to know about one kind of partner agency. */
export interface AgencyProfile {
  agency: Agency;
  /** For people: who sends through this adapter. */
  title: string;
  /** The adapter's name (its logs, its Redis ACL user) and default port. */
  adapter: { name: `${Agency}-adapter`; port: number };
  /** The queue the adapter publishes notifications to; only its Redis user may write it. */
  intakeQueue: string;
  /** The queue the hub publishes to for this agency's adapter (acknowledgements, requests, outcomes). */
  deliveriesQueue: string;
  /** The DfE CIN census referral source code recorded for notifications from this agency. */
  referralSource: ReferralSource;
  defaultLawfulBasis: DefaultLawfulBasis;
  /** How the agency names the organisation inside it that sends (force, trust, school, council, region). */
  organisation: OrganisationCodeRule;
}

const PROFILES: Record<Agency, Omit<AgencyProfile, 'agency' | 'adapter' | 'intakeQueue' | 'deliveriesQueue' | 'organisation'> & { port: number }> = {
  police: {
    title: 'Police forces',
    port: 3101,
    referralSource: '6',
    // Police processing for safeguarding: DPA 2018 Schedule 8 para 4.
    defaultLawfulBasis: { article6: 'public_task', article9: 'dpa2018_sch8_para4_safeguarding', statutoryGateways: ['children_act_2004_s11', 'crime_and_disorder_act_1998_s115'] },
  },
  health: {
    title: 'NHS trusts, GP practices and other health services',
    port: 3102,
    // 3F: other health services; a notice from a GP (3A), health visitor (3B), school nurse (3C) or A&E (3E) says so.
    referralSource: '3F',
    defaultLawfulBasis: { article6: 'public_task', article9: 'dpa2018_sch1_para18_safeguarding', statutoryGateways: ['children_act_2004_s11'] },
  },
  education: {
    title: 'Schools and the virtual school for children in care',
    port: 3103,
    referralSource: '2A',
    defaultLawfulBasis: { article6: 'public_task', article9: 'dpa2018_sch1_para18_safeguarding', statutoryGateways: ['children_act_2004_s11'] },
  },
  housing: {
    title: 'Council housing services',
    port: 3104,
    referralSource: '4',
    defaultLawfulBasis: { article6: 'legal_obligation', statutoryGateways: ['housing_act_1996_s213b', 'children_act_2004_s11'] },
  },
  probation: {
    title: 'The Probation Service',
    port: 3105,
    referralSource: '7',
    defaultLawfulBasis: { article6: 'public_task', article9: 'dpa2018_sch1_para18_safeguarding', statutoryGateways: ['children_act_2004_s11', 'crime_and_disorder_act_1998_s115'] },
  },
};

/**
 * One registry of the partner agencies. The hub's consumers, its health
 * check, the adapters' defaults and the documented Redis ACL users are all
 * derived from it, so adding an agency is one entry here and one adapter.
 */
export const AGENCY_REGISTRY: Readonly<Record<Agency, AgencyProfile>> = Object.fromEntries(
  AGENCIES.map((agency) => {
    const { port, ...profile } = PROFILES[agency];
    return [
      agency,
      {
        agency,
        ...profile,
        adapter: { name: `${agency}-adapter` as const, port },
        intakeQueue: hubIntakeQueue(agency),
        deliveriesQueue: agencyQueue(agency),
        organisation: ORGANISATION_CODE_RULES[agency],
      },
    ];
  }),
) as Record<Agency, AgencyProfile>;

export function agencyProfile(agency: Agency): AgencyProfile {
  return AGENCY_REGISTRY[agency];
}

/**
 * The Redis keys an agency's adapter may touch under the queue prefix: its own
 * intake, deliveries and inbox push queues, its receipts, its organisations' inboxes and rate limits, and
 * (read only) the partner credentials it checks and its organisations' push endpoints, which only the
 * operators' command writes.
 */
export function redisAclKeyPatterns(agency: Agency, prefix: string): { readWrite: string[]; readOnly: string[] } {
  const { intakeQueue, deliveriesQueue } = AGENCY_REGISTRY[agency];
  return {
    readWrite: [`${prefix}:${intakeQueue}:*`, `${prefix}:${deliveriesQueue}:*`, `${prefix}:receipt:${agency}:*`, `${prefix}:inbox:${agency}:*`, `${prefix}:rate:${agency}:*`, `${prefix}:${inboxPushQueue(agency)}:*`],
    readOnly: [`${prefix}:partner-credential:*`, `${prefix}:inbox-endpoint:${agency}:*`],
  };
}

/** What the printed ACL lines say instead of a password, so nobody runs them unchanged by accident. */
export const ACL_PASSWORD_PLACEHOLDER = 'CHANGE-ME-TO-A-LONG-RANDOM-PASSWORD';

/** The `ACL SETUSER` line that gives an agency's adapter its own Redis user and nothing more. */
export function redisAclSetUser(agency: Agency, prefix: string, password: string): string {
  const { readWrite, readOnly } = redisAclKeyPatterns(agency, prefix);
  return [
    'ACL SETUSER',
    AGENCY_REGISTRY[agency].adapter.name,
    'on',
    `>${password}`,
    'resetkeys resetchannels',
    ...readWrite.map((pattern) => `~${pattern}`),
    ...readOnly.map((pattern) => `%R~${pattern}`),
    '-@all +@read +@write +@scripting +@transaction +@blocking +@connection -@dangerous +info -scan -randomkey',
  ].join(' ');
}
