/** The partner agencies that send notifications to the hub, each through its own adapter. */
export const AGENCIES = ['police', 'health', 'education', 'housing', 'probation'] as const;
export type Agency = (typeof AGENCIES)[number];

/** DfE CIN census referral source for each agency's default sender (education: 2A schools; health: 3F other). */
export const DEFAULT_REFERRAL_SOURCE: Record<Agency, string> = {
  police: '6',
  health: '3F',
  education: '2A',
  housing: '4',
  probation: '7',
};
