import { readFileSync } from 'node:fs';
import { defaultSharingPolicyFile, loadSharingPolicy, parseSharingPolicy, policyRows, SharingPolicyError } from './policy.js';

const shipped = JSON.parse(readFileSync(defaultSharingPolicyFile(), 'utf8')) as Record<string, any>;

function problemsOf(plain: unknown): string[] {
  try {
    parseSharingPolicy(plain, 'test');
  } catch (error) {
    if (error instanceof SharingPolicyError) return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('the minimisation policy', () => {
  it('ships valid, with a version', () => {
    const policy = loadSharingPolicy();
    expect(policy.version).toMatch(/^\d{4}-\d{2}\.\d+$/);
    expect(policyRows(policy).length).toBeGreaterThan(10);
  });

  it('never lets a school have a parent’s diagnosis or housing a child’s medical history', () => {
    const policy = loadSharingPolicy();
    for (const purpose of Object.keys(policy.messages) as (keyof typeof policy.messages)[]) {
      const school = policy.messages[purpose].recipients.education ?? [];
      const housing = policy.messages[purpose].recipients.housing ?? [];
      // Categories and narrative are where a parent's diagnosis is written.
      expect(school.filter((field) => policy.fields[field].class === 'special_category')).toEqual([]);
      expect(housing.filter((field) => field.startsWith('health.') || policy.fields[field].class === 'special_category')).toEqual([]);
    }
  });

  it('refuses a policy with every problem named', () => {
    const broken = structuredClone(shipped);
    broken.version = '';
    broken.fields['child.name'].class = 'secret';
    broken.messages.operation_encompass.recipients.education.push('child.shoeSize');
    broken.messages.operation_encompass.recipients.council = ['child.name'];
    broken.messages.information_request.consent = 'maybe';
    delete broken.messages.outcome_feedback;
    broken.messages.gossip = { description: 'x', consent: 'not_a_step', consentNote: 'x', onwardDisclosure: 'mash_own', gateways: ['children_act_2004_s11'], recipients: {} };
    expect(problemsOf(broken)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^version: /),
        expect.stringMatching(/^fields\.child\.name\.class: class must be a data class/),
        expect.stringMatching(/^messages\.operation_encompass\.recipients\.education\[9\]: "child\.shoeSize" is not a field/),
        expect.stringMatching(/^messages\.operation_encompass\.recipients\.council: is not an agency/),
        expect.stringMatching(/^messages\.information_request\.consent: consent must be one of/),
        expect.stringMatching(/^messages\.outcome_feedback: is missing/),
        expect.stringMatching(/^messages\.gossip: is not a message type/),
      ]),
    );
  });

  it('needs a reason where consent is not a step, and a known gateway', () => {
    const broken = structuredClone(shipped);
    delete broken.messages.operation_encompass.consentNote;
    broken.messages.outcome_feedback.gateways = ['because'];
    broken.messages.outcome_feedback.extra = true;
    expect(problemsOf(broken)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^messages\.operation_encompass\.consentNote: consentNote must say why consent is not a step/),
        expect.stringMatching(/^messages\.outcome_feedback\.gateways: each of gateways must be one of/),
        expect.stringMatching(/^messages\.outcome_feedback\.extra: property extra should not exist/),
      ]),
    );
  });

  it('refuses a file that is not JSON', () => {
    expect(() => loadSharingPolicy(new URL(import.meta.url).pathname)).toThrow(/is not JSON/);
  });
});
