import { AGENCIES } from '#contracts';
import { describePurpose } from './decision.js';
import type { SharingPolicy } from './policy.js';
import { SHARE_PURPOSES } from './purposes.js';

const CONSENT_WORDS = { decided_per_case: 'decided per case (refused consent needs a manager’s override)', not_a_step: 'not a step' } as const;
const ONWARD_WORDS = {
  mash_own: 'the MASH’s own information',
  sent_for_owner: 'sent on the owning agency’s behalf',
  owner_agreement_or_stated_basis: 'to a third agency only with the owner’s agreement or a stated lawful basis and justification',
} as const;

/** The policy as plain text a data protection officer reads: one table per message type, a row per field a recipient may have. */
export function policyAsText(policy: SharingPolicy): string {
  const lines = [`Sharing policy version ${policy.version}`, `Approved by: ${policy.approvedBy}`, ''];
  for (const purpose of SHARE_PURPOSES) {
    const rule = policy.messages[purpose];
    lines.push(`${purpose}: ${rule.description}`);
    lines.push(`  Consent: ${CONSENT_WORDS[rule.consent]}${rule.consentNote ? ` (${rule.consentNote})` : ''}`);
    lines.push(`  Whose information: ${ONWARD_WORDS[rule.onwardDisclosure]}`);
    lines.push(`  Statutory gateways: ${rule.gateways.join(', ')}`);
    const rows = AGENCIES.flatMap((agency) =>
      (rule.recipients[agency] ?? []).map((field) => [agency, field, policy.fields[field].class, policy.fields[field].description]),
    );
    const refused = AGENCIES.filter((agency) => !rule.recipients[agency]);
    lines.push(...table(['Recipient', 'Field', 'Class', 'What it is'], rows).map((line) => `  ${line}`));
    if (refused.length) lines.push(`  Never sent to: ${refused.join(', ')} (${describePurpose(purpose)} does not go to them)`);
    lines.push('');
  }
  return lines.join('\n');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}
