import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plainToInstance } from 'class-transformer';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length, Matches, ValidateIf, validateSync } from 'class-validator';
import { AGENCIES, STATUTORY_GATEWAYS, toFieldErrors, type Agency, type FieldError, type StatutoryGateway } from '#contracts';
import { DATA_CLASSES, SHARE_PURPOSES, type DataClass, type SharePurpose } from './purposes.js';

/** How consent bears on a message type: decided on the case, or not a step at all (with the reason why not). */
export const CONSENT_RULES = ['decided_per_case', 'not_a_step'] as const;
export type ConsentRule = (typeof CONSENT_RULES)[number];

/**
 * Whose information the message carries and so what onward disclosure needs:
 * - `mash_own`: the MASH's own (its questions, its decisions, and what it sends back to the owner);
 * - `sent_for_owner`: the owning agency sent it to go on to this recipient (Operation Encompass);
 * - `owner_agreement_or_stated_basis`: another agency's information, which goes to a third agency only
 *   with the owner's recorded agreement or a stated lawful basis and justification.
 */
export const ONWARD_DISCLOSURE_RULES = ['mash_own', 'sent_for_owner', 'owner_agreement_or_stated_basis'] as const;
export type OnwardDisclosureRule = (typeof ONWARD_DISCLOSURE_RULES)[number];

export class FieldDefinition {
  @IsIn(DATA_CLASSES, { message: `$property must be a data class: one of ${DATA_CLASSES.join(', ')}` })
  class!: DataClass;

  @IsString()
  @Length(1, 300)
  description!: string;
}

export class MessageRule {
  @IsString()
  @Length(1, 300)
  description!: string;

  @IsIn(CONSENT_RULES, { message: `$property must be one of ${CONSENT_RULES.join(', ')}` })
  consent!: ConsentRule;

  /** Why consent is not a step: shown to whoever reads the policy. */
  @ValidateIf((rule: MessageRule) => rule.consent === 'not_a_step' || rule.consentNote !== undefined)
  @IsString({ message: '$property must say why consent is not a step for this message' })
  @Length(1, 500)
  consentNote?: string;

  @IsIn(ONWARD_DISCLOSURE_RULES, { message: `$property must be one of ${ONWARD_DISCLOSURE_RULES.join(', ')}` })
  onwardDisclosure!: OnwardDisclosureRule;

  @IsArray()
  @ArrayMinSize(1, { message: '$property must name at least one statutory gateway' })
  @ArrayUnique()
  @IsIn(STATUTORY_GATEWAYS, { each: true, message: `each of $property must be one of ${STATUTORY_GATEWAYS.join(', ')}` })
  gateways!: StatutoryGateway[];

  /** Recipient agency → the fields it may receive; an agency not listed receives nothing of this message. */
  recipients!: Partial<Record<Agency, string[]>>;
}

/** The minimisation policy, as read from its file and checked. */
export interface SharingPolicy {
  version: string;
  approvedBy: string;
  fields: Record<string, FieldDefinition>;
  messages: Record<SharePurpose, MessageRule>;
}

export class SharingPolicyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: FieldError[],
  ) {
    super(`the sharing policy ${source} is not valid:\n${problems.map((problem) => `  ${problem.path}: ${problem.message}`).join('\n')}`);
    this.name = 'SharingPolicyError';
  }
}

const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.\-]{0,39}$/;
const FIELD_NAME_PATTERN = /^[a-z]+(\.[a-zA-Z]+)?$/;

/** The policy in `plain`, or SharingPolicyError listing every problem at once. */
export function parseSharingPolicy(plain: unknown, source: string): SharingPolicy {
  const problems: FieldError[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const object = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);
  if (!object(plain)) throw new SharingPolicyError(source, [{ path: '', message: 'must be a JSON object' }]);

  if (typeof plain.version !== 'string' || !VERSION_PATTERN.test(plain.version)) {
    problem('version', 'must be a version label of letters, digits, dots and dashes, e.g. 2026-11.1');
  }
  if (typeof plain.approvedBy !== 'string' || !plain.approvedBy.trim()) problem('approvedBy', 'must say who approved this version');

  const fields: Record<string, FieldDefinition> = {};
  if (!object(plain.fields)) problem('fields', 'must be an object of field name → { class, description }');
  else {
    for (const [name, definition] of Object.entries(plain.fields)) {
      if (!FIELD_NAME_PATTERN.test(name)) problem(`fields.${name}`, 'a field name is a word or word.word, e.g. child.name');
      const checked = checkInstance(FieldDefinition, definition, `fields.${name}`, problems);
      if (checked) fields[name] = checked;
    }
  }

  const messages: Partial<Record<SharePurpose, MessageRule>> = {};
  if (!object(plain.messages)) problem('messages', `must be an object with a rule for each of ${SHARE_PURPOSES.join(', ')}`);
  else {
    for (const purpose of SHARE_PURPOSES) if (!(purpose in plain.messages)) problem(`messages.${purpose}`, 'is missing: every message type needs a rule');
    for (const [purpose, rule] of Object.entries(plain.messages)) {
      const path = `messages.${purpose}`;
      if (!(SHARE_PURPOSES as readonly string[]).includes(purpose)) {
        problem(path, `is not a message type the hub sends: one of ${SHARE_PURPOSES.join(', ')}`);
        continue;
      }
      const { recipients, ...rest } = object(rule) ? rule : { recipients: undefined };
      const checked = checkInstance(MessageRule, rest, path, problems);
      const checkedRecipients = checkRecipients(recipients, `${path}.recipients`, plain.fields, problem);
      if (checked && checkedRecipients) messages[purpose as SharePurpose] = Object.assign(checked, { recipients: checkedRecipients });
    }
  }
  if (problems.length) throw new SharingPolicyError(source, problems);
  return { version: plain.version as string, approvedBy: plain.approvedBy as string, fields, messages: messages as Record<SharePurpose, MessageRule> };
}

function checkRecipients(
  recipients: unknown,
  path: string,
  fields: unknown,
  problem: (path: string, message: string) => void,
): Partial<Record<Agency, string[]>> | null {
  if (!recipients || typeof recipients !== 'object' || Array.isArray(recipients)) {
    problem(path, 'must be an object of recipient agency → the fields it may receive');
    return null;
  }
  const known = fields && typeof fields === 'object' ? Object.keys(fields) : [];
  const checked: Partial<Record<Agency, string[]>> = {};
  let valid = true;
  for (const [agency, names] of Object.entries(recipients)) {
    if (!(AGENCIES as readonly string[]).includes(agency)) {
      problem(`${path}.${agency}`, `is not an agency: one of ${AGENCIES.join(', ')}`);
      valid = false;
      continue;
    }
    if (!Array.isArray(names) || !names.length || names.some((name) => typeof name !== 'string')) {
      problem(`${path}.${agency}`, 'must list the field names this agency may receive (leave the agency out to send it nothing)');
      valid = false;
      continue;
    }
    names.forEach((name: string, index) => {
      if (!known.includes(name)) {
        problem(`${path}.${agency}[${index}]`, `${JSON.stringify(name)} is not a field defined under fields`);
        valid = false;
      } else if (names.indexOf(name) !== index) {
        problem(`${path}.${agency}[${index}]`, `${JSON.stringify(name)} is listed twice`);
        valid = false;
      }
    });
    checked[agency as Agency] = names as string[];
  }
  return valid ? checked : null;
}

function checkInstance<T extends object>(type: new () => T, plain: unknown, path: string, problems: FieldError[]): T | null {
  if (!plain || typeof plain !== 'object' || Array.isArray(plain)) {
    problems.push({ path, message: 'must be an object' });
    return null;
  }
  const instance = plainToInstance(type, plain);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  const found = toFieldErrors(errors, path);
  problems.push(...found);
  return found.length ? null : instance;
}

/** The policy file that ships with the hub: libs/sharing/policy/minimisation-policy.json. */
export function defaultSharingPolicyFile(): string {
  // From libs/sharing/src (the sources, under test) or dist/libs/sharing/src (built): up to the folder with package.json.
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    try {
      readFileSync(join(folder, 'package.json'));
      return join(folder, 'libs', 'sharing', 'policy', 'minimisation-policy.json');
    } catch {
      folder = dirname(folder);
    }
  }
  throw new Error('cannot find the project folder (with package.json) to read the sharing policy from');
}

/** Reads and checks a policy file; throws SharingPolicyError naming every problem, or the file's own read or JSON error. */
export function loadSharingPolicy(file: string = defaultSharingPolicyFile()): SharingPolicy {
  const text = readFileSync(file, 'utf8');
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch (error) {
    throw new SharingPolicyError(file, [{ path: '', message: `is not JSON: ${(error as Error).message}` }]);
  }
  return parseSharingPolicy(plain, file);
}

/** One row of the policy as the data protection officer reads it. */
export interface PolicyRow {
  purpose: SharePurpose;
  recipient: Agency;
  consent: ConsentRule;
  onwardDisclosure: OnwardDisclosureRule;
  gateways: StatutoryGateway[];
  fields: Array<{ name: string; class: DataClass; description: string }>;
}

/** Every message type × recipient agency, in a fixed order. */
export function policyRows(policy: SharingPolicy): PolicyRow[] {
  return SHARE_PURPOSES.flatMap((purpose) => {
    const rule = policy.messages[purpose];
    return AGENCIES.filter((agency) => rule.recipients[agency]).map((agency) => ({
      purpose,
      recipient: agency,
      consent: rule.consent,
      onwardDisclosure: rule.onwardDisclosure,
      gateways: rule.gateways,
      fields: rule.recipients[agency]!.map((name) => ({ name, class: policy.fields[name].class, description: policy.fields[name].description })),
    }));
  });
}
