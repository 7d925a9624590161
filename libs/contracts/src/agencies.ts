/** The partner agencies that send notifications to the hub, each through its own adapter. */
export const AGENCIES = ['police', 'health', 'education', 'housing', 'probation'] as const;
export type Agency = (typeof AGENCIES)[number];
