/** RAG urgency: the sender's own grading, and later the screener's. */
export const RAG_RATINGS = ['red', 'amber', 'green'] as const;
export type Rag = (typeof RAG_RATINGS)[number];

/** DfE CIN census referral source codes: who made the referral. */
export const REFERRAL_SOURCE_CODES = ['1A', '1B', '1C', '1D', '2A', '3A', '3B', '3C', '3D', '3E', '3F', '4', '5A', '5B', '5C', '5D', '6', '7', '8', '9', '10'] as const;
export type ReferralSource = (typeof REFERRAL_SOURCE_CODES)[number];
export const REFERRAL_SOURCES: Record<ReferralSource, string> = {
  '1A': 'Individual: family member, relative or carer',
  '1B': 'Individual: acquaintance, including neighbours and child minders',
  '1C': 'Individual: self',
  '1D': 'Individual: other',
  '2A': 'Schools',
  '3A': 'Health services: GP',
  '3B': 'Health services: health visitor',
  '3C': 'Health services: school nurse',
  '3D': 'Health services: other primary health services',
  '3E': 'Health services: A&E',
  '3F': 'Health services: other',
  '4': 'Housing',
  '5A': 'Local authority services: social care',
  '5B': 'Local authority services: education services',
  '5C': 'Local authority services: external',
  '5D': 'Local authority services: other',
  '6': 'Police',
  '7': 'Other legal agency, including probation',
  '8': 'Other',
  '9': 'Anonymous',
  '10': 'Unknown',
};

/**
 * DfE assessment factor codes (CIN census). The A/B/C suffix says whose
 * concern it is: A the child, B a parent or carer, C another person.
 */
export const ASSESSMENT_FACTORS = {
  '1A': 'Alcohol misuse: concerns about the child',
  '1B': 'Alcohol misuse: concerns about a parent or carer',
  '1C': 'Alcohol misuse: concerns about another person',
  '2A': 'Drug misuse: concerns about the child',
  '2B': 'Drug misuse: concerns about a parent or carer',
  '2C': 'Drug misuse: concerns about another person',
  '3A': 'Domestic abuse: concerns about the child',
  '3B': 'Domestic abuse: concerns about a parent or carer',
  '3C': 'Domestic abuse: concerns about another person',
  '4A': 'Mental health: concerns about the child',
  '4B': 'Mental health: concerns about a parent or carer',
  '4C': 'Mental health: concerns about another person',
  '5A': 'Learning disability: concerns about the child',
  '5B': 'Learning disability: concerns about a parent or carer',
  '5C': 'Learning disability: concerns about another person',
  '6A': 'Physical disability or illness: concerns about the child',
  '6B': 'Physical disability or illness: concerns about a parent or carer',
  '6C': 'Physical disability or illness: concerns about another person',
  '7A': 'Young carer',
  '9A': 'Unaccompanied asylum-seeking child',
  '10A': 'Going or being missing',
  '11A': 'Child sexual exploitation',
  '12A': 'Trafficking',
  '13A': 'Gangs',
  '14A': 'Socially unacceptable behaviour',
  '15A': 'Self-harm',
  '16A': 'Neglect: concerns about the child',
  '16B': 'Neglect: concerns about a parent or carer',
  '16C': 'Neglect: concerns about another person',
  '17A': 'Emotional abuse: concerns about the child',
  '17B': 'Emotional abuse: concerns about a parent or carer',
  '17C': 'Emotional abuse: concerns about another person',
  '18A': 'Physical abuse: concerns about the child',
  '18B': 'Physical abuse: concerns about a parent or carer',
  '18C': 'Physical abuse: concerns about another person',
  '19A': 'Sexual abuse: concerns about the child',
  '19B': 'Sexual abuse: concerns about a parent or carer',
  '19C': 'Sexual abuse: concerns about another person',
  '20': 'Other',
  '21': 'No factors identified',
  '22A': 'Female genital mutilation',
  '23A': 'Abuse linked to faith or belief',
  '24A': 'Child criminal exploitation',
} as const;
export type AssessmentFactorCode = keyof typeof ASSESSMENT_FACTORS;
export const ASSESSMENT_FACTOR_CODES = Object.keys(ASSESSMENT_FACTORS) as AssessmentFactorCode[];

export const ADULT_ROLES = [
  'parent',
  'carer',
  'victim',
  'alleged_perpetrator',
  'household_member',
  /** Convicted and supervised by the Probation Service: not "alleged", and the risk a probation notice is about. */
  'person_on_probation',
  'other',
] as const;
export type AdultRole = (typeof ADULT_ROLES)[number];

/** Consent is decided per case and recorded, with who gave it or why it was not sought. */
export const CONSENT_STATUSES = ['given', 'refused', 'not_sought', 'not_required'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

export const CONSENT_GIVERS = ['parent', 'carer', 'gillick_competent_child'] as const;
export type ConsentGiver = (typeof CONSENT_GIVERS)[number];

export const CONSENT_NOT_SOUGHT_REASONS = [
  'risk_of_significant_harm_to_child',
  'risk_of_serious_harm_to_adult',
  'prejudice_criminal_investigation',
  'undue_delay',
] as const;
export type ConsentNotSoughtReason = (typeof CONSENT_NOT_SOUGHT_REASONS)[number];

/** UK GDPR Article 6 bases a public body sharing for safeguarding may rely on. */
export const ARTICLE_6_BASES = ['public_task', 'legal_obligation', 'vital_interests', 'consent'] as const;
export type Article6Basis = (typeof ARTICLE_6_BASES)[number];

/**
 * Article 9 conditions for special-category data (health). Safeguarding of
 * children is DPA 2018 Schedule 1 para 18; for police processing, Schedule 8 para 4.
 */
export const ARTICLE_9_CONDITIONS = [
  'dpa2018_sch1_para18_safeguarding',
  'dpa2018_sch8_para4_safeguarding',
  'dpa2018_sch1_para2_health_or_social_care',
  'explicit_consent',
  'vital_interests',
] as const;
export type Article9Condition = (typeof ARTICLE_9_CONDITIONS)[number];

export const STATUTORY_GATEWAYS = [
  'children_act_1989_s17',
  'children_act_1989_s47',
  'children_act_2004_s10',
  'children_act_2004_s11',
  'crime_and_disorder_act_1998_s115',
  'housing_act_1996_s213b',
] as const;
export type StatutoryGateway = (typeof STATUTORY_GATEWAYS)[number];

/** Contact and referral outcomes, as the DfE counts them. */
export const CONTACT_OUTCOMES = [
  'no_further_action',
  'advice_and_signposting',
  'early_help',
  'single_assessment_s17',
  'strategy_discussion_s47',
  'request_to_become_looked_after',
  'private_fostering',
] as const;
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];

/** Whether the council is acting on a contact, without saying how: what a referrer with no need to know more is told. */
export function outcomeSummary(outcome: ContactOutcome): 'no_further_action' | 'further_action' {
  return outcome === 'no_further_action' || outcome === 'advice_and_signposting' ? 'no_further_action' : 'further_action';
}
